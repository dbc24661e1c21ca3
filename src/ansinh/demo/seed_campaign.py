"""The seed's campaign: Nghệ An, "Tháng vận động triển khai BHXH, BHYT toàn dân năm 2022", launch
rally of 08/05/2022 (shared/seed-article.txt). Idempotent: it loads once, in one transaction.

Every figure the article gives is recorded as facts: 21 sites (the 2022 district-level units) ready
before 19:00 on 07/05/2022 with their preparation tasks done; 21 parades with 21 cars and 420
motorbikes; 474 advisory teams; 1,606 locations; more than 9,000 people advised; 1,322 voluntary-SI
and 2,222 household-HI participants enrolled and paid on launch day, with amounts from the rules in
force on 08/05/2022 and receipts. People are synthetic, named "… (demo)", with no citizen ID.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ansinh.areas import queries as areas
from ansinh.campaigns.models import (
    AdvisoryTeam,
    Attribution,
    Campaign,
    CampaignStatus,
    ConsultationSession,
    EventSite,
    LaunchEvent,
    Lead,
    LeadOutcome,
    LocationKind,
    MediaItem,
    Parade,
    PrepTask,
    RankingRule,
    ResourceKind,
    SiteResource,
    TaskStatus,
)
from ansinh.enrollment.models import CalculationRecord, Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.lib.amount_words import amount_in_words
from ansinh.lib.periods import end_of_term
from ansinh.lib.text import fold
from ansinh.org.models import Agent, OrgUnit
from ansinh.payments.models import Payment, Receipt, ReceiptPool
from ansinh.registry.models import Household, Membership, Person, Relationship
from ansinh.rules import household_hi, vsi

SLUG = "nghe-an-2022-05"
TZ = timezone.get_default_timezone()  # Asia/Ho_Chi_Minh (settings.TIME_ZONE)
LAUNCH = date(2022, 5, 8)
SEED = {"sites": 21, "advisory_teams": 474, "locations": 1606, "vsi_new": 1322, "hi_new": 2222, "parades": 21,
        "cars": 21, "motorbikes": 420}
LEADS_NOT_ENROLLED = 600  # named on launch day but not (yet) enrolled: a demo figure, not the seed's
# How participants, teams and locations are spread over the 21 districts: approximate population
# in thousands (a plausible demo weighting, not an official statistic).
WEIGHTS = {"412": 339, "413": 52, "414": 67, "415": 70, "416": 57, "417": 77, "418": 78, "419": 137, "420": 128,
           "421": 280, "422": 74, "423": 139, "424": 113, "425": 288, "426": 280, "427": 200, "428": 225,
           "429": 200, "430": 160, "431": 125, "432": 113}
TASKS = ["Báo cáo cấp ủy, chính quyền địa phương", "Xin phép cơ quan chức năng", "Backdrop điểm cầu",
         "Phướn, băng rôn tuyên truyền", "Decan dán xe ô tô chuyên dùng bưu điện", "Loa phát thanh",
         "Phướn gắn xe máy"]
MEDIA = [("press", "Báo Nghệ An"), ("radio_tv", "Đài Phát thanh - Truyền hình Nghệ An"),
         ("web_portal", "Cổng TTĐT tỉnh Nghệ An"), ("web_portal", "Cổng TTĐT BHXH tỉnh Nghệ An"),
         ("web_portal", "Trang TTĐT thành phố Vinh"), ("radio_tv", "Đài Truyền thanh - Truyền hình các huyện"),
         ("loudspeaker", "Hệ thống truyền thanh cơ sở"), ("panel", "Pano, băng rôn trước trụ sở UBND xã"),
         ("facebook", "Fanpage BHXH tỉnh Nghệ An"), ("facebook", "Fanpage Bưu điện tỉnh Nghệ An"),
         ("zalo", "Zalo viên chức, người lao động hai ngành"), ("livestream", "Phát trực tiếp các đoàn diễu hành")]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Hồ", "Ngô", "Đinh"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Minh", "Nam",
         "Nga", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vân", "Yến"]


def _spread(total: int, codes: list[str]) -> dict[str, int]:
    """``total`` split over the districts in proportion to WEIGHTS (largest remainders)."""
    weight = sum(WEIGHTS[c] for c in codes)
    exact = {c: total * WEIGHTS[c] / weight for c in codes}
    shares = {c: int(v) for c, v in exact.items()}
    for c in sorted(codes, key=lambda c: exact[c] - shares[c], reverse=True)[: total - sum(shares.values())]:
        shares[c] += 1
    return shares


def _at(hour: int, minute: int = 0, day: date = LAUNCH) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@transaction.atomic
def load_seed_campaign(bhxh: OrgUnit, post: OrgUnit, recorder: AbstractBaseUser) -> Campaign:
    """``recorder``: the account that keyed in the teams' paper lists of the people they advised."""
    existing = Campaign.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    rng = random.Random(20220508)
    province = areas.unit_on("40", LAUNCH)
    assert province is not None
    districts = {d.code: d for d in areas.children(province, LAUNCH)}
    codes = sorted(districts)
    campaign = Campaign.objects.create(slug=SLUG, name="Tháng vận động triển khai BHXH, BHYT toàn dân năm 2022",
                                       starts_on=date(2022, 5, 1), ends_on=date(2022, 5, 31),
                                       schemes=[Scheme.VSI, Scheme.HOUSEHOLD_HI], status=CampaignStatus.CLOSED,
                                       ranking_rule=RankingRule.ABSOLUTE)  # the seed gives no targets to rank by
    campaign.areas.set([province])
    campaign.organisers.set([bhxh, post])
    event = LaunchEvent.objects.create(campaign=campaign, starts_at=_at(7),
                                       name="Lễ ra quân hưởng ứng Tháng vận động triển khai BHXH, BHYT toàn dân")
    EventSite.objects.create(event=event, is_central=True, venue="Điểm cầu Trung ương (trực tuyến)")
    sites = {}
    for code in codes:
        site = EventSite.objects.create(event=event, area=districts[code], venue=f"Điểm cầu {districts[code].name}",
                                        person_in_charge=f"Lãnh đạo BHXH {districts[code].name}",
                                        ready_at=_at(18, 30, LAUNCH - timedelta(days=1)))
        site.host_units.set([bhxh, post])
        sites[code] = site
        PrepTask.objects.bulk_create(PrepTask(event=event, site=site, title=t, responsible_unit=post if "xe" in t
                                              else bhxh, deadline=_at(19, 0, LAUNCH - timedelta(days=1)),
                                              status=TaskStatus.DONE) for t in TASKS)
        SiteResource.objects.bulk_create([SiteResource(site=site, kind=ResourceKind.CAR, planned=1, used=1),
                                          SiteResource(site=site, kind=ResourceKind.MOTORBIKE, planned=20, used=20),
                                          SiteResource(site=site, kind=ResourceKind.BACKDROP, planned=1, used=1),
                                          SiteResource(site=site, kind=ResourceKind.LOUDSPEAKER, planned=2, used=2)])
        Parade.objects.create(site=site, cars=1, motorbikes=20)
    teams = _teams(campaign, sites, codes)
    _sessions(teams, codes, rng)
    _participants(campaign, event, sites, teams, codes, post, rng, recorder)
    MediaItem.objects.bulk_create(
        MediaItem(campaign=campaign, channel=channel, outlet=outlet, published_on=LAUNCH,
                  title=f"Lễ ra quân tháng vận động BHXH, BHYT toàn dân 2022 — {outlet}") for channel, outlet in MEDIA)
    return campaign


def _teams(campaign: Campaign, sites: dict[str, EventSite], codes: list[str]) -> dict[str, list[AdvisoryTeam]]:
    teams: dict[str, list[AdvisoryTeam]] = {}
    for code, count in _spread(SEED["advisory_teams"], codes).items():
        name = sites[code].area.name if sites[code].area else code
        teams[code] = AdvisoryTeam.objects.bulk_create(
            AdvisoryTeam(campaign=campaign, site=sites[code], name=f"Tổ tư vấn {i + 1} — {name}") for i in range(count))
    return teams


def _sessions(teams: dict[str, list[AdvisoryTeam]], codes: list[str], rng: random.Random) -> None:
    kinds = list(LocationKind.values)
    rows = []
    for code, count in _spread(SEED["locations"], codes).items():
        communes = [c for c in areas.children(teams[code][0].site.area, LAUNCH)]  # type: ignore[union-attr, arg-type]
        for i in range(count):
            commune = communes[i % len(communes)]
            rows.append(ConsultationSession(team=teams[code][i % len(teams[code])], area=commune, held_on=LAUNCH,
                                            location_name=f"Điểm tư vấn {i + 1}, {commune.name}",
                                            location_kind=kinds[i % len(kinds)], people_advised=rng.randint(5, 7)))
    ConsultationSession.objects.bulk_create(rows, batch_size=1000)


def _participants(campaign: Campaign, event: LaunchEvent, sites: dict[str, EventSite],
                  teams: dict[str, list[AdvisoryTeam]], codes: list[str], post: OrgUnit, rng: random.Random,
                  recorder: AbstractBaseUser) -> None:
    pool, _ = ReceiptPool.objects.get_or_create(collector=post, series="BL40-2022", defaults={"last_number": 99_999})
    agents = {code: Agent.objects.get_or_create(
        code=f"DL40-{code}", defaults={"name": f"Đại lý thu {sites[code].area.name} (demo)",  # type: ignore[union-attr]
                                       "collector": post, "active_from": date(2020, 1, 1)})[0] for code in codes}
    vsi_people = _spread(SEED["vsi_new"], codes)
    hi_people = _spread(SEED["hi_new"], codes)
    ledger = _Ledger(pool)
    for code in codes:
        communes = list(areas.children(sites[code].area, LAUNCH))  # type: ignore[arg-type]
        for i in range(vsi_people[code]):
            person = ledger.person(rng, communes[i % len(communes)])
            groups = rng.choices([["poor"], ["near_poor"], []], weights=[2, 2, 6])[0]
            months = rng.choice([1, 1, 3, 6, 12])
            ledger.vsi(person, groups, months, sites[code], teams[code][i % len(teams[code])], agents[code])
        remaining, n = hi_people[code], 0
        while remaining:
            size = min(remaining, rng.choice([1, 2, 2, 3, 3, 4, 5]))
            ledger.household(rng, communes[n % len(communes)], size, sites[code], teams[code][n % len(teams[code])],
                             agents[code])
            remaining, n = remaining - size, n + 1
    ledger.save(campaign, event)
    _leads(campaign, ledger, recorder, rng)


def _leads(campaign: Campaign, ledger: _Ledger, recorder: AbstractBaseUser, rng: random.Random) -> None:
    """The people the teams recorded by name on launch day: each participant, linked to their person
    (so that the funnel's "registered" and "paid" follow the leads), and LEADS_NOT_ENROLLED others
    who promised, hesitated or refused, named but never registered."""
    rows = []
    for enrollment, lines, _, team, _ in ledger.terms:
        people = [enrollment.person] if enrollment.person is not None else [line.person for line in lines]
        rows += [Lead(campaign=campaign, team=team, recorded_by=recorder, consulted_on=LAUNCH, person=p,
                      full_name=p.full_name, date_of_birth=p.date_of_birth, scheme=enrollment.scheme,
                      outcome=LeadOutcome.ENROLLED) for p in people]
    teams = [team for *_, team, _ in ledger.terms]
    outcomes = [LeadOutcome.PROMISED, LeadOutcome.UNDECIDED, LeadOutcome.REFUSED]
    for i in range(LEADS_NOT_ENROLLED):
        sex = rng.choice(["Văn", "Thị"])
        outcome = outcomes[i % len(outcomes)]
        rows.append(Lead(campaign=campaign, team=teams[i * 7 % len(teams)], recorded_by=recorder, consulted_on=LAUNCH,
                         full_name=f"{rng.choice(SURNAMES)} {sex} {rng.choice(GIVEN)} (demo)",
                         scheme=rng.choice([Scheme.VSI, Scheme.HOUSEHOLD_HI]), outcome=outcome,
                         reason="Chưa thu xếp được tiền" if outcome == LeadOutcome.REFUSED else "",
                         follow_up_on=None if outcome == LeadOutcome.REFUSED else LAUNCH + timedelta(days=7 + i % 14)))
    Lead.objects.bulk_create(rows, batch_size=1000)


class _Ledger:
    """Collects the demo's people, enrollments and payments, then writes them in bulk."""

    def __init__(self, pool: ReceiptPool) -> None:
        self.pool = pool
        self.people: list[Person] = []
        self.households: list[tuple[Household, list[Person]]] = []
        self.terms: list[tuple[Enrollment, list[HiCardLine], EventSite, AdvisoryTeam, Agent]] = []
        self.quotes: dict[tuple[str, ...], object] = {}

    def person(self, rng: random.Random, commune: object) -> Person:
        sex = rng.choice(["male", "female"])
        name = f"{rng.choice(SURNAMES)} {'Văn' if sex == 'male' else 'Thị'} {rng.choice(GIVEN)} (demo)"
        born = date(1955, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
        person = Person(full_name=name, folded_name=fold(name), date_of_birth=born, sex=sex, area=commune,
                        address_detail="Dữ liệu giả lập (demo)")
        self.people.append(person)
        return person

    def _calc(self, scheme: str, inputs: dict[str, object], result: dict[str, object]) -> CalculationRecord:
        return CalculationRecord(scheme=scheme, computed_on=LAUNCH, inputs=inputs, result=result,
                                 parameters=result.get("parameters", []))

    def vsi(self, person: Person, groups: list[str], months: int, site: EventSite, team: AdvisoryTeam,
            agent: Agent) -> None:
        key = ("vsi", *groups, str(months))
        if key not in self.quotes:
            self.quotes[key] = vsi.quote(vsi.VsiQuoteInput(on=LAUNCH, income=1_500_000, months=months,
                                                           groups=frozenset(groups)))
        q: vsi.VsiQuote = self.quotes[key]  # type: ignore[assignment]
        enrollment = Enrollment(scheme=Scheme.VSI, person=person, area=person.area, quoted_on=LAUNCH,
                                period_start=LAUNCH.replace(day=1),
                                period_end=end_of_term(LAUNCH.replace(day=1), months), months=months,
                                income=q.income,
                                support_groups=groups, supported_months=q.supported_months, gross=q.gross,
                                state_support=q.state_support, local_support=q.local_support, payable=q.payable,
                                status=EnrollmentStatus.PAID)
        enrollment._calc = self._calc(Scheme.VSI, {"on": LAUNCH.isoformat(), "income": 1_500_000, "months": months,
                                                   "groups": groups}, q.as_dict())  # type: ignore[attr-defined]
        self.terms.append((enrollment, [], site, team, agent))

    def household(self, rng: random.Random, commune: object, size: int, site: EventSite, team: AdvisoryTeam,
                  agent: Agent) -> None:
        members = [self.person(rng, commune) for _ in range(size)]
        household = Household(code=f"HGD-DEMO-{len(self.households) + 1:05d}", area=commune,  # type: ignore[misc]
                              address_detail="Dữ liệu giả lập (demo)")
        self.households.append((household, members))
        key = ("hi", str(size))
        if key not in self.quotes:
            self.quotes[key] = household_hi.quote(household_hi.HiQuoteInput(
                on=LAUNCH, members=tuple(household_hi.HiMember() for _ in range(size)), months=12))
        q: household_hi.HiQuote = self.quotes[key]  # type: ignore[assignment]
        enrollment = Enrollment(scheme=Scheme.HOUSEHOLD_HI, household=household, area=commune,  # type: ignore[misc]
                                quoted_on=LAUNCH, period_start=q.card.valid_from, period_end=q.card.valid_to,
                                months=12, gross=q.total,
                                payable=q.total, status=EnrollmentStatus.PAID)
        enrollment._calc = self._calc(Scheme.HOUSEHOLD_HI, {"on": LAUNCH.isoformat(), "members": size, "months": 12},
                                      q.as_dict())  # type: ignore[attr-defined]
        lines = [HiCardLine(enrollment=enrollment, person=p, group=m.group, rank=m.rank or 0, factor=m.factor,
                            monthly=m.monthly, gross=m.gross, state_support=m.state_support,
                            local_support=m.local_support, amount=m.amount, valid_from=q.card.valid_from,
                            valid_to=q.card.valid_to)
                 for p, m in zip(members, q.members, strict=True)]
        self.terms.append((enrollment, lines, site, team, agent))

    def save(self, campaign: Campaign, event: LaunchEvent) -> None:
        Person.objects.bulk_create(self.people, batch_size=1000)
        for household, members in self.households:
            household.head = members[0]
            household.area_id = members[0].area_id
        Household.objects.bulk_create([h for h, _ in self.households], batch_size=1000)
        Membership.objects.bulk_create(
            [Membership(household=h, person=p, relationship=Relationship.HEAD if i == 0 else Relationship.OTHER,
                        valid_from=LAUNCH) for h, members in self.households for i, p in enumerate(members)],
            batch_size=1000)
        calcs = CalculationRecord.objects.bulk_create([e._calc for e, *_ in self.terms],  # type: ignore[attr-defined]
                                                      batch_size=1000)
        for (enrollment, _, _, _, _), calc in zip(self.terms, calcs, strict=True):
            enrollment.calculation = calc
            # bulk_create takes the saved person's or household's key from the cached object; setting the
            # ``_id`` here would drop that cache, and _leads would then read each term's person again
            enrollment.area_id = (enrollment.person or enrollment.household).area_id  # type: ignore[union-attr]
        enrollments = Enrollment.objects.bulk_create([e for e, *_ in self.terms], batch_size=1000)
        HiCardLine.objects.bulk_create([line for _, lines, *_ in self.terms for line in lines], batch_size=1000)
        payments = Payment.objects.bulk_create(
            [Payment(enrollment=e, amount=e.payable, method="cash", agent=agent, collector=self.pool.collector,
                     paid_at=_at(8 + i * 9 // max(1, len(self.terms)), i % 60), idempotency_key=f"demo-2022-{i}")
             for i, (e, _, _, _, agent) in enumerate(self.terms)], batch_size=1000)
        first = self.pool.next_number
        Receipt.objects.bulk_create(
            [Receipt(payment=p, pool=self.pool, number=first + i, amount=p.amount,
                     amount_words=amount_in_words(p.amount), issued_at=p.paid_at) for i, p in enumerate(payments)],
            batch_size=1000)
        self.pool.next_number = first + len(payments)
        self.pool.save(update_fields=["next_number"])
        Attribution.objects.bulk_create(
            [Attribution(enrollment=e, campaign=campaign, event=event, site=site, team=team, agent=agent)
             for e, (_, _, site, team, agent) in zip(enrollments, self.terms, strict=True)], batch_size=1000)
