from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldsyncConfig(AppConfig):
    name = "ansinh.fieldsync"
    label = "fieldsync"
    verbose_name = _("Ứng dụng thu offline: thiết bị, đồng bộ")
