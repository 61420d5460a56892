from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "partnerwise.exports"
    verbose_name = "Exports"
