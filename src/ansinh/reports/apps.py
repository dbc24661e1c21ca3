from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


class ReportsConfig(AppConfig):
    name = "ansinh.reports"
    label = "reports"
    verbose_name = "Báo cáo, số liệu tổng hợp"

    def ready(self) -> None:
        from ansinh.payments.models import Payment

        post_save.connect(_count_new_payment, sender=Payment, dispatch_uid="reports.count_payment")


def _count_new_payment(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Payments are append-only, so each creation is one term or one reversal to add to the facts."""
    if created and not raw:
        from ansinh.reports.services import count_payment

        count_payment(instance)
