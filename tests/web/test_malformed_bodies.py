"""A form body Django cannot parse is a 400 with a Vietnamese message, never a 500, and changes nothing
(config/middleware.NoNulCharacters): multipart without a boundary or with a bad one, a urlencoded body in
another charset, too many fields; under /api/ in the error shape, elsewhere as a page."""

from __future__ import annotations

import pytest
from django.test import Client

from ansinh.messaging.models import CallbackEvent
from ansinh.registry.models import AuditEntry, Person
from tests.builders import COMMUNE_X, Personas, personas

pytestmark = pytest.mark.django_db

FIELD = b'--XX\r\nContent-Disposition: form-data; name="full_name"\r\n\r\nNguyen\r\n--XX--\r\n'
MALFORMED = [
    ("multipart/form-data", FIELD),  # no boundary
    ("multipart/form-data; boundary=", FIELD),  # an empty one
    ("multipart/form-data; boundary=" + "x" * 300, FIELD),  # longer than Django takes
    ("multipart/form-data; boundary=é", FIELD),  # not ASCII
    ("application/x-www-form-urlencoded; charset=latin-1", b"full_name=Nguyen"),
]
PATHS = ["/api/v1/messages/callback/http_sms", "/api/people", "/api/quotes/vsi", "/ho/moi/", "/dang-nhap/"]


@pytest.fixture
def who() -> Personas:
    return personas()


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), AuditEntry.objects.count(), CallbackEvent.objects.count()


@pytest.mark.parametrize(("content_type", "body"), MALFORMED)
@pytest.mark.parametrize("path", PATHS)
def test_an_unparseable_form_body_is_400_in_vietnamese_and_changes_nothing(
        who: Personas, path: str, content_type: str, body: bytes) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(who.agent)
    before = counts()
    response = client.generic("POST", path, body, content_type=content_type)
    assert response.status_code == 400
    if path.startswith("/api/"):
        error = response.json()["error"]
        assert error["code"] == "invalid_input" and "Không đọc được nội dung gửi lên" in error["message"]
        assert "boundary" in error["message_en"]
    else:
        assert "Không đọc được nội dung gửi lên" in response.content.decode()
    assert counts() == before


def test_too_many_fields_is_the_same_400(who: Personas) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(who.agent)
    body = "&".join(f"f{n}=1" for n in range(1500))
    response = client.generic("POST", "/api/people", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_input"


def test_a_well_formed_multipart_body_still_reaches_the_view_and_its_raw_body(who: Personas) -> None:
    """The middleware parses the form from the body it read, so the API's JSON parser (and the gateways'
    callback) can still read ``request.body``: a refusal of the content, not a 500."""
    client = Client(raise_request_exception=False)
    client.force_login(who.agent)
    before = counts()
    api = client.generic("POST", "/api/people", FIELD, content_type="multipart/form-data; boundary=XX")
    assert 400 <= api.status_code < 500, api.content
    callback = client.generic("POST", "/api/v1/messages/callback/http_sms", FIELD,
                              content_type="multipart/form-data; boundary=XX")
    assert callback.status_code == 403 and callback.json()["error"]["code"] == "forbidden"  # unsigned
    page = client.post("/ho/moi/", {"full_name": "Nguyễn Văn An", "area": COMMUNE_X})  # multipart, Django's own
    assert "Không đọc được" not in page.content.decode() and page.status_code < 500
    assert counts() == before
