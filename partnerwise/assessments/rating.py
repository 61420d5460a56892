"""Recording and changing a rater's answers: the one place pages, API, demo and tests save
ratings through.

A rating is one rater's answers about one subject (a partner, or us) in one partnership on one
date. The rules live here: every indicator must belong to the typology, each answer is 1 to 5
or "don't know" (None), at least one statement must be rated, and a change made from an old
version is refused (`StaleVersion`). Each save is one transaction and is recorded in history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from partnerwise import typology as engine
from partnerwise.assessments.models import Answer, Assessment, RaterKind, Typology
from partnerwise.assessments.stored import refresh_profile
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.dates import not_in_future
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import User, Workspace
from partnerwise.workspaces.versioning import save_if_current

# {indicator id: (rating 1-5 or None for "don't know", evidence)}
Answers = Mapping[str, tuple[int | None, str]]

SCALE_WORDS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
NOTHING_RATED = 'Every answer is "Don\'t know": rate at least one statement before saving.'


class RatingError(ValueError):
    """Answers that break a rule; `field` names the indicator (or "answers") at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_date(assessed_on: date) -> None:
    """A rating records what someone thought on a day that has happened."""
    try:
        not_in_future(assessed_on, "The date of a rating")
    except ValidationError as error:
        raise RatingError("assessed_on", error.messages[0]) from None


def colleague_named(workspace: Workspace, name: str) -> User | None:
    """The member of the workspace called `name` (full name or email, any case), if exactly one."""
    wanted = name.strip().casefold()
    found = [
        m.user
        for m in workspace.memberships.select_related("user")
        if wanted in {m.user.get_full_name().casefold(), m.user.email.casefold()}
    ]
    return found[0] if len(found) == 1 else None


def check_answers(model: engine.Typology, answers: Answers) -> None:
    """Raise RatingError unless every answer is on a known indicator, 1 to 5 or don't know,
    and at least one statement is rated."""
    known = {indicator.id for indicator in model.indicators}
    for key, (rating, _) in answers.items():
        if key not in known:
            raise RatingError(key, f"'{key}' is not a statement of the {model.name} typology")
        if rating is not None and (isinstance(rating, bool) or rating not in SCALE_WORDS):
            raise RatingError(key, f"'{key}': give 1 to 5, or leave it out for don't know")
    if all(rating is None for rating, _ in answers.values()):
        raise RatingError("answers", NOTHING_RATED)


def answer_label(pair: tuple[int | None, str] | None) -> str:
    """An answer in words, as history and the "someone else saved this" page show it."""
    label = "Don't know" if pair is None or pair[0] is None else SCALE_WORDS[pair[0]]
    return f"{label}; {pair[1]}" if pair and pair[1] else label


def _store_answers(workspace: Workspace, assessment: Assessment, answers: Answers) -> None:
    Answer.objects.bulk_create(
        Answer(
            workspace=workspace,
            assessment=assessment,
            indicator=key,
            rating=rating,
            evidence=evidence.strip(),
        )
        for key, (rating, evidence) in sorted(answers.items())
    )


def record_rating(
    *,
    workspace: Workspace,
    partnership: Partnership,
    subject: Organisation,
    answers: Answers,
    rater: User | None,
    rater_name: str,
    assessed_on: date,
    rater_kind: RaterKind = RaterKind.COLLEAGUE,
    notes: str = "",
    typology: Typology | None = None,
    recorded_by: User | None = None,
) -> Assessment:
    """Store one rater's answers and record who rated whom in history.

    `rater` is the colleague whose view this is (None for someone at a partner, through a
    rating link, or a colleague without an account); `recorded_by` is who saved it, when not
    the rater. Each rater's latest rating is the one that counts, so answers entered on
    someone's behalf are theirs (kept by `rater`, or by `rater_name` without an account) and
    never replace the answers of the person who entered them.
    """
    typology = typology or default_typology(workspace)
    check_date(assessed_on)
    model = engine_typology(typology, workspace)
    check_answers(model, answers)
    answered = sum(1 for rating, _ in answers.values() if rating is not None)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            workspace=workspace,
            partnership=partnership,
            subject=subject,
            typology=typology,
            rater=rater,
            rater_name=rater_name.strip(),
            recorded_by=recorded_by if recorded_by != rater else None,
            rater_kind=rater_kind,
            assessed_on=assessed_on,
            notes=notes,
        )
        _store_answers(workspace, assessment, answers)
        summary = f"{subject.name}: {answered} of {len(model.indicators)} statements rated"
        who = recorded_by or rater
        if assessment.entered_for and recorded_by is not None:
            entered_by = recorded_by.get_full_name() or recorded_by.get_username()
            summary = f"{summary}, entered by {entered_by} for {assessment.rater_name}"
        record_change(
            workspace=workspace, user=who, obj=assessment, action="rated", summary=summary
        )
        record_change(
            workspace=workspace,
            user=who,
            obj=partnership,
            action="added a rating",
            summary=f"{assessment.rater_name} on {summary}",
        )
        _refresh(workspace, assessment, model)
    return assessment


def _refresh(workspace: Workspace, assessment: Assessment, model: engine.Typology) -> None:
    """Recompute the stored profile the rating belongs to, inside the caller's transaction."""
    refresh_profile(
        workspace=workspace,
        partnership_id=assessment.partnership_id,
        subject_id=assessment.subject_id,
        typology=assessment.typology,
        rater_kind=assessment.rater_kind,
        model=model,
    )


def change_rating(
    *,
    workspace: Workspace,
    assessment: Assessment,
    seen_version: int,
    answers: Answers,
    rater_name: str,
    assessed_on: date,
    notes: str,
    user: Any,
) -> None:
    """Replace a rating's answers if nobody changed it since version `seen_version`.

    Raises StaleVersion, changing nothing, when someone did.
    """
    model = engine_typology(assessment.typology, workspace)
    check_date(assessed_on)
    check_answers(model, answers)
    statements = {indicator.id: indicator.statement for indicator in model.indicators}
    before = {a.indicator: (a.rating, a.evidence) for a in assessment.answers.all()}
    after = {key: (rating, evidence.strip()) for key, (rating, evidence) in answers.items()}
    with transaction.atomic():
        save_if_current(
            workspace.assessments,
            pk=assessment.pk,
            seen=seen_version,
            values={"rater_name": rater_name.strip(), "assessed_on": assessed_on, "notes": notes},
        )
        assessment.answers.all().delete()
        _store_answers(workspace, assessment, after)
        record_change(
            workspace=workspace,
            user=user,
            obj=assessment,
            action="changed a rating",
            changes={
                statements.get(key, key): (answer_label(before.get(key)), answer_label(after[key]))
                for key in after
                if before.get(key, (None, "")) != after[key]
            },
            summary=f"{rater_name.strip()} on {assessment.subject.name}",
        )
        _refresh(workspace, assessment, model)


def delete_rating(*, workspace: Workspace, assessment: Assessment, user: Any) -> None:
    """Remove a rating and recompute the profile it counted in, in one transaction."""
    if assessment.workspace_id != workspace.pk:
        raise RatingError("assessment", "this rating belongs to another workspace")
    model = engine_typology(assessment.typology, workspace)
    with transaction.atomic():
        # On the rating itself, as every removal is, and on its partnership's history.
        record_change(
            workspace=workspace,
            user=user,
            obj=assessment,
            action="deleted",
            summary=str(assessment),
        )
        record_change(
            workspace=workspace,
            user=user,
            obj=assessment.partnership,
            action="deleted a rating",
            summary=f"{assessment.rater_name} on {assessment.subject.name}",
        )
        assessment.delete()
        _refresh(workspace, assessment, model)
