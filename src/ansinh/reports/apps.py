from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ansinh.reports"
    label = "reports"
    verbose_name = "Báo cáo, số liệu tổng hợp"

    def ready(self) -> None:
        from ansinh.payments.services import PAYMENT_LISTENERS
        from ansinh.reports.services import count_payment

        if count_payment not in PAYMENT_LISTENERS:  # ready() may run twice (tests, reloads)
            PAYMENT_LISTENERS.append(count_payment)
