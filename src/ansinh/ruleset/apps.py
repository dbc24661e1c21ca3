from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesetConfig(AppConfig):
    name = "ansinh.ruleset"
    label = "ruleset"
    verbose_name = _("Tham số do quản trị cấu hình")

    def ready(self) -> None:
        from django.utils import translation

        from ansinh.lib import i18n
        from ansinh.rules import params
        from ansinh.ruleset import overlay

        params.set_override_source(overlay.current)
        # Errors and notices of lib/ and rules/ (no Django there) speak the language of the page.
        i18n.set_translator(translation.get_language, translation.gettext)
