from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "ansinh.enrollment"
    label = "enrollment"
    verbose_name = "Tham gia BHXH tự nguyện, BHYT hộ gia đình"
