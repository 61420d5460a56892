"""Latest profiles for many (partnership, organisation) pairs at once, in a fixed number of
queries, read from the profiles stored when ratings changed (`assessments/stored.py`): the
portfolio and organisation pages list many, and must neither query nor compute once per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple, Protocol

from partnerwise import typology as engine
from partnerwise.assessments.models import RaterKind, StoredProfile, Typology
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


class HistoryPoint(NamedTuple):
    """What a list of a profile's changes shows of one: the rating's date and rater, the
    verdict after it, and (when asked for, to draw the drift) the fits."""

    partnership_id: int
    assessed_on: date
    rater_name: str
    verdict: str
    best: str
    leading: list[str]
    fits: dict[str, float]


def profile_histories(
    workspace: Workspace,
    subject_id: int,
    typology: Typology | None = None,
    *,
    partnership_ids: Iterable[int],
    fits_for: Iterable[int] = (),
) -> dict[int, list[HistoryPoint]]:
    """{partnership id: [the profile as it stood after each colleague's rating], oldest first}.

    How a subject's archetype drifted in a page of partnerships, read from the stored
    history (its last point is the stored current profile): verdicts for every point, fits
    only for the points of `fits_for` (those whose drift is drawn). A point's summary
    (`data`) is never read: on SQLite even a column stored after it cost reading past its
    several kilobytes, so the fits are asked for apart, for the few partnerships that draw
    them.
    """
    typology, _ = _typology(workspace, typology)
    rows = workspace.profilepoints.filter(
        typology=typology, rater_kind=RaterKind.COLLEAGUE, subject_id=subject_id
    ).order_by("assessed_on", "assessment_id")
    drawn = list(fits_for)
    fits: dict[int, dict[str, float]] = {}
    if drawn:
        fits = dict(rows.filter(partnership_id__in=drawn).values_list("assessment_id", "fits"))
    grouped: dict[int, list[HistoryPoint]] = defaultdict(list)
    listed = rows.filter(partnership_id__in=list(partnership_ids)).values_list(
        "assessment_id", "partnership_id", "assessed_on", "rater_name", "verdict", "best", "leading"
    )
    for assessment_id, partnership_id, assessed_on, rater_name, verdict, best, leading in listed:
        grouped[partnership_id].append(
            HistoryPoint(
                partnership_id,
                assessed_on,
                rater_name,
                verdict,
                best,
                leading,
                fits.get(assessment_id, {}),
            )
        )
    return dict(grouped)
