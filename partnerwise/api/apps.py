from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "partnerwise.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from partnerwise.api import signals

        signals.connect()
