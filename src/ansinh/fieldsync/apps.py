from django.apps import AppConfig


class FieldsyncConfig(AppConfig):
    name = "ansinh.fieldsync"
    label = "fieldsync"
    verbose_name = "Ứng dụng thu offline: thiết bị, đồng bộ"
