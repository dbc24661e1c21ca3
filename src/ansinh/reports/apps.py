from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ansinh.reports"
    label = "reports"
    verbose_name = "Báo cáo, số liệu tổng hợp"
