from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _refresh_statistics(sender: AppConfig, **kwargs: Any) -> None:
    from partnerwise.workspaces.planner import refresh_planner_statistics

    refresh_planner_statistics(kwargs.get("using", "default"))


class WorkspacesConfig(AppConfig):
    name = "partnerwise.workspaces"
    verbose_name = "Workspaces"

    def ready(self) -> None:
        from partnerwise.workspaces.planner import optimize_on_connect

        connection_created.connect(optimize_on_connect, dispatch_uid="sqlite_optimize")
        post_migrate.connect(_refresh_statistics, sender=self)
