from django.apps import AppConfig


class HostingConfig(AppConfig):
    name = "partnerwise.hosting"
    verbose_name = "Hosting"

    def ready(self) -> None:
        from django.urls import register_converter

        # Registers the production checks with Django's check framework.
        from partnerwise.hosting import checks  # noqa: F401
        from partnerwise.hosting.converters import IdConverter

        # Before any URL module is read: they use <id:...> for database ids.
        register_converter(IdConverter, "id")
