from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "partnerwise.demo"
    verbose_name = "Demo workspace"
