"""The money trail: payments (append-only, idempotent), receipts from gap-free serial pools,
sponsors, remittances and commission rates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.enrollment.models import Enrollment, Scheme
from ansinh.org.models import Agent, OrgUnit

# The largest amount one payment or remittance may carry: 10,000 billion đồng, far above a province's
# yearly voluntary contributions, far below what a 64-bit column holds (so bad input is refused, not
# overflowed).
AMOUNT_MAX = 10**13
KEY_MAX_LENGTH = 100  # an idempotency key, chosen by the client
EARLIEST_DAY = date(1900, 1, 1)  # no day of the money trail is earlier (bad input, not history)


class ReceiptPool(models.Model):
    """A series of pre-numbered receipts (quyển biên lai) of one collector; numbers are handed out
    one by one under a row lock, so there is no gap and no duplicate."""

    collector = models.ForeignKey(OrgUnit, models.PROTECT, related_name="receipt_pools",
                                  verbose_name=gettext_lazy("tổ chức dịch vụ thu"))
    series = models.CharField(gettext_lazy("ký hiệu"), max_length=20)
    next_number = models.PositiveIntegerField(gettext_lazy("số tiếp theo"), default=1)
    last_number = models.PositiveIntegerField(gettext_lazy("số cuối của quyển"))
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("đang dùng"))

    class Meta:
        verbose_name = gettext_lazy("quyển biên lai")
        verbose_name_plural = gettext_lazy("quyển biên lai")
        constraints = [models.UniqueConstraint(fields=["collector", "series"], name="pool_series_unique")]

    def __str__(self) -> str:
        return f"{self.series} ({self.collector.code})"


class Sponsor(models.Model):
    """An organisation that pays for named people (tặng thẻ BHYT, sổ BHXH)."""

    name = models.CharField(gettext_lazy("tên nhà tài trợ"), max_length=200, unique=True)
    note = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("ghi chú"))

    def __str__(self) -> str:
        return self.name

    class Meta:
        verbose_name = gettext_lazy("nhà tài trợ")
        verbose_name_plural = gettext_lazy("nhà tài trợ")


class PaymentMethod(models.TextChoices):
    CASH = "cash", gettext_lazy("Tiền mặt")
    BANK_TRANSFER = "bank_transfer", gettext_lazy("Chuyển khoản")


class Payer(models.TextChoices):
    PARTICIPANT = "participant", gettext_lazy("Người tham gia")
    SPONSOR = "sponsor", gettext_lazy("Nhà tài trợ")


class Payment(models.Model):
    """Append-only. A correction is a new payment with ``reverses`` set and a negative amount."""

    enrollment = models.ForeignKey(Enrollment, models.PROTECT, related_name="payments",
                                   verbose_name=gettext_lazy("đăng ký tham gia"))
    amount = models.BigIntegerField(gettext_lazy("số tiền"))
    method = models.CharField(max_length=15, choices=PaymentMethod.choices, verbose_name=gettext_lazy("hình thức thu"))
    payer = models.CharField(max_length=12, choices=Payer.choices, default=Payer.PARTICIPANT,
                             verbose_name=gettext_lazy("người đóng"))
    sponsor = models.ForeignKey(Sponsor, models.PROTECT, null=True, blank=True, related_name="payments",
                                verbose_name=gettext_lazy("nhà tài trợ"))
    agent = models.ForeignKey(Agent, models.PROTECT, null=True, blank=True, related_name="payments",
                              verbose_name=gettext_lazy("nhân viên thu"))
    collector = models.ForeignKey(OrgUnit, models.PROTECT, related_name="payments",
                                  verbose_name=gettext_lazy("tổ chức dịch vụ thu"))
    collection_point = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+",
                                         verbose_name=gettext_lazy("điểm thu"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+",
                                    verbose_name=gettext_lazy("người ghi"))
    paid_at = models.DateTimeField(gettext_lazy("thời điểm thu"))
    idempotency_key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True,
                                       verbose_name=gettext_lazy("mã chống ghi trùng"))
    reverses = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="reversal",
                                    verbose_name=gettext_lazy("đảo bút toán của khoản thu"))
    reason = models.CharField(gettext_lazy("lý do"), max_length=300, blank=True)
    # Set when a manager recorded an earlier time than the server's clock (``created_at`` keeps when).
    backdate_reason = models.CharField(gettext_lazy("lý do ghi lùi thời điểm thu"), max_length=300, blank=True)
    # BHXH's confirmation code, returned by the office after the list is filed (issue 20): an annotation
    # of the payment, not a change of money; written once (payments/confirmations.py), audited.
    bhxh_confirmation = models.CharField(gettext_lazy("mã xác nhận của BHXH"), max_length=40, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("xác nhận lúc"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=gettext_lazy("người ghi mã xác nhận"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("ghi lúc"))

    class Meta:
        verbose_name = gettext_lazy("khoản thu")
        verbose_name_plural = gettext_lazy("khoản thu")
        constraints = [
            models.CheckConstraint(condition=Q(reverses__isnull=True, amount__gte=0)
                                   | Q(reverses__isnull=False, amount__lt=0), name="payment_sign_matches_kind"),
            models.CheckConstraint(condition=Q(payer="participant", sponsor__isnull=True)
                                   | Q(payer="sponsor", sponsor__isnull=False), name="payment_sponsor_matches_payer"),
        ]
        indexes = [models.Index(fields=["agent", "paid_at"], name="payment_agent_day")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Payments are append-only: record a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Payments are append-only: record a reversal instead.")

    def __str__(self) -> str:
        return _("Khoản thu số {pk} ({amount:,} đ)").format(pk=self.pk, amount=self.amount).replace(",", ".")


class Receipt(models.Model):
    payment = models.OneToOneField(Payment, models.PROTECT, related_name="receipt",
                                   verbose_name=gettext_lazy("khoản thu"))
    pool = models.ForeignKey(ReceiptPool, models.PROTECT, related_name="receipts",
                             verbose_name=gettext_lazy("quyển biên lai"))
    number = models.PositiveIntegerField(gettext_lazy("số biên lai"))
    amount = models.BigIntegerField(verbose_name=gettext_lazy("số tiền"))
    amount_words = models.CharField(max_length=300, verbose_name=gettext_lazy("số tiền bằng chữ"))
    issued_at = models.DateTimeField(verbose_name=gettext_lazy("lập lúc"))

    class Meta:
        verbose_name = gettext_lazy("biên lai")
        verbose_name_plural = gettext_lazy("biên lai")
        constraints = [models.UniqueConstraint(fields=["pool", "number"], name="receipt_number_unique")]

    @property
    def serial(self) -> str:
        return f"{self.pool.series}-{self.number:07d}"


class RemittanceKind(models.TextChoices):
    AGENT_TO_COLLECTOR = "agent_to_collector", gettext_lazy("Nhân viên thu nộp về tổ chức dịch vụ thu")
    COLLECTOR_TO_BHXH = "collector_to_bhxh", gettext_lazy("Tổ chức dịch vụ thu chuyển về BHXH")


class Remittance(models.Model):
    kind = models.CharField(max_length=20, choices=RemittanceKind.choices, verbose_name=gettext_lazy("loại"))
    agent = models.ForeignKey(Agent, models.PROTECT, null=True, blank=True, related_name="remittances",
                              verbose_name=gettext_lazy("nhân viên thu"))
    collector = models.ForeignKey(OrgUnit, models.PROTECT, related_name="remittances",
                                  verbose_name=gettext_lazy("tổ chức dịch vụ thu"))
    amount = models.BigIntegerField(verbose_name=gettext_lazy("số tiền"))
    remitted_on = models.DateField(verbose_name=gettext_lazy("ngày nộp"))
    reference = models.CharField(gettext_lazy("chứng từ"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+",
                                    verbose_name=gettext_lazy("người ghi"))
    idempotency_key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True,
                                       verbose_name=gettext_lazy("mã chống ghi trùng"))

    class Meta:
        verbose_name = gettext_lazy("lần nộp tiền")
        verbose_name_plural = gettext_lazy("nộp tiền")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="remittance_positive"),
            models.CheckConstraint(condition=Q(kind="collector_to_bhxh") | Q(agent__isnull=False),
                                   name="remittance_agent_when_from_agent"),
        ]


class CommissionRate(models.Model):
    """Agents' pay per scheme × new/renewal × payment method, set by contract: configuration, dated.
    No official rates are known to ansinh; the demo's are marked as examples."""

    scheme = models.CharField(max_length=12, choices=Scheme.choices, verbose_name=gettext_lazy("loại hình"))
    is_renewal = models.BooleanField(verbose_name=gettext_lazy("tái tục"))
    method = models.CharField(max_length=15, choices=PaymentMethod.choices, verbose_name=gettext_lazy("hình thức thu"))
    rate = models.DecimalField(max_digits=6, decimal_places=4, verbose_name=gettext_lazy("tỷ lệ hoa hồng"),
                               # xgettext:no-python-format
                               help_text=gettext_lazy("Viết dạng thập phân: 0,05 là 5% số tiền thu."))
    valid_from = models.DateField(verbose_name=gettext_lazy("hiệu lực từ"))
    valid_to = models.DateField(null=True, blank=True, verbose_name=gettext_lazy("hiệu lực đến"))
    source = models.CharField(gettext_lazy("căn cứ (hợp đồng)"), max_length=200)
    is_example = models.BooleanField(gettext_lazy("chỉ là ví dụ"), default=False)

    class Meta:
        verbose_name = gettext_lazy("tỷ lệ hoa hồng")
        verbose_name_plural = gettext_lazy("tỷ lệ hoa hồng")


class ReversalStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Chờ quản lý duyệt")
    APPROVED = "approved", gettext_lazy("Đã duyệt (khoản thu đã huỷ)")
    REFUSED = "refused", gettext_lazy("Bị từ chối")


class ReversalRequest(models.Model):
    """An agent's request to cancel a payment (issue 13.12): nothing changes on the money trail until a
    manager approves it, which writes the reversing payment; a refusal keeps the payment. Both are
    audited with their reason. At most one request of a payment waits at a time."""

    payment = models.ForeignKey(Payment, models.PROTECT, related_name="reversal_requests",
                                verbose_name=gettext_lazy("khoản thu"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name=gettext_lazy("người đề nghị"))
    reason = models.CharField(gettext_lazy("lý do đề nghị huỷ"), max_length=300)
    idempotency_key = models.CharField(gettext_lazy("mã chống trùng"), max_length=KEY_MAX_LENGTH, unique=True)
    status = models.CharField(gettext_lazy("trạng thái"), max_length=10, choices=ReversalStatus.choices,
                              default=ReversalStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=gettext_lazy("người quyết định"))
    decision_reason = models.CharField(gettext_lazy("lý do của quản lý"), max_length=300, blank=True)
    decided_at = models.DateTimeField(gettext_lazy("thời điểm quyết định"), null=True, blank=True)
    reversal = models.OneToOneField(Payment, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=gettext_lazy("bút toán huỷ"))
    created_at = models.DateTimeField(gettext_lazy("thời điểm đề nghị"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("đề nghị huỷ khoản thu")
        verbose_name_plural = gettext_lazy("đề nghị huỷ khoản thu")
        constraints = [
            models.UniqueConstraint(fields=["payment"], condition=Q(status="pending"),
                                    name="reversal_request_one_pending"),
            models.CheckConstraint(condition=Q(status="pending", decided_at__isnull=True)
                                   | Q(status__in=["approved", "refused"], decided_at__isnull=False),
                                   name="reversal_request_decided_when_closed"),
            models.CheckConstraint(condition=~Q(status="approved") | Q(reversal__isnull=False),
                                   name="reversal_request_approved_has_reversal"),
        ]


# The main banks' BINs in NAPAS's list (a collector's bank is usually one of these; any 970xxx is accepted).
BANKS = {
    "970405": "Agribank", "970436": "Vietcombank", "970418": "BIDV", "970415": "VietinBank",
    "970449": gettext_lazy("LPBank (Bưu điện Liên Việt)"), "970422": "MB", "970407": "Techcombank", "970416": "ACB",
    "970432": "VPBank", "970403": "Sacombank", "970423": "TPBank", "970443": "SHB",
}


class CollectorAccount(models.Model):
    """The bank account a collector takes transfers on: shown as a VietQR code (lib/vietqr.py) for the exact
    amount of a pending term, with the enrolment's reference as the purpose (enrollment/references.py)."""

    collector = models.OneToOneField(OrgUnit, models.CASCADE, related_name="bank_account",
                                     verbose_name=gettext_lazy("tổ chức dịch vụ thu"))
    bank_bin = models.CharField(gettext_lazy("mã ngân hàng (BIN của NAPAS)"), max_length=6,
                                validators=[RegexValidator(r"^970\d{3}$",
                                                           gettext_lazy("Mã BIN gồm 6 chữ số, bắt đầu bằng 970."))])
    account_number = models.CharField(gettext_lazy("số tài khoản"), max_length=19, validators=[
        RegexValidator(r"^[0-9A-Za-z]{1,19}$",
                       gettext_lazy("Số tài khoản gồm tối đa 19 chữ số hoặc chữ cái, không dấu cách."))])
    account_name = models.CharField(gettext_lazy("tên chủ tài khoản"), max_length=100)
    updated_at = models.DateTimeField(gettext_lazy("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("tài khoản nhận chuyển khoản")
        verbose_name_plural = gettext_lazy("tài khoản nhận chuyển khoản")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number} — {self.account_name}"

    @property
    def bank_name(self) -> str:
        return BANKS.get(self.bank_bin, f"BIN {self.bank_bin}")


class ImportStatus(models.TextChoices):
    RUNNING = "running", gettext_lazy("Đang đối chiếu")
    DONE = "done", gettext_lazy("Đã xong")
    FAILED = "failed", gettext_lazy("Không đọc được")


class StatementImport(models.Model):
    """One upload of a collector's bank statement (payments/statements.py), read and matched by a job of
    the queue (payments/tasks.py) with its progress. Uploading the same file again makes a new import
    whose lines are all already known: it changes nothing (``StatementLine`` is keyed by the bank's id)."""

    collector = models.ForeignKey(OrgUnit, models.PROTECT, related_name="statement_imports",
                                  verbose_name=gettext_lazy("tổ chức dịch vụ thu"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=gettext_lazy("người tải lên"))
    file_name = models.CharField(gettext_lazy("tên tệp"), max_length=200)
    stored_as = models.CharField(max_length=200)
    columns = models.JSONField(gettext_lazy("cột"), default=dict, blank=True)
    status = models.CharField(gettext_lazy("trạng thái"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.RUNNING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("sao kê ngân hàng")
        verbose_name_plural = gettext_lazy("sao kê ngân hàng")

    @property
    def share(self) -> float:
        return 1.0 if self.status == ImportStatus.DONE else (self.done / self.total if self.total else 0.0)


class LineOutcome(models.TextChoices):
    MATCHED = "matched", gettext_lazy("Khớp, đã ghi khoản thu")
    UNDERPAID = "underpaid", gettext_lazy("Chuyển thiếu")
    OVERPAID = "overpaid", gettext_lazy("Chuyển thừa")
    UNKNOWN = "unknown", gettext_lazy("Không rõ mã thanh toán")
    ALREADY_PAID = "already_paid", gettext_lazy("Khoản đã thu / chuyển trùng")
    REFUSED = "refused", gettext_lazy("Không ghi được khoản thu")


class Resolution(models.TextChoices):
    OPEN = "open", gettext_lazy("Chờ xử lý")
    AUTO = "auto", gettext_lazy("Tự động khớp")
    MATCHED = "matched", gettext_lazy("Quản lý đã khớp")
    REFUND = "refund", gettext_lazy("Hoàn trả người chuyển")
    DISMISSED = "dismissed", gettext_lazy("Bỏ qua")


class StatementLine(models.Model):
    """One credit of a statement, once per (collector, bank transaction id) whatever how many times the
    statement is imported. A credit that is not exactly one pending enrolment's amount waits in the
    managers' queue (``resolution`` open) until matched, marked for a refund, or dismissed (audited)."""

    collector = models.ForeignKey(OrgUnit, models.PROTECT, related_name="statement_lines",
                                  verbose_name=gettext_lazy("tổ chức dịch vụ thu"))
    statement = models.ForeignKey(StatementImport, models.PROTECT, related_name="lines",
                                  verbose_name=gettext_lazy("sao kê"))
    transaction_id = models.CharField(gettext_lazy("mã giao dịch"), max_length=60)
    booked_at = models.DateTimeField(gettext_lazy("thời điểm giao dịch"))
    amount = models.BigIntegerField(gettext_lazy("số tiền"))
    description = models.CharField(gettext_lazy("nội dung"), max_length=500)
    enrollment = models.ForeignKey(Enrollment, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=gettext_lazy("đăng ký tham gia"))
    outcome = models.CharField(gettext_lazy("kết quả"), max_length=12, choices=LineOutcome.choices)
    detail = models.CharField(gettext_lazy("chi tiết"), max_length=300, blank=True)
    resolution = models.CharField(gettext_lazy("xử lý"), max_length=10, choices=Resolution.choices,
                                  default=Resolution.OPEN)
    payment = models.OneToOneField(Payment, models.PROTECT, null=True, blank=True, related_name="statement_line",
                                   verbose_name=gettext_lazy("khoản thu"))
    refund_amount = models.BigIntegerField(gettext_lazy("số tiền hoàn trả"), default=0)
    note = models.CharField(gettext_lazy("ghi chú xử lý"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=gettext_lazy("người xử lý"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("xử lý lúc"))

    class Meta:
        verbose_name = gettext_lazy("giao dịch trên sao kê")
        verbose_name_plural = gettext_lazy("giao dịch trên sao kê")
        constraints = [
            models.UniqueConstraint(fields=["collector", "transaction_id"], name="statement_line_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="statement_line_credit"),
            models.CheckConstraint(condition=~Q(resolution__in=["auto", "matched"]) | Q(payment__isnull=False),
                                   name="statement_line_matched_has_payment"),
        ]
        indexes = [models.Index(fields=["collector", "resolution"], name="statement_line_queue")]
