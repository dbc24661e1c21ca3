from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "ansinh.campaigns"
    label = "campaigns"
    verbose_name = _("Chiến dịch vận động")

    def ready(self) -> None:
        from ansinh.campaigns.attribution import count_payment, count_payment_ids, count_payments
        from ansinh.payments.services import BULK_PAYMENT_ID_LISTENERS, BULK_PAYMENT_LISTENERS, PAYMENT_LISTENERS

        # Attribution is written with the payment, in its transaction (ADR 0005), like the facts.
        if count_payment not in PAYMENT_LISTENERS:  # ready() may run twice (tests, reloads)
            PAYMENT_LISTENERS.append(count_payment)
        if count_payments not in BULK_PAYMENT_LISTENERS:
            BULK_PAYMENT_LISTENERS.append(count_payments)
        if count_payment_ids not in BULK_PAYMENT_ID_LISTENERS:
            BULK_PAYMENT_ID_LISTENERS.append(count_payment_ids)
        from ansinh.campaigns.leads import link_enrollment
        from ansinh.campaigns.queries import watch_for_changes
        from ansinh.enrollment.services import ENROLLMENT_LISTENERS

        # A new term links the leads of the people it covers (leads.py), in its transaction.
        if link_enrollment not in ENROLLMENT_LISTENERS:
            ENROLLMENT_LISTENERS.append(link_enrollment)

        watch_for_changes()  # the cached board and workspace figures are forgotten when their rows change
