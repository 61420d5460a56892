from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "partnerwise.organisations"
    verbose_name = "Organisations"
