"""Small screens of issue 13 #15: the person page's history, "the first 15 of 21" said, counts drawn
on whole-number axes, no CLI flag in a message the web shows, no double brackets, a reversal named."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse

import ansinh
from ansinh.payments.models import Payment
from ansinh.registry.models import Person
from ansinh.web.report_views import _bars
from tests.paths import build_world, web_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]
SRC = Path(__file__).resolve().parents[2] / "src" / "ansinh"


@pytest.mark.usefixtures("demo")
def test_the_person_page_shows_the_terms_and_their_receipts() -> None:
    world = build_world()
    hung = Person.objects.get(citizen_id="040078001234")
    paid = Payment.objects.get(idempotency_key="demo-vsi-hung")
    html = web_client(world, "viewer").get(reverse("web:person", args=[hung.pk])).content.decode()
    history = html[html.index('id="history"'):]
    assert "BHXH tự nguyện" in history and paid.receipt.serial in history
    assert f'href="{reverse("web:receipt", args=[paid.receipt.pk])}"' in history


def test_a_chart_of_the_first_rows_says_how_many_it_leaves_out() -> None:
    rows = [SimpleNamespace(name=f"Xã {i}", vsi_new=21 - i, hi_new=0) for i in range(21)]
    bars = _bars(rows)
    assert (bars["shown"], bars["total"], len(bars["data"]["labels"])) == (15, 21, 15)


@pytest.mark.usefixtures("demo")
def test_the_dashboards_say_the_chart_is_the_top_and_count_in_whole_numbers() -> None:
    world = build_world()
    page = web_client(world, "post").get(reverse("web:report_leaderboard")).content.decode()
    overview = web_client(world, "post").get(reverse("web:report_overview")).content.decode()
    assert "web/charts.js" in overview  # the charts' script: a count axis never ticks at 0,5
    charts = (Path(ansinh.__file__).parent / "web" / "static" / "web" / "charts.js").read_text(encoding="utf-8")
    assert "precision: 0" in charts and "ticks: tick" in charts
    for html in (page, overview):
        shown = re.search(r'id="ranked-note">Biểu đồ chỉ vẽ (\d+) .* trong (\d+)', html)
        rows = html.count("<tr>") - 1
        if shown:
            assert int(shown[1]) < int(shown[2])
        else:
            assert rows <= 20
        assert not re.search(r"\(demo\)\s*</?[^>]*>?\s*\(", html) and ") (" not in html  # no "(demo) (DL40-0001)"


def test_no_message_a_web_page_may_show_names_a_cli_flag() -> None:
    """A DomainError's message reaches the web as well as the CLI: it never says "--rate"."""
    flagged = []
    for path in SRC.rglob("*.py"):
        if {"cli", "management", "migrations", "demo"} & set(path.parts):  # the demo is loaded from the CLI only
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "DomainError", "invalid_input", "Reference"):
                for part in ast.walk(node):
                    text = part.value if isinstance(part, ast.Constant) else None
                    if isinstance(text, str) and re.search(r"--[a-z]", text):
                        flagged.append(f"{path.name}:{part.lineno}: {text}")
    assert flagged == []
