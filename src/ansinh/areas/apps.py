from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "ansinh.areas"
    label = "areas"
    verbose_name = "Đơn vị hành chính"

    def ready(self) -> None:
        from ansinh.areas.tree import watch_for_changes

        watch_for_changes()  # a unit or a succession changed: every process's copy of the map is stale
