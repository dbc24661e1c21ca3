"""Rate limits (issue 15, "Serve"): the public quotes and the login form answer 429 with Retry-After and a
Vietnamese reason beyond the rate, per client address (behind the configured number of trusted proxies,
so one client cannot use up everyone's quota), and a limited request computes and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ansinh.registry.models import AuditEntry

QUOTE = {"on": "2025-08-01", "income": 1_500_000, "months": 1}
PAGE = "/?scheme=vsi&vsi-on=2025-08-01&vsi-income=1500000&vsi-months=1&vsi-method=regular"


@pytest.fixture
def low_rates(settings: Any) -> Any:
    settings.ANSINH_RATE_QUOTE = "3/m"
    settings.ANSINH_RATE_LOGIN = "2/m"
    return settings


def test_the_quote_api_answers_429_beyond_the_rate(client: Client, low_rates: Any) -> None:
    answers = [client.post("/api/quotes/vsi", QUOTE, content_type="application/json") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "Quá nhiều yêu cầu" in refused.json()["error"]["message"]
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_the_quote_page_is_limited_only_when_it_computes(client: Client, low_rates: Any) -> None:
    for _ in range(5):
        assert client.get("/").status_code == 200  # the empty form costs nothing
    statuses = [client.get(PAGE).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    page = client.get(PAGE)
    assert "Quá nhiều yêu cầu" in page.content.decode() and page.status_code == 429


def test_each_client_address_has_its_own_count(client: Client, low_rates: Any) -> None:
    for _ in range(3):
        client.post("/api/quotes/vsi", QUOTE, content_type="application/json", REMOTE_ADDR="10.0.0.1")
    assert client.post("/api/quotes/vsi", QUOTE, content_type="application/json",
                       REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post("/api/quotes/vsi", QUOTE, content_type="application/json",
                       REMOTE_ADDR="10.0.0.2").status_code == 200


def test_behind_a_proxy_the_forwarded_client_counts_not_the_proxy(client: Client, low_rates: Any) -> None:
    low_rates.ANSINH_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(3):
        client.post("/api/quotes/vsi", QUOTE, content_type="application/json", HTTP_X_FORWARDED_FOR="203.0.113.7",
                    **proxy)
    assert client.post("/api/quotes/vsi", QUOTE, content_type="application/json",
                       HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    assert client.post("/api/quotes/vsi", QUOTE, content_type="application/json",
                       HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 200
    # A client that writes its own X-Forwarded-For in front is still counted by the address nginx saw.
    assert client.post("/api/quotes/vsi", QUOTE, content_type="application/json",
                       HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", **proxy).status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_a_lockout_holds_one_client_not_everyone(client: Client, settings: Any) -> None:
    from tests.builders import PASSWORD, user

    settings.ANSINH_TRUSTED_PROXIES = 1
    user(None, username="thu")
    attacker = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post("/dang-nhap/", {"username": "thu", "password": "wrong"}, **attacker)
    locked = client.post("/dang-nhap/", {"username": "thu", "password": PASSWORD}, **attacker)
    assert "Tài khoản tạm khoá" in locked.content.decode()
    owner = Client().post("/dang-nhap/", {"username": "thu", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1",
                          HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert owner.status_code == 302  # the same proxy, another client: signed in


@pytest.mark.parametrize(("proxies", "forwarded", "peer", "client"), [
    (0, "198.51.100.1", "10.0.0.5", "10.0.0.5"),  # no proxy: the header is the client's own words
    (1, "203.0.113.7", "127.0.0.1", "203.0.113.7"),
    (1, "198.51.100.1, 203.0.113.7", "127.0.0.1", "203.0.113.7"),
    (2, "203.0.113.7, 10.1.1.1", "127.0.0.1", "203.0.113.7"),
    (1, "", "127.0.0.1", "127.0.0.1"),  # a proxy that sent no header: the proxy itself
])
def test_the_client_address_behind_n_trusted_proxies(settings: Any, proxies: int, forwarded: str, peer: str,
                                                     client: str) -> None:
    from django.test import RequestFactory

    from ansinh.org.security_log import client_address

    settings.ANSINH_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=peer)
    assert client_address(request) == client


@pytest.mark.django_db
def test_the_login_form_is_limited_and_a_limited_attempt_is_not_even_checked(client: Client, low_rates: Any) -> None:
    assert client.get("/dang-nhap/").status_code == 200
    tries = [client.post("/dang-nhap/", {"username": "nobody", "password": "wrong"}).status_code for _ in range(3)]
    assert tries[:2] == [200, 200] and tries[2] == 429  # the form answers 200 with its error, then 429
    assert client.get("/dang-nhap/").status_code == 200  # reading the form is never limited
    assert not AuditEntry.objects.exists()


def test_axes_gets_an_address_or_none_never_a_placeholder(settings: Any) -> None:
    from django.test import RequestFactory

    from ansinh.org.security_log import client_ip

    settings.ANSINH_TRUSTED_PROXIES = 1
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")) == \
        "203.0.113.7"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")) is None
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR")
    assert client_ip(request) is None  # a forced login in tests: PostgreSQL's address column takes no "-"
