from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "ansinh.campaigns"
    label = "campaigns"
    verbose_name = "Chiến dịch vận động"
