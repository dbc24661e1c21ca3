from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "ansinh.campaigns"
    label = "campaigns"
    verbose_name = "Chiến dịch vận động"

    def ready(self) -> None:
        from ansinh.campaigns.attribution import count_payment
        from ansinh.payments.services import PAYMENT_LISTENERS

        # Attribution is written with the payment, in its transaction (ADR 0005), like the facts.
        if count_payment not in PAYMENT_LISTENERS:  # ready() may run twice (tests, reloads)
            PAYMENT_LISTENERS.append(count_payment)
