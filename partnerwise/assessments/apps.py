from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_typologies(sender: AppConfig, **kwargs: Any) -> None:
    from partnerwise.assessments.typologies import sync_shipped_typologies

    sync_shipped_typologies()


class AssessmentsConfig(AppConfig):
    name = "partnerwise.assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # The shipped typology files are the source of truth; every migrate refreshes them.
        post_migrate.connect(_sync_typologies, sender=self)
