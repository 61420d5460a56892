"""Saving a partnership edit only if nobody else has saved it since it was read."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from partnerwise.partnerships.forms import PARTNERSHIP_FIELDS
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.history import diff, record_change
from partnerwise.workspaces.models import Workspace
from partnerwise.workspaces.versioning import save_if_current


def partnership_values(partnership: Partnership) -> dict[str, object]:
    """The fields people edit, as they stand."""
    return {name: getattr(partnership, name) for name in PARTNERSHIP_FIELDS}


def edit_partnership(
    *,
    workspace: Workspace,
    partnership: Partnership,
    seen_version: int,
    values: dict[str, Any],
    user: Any,
) -> None:
    """Write `values` if the stored version is still `seen_version`, logging the change.

    Raises StaleVersion, changing nothing, when someone else saved in between.
    """
    before = partnership_values(partnership)
    with transaction.atomic():
        save_if_current(workspace.partnerships, pk=partnership.pk, seen=seen_version, values=values)
        record_change(
            workspace=workspace,
            user=user,
            obj=partnership,
            action="edited",
            changes=diff(before, values),
        )
