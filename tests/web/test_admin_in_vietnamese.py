"""The admin in Vietnamese (issue 13 #10): its title, every model's and field's name, percentages as
percentages. The index and every changelist, filled with the demo, are read for English words."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from ansinh.payments.models import CommissionRate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]

# words an untranslated admin shows: Django's defaults, model and field names left to Django
ENGLISH = re.compile(r"\b(Django|administration|None|Key|Commission|Is renewal|Valid from|Valid to|rate|Receipt|"
                     r"Payment|Remittance|Sponsor|Target|Award|Attribution|event|site|session|period|token|"
                     r"access|attempt|failure|logs?|Username|User Agent|IP Address|Add|Change|Delete|Search|"
                     r"created at|recorded by|idempotency|object|enrollment|collector|agent|campaign|"
                     r"parent|slug|status)\b")
OURS = ("areas", "org", "payments", "campaigns", "reports", "axes")


def visible(html: str) -> str:
    """The text a user reads: no tags, scripts, styles or attribute values."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def superuser_client(demo: None) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("quantri", "qt@example.vn", "x"))
    return client


def test_every_model_and_field_of_the_admin_is_named_in_vietnamese() -> None:
    unnamed = []
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in OURS[:-1]:
            continue
        if "verbose_name" not in meta.original_attrs or "verbose_name_plural" not in meta.original_attrs:
            unnamed.append(meta.label)
        for field in meta.get_fields():  # reverse relations are not concrete: no name of their own
            named_by_django = field.verbose_name == field.name.replace("_", " ") if field.concrete else False
            if field.name != "id" and named_by_django:
                unnamed.append(f"{meta.label}.{field.name}")
    assert unnamed == []


def test_the_admin_index_and_every_changelist_read_in_vietnamese(superuser_client: Client) -> None:
    index = superuser_client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert not re.search(r"\bAxes\b", visible(index.content.decode()))  # the login-lockout app's section too
    text = visible(index.content.decode())
    assert "ansinh — quản trị" in text and "Trang quản trị cho Django" not in text
    pages = {"index": text}
    for model in admin.site._registry:
        if model._meta.app_label in OURS:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            response = superuser_client.get(url)
            assert response.status_code == 200, url
            pages[model._meta.label] = visible(response.content.decode())
    assert len(pages) > 25
    english = {name: sorted(set(ENGLISH.findall(text))) for name, text in pages.items() if ENGLISH.search(text)}
    assert english == {}, english


def test_a_commission_rate_is_shown_as_a_percentage(superuser_client: Client) -> None:
    CommissionRate.objects.update(rate=Decimal("0.0500"))
    assert CommissionRate.objects.exists()  # the demo's example rates
    text = visible(superuser_client.get(reverse("admin:payments_commissionrate_changelist")).content.decode())
    assert "5%" in text and "0,0500" not in text
