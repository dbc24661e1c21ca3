from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "ansinh.enrollment"
    label = "enrollment"
    verbose_name = _("Tham gia BHXH tự nguyện, BHYT hộ gia đình")
