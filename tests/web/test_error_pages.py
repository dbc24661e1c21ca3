"""Refusals and failures answer with a Vietnamese page, never Django's technical or English one
(issue 13): an unknown address (404), a form without its CSRF token (403), a request for a host that is
not served (400), and a server error (500), with DEBUG off as in production."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db
ENGLISH = ("Not Found", "Page not found", "Forbidden", "CSRF verification failed", "Bad Request", "Server Error",
           "Django")


def _vietnamese(body: str) -> None:
    assert 'lang="vi"' in body
    assert not [word for word in ENGLISH if word in body]


def test_an_unknown_address_is_a_vietnamese_404(settings: Any) -> None:
    assert settings.DEBUG is False
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    _vietnamese(body)
    assert "Không tìm thấy trang" in body


def test_a_form_without_its_csrf_token_is_a_vietnamese_403() -> None:
    response = Client(enforce_csrf_checks=True).post("/dang-nhap/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    _vietnamese(body)
    assert "Biểu mẫu đã hết hạn" in body


def test_a_host_that_is_not_served_is_a_vietnamese_400() -> None:
    response = Client(HTTP_HOST="ke-gia-mao.example").get("/")
    assert response.status_code == 400
    body = response.content.decode()
    _vietnamese(body)
    assert "Yêu cầu không hợp lệ" in body


def test_a_server_error_is_a_vietnamese_page_that_needs_nothing_else() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    _vietnamese(body)
    assert "Lỗi hệ thống" in body and "không có dữ liệu nào được ghi dở" in body
