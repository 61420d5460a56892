from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "partnerwise.assessments"
    verbose_name = "Assessments"
