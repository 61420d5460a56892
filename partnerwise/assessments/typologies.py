"""Typologies between the database and the engine.

The shipped typologies live as data files in `partnerwise/typology/data/`; after every migrate
they are copied into the database (workspace NULL) so assessments can point at them. A
workspace's own archetypes and typologies are rows only. `engine_typology()` turns rows back
into the engine's `Typology`, with just the archetypes the workspace may see.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from partnerwise import typology as engine
from partnerwise.assessments.models import Archetype, Indicator, Typology
from partnerwise.workspaces.models import Workspace


def indicator_fields(
    model: engine.Typology, indicator: engine.Indicator, position: int
) -> dict[str, Any]:
    """An engine indicator as Indicator row fields (besides typology, workspace and key)."""
    return {
        "statement": indicator.statement,
        "short": indicator.short,
        # The self form ("We …") comes with typology data v2; older data has none.
        "self_text": getattr(indicator, "self_text", ""),
        "self_short": getattr(indicator, "self_short", ""),
        "help": indicator.help,
        "weight": model.weights[indicator.id],
        "weight_reason": model.weight_reasons.get(indicator.id, ""),
        "position": position,
    }


def archetype_fields(archetype: engine.Archetype, position: int) -> dict[str, Any]:
    """An engine archetype as Archetype row fields (besides typology, workspace and key)."""
    return {
        "name": archetype.name,
        "summary": archetype.summary,
        "singular": archetype.singular,
        "source": archetype.source,
        "prototype": dict(archetype.prototype),
        "reasons": dict(archetype.reasons),
        "position": position,
    }


@transaction.atomic
def sync_shipped_typologies() -> list[Typology]:
    """Create or update the shipped typologies' rows from the engine's data files."""
    synced = []
    for shipped in engine.shipped_typologies():
        row, _ = Typology.objects.update_or_create(
            workspace=None,
            key=shipped.id,
            defaults={
                "name": shipped.name,
                "version": shipped.version,
                "description": shipped.description,
            },
        )
        for position, indicator in enumerate(shipped.indicators):
            Indicator.objects.update_or_create(
                typology=row,
                key=indicator.id,
                defaults={"workspace": None, **indicator_fields(shipped, indicator, position)},
            )
        for position, archetype in enumerate(shipped.archetypes):
            Archetype.objects.update_or_create(
                typology=row,
                workspace=None,
                key=archetype.id,
                defaults=archetype_fields(archetype, position),
            )
        synced.append(row)
    return synced


def typology_data(row: Typology, workspace: Workspace | None) -> dict[str, Any]:
    """The engine's dict form of a typology row, with the archetypes `workspace` may see."""
    archetypes = row.archetypes.all()
    archetypes = archetypes.filter(Q(workspace__isnull=True) | Q(workspace=workspace))
    return {
        "id": row.key,
        "name": row.name,
        "version": row.version,
        "description": row.description,
        "indicators": [
            {
                "id": i.key,
                "statement": i.statement,
                "short": i.short,
                "self_text": i.self_text,
                "self_short": i.self_short,
                "help": i.help,
                "weight": i.weight,
                "weight_reason": i.weight_reason,
            }
            for i in row.indicators.all()
        ],
        "archetypes": [
            {
                "id": a.key,
                "name": a.name,
                "summary": a.summary,
                "singular": a.singular,
                "source": a.source,
                "prototype": a.prototype,
                "reasons": a.reasons,
            }
            for a in archetypes
        ],
    }


def statement_for(indicator: engine.Indicator, *, about_us: bool) -> str:
    """The statement as it reads to the rater: about ourselves ("We hold more power …") where
    the typology has a self form, otherwise the partner form ("They hold more power …")."""
    if about_us:
        own = getattr(indicator, "self_statement", "") or getattr(indicator, "self_text", "")
        if isinstance(own, str) and own:
            return own
    return indicator.statement


def engine_typology(row: Typology, workspace: Workspace | None) -> engine.Typology:
    source = f"typology '{row.key}'"
    return engine.typology_from_dict(typology_data(row, workspace), source=source)


def default_typology() -> Typology:
    return Typology.objects.get(workspace=None, key="default")
