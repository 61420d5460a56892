"""Tracking the terms the playbook suggests for a partnership: asked, agreed, refused, dropped.

The appraisal suggests terms to negotiate (`Recommendation.terms`); editors record where each
stands, with a note. A term of high severity is one the playbook says must be settled before
going in (see the key in `data/playbook.toml`), so a refusal of it is a reason to walk away:
`TermRow.walk_away_refused` says so, and the pages flag it above everything else.

Each term's status is a versioned record: a save made from an old version is refused
(`StaleVersion`) and changes nothing; each save is logged with `record_change`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from partnerwise.appraisals.models import TermState, TermStatus
from partnerwise.appraisals.playbook import Hit
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Workspace
from partnerwise.workspaces.versioning import StaleVersion, save_if_current

# The playbook's "high: must be settled before going in"; refusing such a term means walking away.
WALK_AWAY_SEVERITY = "high"
NOT_RAISED = "Not raised yet"


class TermError(ValueError):
    """A term cannot be marked as asked; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class TermRow:
    """One term: what the playbook says about it (None if it no longer applies) and its status."""

    key: str
    title: str
    severity: str
    hit: Hit | None
    status: TermStatus | None

    @property
    def state(self) -> str:
        return self.status.state if self.status else ""

    @property
    def state_label(self) -> str:
        return self.status.get_state_display() if self.status else NOT_RAISED

    @property
    def note(self) -> str:
        return self.status.note if self.status else ""

    @property
    def version(self) -> int:
        return self.status.version if self.status else 0

    @property
    def suggested(self) -> bool:
        return self.hit is not None

    @property
    def walk_away(self) -> bool:
        return self.severity == WALK_AWAY_SEVERITY

    @property
    def walk_away_refused(self) -> bool:
        return self.walk_away and self.state == TermState.REFUSED

    def to_dict(self) -> dict[str, Any]:
        status = self.status
        who = status.updated_by if status else None
        return {
            "key": self.key,
            "title": self.title,
            "severity": self.severity,
            "suggested": self.suggested,
            "walk_away": self.walk_away,
            "state": self.state,
            "state_label": self.state_label,
            "note": self.note,
            "version": self.version,
            "walk_away_refused": self.walk_away_refused,
            "updated": status.updated if status else None,
            "updated_by": (who.get_full_name() or who.get_username()) if who else None,
        }


def term_rows(
    *, workspace: Workspace, partnership: Partnership, terms: Sequence[Hit]
) -> list[TermRow]:
    """The suggested terms in the playbook's order with their status, then any term that was
    marked but no longer applies (so its record is not lost). One query."""
    statuses = {
        status.key: status
        for status in workspace.termstatuss.filter(partnership=partnership).select_related(
            "updated_by"
        )
    }
    rows = [
        TermRow(
            key=hit.entry.id,
            title=hit.entry.title,
            severity=hit.entry.severity,
            hit=hit,
            status=statuses.pop(hit.entry.id, None),
        )
        for hit in terms
    ]
    rows.extend(
        TermRow(key=key, title=status.title, severity="", hit=None, status=status)
        for key, status in sorted(statuses.items())
    )
    return rows


def walk_away_refusals(rows: Sequence[TermRow]) -> list[TermRow]:
    return [row for row in rows if row.walk_away_refused]


def mark_term(
    *,
    workspace: Workspace,
    partnership: Partnership,
    user: Any,
    rows: Sequence[TermRow],
    key: str,
    state: str,
    note: str,
    seen_version: int,
) -> TermStatus:
    """Record that term `key` is now `state` (asked, agreed, refused or dropped), with a note.

    `rows` are the partnership's terms as the caller read them (`term_rows`); `seen_version`
    is the version the caller saw (0: never marked). Raises TermError for an unknown term or
    state, StaleVersion if someone marked the term since.
    """
    row = next((row for row in rows if row.key == key), None)
    if row is None:
        raise TermError("key", f"'{key}' is not one of the terms for this partnership")
    if state not in TermState.values:
        raise TermError(
            "state", f"'{state}' is not a state; use one of {', '.join(TermState.values)}"
        )
    note = note.strip()
    who = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            status, _ = TermStatus.objects.get_or_create(
                workspace=workspace,
                partnership=partnership,
                key=key,
                defaults={"title": row.title, "state": state, "version": 0},
            )
            before = (
                (status.get_state_display(), status.note) if status.version else (NOT_RAISED, "")
            )
            save_if_current(
                workspace.termstatuss,
                pk=status.pk,
                seen=seen_version,
                values={"state": state, "note": note, "title": row.title, "updated_by": who},
            )
            status.refresh_from_db()
            after = (status.get_state_display(), status.note)
            changes: dict[str, tuple[object, object]] = {
                name: (old, new)
                for name, old, new in zip(("state", "note"), before, after, strict=True)
                if old != new
            }
            record_change(
                workspace=workspace,
                user=user,
                obj=status,
                action="marked a term",
                changes=changes,
                summary=f"{row.title}: {after[0]}"
                + (" (walk-away term refused)" if row.walk_away and state == "refused" else ""),
            )
    except IntegrityError as error:
        # Two first marks raced to create the row: the loser is stale.
        raise StaleVersion(
            "Someone else marked this term at the same moment; nothing was saved.",
            seen=seen_version,
        ) from error
    return status
