from django.contrib import admin
from django.utils.translation import gettext as _

from ansinh.lib.money import format_rate
from ansinh.payments.models import (
    CollectorAccount,
    CommissionRate,
    Payment,
    Receipt,
    ReceiptPool,
    Remittance,
    ReversalRequest,
    Sponsor,
)


@admin.register(ReceiptPool)
class ReceiptPoolAdmin(admin.ModelAdmin):
    list_display = ("series", "collector", "next_number", "last_number", "active")
    readonly_fields = ("next_number",)  # numbers are handed out by the payment service only


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    list_display = ("name", "note")
    search_fields = ("name",)


@admin.register(CommissionRate)
class CommissionRateAdmin(admin.ModelAdmin):
    list_display = ("scheme", "is_renewal", "method", "rate_percent", "valid_from", "valid_to", "source", "is_example")
    list_filter = ("scheme", "is_renewal", "method", "is_example")

    @admin.display(description=_("tỷ lệ hoa hồng"), ordering="rate")
    def rate_percent(self, obj: CommissionRate) -> str:
        return format_rate(obj.rate)  # 0,0500 is read as "5 %", not as a decimal fraction


class ReadOnly(admin.ModelAdmin):
    """Recorded money is append-only: the admin shows it, never edits or deletes it."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("paid_at", "enrollment", "amount", "method", "payer", "agent", "reverses")
    list_filter = ("method", "payer")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ("pool", "number", "amount", "issued_at")


@admin.register(Remittance)
class RemittanceAdmin(ReadOnly):
    list_display = ("remitted_on", "kind", "agent", "collector", "amount", "reference")


@admin.register(ReversalRequest)
class ReversalRequestAdmin(ReadOnly):
    """Decided on the money pages (/thu-tien/de-nghi-huy/), audited there; the admin only shows them."""

    list_display = ("created_at", "payment", "requested_by", "status", "decided_by", "decided_at")
    list_filter = ("status",)


@admin.register(CollectorAccount)
class CollectorAccountAdmin(admin.ModelAdmin):
    list_display = ("collector", "bank_bin", "account_number", "account_name", "updated_at")
    search_fields = ("collector__name", "account_number")
