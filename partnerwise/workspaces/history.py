"""Who changed what and when: one generic change log for every workspace-owned record.

Views and forms that change a record call `record_change` inside the same transaction as the
change, so the log never disagrees with the data. Pages show `history_for(workspace, obj)`.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from partnerwise.workspaces.models import ChangeRecord, Workspace


def _plain(value: object) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


def record_change(
    *,
    workspace: Workspace,
    user: Any,
    obj: models.Model,
    action: str,
    changes: dict[str, tuple[object, object]] | None = None,
    summary: str = "",
) -> ChangeRecord:
    """Log that `user` did `action` ("created", "edited", ...) to `obj`, with old → new values."""
    rows = [
        {"field": field, "old": _plain(old), "new": _plain(new)}
        for field, (old, new) in (changes or {}).items()
    ]
    return ChangeRecord.objects.create(
        workspace=workspace,
        user=user if getattr(user, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        action=action,
        changes=rows,
        summary=summary[:500],
    )


def history_for(workspace: Workspace, obj: models.Model) -> models.QuerySet[ChangeRecord]:
    """The change log of one record, newest first (one query, user joined)."""
    return workspace.changerecords.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("user", "content_type")


def diff(before: dict[str, object], after: dict[str, object]) -> dict[str, tuple[object, object]]:
    """The fields whose values differ, as {field: (old, new)}."""
    return {key: (before.get(key), after[key]) for key in after if before.get(key) != after[key]}
