from django.apps import AppConfig


class HostingConfig(AppConfig):
    name = "partnerwise.hosting"
    verbose_name = "Hosting"

    def ready(self) -> None:
        # Registers the production checks with Django's check framework.
        from partnerwise.hosting import checks  # noqa: F401
