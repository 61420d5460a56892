from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "partnerwise.workspaces"
    verbose_name = "Workspaces"
