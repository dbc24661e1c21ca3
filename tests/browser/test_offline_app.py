"""The agent's offline app in Chromium (issue 16): loaded online, then offline (``context.set_offline``) reloaded from
the service worker's cache; its quote equals the server's for the same input; a household registered, a VSI term
enrolled and paid with a receipt numbered from the device's block; the queue posted by "Đồng bộ"; logout leaves
nothing in IndexedDB.

The shell, the worker and the parameters are this branch's server (live). The device, slice and sync endpoints
(OFFLINE_CONTRACT.md) are built in another branch (``sync``): here Playwright answers them at the network layer
with the contract's shapes, and the test checks what the app sends them."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import snap

pytestmark = pytest.mark.django_db(transaction=True)
PIN = "246810"
MM = 25.4 / 72  # a PDF point in mm
ON = "2025-08-01"
BLOCK = ["0000101", "0000102", "0000103", "0000104", "0000105"]
SLICE = {
    "generated_at": "2025-08-01T08:00:00+07:00", "device_id": "", "province_code": "40",
    "agent": {"id": 1, "name": "Lê Thị Lan", "phone_masked": "09xxxxx123", "collector": "Bưu điện Nghệ An"},
    "collection_points": [{"id": 3, "name": "Điểm thu xã Môn Sơn"}],
    "receipt_block": {"id": "b1", "series": "BL/25E", "numbers": BLOCK, "used": []},
    "communes": [{"code": "17623", "name": "Xã Môn Sơn"}],
    "households": [{"id": "h-1", "commune_code": "17623", "address": "Bản Búng, xã Môn Sơn", "poverty": "none",
                    "hi_card_end": None, "members": [
                        {"id": "p-1", "full_name": "Nguyễn Văn Ân", "birth_date": "1980-02-03",
                         "birth_precision": "day", "sex": "male", "citizen_id_masked": "0xxxxxxxx123",
                         "relationship": "head",
                         "support_group": "poor", "vsi": None, "hi_card_end": None, "due": None},
                        {"id": "p-2", "full_name": "Lữ Thị Hoà", "birth_date": "1984-05-06", "birth_precision": "day",
                         "sex": "female", "citizen_id_masked": "0xxxxxxxx456", "relationship": "wife",
                         "support_group": "", "vsi": None, "hi_card_end": None, "due": None}]}],
    "visits": {"truncated": False, "rows": [  # issue 18: a row of a visit list assigned to the agent's team
        {"id": 41, "list_id": 7, "campaign": "Tháng vận động", "campaign_slug": "thang-5", "team": "Tổ 1",
         "commune_code": "17623", "household_id": "h-1", "household_code": "H1", "head": "Nguyễn Văn Ân",
         "address": "Bản Búng, xã Môn Sơn", "phone_masked": "09******23", "gap": "never_covered", "lapsed_since": None,
         "hi_yearly": 1_263_600, "hi_group": "household", "last_outcome": None,
         "members": [{"id": "p-1", "full_name": "Nguyễn Văn Ân", "age": 45, "groups": ["poor"],
                      "vsi_monthly": 165_000}]}]},
}


class SyncServer:
    """The contract's three device endpoints, answered by Playwright; it keeps what the app posted."""

    def __init__(self) -> None:
        self.devices: list[dict[str, Any]] = []
        self.batches: list[dict[str, Any]] = []
        self.bearer: list[str | None] = []

    def attach(self, context: Any, base: str) -> None:
        context.route(f"{base}/api/v1/devices", self.device)
        context.route(f"{base}/api/v1/sync/slice", self.slice)
        context.route(f"{base}/api/v1/sync", self.sync)

    def device(self, route: Any) -> None:
        body = json.loads(route.request.post_data)
        self.devices.append(body)
        again = len(self.devices) > 1
        route.fulfill(status=200 if again else 201, content_type="application/json", body=json.dumps(
            {"id": body["id"], "token": None if again else "dev-token-1", "receipt_block": SLICE["receipt_block"]}))

    def slice(self, route: Any) -> None:
        self.bearer.append(route.request.headers.get("authorization"))
        # the contract: the slice carries this branch's GET /api/v1/offline/parameters (from the slice's day)
        parameters = Client().get("/api/v1/offline/parameters", {"from": ON, "months": "12"}).json()
        route.fulfill(status=200, content_type="application/json", body=json.dumps({**SLICE, "parameters": parameters}))

    def sync(self, route: Any) -> None:
        self.bearer.append(route.request.headers.get("authorization"))
        batch = json.loads(route.request.post_data)
        self.batches.append(batch)
        results = [{"id": op["id"], "status": "applied", "server_id": i + 1, "error": None, "flags": []}
                   for i, op in enumerate(batch["operations"])]
        for result, op in zip(results, batch["operations"], strict=True):
            if op["type"] == "payment":  # what the server answers when its quote has moved since
                result.update(status="flagged", flags=[{"kind": "amount_differs",
                                                        "detail": "Thu 2.112.000 đ, máy chủ tính 2.200.000 đ"}])
        route.fulfill(status=200, content_type="application/json",
                      body=json.dumps({"batch_id": batch["batch_id"], "results": results}))


def status(page: Any) -> dict[str, str]:
    return {key: page.inner_text(f"#st-{key}") for key in ("online", "waiting", "receipts")}


def settled(page: Any, **expected: str) -> bool:
    """Waits until the status bar shows the expected counts (it is refreshed after each write, asynchronously)."""
    page.wait_for_function("""(expected) => Object.entries(expected).every(
        ([key, value]) => document.getElementById(`st-${key}`).textContent === value)""", arg=expected)
    return True


def open_app(page: Any, base: str) -> None:
    page.goto(f"{base}/ung-dung/")
    page.wait_for_selector("body[data-ready='1']")


def unlock(page: Any) -> None:
    page.fill("#pin", PIN)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_selector("#tabs:not([hidden])")


def server_vsi(income: int, months: int, groups: list[str], **more: str) -> int:
    response = Client().post("/api/quotes/vsi", {"on": ON, "income": income, "months": months, "groups": groups,
                                                 "province": "40", **more}, content_type="application/json")
    assert response.status_code == 200, response.content
    return int(response.json()["payable"])


def server_hi(members: int) -> int:
    response = Client().post("/api/quotes/hi", {"on": ON, "members": members, "months": 12, "province": "40"},
                             content_type="application/json")
    assert response.status_code == 200, response.content
    return int(response.json()["total"])


def money(page: Any, selector: str) -> int:
    return int("".join(ch for ch in page.inner_text(selector) if ch.isdigit()))


def stored_rows(page: Any) -> int:
    """Every record of every store of the app's IndexedDB databases."""
    return page.evaluate("""async () => {
      let total = 0;
      for (const {name} of await indexedDB.databases()) {
        const db = await new Promise((ok, ko) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result);
                                                   r.onerror = () => ko(r.error); });
        for (const store of db.objectStoreNames) {
          total += await new Promise((ok) => { const r = db.transaction(store).objectStore(store).count();
                                               r.onsuccess = () => ok(r.result); });
        }
        db.close();
      }
      return total;
    }""")


def raw_dump(page: Any) -> str:
    """Everything IndexedDB holds, as text (bytes decoded): what someone with the phone's disk reads."""
    return page.evaluate("""async () => {
      const db = await new Promise((ok) => { const r = indexedDB.open("ansinh-offline");
                                             r.onsuccess = () => ok(r.result); });
      const out = [];
      for (const store of db.objectStoreNames) {
        const rows = await new Promise((ok) => { const r = db.transaction(store).objectStore(store).getAll();
                                                 r.onsuccess = () => ok(r.result); });
        for (const row of rows) out.push(JSON.stringify(row, (k, v) => v instanceof Uint8Array
          ? new TextDecoder("utf-8", {fatal: false}).decode(v) : v));
      }
      db.close();
      return out.join("\\n");
    }""")


def test_fourteen_days_without_a_sync_wipe_the_phone_before_any_pin(browser: Any, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    open_app(page, live_server.url)
    unlock(page)
    page.evaluate("""async () => {
      const {Store, openDb} = await import("/static/web/offline/store.js");
      const store = new Store(openDb());
      await store.unlock("246810");
      await store.put("slice", {households: [{address: "Bản Búng"}]});
      await store.setMeta("last_sync", new Date(Date.now() - 15 * 86400000).toISOString());
    }""")
    assert stored_rows(page) >= 4  # salt, check value, last sync, the slice
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert "Quá 14 ngày chưa đồng bộ" in page.inner_text("#unlock-hint")
    assert stored_rows(page) == 0
    context.close()


def test_a_failed_operation_is_sent_again_under_a_new_id_and_a_done_one_is_not(browser: Any,
                                                                               live_server: Any) -> None:
    """The server's answer to a failed operation is final (docs/offline-sync.md): the phone keeps it as
    failed and retries it at the next sync under a new operation id; an applied one is never sent again."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    open_app(page, live_server.url)
    unlock(page)
    ids = page.evaluate("""async () => {
      const {Store, openDb} = await import("/static/web/offline/store.js");
      const store = new Store(openDb());
      await store.unlock("246810");
      const failed = await store.enqueue("lead", {lead_id: crypto.randomUUID()});
      const applied = await store.enqueue("lead", {lead_id: crypto.randomUUID()});
      await store.settle(failed, {id: failed.id, status: "failed", error: "Thiếu tên."});
      await store.settle(applied, {id: applied.id, status: "applied"});
      const ops = await store.operations();
      return {failed: failed.id, applied: applied.id, after: ops.map((o) => [o.state, o.op.id, o.op.data.lead_id]),
              leads: [failed.data.lead_id, applied.data.lead_id], waiting: await store.waitingCount()};
    }""")
    (first_state, first_id, first_lead), (second_state, second_id, second_lead) = ids["after"]
    assert first_state == "failed" and first_id != ids["failed"] and first_lead == ids["leads"][0]  # same data, new id
    assert (second_state, second_id, second_lead) == ("done", ids["applied"], ids["leads"][1])
    assert ids["waiting"] == 1
    context.close()


def test_each_household_is_quoted_with_the_province_of_its_own_commune(browser: Any, live_server: Any) -> None:
    """An agent whose scope spans two provinces: the quote takes the top-up of the household's province, not
    the first commune's (the server decides it from the commune on record, enrollment.services.quote_vsi)."""
    other = {"id": "h-2", "commune_code": "00004", "address": "Phường Ba Đình", "poverty": "none",
             "hi_card_end": None, "members": [{**SLICE["households"][0]["members"][1], "id": "p-3"}]}
    two = {**SLICE, "province_code": None,
           "communes": [{"code": "17623", "name": "Xã Môn Sơn", "province_code": "40"},
                        {"code": "00004", "name": "Phường Ba Đình", "province_code": "01"}],
           "households": [*SLICE["households"], other]}
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    server = SyncServer()
    server.attach(context, live_server.url)
    context.route(f"{live_server.url}/api/v1/sync/slice", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(
            {**two, "parameters": Client().get("/api/v1/offline/parameters", {"from": ON, "months": "12"}).json()})))
    page = context.new_page()
    open_app(page, live_server.url)
    unlock(page)
    page.click("#download-form button[type=submit]")
    page.wait_for_selector("text=Đã tải 2 hộ, 3 người, 5 số biên lai.")
    page.click("button[data-screen=find]")
    for household, person, province in (("h-2", "p-3", "01"), ("h-1", "p-1", "40"), ("h-2", "p-3", "01")):
        page.fill("#find-q", "hoa")  # both households have a Hoà
        page.click(f"button[data-household='{household}']")
        page.click(f"button[data-quote-vsi='{person}']")
        expect(page.locator("#q-province")).to_have_value(province)
        page.click("button[data-screen=find]")
    context.close()


def test_offline_the_app_reloads_from_its_worker_quotes_as_the_server_and_queues_a_paid_enrolment(
        browser: Any, live_server: Any) -> None:
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    server = SyncServer()
    server.attach(context, base)
    page = context.new_page()
    open_app(page, base)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert page.evaluate("() => caches.keys()")[0].startswith("ansinh-offline-")
    unlock(page)
    page.fill("#device-label", "Điện thoại của Lan")
    page.click("#download-form button[type=submit]")
    page.wait_for_selector("text=Đã tải 1 hộ, 2 người, 5 số biên lai.")
    assert server.devices[0]["label"] == "Điện thoại của Lan" and server.bearer == ["Bearer dev-token-1"]
    assert settled(page, receipts="5")
    assert "Nguy" not in raw_dump(page) and "0xxxxxxxx123" not in raw_dump(page)  # sealed at rest

    # Offline: the page comes back from the worker's cache, and the data from the encrypted store.
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert status(page)["online"].startswith("Mất mạng")
    assert "Nhập mã PIN của bạn" in page.inner_text("#unlock-hint")
    page.fill("#pin", "111111")
    page.click("#unlock-form button[type=submit]")
    page.wait_for_selector("text=Mã PIN không đúng.")
    unlock(page)

    page.click("button[data-screen=find]")
    page.fill("#find-q", "nguyen van an")  # folded: no accents typed
    page.click("button[data-household='h-1']")
    page.click("button[data-quote-vsi='p-1']")
    page.fill("#q-on", ON)
    page.fill("#q-income", "2000000")
    page.select_option("#q-months", "12")
    page.click("#quote-form button[type=submit]")
    page.wait_for_selector("#quote-result table")
    offline_quote = money(page, "#quote-result tr:last-child td")
    assert offline_quote == server_vsi(2_000_000, 12, ["poor"])
    snap(page, "offline-quote-vsi")

    page.click("#enrol-now")
    page.click("#pay-form button[type=submit]")
    page.wait_for_selector("#receipt-number")
    assert page.inner_text("#receipt-number") == BLOCK[0]
    assert settled(page, waiting="2", receipts="4")
    snap(page, "offline-receipt")
    page.emulate_media(media="print")  # the 58 mm roll, printed without a connection
    (sheet,) = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages
    assert abs(float(sheet.mediabox.width) * MM - 58) < 1 and 40 < float(sheet.mediabox.height) * MM < 200
    text = " ".join(sheet.extract_text().split())
    assert "BIÊN LAI THU TIỀN" in text and BLOCK[0] in text and "Tải dữ liệu" not in text
    assert f"{offline_quote:,}".replace(",", ".") in text
    page.emulate_media(media="screen")

    page.click("button[data-screen=quote]")
    page.select_option("#q-scheme", "hi")
    page.fill("#q-on", ON)
    page.fill("#q-members", "3")
    page.click("#quote-form button[type=submit]")
    page.wait_for_selector("#quote-result table")
    assert money(page, "#quote-result tr:last-child td") == server_hi(3)

    page.select_option("#q-scheme", "vsi")  # an advance of 3 years, discounted at a typed monthly return
    page.fill("#q-income", "1500000")
    page.select_option("#q-groups", "near_poor")
    page.select_option("#q-method", "advance")
    page.select_option("#q-months", "36")
    page.fill("#q-rate", "0,0045")
    page.click("#quote-form button[type=submit]")
    page.wait_for_selector("#quote-result table")
    assert money(page, "#quote-result tr:last-child td") == server_vsi(
        1_500_000, 36, ["near_poor"], method="advance", rate="0.0045")
    page.select_option("#q-method", "regular")

    page.click("button[data-screen=find]")  # the household's HI: both members, enrolled and paid
    page.click("button[data-household='h-1']")
    page.click("button[data-quote-hi='h-1']")
    page.fill("#q-on", ON)
    page.click("#quote-form button[type=submit]")
    page.wait_for_selector("#enrol-now")
    hi_quote = money(page, "#quote-result tr:last-child td")
    assert hi_quote == server_hi(2)
    page.click("#enrol-now")
    page.click("#pay-form button[type=submit]")
    page.wait_for_selector(f"#receipt-number:text('{BLOCK[1]}')")

    page.click("button[data-screen=advice]")
    page.fill("#s-people", "12")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector("text=Đã ghi buổi tư vấn")
    page.fill("#l-name", "Hà Văn Tuấn")
    page.click("#lead-form button[type=submit]")
    page.wait_for_selector("text=Đã ghi người quan tâm Hà Văn Tuấn")
    assert settled(page, waiting="6", receipts="3")

    page.click("button[data-screen=register]")
    page.fill("#reg-address", "Bản Phồng, xã Môn Sơn")
    for i, (name, born) in enumerate([("Vi Văn Kiên", "1990-01-02"), ("Lô Thị Mai", "1992-03-04"),
                                      ("Vi Thị Na", "2015-06-07")]):
        if i:
            page.click("#reg-add")
        page.fill(f"#p{i}-name", name)
        page.fill(f"#p{i}-birth", born)
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("text=Đã lưu hộ 3 người trên máy")
    assert settled(page, waiting="10")

    page.click("button[data-screen=find]")  # a newborn joins the household of the slice
    page.click("button[data-household='h-1']")
    page.click("button[data-add-person='h-1']")
    assert page.is_hidden("#reg-address")
    page.fill("#p0-name", "Nguyễn Thị Bé")
    page.fill("#p0-birth", "2025-07-20")
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#household >> text=Nguyễn Thị Bé")
    assert page.locator("#household li").count() == 3 and settled(page, waiting="11")

    page.click("button[data-screen=visits]")  # issue 18: the team's visit list, an outcome recorded offline
    expect(page.locator("li[data-visit-row='41']")).to_contain_text("Hộ nghèo")
    page.click("button[data-visit='41']")
    page.select_option("#v-outcome", "lead")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("li[data-visit-row='41'] .visit-outcome")).to_have_text("Hẹn tham gia")
    assert settled(page, waiting="12")

    # Online again: the queue goes in one batch, each operation answered.
    context.set_offline(False)
    page.click("button[data-screen=sync]")
    page.click("#sync-now")
    page.wait_for_selector("text=Đã gửi 12 thao tác.")
    (batch,) = server.batches
    types = [op["type"] for op in batch["operations"]]
    assert types == ["enrol_vsi", "payment", "enrol_hi", "payment", "advisory_session", "lead", "register_household",
                     "register_person", "register_person", "register_person", "register_person", "visit"]
    enrolment, payment = batch["operations"][0], batch["operations"][1]
    assert enrolment["data"]["quoted_amount"] == offline_quote and enrolment["data"]["person_id"] == "p-1"
    assert payment["data"]["enrolment_id"] == enrolment["data"]["enrolment_id"]
    assert payment["data"]["receipt_number"] == BLOCK[0] and payment["data"]["amount"] == offline_quote
    assert payment["data"]["collection_point_id"] == 3
    hi, hi_payment = batch["operations"][2]["data"], batch["operations"][3]["data"]
    assert hi["member_ids"] == ["p-1", "p-2"] and hi["quoted_amount"] == hi_quote == hi_payment["amount"]
    assert hi_payment["receipt_number"] == BLOCK[1] and hi_payment["enrolment_id"] == hi["enrolment_id"]
    assert batch["operations"][4]["data"]["people_advised"] == 12
    assert batch["operations"][5]["data"]["full_name"] == "Hà Văn Tuấn"
    assert len({op["id"] for op in batch["operations"]}) == 12 and all(op["device_time"][19] in "+-"
                                                                       for op in batch["operations"])
    people = batch["operations"][7:10]
    assert {p["data"]["household_id"] for p in people} == {batch["operations"][6]["data"]["household_id"]}
    assert batch["operations"][10]["data"] | {"person_id": "?"} == {
        "person_id": "?", "household_id": "h-1", "full_name": "Nguyễn Thị Bé", "birth_date": "2025-07-20",
        "sex": "female", "citizen_id": None, "phone": None, "relationship": None}
    assert settled(page, waiting="0")
    assert batch["operations"][11]["data"] | {"visit_id": "?"} == {
        "visit_id": "?", "assignment_id": 41, "outcome": "lead", "person_id": None, "scheme": "vsi", "note": ""}
    assert page.locator("#sync-list li.applied").count() == 10
    assert "Thu 2.112.000 đ, máy chủ tính 2.200.000 đ" in page.inner_text("#sync-list li.flagged >> nth=0")
    page.click("#sync-now")  # nothing left: no second batch
    page.wait_for_selector("text=Không có thao tác nào chờ gửi.")
    assert len(server.batches) == 1

    assert stored_rows(page) > 0
    page.click("button[data-screen=logout]")
    page.wait_for_selector("text=Đã đăng xuất: dữ liệu trên máy đã được xoá.")
    assert stored_rows(page) == 0
    context.close()


@pytest.mark.usefixtures("nghe_an_map")  # a transactional test: the map is flushed after each test
def test_end_to_end_against_the_live_sync_server(browser: Any, live_server: Any) -> None:
    """No route mocks for /api/v1: the real device, slice and sync endpoints (issue 16, "Done when")."""
    from django.utils import timezone

    from ansinh.enrollment.models import Enrollment, EnrollmentStatus
    from ansinh.fieldsync.models import Flag, ReceiptBlock
    from ansinh.lib.money import format_vnd
    from ansinh.payments.models import Payment, Receipt
    from tests.builders import field_setup, personas

    who = personas()
    field_setup(who)
    login = Client()
    login.force_login(who.agent)
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    context.add_cookies([{"name": "sessionid", "value": login.cookies["sessionid"].value, "url": base}])
    batches: list[tuple[str, str | None]] = []
    context.on("request", lambda r: batches.append((r.post_data, r.headers.get("authorization")))
               if r.url.endswith("/api/v1/sync") and r.method == "POST" else None)
    page = context.new_page()
    open_app(page, base)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    unlock(page)
    page.fill("#device-label", "Điện thoại của Lan")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/" in r.url else None)
    page.click("#download-form button[type=submit]")
    page.wait_for_selector("text=Đã tải 0 hộ, 0 người, 50 số biên lai.")
    # the slice carried the parameters: the app needed no second request for them
    assert [u.split("/api/v1/")[1] for u in asked] == ["devices", "sync/slice"]
    block = ReceiptBlock.objects.select_related("pool").get()
    assert settled(page, receipts="50")

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert status(page)["online"].startswith("Mất mạng")
    unlock(page)
    today = timezone.localdate().isoformat()
    page.click("button[data-screen=register]")
    page.fill("#reg-address", "Bản Phồng")
    for i, (name, born) in enumerate([("Vi Văn Kiên", "1990-01-02"), ("Lô Thị Mai", "1992-03-04"),
                                      ("Vi Thị Na", "2015-06-07")]):
        if i:
            page.click("#reg-add")
        page.fill(f"#p{i}-name", name)
        page.fill(f"#p{i}-birth", born)
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("text=Đã lưu hộ 3 người trên máy")
    household = page.get_attribute("#household button[data-quote-hi]", "data-quote-hi")
    people = [page.get_attribute(f"#household li:nth-child({n}) button[data-quote-vsi]", "data-quote-vsi")
              for n in (1, 2)]

    def paid(amount_change: int = 0) -> str:
        page.click("#enrol-now")
        page.wait_for_selector("#pay-form:visible")
        page.wait_for_function("() => !document.getElementById('receipt-number')")
        if amount_change:
            page.fill("#pay-amount", str(int(page.input_value("#pay-amount")) + amount_change))
        page.click("#pay-form button[type=submit]")
        page.wait_for_selector("#receipt-number")
        return page.inner_text("#receipt-number")

    page.click("button[data-screen=find]")
    page.click(f"button[data-quote-hi='{household}']")
    page.fill("#q-on", today)
    page.click("#quote-form button[type=submit]")
    page.wait_for_selector("#enrol-now")
    receipts = [paid()]
    for n, person in enumerate(people):
        page.click("button[data-screen=find]")
        page.fill("#find-q", "ban phong")
        page.click(f"button[data-household='{household}']")
        page.click(f"button[data-quote-vsi='{person}']")
        page.fill("#q-on", today)
        page.fill("#q-income", "2000000")
        page.select_option("#q-months", "3")
        page.click("#quote-form button[type=submit]")
        page.wait_for_selector("#enrol-now")
        receipts.append(paid(amount_change=1000 if n else 0))
    assert receipts == block_numbers(block)[:3]
    assert settled(page, receipts="47", waiting="10")

    context.set_offline(False)
    page.click("button[data-screen=sync]")
    page.click("#sync-now")
    page.wait_for_selector("text=Đã gửi 10 thao tác.")
    assert settled(page, waiting="0")
    assert Payment.objects.count() == 3 and Receipt.objects.count() == 3
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [block.first_number + i for i in range(3)]
    assert Enrollment.objects.filter(status=EnrollmentStatus.PAID).count() == 3
    (differs,) = Flag.objects.filter(kind="amount_differs")  # recorded as collected (1.000 đ over), and flagged
    (over,) = [(p.amount, p.enrollment.payable) for p in Payment.objects.select_related("enrollment")
               if p.amount != p.enrollment.payable]
    assert over[0] == over[1] + 1000 and format_vnd(over[0]) in differs.detail and format_vnd(over[1]) in differs.detail
    assert page.locator("#sync-list li.flagged").count() == 1
    flags_before, payments_before = Flag.objects.count(), list(Payment.objects.values_list("pk", "amount"))

    ((posted, bearer),) = batches  # the same batch again: every operation replayed, nothing changes
    again = Client().post("/api/v1/sync", json.loads(posted), content_type="application/json",
                          headers={"Authorization": bearer})
    assert {r["status"] for r in again.json()["results"]} == {"replayed"}
    assert list(Payment.objects.values_list("pk", "amount")) == payments_before
    assert Flag.objects.count() == flags_before and Receipt.objects.count() == 3
    facts = Client().get("/api/v1/sync/slice", headers={"Authorization": bearer}).json()
    (home,) = facts["households"]
    assert home["hi_card_end"] and sorted(facts["receipt_block"]["used"]) == receipts

    page.click("button[data-screen=logout]")
    page.wait_for_selector("text=Đã đăng xuất: dữ liệu trên máy đã được xoá.")
    assert stored_rows(page) == 0
    context.close()


def block_numbers(block: Any) -> list[str]:
    from ansinh.fieldsync.devices import serial

    return [serial(block, n) for n in range(block.first_number, block.last_number + 1)]
