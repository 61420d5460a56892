"""Whether what a page keeps in the cache still holds: a version stamp of a workspace's
records (and, for pages that show them, of the open data), read from the newest rows by
index and row counts, so it costs about the same with ten partnerships or ten thousand.

One rule in one place: the portfolio's totals and the map of who works with whom both key
their cached results on it, so a change that reaches one reaches the other.
"""

from __future__ import annotations

import hashlib

from django.db.models import Max

from partnerwise.opendata.models import Award, CandidateMatch, Grant, ImportRun
from partnerwise.workspaces.models import Workspace


def records_version(*, workspace: Workspace) -> str:
    """Changes whenever the workspace's partnerships, participants or profiles could have:
    every change to partnerships and participants is recorded in history, every change of a
    profile (a rating, a typology setting) updates its row, and the counts catch rows added
    or removed in bulk (the demo loader, benchmarks)."""
    newest = workspace.changerecords.aggregate(last=Max("pk"))["last"]
    profiles = workspace.storedprofiles.aggregate(last=Max("updated"))["last"]
    sizes = (workspace.partnerships.count(), workspace.participations.count())
    return f"{workspace.pk}|{newest}|{profiles and profiles.isoformat()}|{sizes}"


def open_data_version() -> str:
    """Changes whenever grants, contract awards or the shared organisations they name could
    have: every import records a run, the newest grant and award catch rows written any
    other way, and a person confirming that two organisations are one (a merge) is dated."""
    newest: list[object] = [
        model._default_manager.aggregate(last=Max("pk"))["last"]
        for model in (ImportRun, Grant, Award)
    ]
    newest.append(CandidateMatch.objects.aggregate(last=Max("decided_at"))["last"])
    return "|".join(str(value) for value in newest)


def cache_key(prefix: str, *parts: object) -> str:
    """A cache key for `parts` (versions, filters, the date): short, whatever they hold."""
    return f"{prefix}-" + hashlib.sha256(repr(parts).encode()).hexdigest()
