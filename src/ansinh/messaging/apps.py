from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "ansinh.messaging"
    label = "messaging"
    verbose_name = "Tin nhắn"
