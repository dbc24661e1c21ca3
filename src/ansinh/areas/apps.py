from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "ansinh.areas"
    label = "areas"
    verbose_name = _("Đơn vị hành chính")

    def ready(self) -> None:
        from ansinh.areas.tree import watch_for_changes

        watch_for_changes()  # a unit or a succession changed: every process's copy of the map is stale
