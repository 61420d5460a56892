from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "partnerwise.web"
    verbose_name = "Web"
