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
) -> dict[Key, engine.Profile]:
    """{(partnership id, subject id): profile from the latest ratings of each rater of the kind
    (colleagues by default; partners for "how they see us")}."""
    typology, model = _typology(workspace, typology)
    rows = workspace.assessments.filter(typology=typology, rater_kind=rater_kind)
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
    _, model = _typology(workspace, typology)
    return {a.id: a.name for a in model.archetypes}


def verdict_label(profile: engine.Profile | None, names: dict[str, str]) -> str:
    """A profile's verdict in a few words: the archetype's name, 'Mixed: A or B', or why not."""
    if profile is None:
        return "Not rated yet"
    if profile.verdict == "match" and profile.best:
        return names.get(profile.best, profile.best)
    if profile.verdict == "mixed":
        return "Mixed: " + " or ".join(names.get(key, key) for key in profile.leading)
    return "Not enough evidence"


def profile_histories(
    workspace: Workspace, subject_id: int, typology: Typology | None = None
) -> dict[int, list[tuple[Assessment, engine.Profile]]]:
    """{partnership id: [(assessment, profile as it stood after it), ...] oldest first}.

    How a subject's archetype drifted in each partnership, from colleagues' ratings, in a
    fixed number of queries however many partnerships and ratings there are.
    """
    typology, model = _typology(workspace, typology)
    rows = workspace.assessments.filter(
        typology=typology, rater_kind=RaterKind.COLLEAGUE, subject_id=subject_id
    ).prefetch_related("answers")
    grouped: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in sorted(rows, key=lambda a: (a.assessed_on, a.pk)):
        grouped[assessment.partnership_id].append(assessment)
    return {
        partnership_id: [
            (item, engine.profile(model, raters_for(latest_per_rater(items[: index + 1]))))
            for index, item in enumerate(items)
        ]
        for partnership_id, items in grouped.items()
    }
