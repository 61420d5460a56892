"""Refusing a save made from an old version: the one mechanism every versioned record uses.

Each editable record carries a `version` number. A form or API call sends back the version it
was built from; `save_if_current` writes only if the stored version is still that one, and
otherwise raises `StaleVersion`, changing nothing. Pages answer it with the "someone else saved
this" page showing both versions; the API answers 409 with the stored values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone

MISSING = -1


class StaleVersion(Exception):
    """Someone saved the record after the caller read it; nothing was changed."""

    def __init__(
        self, message: str, *, seen: int = MISSING, current: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.seen = seen
        self.current = dict(current or {})


def seen_version(value: object) -> int:
    """The version a form was built from (a hidden input): MISSING if absent or garbled, which
    matches no row, so the save is refused rather than guessed."""
    try:
        return int(str(value))
    except ValueError:
        return MISSING


def save_if_current(
    rows: models.QuerySet[Any] | models.Manager[Any],
    *,
    pk: int,
    seen: int,
    values: Mapping[str, Any],
) -> None:
    """Write `values` to row `pk` of `rows` and step its version, if its version is `seen`.

    Raises StaleVersion (carrying the stored values of the fields the save would have written)
    when someone saved in between. Call inside the caller's transaction.
    """
    extra: dict[str, Any] = {}
    if any(field.name == "updated" for field in rows.model._meta.get_fields()):
        extra["updated"] = timezone.now()  # update() skips auto_now
    written = rows.filter(pk=pk, version=seen).update(**values, version=F("version") + 1, **extra)
    if not written:
        stored = rows.filter(pk=pk).values(*values, "version").first() or {}
        what = rows.model._meta.verbose_name
        now = stored.get("version", "unknown")
        raise StaleVersion(
            f"Someone else saved this {what} since version {seen}; it is now at version {now}. "
            "Nothing was changed.",
            seen=seen,
            current=stored,
        )
