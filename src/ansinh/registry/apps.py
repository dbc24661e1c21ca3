from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "ansinh.registry"
    label = "registry"
    verbose_name = "Hộ gia đình và người tham gia"
