from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "ansinh.org"
    label = "org"
    verbose_name = _("Tổ chức và phân quyền")

    def ready(self) -> None:
        from ansinh.org import security_log  # noqa: F401 - connects the security log's receivers
        from ansinh.org.scope import watch_for_changes

        watch_for_changes()  # a grant, an org unit or the map changed: cached scopes are stale
