"""Latest profiles for many (partnership, organisation) pairs at once, in a fixed number of
queries, read from the profiles stored when ratings changed (`assessments/stored.py`): the
portfolio and organisation pages list many, and must neither query nor compute once per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from partnerwise import typology as engine
from partnerwise.assessments.models import ProfilePoint, RaterKind, StoredProfile, Typology
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.workspaces.models import Workspace

Key = tuple[int, int]


def _typology(workspace: Workspace, typology: Typology | None) -> tuple[Typology, engine.Typology]:
    """The typology row and its engine form, loaded once per workspace object (a page asks for
    several summaries, and each would otherwise load the typology again)."""
    cache: dict[int | None, tuple[Typology, engine.Typology]] = workspace.__dict__.setdefault(
        "_summary_typologies", {}
    )
    key = typology.pk if typology else None
    if key not in cache:
        row = typology or default_typology(workspace)
        cache[key] = (row, engine_typology(row, workspace))
    return cache[key]


def latest_profiles(
    workspace: Workspace,
    *,
    partnership_ids: Iterable[int] | None = None,
    subject_ids: Iterable[int] | None = None,
    typology: Typology | None = None,
    rater_kind: RaterKind = RaterKind.COLLEAGUE,
    verdicts_only: bool | None = None,
) -> dict[Key, StoredProfile]:
    """{(partnership id, subject id): profile from the latest ratings of each rater of the kind
    (colleagues by default; partners for "how they see us")}, as stored when ratings changed.

    `verdicts_only` leaves the engine's full summary (`data`) unread, for a list that shows
    verdicts only; by default it is left for every list not limited to some partnerships."""
    typology, _ = _typology(workspace, typology)
    rows = workspace.storedprofiles.filter(typology=typology, rater_kind=rater_kind)
    if partnership_ids is not None:
        rows = rows.filter(partnership_id__in=list(partnership_ids))
    if subject_ids is not None:
        rows = rows.filter(subject_id__in=list(subject_ids))
    if verdicts_only or (verdicts_only is None and partnership_ids is None):
        # Lists of many profiles show verdicts only: the engine's full summary stays behind.
        rows = rows.defer("data")
    return {(row.partnership_id, row.subject_id): row for row in rows}


def archetype_names(workspace: Workspace, typology: Typology | None = None) -> dict[str, str]:
    _, model = _typology(workspace, typology)
    return {a.id: a.name for a in model.archetypes}


class Verdicted(Protocol):
    """What a verdict is read from: an engine profile or a stored one."""

    @property
    def verdict(self) -> str: ...
    @property
    def best(self) -> str | None: ...
    @property
    def leading(self) -> Sequence[str]: ...


def verdict_label(profile: Verdicted | None, names: dict[str, str]) -> str:
    """A profile's verdict in a few words: the archetype's name, 'Mixed: A or B', or why not."""
    if profile is None:
        return "Not rated yet"
    if profile.verdict == "match" and profile.best:
        return names.get(profile.best, profile.best)
    if profile.verdict == "mixed":
        return "Mixed: " + " or ".join(names.get(key, key) for key in profile.leading)
    return "Not enough evidence"


def profile_histories(
    workspace: Workspace,
    subject_id: int,
    typology: Typology | None = None,
    *,
    partnership_ids: Iterable[int] | None = None,
    fits_only: bool = False,
) -> dict[int, list[ProfilePoint]]:
    """{partnership id: [the profile as it stood after each colleague's rating], oldest first}.

    How a subject's archetype drifted in each partnership, read from the stored history.
    `fits_only` leaves each point's engine summary (`data`, several kilobytes) unread: a
    drift chart draws the fits, which are stored beside it.
    """
    typology, _ = _typology(workspace, typology)
    rows = workspace.profilepoints.filter(
        typology=typology, rater_kind=RaterKind.COLLEAGUE, subject_id=subject_id
    )
    if partnership_ids is not None:
        # Through the index that starts with the partnership: a partner in hundreds of
        # partnerships has thousands of points, and one page of partnerships needs few.
        rows = rows.filter(partnership_id__in=list(partnership_ids))
    if fits_only:
        rows = rows.defer("data")
    grouped: dict[int, list[ProfilePoint]] = defaultdict(list)
    for point in rows.order_by("assessed_on", "assessment_id"):
        grouped[point.partnership_id].append(point)
    return dict(grouped)
