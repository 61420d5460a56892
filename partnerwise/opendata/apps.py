from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "partnerwise.opendata"
    verbose_name = "Opendata"
