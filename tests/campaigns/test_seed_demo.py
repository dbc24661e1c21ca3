"""The Nghệ An 08/05/2022 demo: loads twice without duplicates, and its summary is the seed's."""

from __future__ import annotations

import json
from datetime import datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from ansinh.campaigns import analytics
from ansinh.campaigns.bulletin import bulletin_pdf, bulletin_text
from ansinh.campaigns.models import Campaign, EventSite, Lead, PrepTask
from ansinh.campaigns.queries import campaign, summary
from ansinh.cli import app
from ansinh.demo.seed_campaign import LEADS_NOT_ENROLLED, SEED, SLUG
from ansinh.demo.services import load_demo
from ansinh.enrollment.models import Enrollment, HiCardLine
from ansinh.payments.models import Payment, Receipt
from ansinh.registry.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]  # the demo, restored once per module


def test_the_seed_demo_loads_once_and_reports_the_seed_figures() -> None:
    counts = (Campaign.objects.count(), Person.objects.count(), Enrollment.objects.count(), Payment.objects.count())
    load_demo()
    assert (Campaign.objects.count(), Person.objects.count(), Enrollment.objects.count(),
            Payment.objects.count()) == counts

    seed = campaign(SLUG)
    totals = summary(seed)
    assert {k: totals[k] for k in SEED} == SEED
    assert totals["people_advised"] >= 9000 and totals["media_items"] >= 10

    deadline = datetime(2022, 5, 7, 19, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    sites = EventSite.objects.filter(event__campaign=seed, is_central=False)
    assert sorted(sites.values_list("area__code", flat=True)) == [str(c) for c in range(412, 433)]
    assert all(s.ready_at is not None and s.ready_at < deadline for s in sites)
    assert not PrepTask.objects.filter(event__campaign=seed).exclude(status="done").exists()

    # Real amounts from the rules of 08/05/2022: a poor member pays 231,000 a month (Era A, 2022 line);
    # a household's first member 804,600 for 12 months (base salary 1,490,000).
    poor = Enrollment.objects.filter(attributions__campaign=seed, support_groups=["poor"], months=1).first()
    assert poor is not None and poor.payable == 231_000
    assert HiCardLine.objects.filter(enrollment__attributions__campaign=seed, rank=1).first().amount == 804_600  # type: ignore[union-attr]
    numbers = sorted(Receipt.objects.filter(payment__enrollment__attributions__campaign=seed)
                     .values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))

    text = bulletin_text(seed)
    assert "toàn tỉnh có 1.322 người tham gia BHXH tự nguyện; 2.222 người tham gia BHYT hộ gia đình" in text
    assert "474 tổ tư vấn" in text and "1.606 địa điểm" in text and "21 đoàn diễu hành" in text
    assert f"{totals['people_advised']:,}".replace(",", ".") in text
    assert bulletin_pdf(seed).startswith(b"%PDF")

    result = CliRunner().invoke(app, ["campaigns", "summary", "--campaign", SLUG, "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == totals
    missing = CliRunner().invoke(app, ["campaigns", "summary", "--campaign", "khong-co", "--json"])
    assert missing.exit_code == 2 and json.loads(missing.stdout)["error"]["code"] == "not_found"


def test_the_agents_of_the_seed_share_its_new_participants_between_them() -> None:
    ranked = analytics.agent_ranking(campaign(SLUG))
    assert len(ranked) == SEED["sites"]  # one demo agent per district
    assert sum(r["new_participants"] for r in ranked) == SEED["vsi_new"] + SEED["hi_new"]
    assert ranked[0]["rank"] == 1
    assert all(a["new_participants"] >= b["new_participants"] for a, b in pairwise(ranked))


def test_the_seed_funnel_adds_up_and_follows_its_leads() -> None:
    """Every participant of the seed was recorded by name and is linked to their person, so the
    funnel's registered and paid are the participants; the others named on the day did not enrol."""
    seed = campaign(SLUG)
    totals = summary(seed)
    participants = SEED["vsi_new"] + SEED["hi_new"]
    funnel = analytics.funnel(seed)
    assert funnel == {"advised": totals["people_advised"], "leads": participants + LEADS_NOT_ENROLLED,
                      "registered": participants, "paid": participants, "renewed": 0}
    assert funnel["advised"] >= funnel["leads"] >= funnel["registered"] >= funnel["paid"] >= funnel["renewed"]
    assert not Lead.objects.filter(campaign=seed, outcome="enrolled", person__isnull=True).exists()
