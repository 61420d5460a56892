"""A workspace's own typologies and archetypes.

Both are validated by the engine exactly as the shipped files are, so a workspace cannot store
a typology the engine would refuse; errors name the source and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from partnerwise import typology as engine
from partnerwise.assessments.models import Archetype, Indicator, Typology
from partnerwise.assessments.stored import rebuild_for_typology
from partnerwise.assessments.typologies import archetype_fields, indicator_fields, typology_data
from partnerwise.workspaces.models import Workspace


@transaction.atomic
def add_typology(*, workspace: Workspace, data: Mapping[str, Any], source: str) -> Typology:
    """Store a whole typology (shaped like the shipped TOML files) for `workspace`."""
    model = engine.typology_from_dict(data, source=source)
    if Typology.objects.filter(workspace=workspace, key=model.id).exists():
        raise engine.TypologyError(f"{source}: this workspace already has a typology '{model.id}'")
    if Typology.objects.filter(workspace=None, key=model.id).exists():
        raise engine.TypologyError(
            f"{source}: '{model.id}' is a shipped typology; choose another id"
        )
    row = Typology.objects.create(
        workspace=workspace,
        key=model.id,
        name=model.name,
        version=model.version,
        description=model.description,
    )
    Indicator.objects.bulk_create(
        Indicator(
            typology=row, workspace=workspace, key=i.id, **indicator_fields(model, i, position)
        )
        for position, i in enumerate(model.indicators)
    )
    Archetype.objects.bulk_create(
        Archetype(typology=row, workspace=workspace, key=a.id, **archetype_fields(a, position))
        for position, a in enumerate(model.archetypes)
    )
    # A new typology has no ratings yet; rebuilding keeps the rule in one place if it ever has.
    rebuild_for_typology(workspace=workspace, typology=row)
    return row


@transaction.atomic
def add_archetype(
    *, workspace: Workspace, typology: Typology, data: Mapping[str, Any], source: str
) -> Archetype:
    """Add an archetype that only `workspace` sees to a typology it can see."""
    current = typology_data(typology, workspace)
    archetype_id = data.get("id")
    if any(a["id"] == archetype_id for a in current["archetypes"]):
        raise engine.TypologyError(
            f"{source}: typology '{typology.key}' already has an archetype '{archetype_id}'"
        )
    # Validate the archetype in the context of the whole typology, as the engine will see it.
    candidate = engine.typology_from_dict(
        {**current, "archetypes": [*current["archetypes"], dict(data)]}, source=source
    )
    added = candidate.archetype(str(archetype_id))
    row = Archetype.objects.create(
        typology=typology,
        workspace=workspace,
        key=added.id,
        **archetype_fields(added, len(current["archetypes"])),
    )
    # Every fit on the typology is measured against one more archetype now.
    rebuild_for_typology(workspace=workspace, typology=typology)
    return row
