"""Persona × path: every page of web/urls.py and every API operation, tried by each persona (issue 11).

Each (path, method) has a declared expectation per persona in EXPECTED; a path added later has
none, and `test_every_path_has_a_declared_expectation` fails until it is declared. Every call
must answer without a 5xx; a refused write leaves the row count of every table unchanged.

Outcomes: OK (the rights check let it through: 2xx/3xx other than the login redirect, or a 400/409/
422 refusal of the body itself), 403, 404, DENIED (403 or 404: both are honest, e.g. creating in an
area outside one's scope), LOGIN (302 to the login page), 401 (API without a token), 405.

The expectations are what issues 11 and 12 demand, not what today's code does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.paths import (
    PERSONAS,
    World,
    api_client,
    build_world,
    is_login_redirect,
    operation_url,
    operations,
    page_url,
    pages,
    row_counts,
    web_client,
)

OK, LOGIN, DENIED = "ok", "login", "denied"
F, NF, NA, U = 403, 404, 405, 401


def row(ax: Any, ay: Any, my: Any, v: Any, po: Any, out: Any, anon: Any) -> dict[str, Any]:
    """Agent of X, agent of Y, manager of Y's district, viewer, post office manager, outsider, anonymous."""
    return dict(zip(PERSONAS, (ax, ay, my, v, po, out, anon), strict=True))


PUBLIC = row(OK, OK, OK, OK, OK, OK, OK)
LOGGED_IN = row(OK, OK, OK, OK, OK, OK, LOGIN)
READ_X = row(OK, NF, NF, OK, OK, NF, LOGIN)  # a record of commune X (the demo's Thành Vinh)
WRITE_X = row(OK, NF, NF, F, OK, NF, LOGIN)  # a change to a record of commune X; the viewer only reads
CREATE = row(OK, OK, OK, F, OK, F, LOGIN)  # a new record's form: every writer (in their own areas)
POST_ONLY = row(NA, NA, NA, NA, NA, NA, LOGIN)
MEMBER = row(OK, NF, NF, F, F, NF, LOGIN)  # a team member's change (the agent of X is in team 1)
MANAGER = row(F, NF, NF, F, F, NF, LOGIN)  # awarding and overriding: managers of the campaign's areas only
LIST_MANAGER = row(F, NF, NF, F, OK, NF, LOGIN)  # visit lists: any manager (the post office's too) of commune X


def api(profile: dict[str, Any]) -> dict[str, Any]:
    """The same rights through the API: no token is 401, never a redirect."""
    return {**profile, "anonymous": U if profile["anonymous"] == LOGIN else profile["anonymous"]}


EXPECTED: dict[tuple[str, str], dict[str, Any]] = {
    ("web:quote", "GET"): PUBLIC,
    ("web:set_language", "GET"): row(NA, NA, NA, NA, NA, NA, NA),  # the language switch: a POST (CSRF) only
    ("web:set_language", "POST"): PUBLIC,  # a redirect with the cookie; nothing written
    ("web:consultation", "GET"): PUBLIC,
    ("web:parameters", "GET"): PUBLIC,
    ("web:record_lead", "GET"): POST_ONLY,
    ("web:record_lead", "POST"): row(OK, F, F, F, F, F, LOGIN),  # only an active team member records a lead
    ("web:report_overview", "GET"): LOGGED_IN,
    ("web:report_leaderboard", "GET"): LOGGED_IN,
    ("web:report_renewals", "GET"): LOGGED_IN,
    ("web:coverage", "GET"): LOGGED_IN,  # issue 18: coverage by commune in one's scope (empty outside any)
    # the province's what-if prices every term of the province: its leadership only (the demo viewer's scope)
    ("web:report_whatif", "GET"): row(F, F, F, OK, F, F, LOGIN),
    ("web:report_whatif_start", "GET"): POST_ONLY,
    ("web:report_whatif_start", "POST"): row(F, F, F, OK, F, F, LOGIN),  # "if everyone joined", by the queue
    ("web:campaigns", "GET"): LOGGED_IN,
    ("web:campaign", "GET"): READ_X,  # the campaign covers commune X only
    ("web:campaign_board", "GET"): READ_X,
    ("web:campaign_board_data", "GET"): READ_X,
    ("web:campaign_session", "GET"): READ_X,
    ("web:campaign_session", "POST"): MEMBER,
    ("web:campaign_bulletin", "GET"): READ_X,
    ("web:campaign_award", "GET"): POST_ONLY,
    ("web:campaign_award", "POST"): MANAGER,
    ("web:campaign_site", "GET"): READ_X,
    ("web:campaign_site", "POST"): WRITE_X,  # completing a task of the site of commune X
    ("web:campaign_certificate", "GET"): READ_X,
    # visit lists (issue 18): read by who sees the campaign; made and assigned by its managers of commune X
    # (the post office's manager); a visit recorded by the household's team (the agent of X) or those managers
    ("web:visit_lists", "GET"): READ_X,
    ("web:visit_lists", "POST"): LIST_MANAGER,
    ("web:visit_list", "GET"): READ_X,
    ("web:visit_list", "POST"): LIST_MANAGER,
    ("web:visit_sheet", "GET"): READ_X,
    ("web:visit_record", "GET"): WRITE_X,
    ("web:visit_record", "POST"): WRITE_X,
    ("web:login", "GET"): PUBLIC,
    # the citizen's page: no account; without its session the later steps send back to the first
    ("web:citizen", "GET"): PUBLIC,
    ("web:citizen", "POST"): PUBLIC,  # an empty body is a 400 of the form, whoever asks
    ("web:citizen_code", "GET"): PUBLIC,
    ("web:citizen_code", "POST"): PUBLIC,
    ("web:citizen_mine", "GET"): PUBLIC,
    ("web:citizen_leave", "GET"): row(NA, NA, NA, NA, NA, NA, NA),
    ("web:citizen_leave", "POST"): PUBLIC,
    ("web:logout", "GET"): row(NA, NA, NA, NA, NA, NA, NA),  # Django logs out by POST only
    ("web:password_change", "GET"): LOGGED_IN,
    ("web:password_change_done", "GET"): LOGGED_IN,
    ("web:search", "GET"): LOGGED_IN,
    ("web:household_new", "GET"): CREATE,
    ("web:household_new", "POST"): row(OK, DENIED, DENIED, F, OK, DENIED, LOGIN),  # the body names commune X
    ("web:household", "GET"): READ_X,
    ("web:household_edit", "GET"): WRITE_X,
    ("web:household_edit", "POST"): WRITE_X,
    ("web:member_add", "GET"): WRITE_X,
    ("web:member_add", "POST"): WRITE_X,
    ("web:member_end", "GET"): POST_ONLY,
    ("web:member_end", "POST"): WRITE_X,
    ("web:poverty_set", "GET"): WRITE_X,
    ("web:poverty_set", "POST"): WRITE_X,
    ("web:person", "GET"): READ_X,
    ("web:person", "POST"): WRITE_X,  # reveal the full citizen ID: not for the viewer (org/fields.py)
    ("web:participant_declaration", "GET"): READ_X,  # TK1-TS: printed from the person page, with its rights
    ("web:participant_declaration_pdf", "GET"): READ_X,
    ("web:hi_declaration", "GET"): READ_X,  # NĐ 188 Mẫu số 2: from the person page and the HI enrolment screen
    ("web:hi_declaration_pdf", "GET"): READ_X,
    ("web:person_edit", "GET"): WRITE_X,  # issue 11 #1: the viewer does not get the edit form
    ("web:person_edit", "POST"): WRITE_X,
    # issue 18: an agent's change of what unlocks support is a request; a manager of the area (not the maker) decides
    ("web:island_set", "GET"): WRITE_X,
    ("web:island_set", "POST"): WRITE_X,
    ("web:other_coverage", "GET"): WRITE_X,  # issue 18: coverage through another group, recorded by staff
    ("web:other_coverage", "POST"): WRITE_X,
    ("web:support_requests", "GET"): LOGGED_IN,  # the queue of one's scope; the buttons for managers only
    ("web:support_decide", "GET"): POST_ONLY,
    ("web:support_decide", "POST"): row(F, NF, NF, F, OK, NF, LOGIN),
    ("web:vsi_enroll", "GET"): WRITE_X,
    ("web:vsi_enroll", "POST"): WRITE_X,
    ("web:vsi_stop", "GET"): POST_ONLY,
    ("web:vsi_stop", "POST"): WRITE_X,  # the participant's stop (dừng đóng): a "giảm" row of D05-TS
    ("web:hi_enroll", "GET"): WRITE_X,
    ("web:hi_enroll", "POST"): WRITE_X,
    # NĐ 188 Mẫu số 4: printed from the HI enrolment screen, with its rights (writers of commune X)
    ("web:household_declaration", "GET"): WRITE_X,
    ("web:household_declaration_pdf", "GET"): WRITE_X,
    ("web:pay", "GET"): WRITE_X,
    ("web:pay", "POST"): WRITE_X,
    ("web:receipt", "GET"): READ_X,
    ("web:receipt_pdf", "GET"): READ_X,
    ("web:reverse", "GET"): POST_ONLY,
    # issue 13.12: a manager reverses at once; an agent asks (reversal_request), a manager decides
    ("web:reverse", "POST"): row(F, NF, NF, F, OK, NF, LOGIN),
    ("web:reversal_request", "GET"): POST_ONLY,
    ("web:reversal_request", "POST"): row(OK, NF, NF, F, F, NF, LOGIN),
    ("web:reversal_requests", "GET"): LOGGED_IN,  # the queue of one's scope; the buttons for managers only
    ("web:reversal_decide", "GET"): POST_ONLY,
    ("web:reversal_decide", "POST"): row(F, NF, NF, F, OK, NF, LOGIN),
    ("web:receipt_confirm", "GET"): POST_ONLY,
    ("web:receipt_confirm", "POST"): row(F, NF, NF, F, OK, NF, LOGIN),  # managers only (BHXH's code)
    # the offline app's managers' pages (issue 16): the lists of one's scope, the buttons for managers only
    ("web:sync_flags", "GET"): LOGGED_IN,
    ("web:sync_decide", "GET"): POST_ONLY,
    ("web:sync_decide", "POST"): row(F, NF, NF, F, OK, NF, LOGIN),  # a duplicate person of commune X
    ("web:sync_devices", "GET"): LOGGED_IN,
    ("web:sync_revoke", "GET"): POST_ONLY,
    ("web:sync_revoke", "POST"): row(F, NF, NF, F, OK, NF, LOGIN),  # the agent of X's phone
    ("web:sync_receipt_book", "GET"): LOGGED_IN,
    ("web:due", "GET"): LOGGED_IN,
    ("web:money", "GET"): LOGGED_IN,
    ("web:remittance_new", "GET"): CREATE,
    # issue 11 #8: a collector→BHXH remittance is recorded by the collector's staff only
    ("web:remittance_new", "POST"): row(F, F, DENIED, F, OK, DENIED, LOGIN),
    # the audit trail and the citizen-ID locator: their readers in org/fields.py (may_read_audit, may_locate)
    ("web:audit_log", "GET"): row(F, F, OK, F, OK, F, LOGIN),
    ("web:locate", "GET"): row(F, F, OK, F, F, F, LOGIN),
    ("web:locate", "POST"): row(F, F, OK, F, F, F, LOGIN),
    # issue 17 §3: the collector's bank statement is its own managers' (the post office), no one else's
    ("web:statements", "GET"): row(F, F, F, F, OK, F, LOGIN),
    ("web:statements", "POST"): row(F, F, F, F, OK, F, LOGIN),
    ("web:statement", "GET"): row(F, F, F, F, OK, F, LOGIN),
    ("web:statement_queue", "GET"): row(F, F, F, F, OK, F, LOGIN),
    ("web:statement_line", "GET"): row(F, F, F, F, OK, F, LOGIN),
    ("web:statement_resolve", "GET"): POST_ONLY,
    ("web:statement_resolve", "POST"): row(F, F, F, F, OK, F, LOGIN),
    # issue 17 §4: the outbox of one's areas, for staff with a role; writers of the person's area cancel, resend
    ("web:outbox", "GET"): row(OK, OK, OK, OK, OK, F, LOGIN),
    ("web:outbox_cancel", "GET"): POST_ONLY,
    ("web:outbox_cancel", "POST"): row(OK, NF, NF, F, OK, F, LOGIN),
    ("web:outbox_retry", "GET"): POST_ONLY,
    ("web:outbox_retry", "POST"): row(OK, NF, NF, F, OK, F, LOGIN),  # Hùng's is queued: the agent's is a 400
    ("web:person_consent", "GET"): POST_ONLY,  # Decree 13/2023: the person's consent, recorded from the person page
    ("web:person_consent", "POST"): WRITE_X,
    ("web:export_start", "GET"): POST_ONLY,
    # D05-TS of the province's post office: its staff (agents too) export; the viewer's copy is masked
    # (org/fields.py); outside the collector's areas there is nothing to export
    ("web:export_start", "POST"): row(OK, OK, DENIED, OK, OK, NF, LOGIN),
    ("web:export", "GET"): row(OK, NF, NF, NF, NF, NF, LOGIN),  # the job is the agent of X's own
    ("web:export_download", "GET"): row(NF, NF, NF, NF, NF, NF, LOGIN),  # not finished: no file for anyone
    # the offline app (issue 16): a shell without user or personal data, its worker and manifest, its parameters
    ("web:offline_app", "GET"): PUBLIC,
    ("web:offline_worker", "GET"): PUBLIC,
    ("web:offline_manifest", "GET"): PUBLIC,
    ("web:offline_parameters", "GET"): PUBLIC,
    # the rally kiosk (issue 16): the same worker under the kiosk's scope; a site's page for who sees the campaign
    ("web:kiosk_worker", "GET"): PUBLIC,
    ("web:kiosk", "GET"): READ_X,
    # the API, by operation id
    ("ansinh_api_quotes_quote_vsi", "POST"): PUBLIC,
    ("ansinh_api_quotes_quote_hi", "POST"): PUBLIC,
    ("ansinh_api_parameters_list_parameters", "GET"): PUBLIC,
    ("ansinh_areas_api_list_areas", "GET"): api(LOGGED_IN),
    ("ansinh_areas_api_remap", "GET"): api(LOGGED_IN),
    ("ansinh_org_api_org_units", "GET"): api(LOGGED_IN),
    ("ansinh_org_api_agents", "GET"): api(LOGGED_IN),
    ("ansinh_registry_api_search_people", "GET"): api(LOGGED_IN),
    ("ansinh_registry_api_create_person", "POST"): api(row(OK, DENIED, DENIED, F, OK, DENIED, LOGIN)),
    ("ansinh_registry_api_get_person", "GET"): api(READ_X),
    ("ansinh_registry_api_update_person", "PUT"): api(WRITE_X),
    ("ansinh_registry_api_delete_person", "DELETE"): api(WRITE_X),  # he has a payment: a 409/422, never a 500
    ("ansinh_registry_api_reveal", "POST"): api(WRITE_X),
    ("ansinh_registry_api_locate", "POST"): api(row(F, F, OK, F, F, F, LOGIN)),
    ("ansinh_registry_api_create_household", "POST"): api(row(OK, DENIED, DENIED, F, OK, DENIED, LOGIN)),
    ("ansinh_registry_api_get_household", "GET"): api(READ_X),
    ("ansinh_registry_api_update_household", "PATCH"): api(WRITE_X),
    ("ansinh_registry_api_add_member", "POST"): api(WRITE_X),
    ("ansinh_registry_api_end_membership", "POST"): api(WRITE_X),
    ("ansinh_registry_api_set_poverty", "POST"): api(WRITE_X),
    ("ansinh_registry_api_set_island", "POST"): api(WRITE_X),
    ("ansinh_registry_api_add_other_coverage", "POST"): api(WRITE_X),
    ("ansinh_registry_api_support_requests", "GET"): api(LOGGED_IN),
    ("ansinh_registry_api_decide_support_request", "POST"): api(row(F, NF, NF, F, OK, NF, LOGIN)),
    ("ansinh_enrollment_api_enroll_vsi", "POST"): api(WRITE_X),
    ("ansinh_enrollment_api_enroll_hi", "POST"): api(WRITE_X),
    ("ansinh_enrollment_api_cancel", "POST"): api(WRITE_X),  # the pending term of commune X
    ("ansinh_enrollment_api_due_list", "GET"): api(LOGGED_IN),
    ("ansinh_payments_api_record", "POST"): api(WRITE_X),
    ("ansinh_payments_api_reverse", "POST"): api(row(F, NF, NF, F, OK, NF, LOGIN)),
    ("ansinh_payments_api_request_reversal", "POST"): api(row(OK, NF, NF, F, F, NF, LOGIN)),
    ("ansinh_payments_api_decide_reversal", "POST"): api(row(F, NF, NF, F, OK, NF, LOGIN)),
    ("ansinh_payments_api_receipt", "GET"): api(READ_X),
    ("ansinh_payments_api_remit", "POST"): api(row(F, F, DENIED, F, OK, DENIED, LOGIN)),
    ("ansinh_payments_api_reconciliation", "GET"): api(LOGGED_IN),
    ("ansinh_payments_api_commission", "GET"): api(READ_X),  # the commission of the agent of X
    ("ansinh_campaigns_api_campaigns", "GET"): api(LOGGED_IN),
    ("ansinh_campaigns_api_summary", "GET"): api(READ_X),
    ("ansinh_campaigns_api_funnel", "GET"): api(READ_X),
    ("ansinh_campaigns_api_sites", "GET"): api(READ_X),
    ("ansinh_campaigns_api_ranking", "GET"): api(READ_X),
    ("ansinh_campaigns_api_targets", "GET"): api(READ_X),
    ("ansinh_campaigns_api_bulletin_text", "GET"): api(READ_X),
    ("ansinh_campaigns_api_tasks", "GET"): api(READ_X),
    ("ansinh_campaigns_api_update_task", "PATCH"): api(WRITE_X),
    ("ansinh_campaigns_api_media", "GET"): api(READ_X),
    ("ansinh_campaigns_api_add_media", "POST"): api(WRITE_X),
    ("ansinh_campaigns_api_log_session", "POST"): api(MEMBER),
    ("ansinh_campaigns_api_add_lead", "POST"): api(MEMBER),
    ("ansinh_campaigns_api_override", "PUT"): api(MANAGER),
    ("ansinh_campaigns_api_awards", "GET"): api(READ_X),
    ("ansinh_campaigns_api_record_visit", "POST"): api(WRITE_X),
    # the offline app: an agent registers a phone; the slice and the sync take a device token, never a user's
    ("ansinh_fieldsync_api_register_device", "POST"): api(row(OK, OK, F, F, F, F, LOGIN)),
    ("ansinh_fieldsync_api_download_slice", "GET"): row(U, U, U, U, U, U, U),
    ("ansinh_fieldsync_api_sync", "POST"): row(U, U, U, U, U, U, U),
    # a gateway's delivery report: signed with the shared secret, not a user's session or token (unsigned: 403)
    ("ansinh_messaging_api_callback", "POST"): row(F, F, F, F, F, F, F),
}


def page_bodies(ids: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A plausible form for each page that takes a POST, so a wrongly allowed write would write."""
    today = timezone.localdate().isoformat()
    switch = {"language": "en", "next": "/"}
    person = {"full_name": "Nguyễn Văn Hùng", "date_of_birth": "1978-04-12", "sex": "male", "ethnicity": "01",
              "citizen_id": "040078001234", "phone": "0912000111", "address_detail": "Khối 3", "area": ids["area_id"]}
    new_person = {**person, "full_name": "Đặng Văn Quý", "date_of_birth": "1995-06-01", "citizen_id": "040095004444",
                  "phone": "0912000999", "joined": today}
    return {
        "web:set_language": switch,
        # outcomes and location kinds of campaigns/models.py (an unknown one was a 400 for everyone,
        # so a wrongly allowed write could not be seen)
        "web:record_lead": {"team": ids["team_id"], "full_name": "Võ Thị Hoa", "scheme": "vsi",
                            "outcome": "promised", "follow_up_on": today, "phone": "0912000555", "back": "/tu-van/"},
        "web:campaign_session": {"team": ids["team_id"], "location_name": "Nhà văn hoá khối 3",
                                 "location_kind": "residential", "people_advised": 5, "area": ids["area_id"]},
        "web:campaign_award": {},
        "web:campaign_site": {"task": ids["task_id"]},
        "web:visit_lists": {"area": ids["area_id"], "gaps": ["never_covered", "lapsed"], "key": uuid.uuid4().hex},
        "web:visit_list": {"mode": "even"},
        "web:visit_record": {"outcome": "advised", "scheme": "vsi", "key": uuid.uuid4().hex},
        "web:household_new": new_person,
        "web:household_edit": {"address_detail": "Khối 4"},
        "web:member_add": {**new_person, "relationship": "child", "full_name": "Nguyễn Văn Bình",
                           "date_of_birth": "2010-01-01", "citizen_id": "040210004545", "phone": ""},
        "web:member_end": {"left": today},
        "web:poverty_set": {"status": "poor", "valid_from": today, "decision_number": "QĐ 1/QĐ-UBND",
                            "decision_date": today},
        "web:island_set": {"island": "yes", "decision_number": "XN 2/UBND", "decision_date": today},
        "web:support_decide": {"decision": "approve"},
        "web:other_coverage": {"kind": "pensioner", "source": "Sổ hưu", "valid_from": today},
        "web:person": {},
        "web:locate": {"citizen_id": "040078001234"},
        "web:person_edit": {**person, "address_detail": "Khối 9"},
        "web:vsi_enroll": {"on": today, "income": 2_000_000, "months": 3, "method": "regular", "confirm": "1"},
        "web:vsi_stop": {"on": today},
        "web:hi_enroll": {"on": today, "members": ids["member_ids"], "months": 12, "card_kind": "electronic",
                          "initial_clinic": "Trạm y tế", "confirm": "1"},
        "web:pay": {"amount": ids["pending_payable"], "method": "cash", "key": uuid.uuid4().hex},
        "web:reverse": {"reason": "Thu nhầm", "key": uuid.uuid4().hex},
        "web:reversal_request": {"reason": "Thu nhầm", "key": uuid.uuid4().hex},
        "web:reversal_decide": {"decision": "approve", "reason": "Đúng là thu nhầm"},
        "web:receipt_confirm": {"code": "XN-MATRIX-1"},
        "web:remittance_new": {"kind": "collector_to_bhxh", "collector": ids["collector_id"], "amount": 100_000,
                               "on": today, "key": uuid.uuid4().hex, "reference": "UNC 1"},
        "web:sync_decide": {"decision": "link"},
        "web:sync_revoke": {"reason": "Mất điện thoại"},
        "web:statements": {"collector": ids["collector_id"]},  # no file: refused beside the field (400)
        "web:statement_resolve": {"action": "dismiss", "note": "Chuyển nhầm tài khoản"},
        "web:outbox_cancel": {}, "web:outbox_retry": {},
        "web:person_consent": {"purpose": "reminder", "channel": "sms", "decision": "refuse", "note": "nói trực tiếp"},
        "web:citizen": {}, "web:citizen_code": {}, "web:citizen_leave": {},  # empty: the form's 400, or the start
        "web:report_whatif_start": {"start": today, "end": today, "mode": "everyone", "vsi_min_age": 15},
        "web:export_start": {"kind": "d05", "collector": ids["collector_id"], "start": "2025-08-01",
                             "end": "2025-08-31"},
    }


def api_bodies(ids: dict[str, Any]) -> dict[str, dict[str, Any]]:
    today = timezone.localdate().isoformat()
    person = {"full_name": "Đặng Văn Quý", "date_of_birth": "1995-06-01", "sex": "male", "area_code": ids["code"],
              "citizen_id": "040095004444", "phone": "0912000999", "address_detail": "Khối 3"}
    return {
        "ansinh_api_quotes_quote_vsi": {"on": today, "income": 2_000_000, "months": 12},
        "ansinh_api_quotes_quote_hi": {"on": today, "members": 2, "months": 12},
        "ansinh_registry_api_create_person": person,
        "ansinh_registry_api_update_person": {**person, "full_name": "Nguyễn Văn Hùng", "date_of_birth": "1978-04-12",
                                              "citizen_id": "040078001234", "phone": "0912000111"},
        "ansinh_registry_api_locate": {"citizen_id": "040078001234"},
        "ansinh_registry_api_create_household": {"head": person, "joined": today},
        "ansinh_registry_api_update_household": {"address_detail": "Khối 4"},
        "ansinh_registry_api_add_member": {"relationship": "child", "joined": today,
                                           "person": {**person, "full_name": "Nguyễn Văn Bình",
                                                      "date_of_birth": "2010-01-01", "citizen_id": "040210004545"}},
        "ansinh_registry_api_end_membership": {"left": today},
        "ansinh_registry_api_set_poverty": {"status": "poor", "valid_from": today, "decision_number": "QĐ 1/QĐ-UBND",
                                            "decision_date": today},
        "ansinh_registry_api_set_island": {"island": True, "decision_number": "XN 2/UBND", "decision_date": today},
        "ansinh_registry_api_decide_support_request": {"approve": True},
        "ansinh_registry_api_add_other_coverage": {"kind": "pensioner", "source": "Sổ hưu", "valid_from": today},
        "ansinh_enrollment_api_enroll_vsi": {"person_id": ids["person_id"], "on": today, "income": 2_000_000,
                                             "months": 3},
        "ansinh_enrollment_api_enroll_hi": {"household_id": ids["household_id"], "on": today,
                                            "members": ids["member_ids"], "months": 12},
        "ansinh_payments_api_record": {"enrollment_id": ids["enrollment_id"], "amount": ids["pending_payable"],
                                       "method": "cash"},
        "ansinh_payments_api_reverse": {"reason": "Thu nhầm"},
        "ansinh_payments_api_request_reversal": {"reason": "Thu nhầm"},
        "ansinh_payments_api_decide_reversal": {"approve": True, "reason": "Đúng là thu nhầm"},
        "ansinh_payments_api_remit": {"kind": "collector_to_bhxh", "collector_id": ids["collector_id"],
                                      "amount": 100_000, "on": today, "reference": "UNC 1"},
        "ansinh_campaigns_api_update_task": {"status": "done"},
        "ansinh_campaigns_api_add_media": {"channel": "press", "outlet": "Báo Nghệ An", "title": "Ra quân",
                                           "published_on": today, "views": 10},
        "ansinh_campaigns_api_log_session": {"team_id": ids["team_id"], "location_name": "Nhà văn hoá khối 3",
                                             "location_kind": "residential", "people_advised": 5},
        "ansinh_campaigns_api_add_lead": {"full_name": "Võ Thị Hoa", "scheme": "vsi", "outcome": "promised",
                                          "follow_up_on": today,
                                          "phone": "0912000555", "team_id": ids["team_id"]},
        "ansinh_campaigns_api_override": {"reason": "Tổ 1 vận động", "team_id": ids["team_id"]},
        "ansinh_campaigns_api_record_visit": {"assignment_id": ids["assignment_id"], "outcome": "advised"},
        "ansinh_fieldsync_api_register_device": {"id": "0b8f3c1e-5d7a-4e2b-9c1d-3f6a8b2e4d10", "label": "Máy 1"},
        "ansinh_fieldsync_api_sync": {"batch_id": "0b8f3c1e-5d7a-4e2b-9c1d-3f6a8b2e4d11", "operations": []},
    }


def calls() -> Iterator[tuple[str, str, str]]:
    """(kind, key, method) of every enumerated path; POSTs of the pages whose table says so."""
    for page in pages():
        yield "web", page.name, "GET"
        if (page.name, "POST") in EXPECTED:
            yield "web", page.name, "POST"
    for op in operations():
        yield "api", op.operation_id, op.method


CALLS = list(calls())
PAGES = {page.name: page for page in pages()}
OPERATIONS = {op.operation_id: op for op in operations()}


def outcome(response: Any, is_api: bool) -> Any:
    status = response.status_code
    if not is_api and is_login_redirect(response):
        return LOGIN
    if status < 400 or status in (400, 409, 422):
        return OK
    return status


def matches(expected: Any, got: Any) -> bool:
    return got in (403, 404) if expected == DENIED else got == expected


@pytest.fixture(scope="module")
def world(demo_data: None, django_db_blocker: Any) -> World:
    with django_db_blocker.unblock():
        return build_world()


def request(client: Client, world: World, kind: str, key: str, method: str) -> Any:
    ids = world.ids
    if kind == "web":
        page = PAGES[key]
        url = page_url(page, ids)
        if method == "GET":
            return client.get(url)
        return client.post(url, page_bodies(ids)[key])
    op = OPERATIONS[key]
    url = operation_url(op, ids)
    body = api_bodies(ids).get(key)
    return client.generic(method, url, data=None if body is None else json.dumps(body),
                          content_type="application/json", headers={"Idempotency-Key": uuid.uuid4().hex})


def test_every_path_has_a_declared_expectation() -> None:
    undeclared = [(key, method) for _, key, method in CALLS if (key, method) not in EXPECTED]
    stale = sorted(set(EXPECTED) - {(key, method) for _, key, method in CALLS})
    assert undeclared == [] and stale == []


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("kind", "key", "method"), CALLS, ids=[f"{m} {k}" for _, k, m in CALLS])
def test_each_persona_gets_what_is_declared(world: World, persona: str, kind: str, key: str, method: str) -> None:
    expected = EXPECTED[key, method][persona]
    client = web_client(world, persona) if kind == "web" else api_client(world, persona)  # logging in writes
    before = row_counts() if method != "GET" else None
    response = request(client, world, kind, key, method)
    assert response.status_code < 500, response.content[:300]
    got = outcome(response, kind == "api")
    assert matches(expected, got), f"{persona} {method} {key}: expected {expected}, got {response.status_code}"
    if before is not None and got != OK:
        after = row_counts()
        changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
        assert changed == {}, f"{persona} {method} {key} was refused but wrote"
