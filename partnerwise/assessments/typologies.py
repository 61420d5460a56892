"""Typologies between the database and the engine.

The shipped typologies live as data files in `partnerwise/typology/data/`; after every migrate
they are copied into the database (workspace NULL) so assessments can point at them. A
workspace's own archetypes and typologies are rows only. `engine_typology()` turns rows back
into the engine's `Typology`, with just the archetypes the workspace may see.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.db.models import Q

from partnerwise import typology as engine
from partnerwise.assessments.models import (
    Archetype,
    ChosenTypology,
    Indicator,
    Typology,
    new_revision,
)
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Workspace


def indicator_fields(
    model: engine.Typology, indicator: engine.Indicator, position: int
) -> dict[str, Any]:
    """An engine indicator as Indicator row fields (besides typology, workspace and key)."""
    return {
        "statement": indicator.statement,
        "short": indicator.short,
        "self_text": indicator.self_text,
        "self_short": indicator.self_short,
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
                "contradictions": [asdict(item) for item in shipped.contradictions],
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
    data: dict[str, Any] = {
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
    if row.contradictions:
        data["contradictions"] = row.contradictions
    return data


def statement_for(indicator: engine.Indicator, *, about_us: bool) -> str:
    """The statement as it reads to the rater: about ourselves ("We hold more power …") where
    the typology has a self form, otherwise the partner form ("They hold more power …")."""
    if about_us:
        own = getattr(indicator, "self_statement", "") or getattr(indicator, "self_text", "")
        if isinstance(own, str) and own:
            return own
    return indicator.statement


# Engine typologies built in this process, keyed on everything that can change one: the
# typology row's fields as stored now (its revision changes whenever one of its indicators or
# archetypes is saved or deleted, see `touch_typology`) and the workspace whose archetypes it
# shows. Building one costs two queries and some sixty model objects, once or twice a page;
# the key costs one small query, so a row object held since before a change is never trusted.
_BUILT: OrderedDict[tuple[Any, ...], engine.Typology] = OrderedDict()
_BUILT_LIMIT = 256
_BUILT_LOCK = threading.Lock()
_KEY_FIELDS = ("revision", "key", "name", "version", "description", "contradictions")


def _built_key(row: Typology, workspace: Workspace | None) -> tuple[Any, ...] | None:
    stored = Typology.objects.filter(pk=row.pk).values_list(*_KEY_FIELDS).first()
    if stored is None:
        return None
    *own, contradictions = stored
    workspace_pk = workspace.pk if workspace else None
    return (row.pk, workspace_pk, *own, json.dumps(contradictions, sort_keys=True))


def engine_typology(row: Typology, workspace: Workspace | None) -> engine.Typology:
    """The engine's form of `row`, with the archetypes `workspace` may see.

    Kept between requests (the engine's typologies are immutable) until the row changes."""
    source = f"typology '{row.key}'"
    key = _built_key(row, workspace) if row.pk is not None else None
    if key is None:
        return engine.typology_from_dict(typology_data(row, workspace), source=source)
    with _BUILT_LOCK:
        found = _BUILT.get(key)
        if found is not None:
            _BUILT.move_to_end(key)
            return found
    built = engine.typology_from_dict(typology_data(row, workspace), source=source)
    with _BUILT_LOCK:
        _BUILT[key] = built
        while len(_BUILT) > _BUILT_LIMIT:
            _BUILT.popitem(last=False)
    return built


def touch_typology(sender: type[Any], instance: Indicator | Archetype, **kwargs: Any) -> None:
    """Give the typology an indicator or archetype belongs to a new revision (connected to
    their save and delete signals), so every process builds its engine form again."""
    Typology.objects.filter(pk=instance.typology_id).update(revision=new_revision())


def default_typology(workspace: Workspace | None = None) -> Typology:
    """The typology `workspace` rates with: its choice in settings, else the founding five.

    Remembered on the workspace object, as a page asks several times."""
    if workspace is not None:
        cached = workspace.__dict__.get("_chosen_typology")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        chosen = ChosenTypology.objects.filter(workspace=workspace).select_related("typology")
        found = chosen.first()
        row = found.typology if found else Typology.objects.get(workspace=None, key="default")
        workspace.__dict__["_chosen_typology"] = row
        return row
    return Typology.objects.get(workspace=None, key="default")


def choose_typology(*, workspace: Workspace, user: Any, typology: Typology) -> None:
    """Rate with `typology` from now on (one the workspace can see); logged in the history."""
    if typology.workspace_id not in (None, workspace.pk):
        raise ValueError("That typology belongs to another workspace")
    before = default_typology(workspace)
    with transaction.atomic():
        ChosenTypology.objects.update_or_create(
            workspace=workspace, defaults={"typology": typology}
        )
        if before.pk != typology.pk:
            record_change(
                workspace=workspace,
                user=user,
                obj=workspace,
                action="changed the typology",
                changes={"typology": (before.name, typology.name)},
            )
    workspace.__dict__["_chosen_typology"] = typology
