from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerwise.partnerships"
    verbose_name = "Partnerships"
