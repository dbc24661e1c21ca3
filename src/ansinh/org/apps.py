from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "ansinh.org"
    label = "org"
    verbose_name = "Tổ chức và phân quyền"

    def ready(self) -> None:
        from ansinh.org import security_log  # noqa: F401 - connects the security log's receivers
