from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ansinh.web"
    label = "web"
    verbose_name = "Giao diện web"
