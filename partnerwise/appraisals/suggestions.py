"""The suggested starting list of values and commitments, which a workspace can adopt."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from partnerwise.appraisals.models import Principle, PrincipleKind
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Workspace

SUGGESTIONS_PATH = Path(__file__).resolve().parent / "data" / "principles.toml"


class SuggestionsError(ValueError):
    """The suggestions file is invalid; the message names the file, the item and the field."""


@dataclass(frozen=True)
class Suggestion:
    kind: str
    name: str
    description: str
    red_line: bool


def load_suggestions(path: Path) -> tuple[Suggestion, ...]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SuggestionsError(f"{path}: cannot read the suggestions ({exc})") from exc
    found: list[Suggestion] = []
    for table, kind in (("values", PrincipleKind.VALUE), ("commitments", PrincipleKind.COMMITMENT)):
        items: Any = data.get(table, [])
        if not isinstance(items, list):
            raise SuggestionsError(f"{path}: '{table}' must be a list of [[{table}]] tables")
        for number, item in enumerate(items, start=1):
            where = f"{path}: {table} {number}"
            name, description = item.get("name"), item.get("description", "")
            red_line = item.get("red_line", False)
            if not isinstance(name, str) or not name.strip():
                raise SuggestionsError(f"{where}, field 'name': missing or empty")
            if not isinstance(description, str):
                raise SuggestionsError(f"{where}, field 'description': expected text")
            if not isinstance(red_line, bool):
                raise SuggestionsError(f"{where}, field 'red_line': expected true or false")
            found.append(Suggestion(str(kind), name.strip(), description.strip(), red_line))
    return tuple(found)


@cache
def suggestions() -> tuple[Suggestion, ...]:
    return load_suggestions(SUGGESTIONS_PATH)


def adopt_suggestions(*, workspace: Workspace, user: Any) -> list[Principle]:
    """Add the suggested values and commitments the workspace doesn't have yet (by name)."""
    with transaction.atomic():
        have = set(workspace.principles.values_list("kind", "name"))
        added = [
            Principle(
                workspace=workspace,
                kind=item.kind,
                name=item.name,
                description=item.description,
                is_red_line=item.red_line,
                position=position,
            )
            for position, item in enumerate(suggestions())
            if (item.kind, item.name) not in have
        ]
        Principle.objects.bulk_create(added)
        for principle in workspace.principles.filter(name__in=[p.name for p in added]):
            record_change(
                workspace=workspace,
                user=user,
                obj=principle,
                action="created",
                summary="from the suggested list",
            )
    return added
