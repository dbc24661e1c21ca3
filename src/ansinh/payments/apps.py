from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "ansinh.payments"
    label = "payments"
    verbose_name = "Thu tiền, biên lai, nộp tiền"
