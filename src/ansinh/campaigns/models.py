"""Campaigns (tháng vận động), their advisory teams and the leads the teams record.

This is the core the consultation tool needs; launch events, sites, tasks, parades, targets,
emulation and media come with the campaigns issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import AdministrativeUnit
from ansinh.org.models import OrgUnit
from ansinh.registry.models import Person


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", gettext_lazy("Đang chuẩn bị")
    ACTIVE = "active", gettext_lazy("Đang diễn ra")
    CLOSED = "closed", gettext_lazy("Đã kết thúc")


class Campaign(models.Model):
    slug = models.SlugField(unique=True, verbose_name=gettext_lazy("mã đường dẫn"))
    name = models.CharField(gettext_lazy("tên"), max_length=300)
    starts_on = models.DateField(gettext_lazy("từ ngày"))
    ends_on = models.DateField(gettext_lazy("đến ngày"))
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="campaigns",
                                   verbose_name=gettext_lazy("địa bàn"))
    organisers = models.ManyToManyField(OrgUnit, blank=True, related_name="campaigns",
                                        verbose_name=gettext_lazy("đơn vị tổ chức"))
    org_scope = models.ManyToManyField(
        OrgUnit, blank=True, related_name="scoped_campaigns",
        verbose_name=gettext_lazy("phạm vi theo đơn vị (địa bàn các đơn vị này phục vụ)"))
    schemes = models.JSONField(gettext_lazy("loại hình vận động"), default=list)
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED,
                              verbose_name=gettext_lazy("trạng thái"))
    ranking_rule = models.CharField(gettext_lazy("cách xếp hạng thi đua"), max_length=20, default="share_of_target")
    previous = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=gettext_lazy("chiến dịch năm trước (để so sánh tăng trưởng)"))

    class Meta:
        verbose_name = gettext_lazy("chiến dịch")
        verbose_name_plural = gettext_lazy("chiến dịch")
        constraints = [models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="campaign_period")]

    def __str__(self) -> str:
        return self.name


class AdvisoryTeam(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="teams",
                                 verbose_name=gettext_lazy("chiến dịch"))
    name = models.CharField(gettext_lazy("tên tổ"), max_length=200)
    site = models.ForeignKey("EventSite", models.SET_NULL, null=True, blank=True, related_name="teams",
                             verbose_name=gettext_lazy("điểm cầu"))
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="advisory_teams",
                                   verbose_name=gettext_lazy("địa bàn"))

    class Meta:
        verbose_name = gettext_lazy("tổ tư vấn")
        verbose_name_plural = gettext_lazy("tổ tư vấn")

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    BHXH_STAFF = "bhxh_staff", gettext_lazy("Viên chức BHXH")
    POST_OFFICE_STAFF = "post_office_staff", gettext_lazy("Nhân viên Bưu điện")
    AGENT = "agent", gettext_lazy("Nhân viên đại lý thu")


class TeamMember(models.Model):
    team = models.ForeignKey(AdvisoryTeam, models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="team_memberships")
    kind = models.CharField(max_length=20, choices=MemberKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]


class LeadOutcome(models.TextChoices):
    ENROLLED = "enrolled", gettext_lazy("Đã tham gia")
    PROMISED = "promised", gettext_lazy("Hẹn tham gia")
    UNDECIDED = "undecided", gettext_lazy("Còn phân vân")
    REFUSED = "refused", gettext_lazy("Từ chối")


class Lead(models.Model):
    """Someone advised who may join: registered (person) or just a name and phone."""

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="leads",
                                 verbose_name=gettext_lazy("chiến dịch"))
    team = models.ForeignKey(AdvisoryTeam, models.PROTECT, related_name="leads", verbose_name=gettext_lazy("tổ tư vấn"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=gettext_lazy("người ghi"))
    consulted_on = models.DateField(gettext_lazy("ngày tư vấn"))
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="leads",
                               verbose_name=gettext_lazy("người tham gia (đã đăng ký)"))
    session = models.ForeignKey("ConsultationSession", models.SET_NULL, null=True, blank=True, related_name="leads",
                                verbose_name=gettext_lazy("buổi tư vấn"))
    full_name = models.CharField(gettext_lazy("họ tên"), max_length=200)
    phone = models.CharField(gettext_lazy("điện thoại"), max_length=10, blank=True)
    date_of_birth = models.DateField(gettext_lazy("ngày sinh"), null=True, blank=True)  # to find them again (leads.py)
    scheme = models.CharField(gettext_lazy("quan tâm"), max_length=12)
    outcome = models.CharField(gettext_lazy("kết quả"), max_length=10, choices=LeadOutcome.choices)
    reason = models.CharField(gettext_lazy("lý do"), max_length=300, blank=True)
    follow_up_on = models.DateField(gettext_lazy("hẹn gặp lại"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("ghi lúc"))

    class Meta:
        verbose_name = gettext_lazy("người được tư vấn")
        verbose_name_plural = gettext_lazy("người được tư vấn")


class LaunchEvent(models.Model):
    """A launch rally (Lễ ra quân) held at the same time at many sites."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="events",
                                 verbose_name=gettext_lazy("chiến dịch"))
    name = models.CharField(max_length=300, verbose_name=gettext_lazy("tên"))
    starts_at = models.DateTimeField(gettext_lazy("bắt đầu"))

    def __str__(self) -> str:
        return self.name

    class Meta:
        verbose_name = gettext_lazy("lễ ra quân")
        verbose_name_plural = gettext_lazy("lễ ra quân")


class EventSite(models.Model):
    """A bridge site (điểm cầu): one per area or org unit, plus the central bridge."""

    event = models.ForeignKey(LaunchEvent, models.CASCADE, related_name="sites",
                              verbose_name=gettext_lazy("lễ ra quân"))
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=gettext_lazy("địa bàn"))
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=gettext_lazy("đơn vị"))
    is_central = models.BooleanField(gettext_lazy("điểm cầu trung tâm"), default=False)
    venue = models.CharField(gettext_lazy("địa điểm"), max_length=300)
    host_units = models.ManyToManyField(OrgUnit, blank=True, related_name="hosted_sites",
                                        verbose_name=gettext_lazy("đơn vị đăng cai"))
    person_in_charge = models.CharField(gettext_lazy("người phụ trách"), max_length=200, blank=True)
    ready_at = models.DateTimeField(gettext_lazy("sẵn sàng lúc"), null=True, blank=True)

    def __str__(self) -> str:
        return self.venue

    class Meta:
        verbose_name = gettext_lazy("điểm cầu")
        verbose_name_plural = gettext_lazy("điểm cầu")


class TaskStatus(models.TextChoices):
    TODO = "todo", gettext_lazy("Chưa làm")
    DOING = "doing", gettext_lazy("Đang làm")
    DONE = "done", gettext_lazy("Đã xong")


class PrepTask(models.Model):
    event = models.ForeignKey(LaunchEvent, models.CASCADE, related_name="tasks")
    site = models.ForeignKey(EventSite, models.CASCADE, null=True, blank=True, related_name="tasks")
    title = models.CharField(gettext_lazy("công việc"), max_length=300)
    responsible_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+")
    responsible_person = models.CharField(gettext_lazy("người thực hiện"), max_length=200, blank=True)
    deadline = models.DateTimeField(gettext_lazy("hạn"))
    status = models.CharField(max_length=6, choices=TaskStatus.choices, default=TaskStatus.TODO)
    note = models.CharField(max_length=500, blank=True)
    attachment = models.FileField(gettext_lazy("tệp đính kèm"), upload_to="campaign-tasks/%Y/%m/", blank=True)


class ResourceKind(models.TextChoices):
    CAR = "car", gettext_lazy("Xe ô tô gắn loa")
    MOTORBIKE = "motorbike", gettext_lazy("Xe máy")
    BACKDROP = "backdrop", "Backdrop"
    BANNER = "banner", gettext_lazy("Băng rôn")
    FLAG = "flag", gettext_lazy("Phướn, cờ")
    DECAL = "decal", gettext_lazy("Decan dán xe")
    LOUDSPEAKER = "loudspeaker", gettext_lazy("Loa phát thanh")


class SiteResource(models.Model):
    site = models.ForeignKey(EventSite, models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=12, choices=ResourceKind.choices)
    planned = models.PositiveIntegerField(default=0)
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "kind"], name="one_resource_row_per_kind")]


class Parade(models.Model):
    """A parade (đoàn diễu hành) leaving a site; its vehicles are counted here."""

    site = models.ForeignKey(EventSite, models.CASCADE, related_name="parades")
    cars = models.PositiveIntegerField(default=0)
    motorbikes = models.PositiveIntegerField(default=0)


class LocationKind(models.TextChoices):
    RESIDENTIAL = "residential", gettext_lazy("Khu dân cư")
    MARKET = "market", gettext_lazy("Chợ")
    ENTERPRISE = "enterprise", gettext_lazy("Doanh nghiệp")
    SCHOOL = "school", gettext_lazy("Trường học")
    COMMUNE_OFFICE = "commune_office", gettext_lazy("Trụ sở UBND xã")
    OTHER = "other", gettext_lazy("Khác")


class ConsultationSession(models.Model):
    team = models.ForeignKey(AdvisoryTeam, models.CASCADE, related_name="sessions",
                             verbose_name=gettext_lazy("tổ tư vấn"))
    location_name = models.CharField(gettext_lazy("địa điểm"), max_length=300)
    location_kind = models.CharField(max_length=15, choices=LocationKind.choices,
                                     verbose_name=gettext_lazy("loại địa điểm"))
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=gettext_lazy("địa bàn"))
    held_on = models.DateField(gettext_lazy("ngày"))
    people_advised = models.PositiveIntegerField(gettext_lazy("số người được tư vấn"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+",
                                    verbose_name=gettext_lazy("người ghi"))

    class Meta:
        verbose_name = gettext_lazy("buổi tư vấn")
        verbose_name_plural = gettext_lazy("buổi tư vấn")


class MediaChannel(models.TextChoices):
    PRESS = "press", gettext_lazy("Báo chí")
    RADIO_TV = "radio_tv", gettext_lazy("Phát thanh, truyền hình")
    WEB_PORTAL = "web_portal", gettext_lazy("Cổng thông tin điện tử")
    LOUDSPEAKER = "loudspeaker", gettext_lazy("Truyền thanh cơ sở")
    FACEBOOK = "facebook", "Facebook"
    ZALO = "zalo", "Zalo"
    LIVESTREAM = "livestream", gettext_lazy("Phát trực tiếp")
    PANEL = "panel", gettext_lazy("Pano, băng rôn")


class MediaItem(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="media_items",
                                 verbose_name=gettext_lazy("chiến dịch"))
    channel = models.CharField(max_length=12, choices=MediaChannel.choices, verbose_name=gettext_lazy("kênh"))
    outlet = models.CharField(gettext_lazy("cơ quan, kênh"), max_length=200)
    title = models.CharField(max_length=300, verbose_name=gettext_lazy("tiêu đề"))
    link = models.URLField(blank=True, verbose_name=gettext_lazy("đường dẫn"))
    published_on = models.DateField(verbose_name=gettext_lazy("ngày đăng"))
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=gettext_lazy("địa bàn"))
    views = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("lượt xem"))
    likes = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("lượt thích"))
    shares = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("lượt chia sẻ"))

    class Meta:
        verbose_name = gettext_lazy("tin bài truyền thông")
        verbose_name_plural = gettext_lazy("tin bài truyền thông")

    def __str__(self) -> str:
        return self.title or _("Tin bài số {pk}").format(pk=self.pk)


class Attribution(models.Model):
    """That a paid enrollment counts for a campaign (and its event, site, team, agent). Each campaign
    that the enrollment qualifies for counts it once (ADR 0005); overlapping campaigns each count it."""

    enrollment = models.ForeignKey("enrollment.Enrollment", models.CASCADE, related_name="attributions",
                                   verbose_name=gettext_lazy("đăng ký tham gia"))
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="attributions",
                                 verbose_name=gettext_lazy("chiến dịch"))
    event = models.ForeignKey(LaunchEvent, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=gettext_lazy("lễ ra quân"))
    site = models.ForeignKey(EventSite, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=gettext_lazy("điểm cầu"))
    team = models.ForeignKey(AdvisoryTeam, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=gettext_lazy("tổ tư vấn"))
    agent = models.ForeignKey("org.Agent", models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=gettext_lazy("nhân viên thu"))
    override_reason = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("lý do ghi nhận thủ công"))

    class Meta:
        verbose_name = gettext_lazy("ghi nhận kết quả chiến dịch")
        verbose_name_plural = gettext_lazy("ghi nhận kết quả chiến dịch")
        constraints = [models.UniqueConstraint(fields=["enrollment", "campaign"], name="one_attribution_per_campaign")]

    def __str__(self) -> str:
        return _("Ghi nhận số {pk}: đăng ký {enrollment_id}, chiến dịch {campaign_id}").format(
            pk=self.pk, enrollment_id=self.enrollment_id, campaign_id=self.campaign_id)  # no query


class Metric(models.TextChoices):
    NEW_PARTICIPANTS = "new_participants", gettext_lazy("Người tham gia mới")
    AMOUNT = "amount", gettext_lazy("Số tiền thu")


class Target(models.Model):
    """A target (chỉ tiêu) of a campaign for an area, an org unit or an agent, per scheme."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="targets",
                                 verbose_name=gettext_lazy("chiến dịch"))
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=gettext_lazy("địa bàn"))
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=gettext_lazy("đơn vị"))
    agent = models.ForeignKey("org.Agent", models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=gettext_lazy("nhân viên thu"))
    scheme = models.CharField(max_length=12, verbose_name=gettext_lazy("loại hình"))
    metric = models.CharField(max_length=20, choices=Metric.choices, default=Metric.NEW_PARTICIPANTS,
                              verbose_name=gettext_lazy("chỉ số"))
    value = models.BigIntegerField(verbose_name=gettext_lazy("giá trị"))

    class Meta:
        verbose_name = gettext_lazy("chỉ tiêu chiến dịch")
        verbose_name_plural = gettext_lazy("chỉ tiêu chiến dịch")
        constraints = [models.CheckConstraint(condition=Q(value__gt=0), name="target_positive")]


class RankingRule(models.TextChoices):
    SHARE_OF_TARGET = "share_of_target", gettext_lazy("Tỷ lệ hoàn thành chỉ tiêu")
    ABSOLUTE = "absolute", gettext_lazy("Số người tham gia mới")
    GROWTH = "growth", gettext_lazy("Tăng trưởng so với năm trước")


class Award(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="awards",
                                 verbose_name=gettext_lazy("chiến dịch"))
    site = models.ForeignKey(EventSite, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=gettext_lazy("điểm cầu"))
    agent = models.ForeignKey("org.Agent", models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=gettext_lazy("nhân viên thu"))
    title = models.CharField(gettext_lazy("danh hiệu"), max_length=300)
    rank = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("hạng"))
    awarded_on = models.DateField(verbose_name=gettext_lazy("ngày khen thưởng"))

    class Meta:
        verbose_name = gettext_lazy("khen thưởng")
        verbose_name_plural = gettext_lazy("khen thưởng")


class VisitList(models.Model):
    """The households of one commune chosen for door-to-door visits (issue 18): who had no cover on
    ``as_of``, by the filters a manager chose, kept as they were chosen."""

    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+",
                             verbose_name=gettext_lazy("xã/phường"))
    campaign = models.ForeignKey(Campaign, models.PROTECT, null=True, blank=True, related_name="visit_lists",
                                 verbose_name=gettext_lazy("chiến dịch"))
    as_of = models.DateField(gettext_lazy("tình trạng tham gia tính đến ngày"))
    filters = models.JSONField(gettext_lazy("điều kiện chọn"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=gettext_lazy("người lập"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("lập lúc"))
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = gettext_lazy("danh sách hộ cần đến")
        verbose_name_plural = gettext_lazy("danh sách hộ cần đến")
        constraints = [models.UniqueConstraint(fields=["created_by", "idempotency_key"],
                                               name="one_visit_list_per_key")]


class VisitAssignment(models.Model):
    """A household of a visit list, and the advisory team that goes there (none yet: not assigned)."""

    visit_list = models.ForeignKey(VisitList, models.CASCADE, related_name="assignments")
    household = models.ForeignKey("registry.Household", models.PROTECT, related_name="+",
                                  verbose_name=gettext_lazy("hộ"))
    team = models.ForeignKey(AdvisoryTeam, models.PROTECT, null=True, blank=True, related_name="assignments",
                             verbose_name=gettext_lazy("tổ tư vấn"))
    gap = models.CharField(gettext_lazy("tình trạng tham gia"), max_length=20)  # as the gap query said on as_of
    lapsed_since = models.DateField(gettext_lazy("không tham gia từ"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit_list", "household"], name="one_row_per_household")]


class VisitOutcome(models.TextChoices):
    ADVISED = "advised", gettext_lazy("Đã tư vấn")
    LEAD = "lead", gettext_lazy("Hẹn tham gia")
    ENROLLED = "enrolled", gettext_lazy("Đã tham gia")
    REFUSED = "refused", gettext_lazy("Từ chối")
    NOT_FOUND = "not_found", gettext_lazy("Không gặp")


class Visit(models.Model):
    """A team's visit to a household of a list and what came of it; recorded once per idempotency key.
    A visit where someone was met is a consultation session of one person (the funnel's advised), a
    lead or an enrolment also a lead linked to the member met (campaigns.visits)."""

    assignment = models.ForeignKey(VisitAssignment, models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(gettext_lazy("thời điểm đến"))
    outcome = models.CharField(gettext_lazy("kết quả"), max_length=10, choices=VisitOutcome.choices)
    note = models.CharField(gettext_lazy("ghi chú"), max_length=300, blank=True)
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=gettext_lazy("người gặp"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=gettext_lazy("người ghi"))
    session = models.ForeignKey(ConsultationSession, models.SET_NULL, null=True, blank=True, related_name="+")
    lead = models.ForeignKey(Lead, models.SET_NULL, null=True, blank=True, related_name="+")
    enrollment = models.ForeignKey("enrollment.Enrollment", models.SET_NULL, null=True, blank=True, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = gettext_lazy("lần đến hộ")
        verbose_name_plural = gettext_lazy("lần đến hộ")
        constraints = [models.UniqueConstraint(fields=["recorded_by", "idempotency_key"], name="one_visit_per_key")]
