"""Latest profiles for many (partnership, organisation) pairs at once, in a fixed number of
queries: the portfolio and organisation pages list many, and must not query once per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from partnerwise import typology as engine
from partnerwise.assessments.models import Assessment, RaterKind, Typology
from partnerwise.assessments.profiles import latest_per_rater, raters_for
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.workspaces.models import Workspace

Key = tuple[int, int]


def latest_profiles(
    workspace: Workspace,
    *,
    partnership_ids: Iterable[int] | None = None,
    subject_ids: Iterable[int] | None = None,
    typology: Typology | None = None,
) -> dict[Key, engine.Profile]:
    """{(partnership id, subject id): profile from colleagues' latest ratings}."""
    typology = typology or default_typology()
    model = engine_typology(typology, workspace)
    rows = workspace.assessments.filter(typology=typology, rater_kind=RaterKind.COLLEAGUE)
    if partnership_ids is not None:
        rows = rows.filter(partnership_id__in=list(partnership_ids))
    if subject_ids is not None:
        rows = rows.filter(subject_id__in=list(subject_ids))
    grouped: dict[Key, list[Assessment]] = defaultdict(list)
    for assessment in rows.prefetch_related("answers"):
        grouped[(assessment.partnership_id, assessment.subject_id)].append(assessment)
    return {
        key: engine.profile(model, raters_for(latest_per_rater(items)))
        for key, items in grouped.items()
    }


def archetype_names(workspace: Workspace, typology: Typology | None = None) -> dict[str, str]:
    typology = typology or default_typology()
    return {a.id: a.name for a in engine_typology(typology, workspace).archetypes}


def verdict_label(profile: engine.Profile | None, names: dict[str, str]) -> str:
    """A profile's verdict in a few words: the archetype's name, 'Mixed: A or B', or why not."""
    if profile is None:
        return "Not rated yet"
    if profile.verdict == "match" and profile.best:
        return names.get(profile.best, profile.best)
    if profile.verdict == "mixed":
        return "Mixed: " + " or ".join(names.get(key, key) for key in profile.leading)
    return "Not enough evidence"
