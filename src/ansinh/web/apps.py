from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class WebConfig(AppConfig):
    name = "ansinh.web"
    label = "web"
    verbose_name = gettext_lazy("Giao diện web")

    def ready(self) -> None:
        # The slice's parameters are GET /api/v1/offline/parameters' window (issue 16): this layer owns it and
        # registers it with fieldsync (below), as reports registers its payment listeners.
        from ansinh.fieldsync import queries
        from ansinh.web.offline_views import parameter_window

        if parameter_window not in queries.PARAMETER_SOURCES:
            queries.PARAMETER_SOURCES.append(parameter_window)
