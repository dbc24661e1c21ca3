from django.apps import AppConfig


class RulesetConfig(AppConfig):
    name = "ansinh.ruleset"
    label = "ruleset"
    verbose_name = "Tham số do quản trị cấu hình"

    def ready(self) -> None:
        from ansinh.rules import params
        from ansinh.ruleset import overlay

        params.set_override_source(overlay.current)
