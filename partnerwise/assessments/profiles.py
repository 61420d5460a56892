"""Profiles of partners (and of ourselves) in a partnership, from the stored assessments.

Each rater counts once: their latest assessment of the subject in the partnership. Earlier
assessments are kept and give the history (a partner's archetype can drift over time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from partnerwise import typology as engine
from partnerwise.assessments.models import Assessment, RaterKind, Typology
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.models import Workspace


def can_be_rated(workspace: Workspace, partnership: Partnership, org_id: int) -> bool:
    """A subject must be in the partnership, or be us: nothing else can be rated there."""
    if org_id == workspace.organisation_id:
        return True
    return partnership.participations.filter(organisation_id=org_id).exists()


def latest_per_rater(assessments: list[Assessment]) -> list[Assessment]:
    """The newest assessment of each rater, oldest rater first (stable for the engine)."""
    newest: dict[str, Assessment] = {}
    for assessment in sorted(assessments, key=lambda a: (a.assessed_on, a.pk)):
        newest[rater_key(assessment)] = assessment
    return list(newest.values())


def rater_key(assessment: Assessment) -> str:
    """Whose answers these are: the colleague's account, or else the name they were given
    under (a partner, or a colleague without an account whose paper answers were entered)."""
    if assessment.rater_id:
        return f"user:{assessment.rater_id}"
    return f"name:{assessment.rater_name.strip().casefold()}"


def raters_for(assessments: list[Assessment]) -> list[engine.Rater]:
    raters = []
    seen: dict[str, int] = {}
    for assessment in assessments:
        name = assessment.rater_name or "Anonymous"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        raters.append(engine.Rater(name=name, answers=assessment.answer_map()))
    return raters


def _assessments(
    workspace: Workspace,
    partnership: Partnership,
    subject: Organisation,
    typology: Typology,
    rater_kind: RaterKind,
) -> list[Assessment]:
    return list(
        workspace.assessments.filter(
            partnership=partnership, subject=subject, typology=typology, rater_kind=rater_kind
        ).prefetch_related("answers")
    )


def profile_for(
    workspace: Workspace,
    partnership: Partnership,
    subject: Organisation,
    typology: Typology | None = None,
    *,
    rater_kind: RaterKind = RaterKind.COLLEAGUE,
) -> engine.Profile:
    """The profile of `subject` in `partnership` from our colleagues' latest ratings.

    With `rater_kind=RaterKind.PARTNER` it is how partners who rated `subject` see it (used
    for "how they see us").
    """
    typology = typology or default_typology(workspace)
    assessments = latest_per_rater(
        _assessments(workspace, partnership, subject, typology, rater_kind)
    )
    about_us = rater_kind == RaterKind.COLLEAGUE and subject.pk == workspace.organisation_id
    return engine.profile(
        engine_typology(typology, workspace), raters_for(assessments), about_us=about_us
    )


@dataclass(frozen=True)
class HistoryPoint:
    assessed_on: date
    rater: str
    profile: engine.Profile


def profile_history(
    workspace: Workspace,
    partnership: Partnership,
    subject: Organisation,
    typology: Typology | None = None,
) -> list[HistoryPoint]:
    """The profile as it stood after each assessment, oldest first: drift shows here."""
    typology = typology or default_typology(workspace)
    model = engine_typology(typology, workspace)
    about_us = subject.pk == workspace.organisation_id
    ordered = sorted(
        _assessments(workspace, partnership, subject, typology, RaterKind.COLLEAGUE),
        key=lambda a: (a.assessed_on, a.pk),
    )
    points = []
    for index, assessment in enumerate(ordered):
        standing = latest_per_rater(ordered[: index + 1])
        points.append(
            HistoryPoint(
                assessed_on=assessment.assessed_on,
                rater=assessment.rater_name,
                profile=engine.profile(model, raters_for(standing), about_us=about_us),
            )
        )
    return points
