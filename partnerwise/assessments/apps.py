from typing import Any

from django.apps import AppConfig
from django.db.models import Q
from django.db.models.signals import post_delete, post_migrate, post_save


def _sync_typologies(sender: AppConfig, **kwargs: Any) -> None:
    from partnerwise.assessments.models import Assessment, StoredProfile, Typology
    from partnerwise.assessments.stored import rebuild_for_typology, rebuild_profiles
    from partnerwise.assessments.typologies import sync_shipped_typologies, typology_data
    from partnerwise.workspaces.models import Workspace

    before = {row.key: typology_data(row, None) for row in Typology.objects.filter(workspace=None)}
    for row in sync_shipped_typologies():
        if row.key in before and before[row.key] != typology_data(row, None):
            rebuild_for_typology(workspace=None, typology=row)
    # Ratings made before profiles were stored (or restored from an old backup) get theirs,
    # and profiles stored before each rater's answers were kept with them are recomputed.
    rated = Assessment.objects.values("workspace_id")
    stored = Workspace.objects.filter(storedprofiles__isnull=False).values("pk")
    unfilled = StoredProfile.objects.filter(rater_answers__isnull=True).values("workspace_id")
    for workspace in Workspace.objects.filter(pk__in=rated).filter(
        ~Q(pk__in=stored) | Q(pk__in=unfilled)
    ):
        rebuild_profiles(workspace=workspace)


class AssessmentsConfig(AppConfig):
    name = "partnerwise.assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # The shipped typology files are the source of truth; every migrate refreshes them,
        # and the stored profiles follow them.
        post_migrate.connect(_sync_typologies, sender=self)
        # Engine typologies are kept between requests until their rows change.
        from partnerwise.assessments.models import Archetype, Indicator
        from partnerwise.assessments.typologies import touch_typology

        for model in (Indicator, Archetype):
            post_save.connect(touch_typology, sender=model, dispatch_uid=f"touch-{model.__name__}")
            post_delete.connect(
                touch_typology, sender=model, dispatch_uid=f"touch-{model.__name__}-deleted"
            )
