"""Campaigns (tháng vận động), their advisory teams and the leads the teams record.

This is the core the consultation tool needs; launch events, sites, tasks, parades, targets,
emulation and media come with the campaigns issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ansinh.areas.models import AdministrativeUnit
from ansinh.org.models import OrgUnit
from ansinh.registry.models import Person


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", "Đang chuẩn bị"
    ACTIVE = "active", "Đang diễn ra"
    CLOSED = "closed", "Đã kết thúc"


class Campaign(models.Model):
    slug = models.SlugField(unique=True, verbose_name="mã đường dẫn")
    name = models.CharField("tên", max_length=300)
    starts_on = models.DateField("từ ngày")
    ends_on = models.DateField("đến ngày")
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="campaigns", verbose_name="địa bàn")
    organisers = models.ManyToManyField(OrgUnit, blank=True, related_name="campaigns", verbose_name="đơn vị tổ chức")
    org_scope = models.ManyToManyField(OrgUnit, blank=True, related_name="scoped_campaigns",
                                       verbose_name="phạm vi theo đơn vị (địa bàn các đơn vị này phục vụ)")
    schemes = models.JSONField("loại hình vận động", default=list)
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED,
                              verbose_name="trạng thái")
    ranking_rule = models.CharField("cách xếp hạng thi đua", max_length=20, default="share_of_target")
    previous = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name="chiến dịch năm trước (để so sánh tăng trưởng)")

    class Meta:
        verbose_name = "chiến dịch"
        verbose_name_plural = "chiến dịch"
        constraints = [models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="campaign_period")]

    def __str__(self) -> str:
        return self.name


class AdvisoryTeam(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="teams", verbose_name="chiến dịch")
    name = models.CharField("tên tổ", max_length=200)
    site = models.ForeignKey("EventSite", models.SET_NULL, null=True, blank=True, related_name="teams",
                             verbose_name="điểm cầu")
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="advisory_teams",
                                   verbose_name="địa bàn")

    class Meta:
        verbose_name = "tổ tư vấn"
        verbose_name_plural = "tổ tư vấn"

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    BHXH_STAFF = "bhxh_staff", "Viên chức BHXH"
    POST_OFFICE_STAFF = "post_office_staff", "Nhân viên Bưu điện"
    AGENT = "agent", "Nhân viên đại lý thu"


class TeamMember(models.Model):
    team = models.ForeignKey(AdvisoryTeam, models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="team_memberships")
    kind = models.CharField(max_length=20, choices=MemberKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]


class LeadOutcome(models.TextChoices):
    ENROLLED = "enrolled", "Đã tham gia"
    PROMISED = "promised", "Hẹn tham gia"
    UNDECIDED = "undecided", "Còn phân vân"
    REFUSED = "refused", "Từ chối"


class Lead(models.Model):
    """Someone advised who may join: registered (person) or just a name and phone."""

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="leads", verbose_name="chiến dịch")
    team = models.ForeignKey(AdvisoryTeam, models.PROTECT, related_name="leads", verbose_name="tổ tư vấn")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name="người ghi")
    consulted_on = models.DateField("ngày tư vấn")
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="leads",
                               verbose_name="người tham gia (đã đăng ký)")
    session = models.ForeignKey("ConsultationSession", models.SET_NULL, null=True, blank=True, related_name="leads",
                                verbose_name="buổi tư vấn")
    full_name = models.CharField("họ tên", max_length=200)
    phone = models.CharField("điện thoại", max_length=10, blank=True)
    date_of_birth = models.DateField("ngày sinh", null=True, blank=True)  # to find them again (leads.py)
    scheme = models.CharField("quan tâm", max_length=12)
    outcome = models.CharField("kết quả", max_length=10, choices=LeadOutcome.choices)
    reason = models.CharField("lý do", max_length=300, blank=True)
    follow_up_on = models.DateField("hẹn gặp lại", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="ghi lúc")

    class Meta:
        verbose_name = "người được tư vấn"
        verbose_name_plural = "người được tư vấn"


class LaunchEvent(models.Model):
    """A launch rally (Lễ ra quân) held at the same time at many sites."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="events", verbose_name="chiến dịch")
    name = models.CharField(max_length=300, verbose_name="tên")
    starts_at = models.DateTimeField("bắt đầu")

    def __str__(self) -> str:
        return self.name

    class Meta:
        verbose_name = "lễ ra quân"
        verbose_name_plural = "lễ ra quân"


class EventSite(models.Model):
    """A bridge site (điểm cầu): one per area or org unit, plus the central bridge."""

    event = models.ForeignKey(LaunchEvent, models.CASCADE, related_name="sites", verbose_name="lễ ra quân")
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="địa bàn")
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="đơn vị")
    is_central = models.BooleanField("điểm cầu trung tâm", default=False)
    venue = models.CharField("địa điểm", max_length=300)
    host_units = models.ManyToManyField(OrgUnit, blank=True, related_name="hosted_sites",
                                        verbose_name="đơn vị đăng cai")
    person_in_charge = models.CharField("người phụ trách", max_length=200, blank=True)
    ready_at = models.DateTimeField("sẵn sàng lúc", null=True, blank=True)

    def __str__(self) -> str:
        return self.venue

    class Meta:
        verbose_name = "điểm cầu"
        verbose_name_plural = "điểm cầu"


class TaskStatus(models.TextChoices):
    TODO = "todo", "Chưa làm"
    DOING = "doing", "Đang làm"
    DONE = "done", "Đã xong"


class PrepTask(models.Model):
    event = models.ForeignKey(LaunchEvent, models.CASCADE, related_name="tasks")
    site = models.ForeignKey(EventSite, models.CASCADE, null=True, blank=True, related_name="tasks")
    title = models.CharField("công việc", max_length=300)
    responsible_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+")
    responsible_person = models.CharField("người thực hiện", max_length=200, blank=True)
    deadline = models.DateTimeField("hạn")
    status = models.CharField(max_length=6, choices=TaskStatus.choices, default=TaskStatus.TODO)
    note = models.CharField(max_length=500, blank=True)
    attachment = models.FileField("tệp đính kèm", upload_to="campaign-tasks/%Y/%m/", blank=True)


class ResourceKind(models.TextChoices):
    CAR = "car", "Xe ô tô gắn loa"
    MOTORBIKE = "motorbike", "Xe máy"
    BACKDROP = "backdrop", "Backdrop"
    BANNER = "banner", "Băng rôn"
    FLAG = "flag", "Phướn, cờ"
    DECAL = "decal", "Decan dán xe"
    LOUDSPEAKER = "loudspeaker", "Loa phát thanh"


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
    RESIDENTIAL = "residential", "Khu dân cư"
    MARKET = "market", "Chợ"
    ENTERPRISE = "enterprise", "Doanh nghiệp"
    SCHOOL = "school", "Trường học"
    COMMUNE_OFFICE = "commune_office", "Trụ sở UBND xã"
    OTHER = "other", "Khác"


class ConsultationSession(models.Model):
    team = models.ForeignKey(AdvisoryTeam, models.CASCADE, related_name="sessions", verbose_name="tổ tư vấn")
    location_name = models.CharField("địa điểm", max_length=300)
    location_kind = models.CharField(max_length=15, choices=LocationKind.choices, verbose_name="loại địa điểm")
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="địa bàn")
    held_on = models.DateField("ngày")
    people_advised = models.PositiveIntegerField("số người được tư vấn")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+",
                                    verbose_name="người ghi")

    class Meta:
        verbose_name = "buổi tư vấn"
        verbose_name_plural = "buổi tư vấn"


class MediaChannel(models.TextChoices):
    PRESS = "press", "Báo chí"
    RADIO_TV = "radio_tv", "Phát thanh, truyền hình"
    WEB_PORTAL = "web_portal", "Cổng thông tin điện tử"
    LOUDSPEAKER = "loudspeaker", "Truyền thanh cơ sở"
    FACEBOOK = "facebook", "Facebook"
    ZALO = "zalo", "Zalo"
    LIVESTREAM = "livestream", "Phát trực tiếp"
    PANEL = "panel", "Pano, băng rôn"


class MediaItem(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="media_items", verbose_name="chiến dịch")
    channel = models.CharField(max_length=12, choices=MediaChannel.choices, verbose_name="kênh")
    outlet = models.CharField("cơ quan, kênh", max_length=200)
    title = models.CharField(max_length=300, verbose_name="tiêu đề")
    link = models.URLField(blank=True, verbose_name="đường dẫn")
    published_on = models.DateField(verbose_name="ngày đăng")
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="địa bàn")
    views = models.PositiveIntegerField(default=0, verbose_name="lượt xem")
    likes = models.PositiveIntegerField(default=0, verbose_name="lượt thích")
    shares = models.PositiveIntegerField(default=0, verbose_name="lượt chia sẻ")

    class Meta:
        verbose_name = "tin bài truyền thông"
        verbose_name_plural = "tin bài truyền thông"

    def __str__(self) -> str:
        return self.title or f"Tin bài số {self.pk}"


class Attribution(models.Model):
    """That a paid enrollment counts for a campaign (and its event, site, team, agent). Each campaign
    that the enrollment qualifies for counts it once (ADR 0005); overlapping campaigns each count it."""

    enrollment = models.ForeignKey("enrollment.Enrollment", models.CASCADE, related_name="attributions",
                                   verbose_name="đăng ký tham gia")
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="attributions", verbose_name="chiến dịch")
    event = models.ForeignKey(LaunchEvent, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name="lễ ra quân")
    site = models.ForeignKey(EventSite, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name="điểm cầu")
    team = models.ForeignKey(AdvisoryTeam, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name="tổ tư vấn")
    agent = models.ForeignKey("org.Agent", models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name="nhân viên thu")
    override_reason = models.CharField(max_length=300, blank=True, verbose_name="lý do ghi nhận thủ công")

    class Meta:
        verbose_name = "ghi nhận kết quả chiến dịch"
        verbose_name_plural = "ghi nhận kết quả chiến dịch"
        constraints = [models.UniqueConstraint(fields=["enrollment", "campaign"], name="one_attribution_per_campaign")]

    def __str__(self) -> str:
        return f"Ghi nhận số {self.pk}: đăng ký {self.enrollment_id}, chiến dịch {self.campaign_id}"  # no query


class Metric(models.TextChoices):
    NEW_PARTICIPANTS = "new_participants", "Người tham gia mới"
    AMOUNT = "amount", "Số tiền thu"


class Target(models.Model):
    """A target (chỉ tiêu) of a campaign for an area, an org unit or an agent, per scheme."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="targets", verbose_name="chiến dịch")
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="địa bàn")
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="đơn vị")
    agent = models.ForeignKey("org.Agent", models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name="nhân viên thu")
    scheme = models.CharField(max_length=12, verbose_name="loại hình")
    metric = models.CharField(max_length=20, choices=Metric.choices, default=Metric.NEW_PARTICIPANTS,
                              verbose_name="chỉ số")
    value = models.BigIntegerField(verbose_name="giá trị")

    class Meta:
        verbose_name = "chỉ tiêu chiến dịch"
        verbose_name_plural = "chỉ tiêu chiến dịch"
        constraints = [models.CheckConstraint(condition=Q(value__gt=0), name="target_positive")]


class RankingRule(models.TextChoices):
    SHARE_OF_TARGET = "share_of_target", "Tỷ lệ hoàn thành chỉ tiêu"
    ABSOLUTE = "absolute", "Số người tham gia mới"
    GROWTH = "growth", "Tăng trưởng so với năm trước"


class Award(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="awards", verbose_name="chiến dịch")
    site = models.ForeignKey(EventSite, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="điểm cầu")
    agent = models.ForeignKey("org.Agent", models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name="nhân viên thu")
    title = models.CharField("danh hiệu", max_length=300)
    rank = models.PositiveSmallIntegerField(verbose_name="hạng")
    awarded_on = models.DateField(verbose_name="ngày khen thưởng")

    class Meta:
        verbose_name = "khen thưởng"
        verbose_name_plural = "khen thưởng"
