"""Removing a record made by mistake: a workspace's own records only, logged in its history.

One rule for every kind of record (partnerships, ratings, decisions, private organisations):
it must belong to the workspace (reference data, which has no workspace, is never removed), the
removal is written to the history in the same transaction, and a record still used elsewhere
is refused with the places that use it rather than taking them with it silently.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.deletion import ProtectedError

from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Workspace


class RemovalError(ValueError):
    """The record cannot be removed; the message says why."""


def remove_record(*, workspace: Workspace, user: Any, obj: models.Model, summary: str) -> None:
    """Delete `obj`, one of `workspace`'s own records, and log it as "deleted"."""
    owner = getattr(obj, "workspace_id", None)
    if owner is None:
        raise RemovalError("Shared reference data cannot be removed by a workspace")
    if owner != workspace.pk:
        raise RemovalError("That record belongs to another workspace")
    try:
        with transaction.atomic():
            record_change(
                workspace=workspace, user=user, obj=obj, action="deleted", summary=summary
            )
            obj.delete()
    except ProtectedError as error:
        users = sorted({str(item) for item in error.protected_objects})[:10]
        raise RemovalError("It is still used: " + "; ".join(users)) from error
