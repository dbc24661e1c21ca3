from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "ansinh.org"
    label = "org"
    verbose_name = "Tổ chức và phân quyền"
