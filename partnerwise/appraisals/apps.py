from django.apps import AppConfig


class AppraisalsConfig(AppConfig):
    name = "partnerwise.appraisals"
    verbose_name = "Appraisals"
