from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ansinh.reports"
    label = "reports"
    verbose_name = _("Báo cáo, số liệu tổng hợp")

    def ready(self) -> None:
        from ansinh.payments.services import (
            BULK_PAYMENT_ID_LISTENERS,
            BULK_PAYMENT_LISTENERS,
            PAYMENT_GUARDS,
            PAYMENT_LISTENERS,
        )
        from ansinh.reports.services import count_payment, count_payment_ids, count_payments, refuse_frozen

        if count_payment not in PAYMENT_LISTENERS:  # ready() may run twice (tests, reloads)
            PAYMENT_LISTENERS.append(count_payment)
        if count_payments not in BULK_PAYMENT_LISTENERS:
            BULK_PAYMENT_LISTENERS.append(count_payments)
        if count_payment_ids not in BULK_PAYMENT_ID_LISTENERS:
            BULK_PAYMENT_ID_LISTENERS.append(count_payment_ids)
        if refuse_frozen not in PAYMENT_GUARDS:
            PAYMENT_GUARDS.append(refuse_frozen)
