"""Appraisals in the JSON API: values and commitments, the playbook, ratings and decisions.

The same rules as the pages: saves carry the version read (a stale one gets 409 and nothing
changes), and a decision to go ahead against a red line needs an override reason (422).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from partnerwise.api.errors import Invalid
from partnerwise.api.types import Id, Text20, Text200
from partnerwise.appraisals.appraising import (
    Picture,
    appraise,
    record_decision,
    save_appraisal,
    workspace_playbook,
)
from partnerwise.appraisals.forms import DecisionForm
from partnerwise.appraisals.models import Decision, Principle
from partnerwise.appraisals.terms import TermError, mark_term, term_rows
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.access import get_workspace_for_user
from partnerwise.workspaces.models import Role, Workspace
from partnerwise.workspaces.versioning import StaleVersion

router = Router(tags=["appraisals"])


class PrincipleOut(Schema):
    id: int
    kind: str
    name: str
    description: str
    is_red_line: bool
    position: int
    version: int


class EntryOut(Schema):
    id: str
    title: str
    kind: str
    severity: str
    text: str
    source: str
    archetypes: list[str]
    partner_roles: list[str]
    forms: list[str]
    our_roles: list[str]
    enabled: bool
    origin: str


class HitOut(Schema):
    id: str
    kind: str
    severity: str
    title: str
    text: str
    source: str
    because: list[str]
    tentative: bool


class RatingOut(Schema):
    principle_id: int
    kind: str
    name: str
    red_line: bool
    score: int | None
    evidence: str


class PartnerOut(Schema):
    name: str
    role: str
    verdict: str
    archetypes: list[str]
    confidence: float


class DecisionOut(Schema):
    id: int
    outcome: str
    reasons: str
    conditions: str
    override_reason: str
    approved_by: str
    decided_on: date
    decided_by: str | None
    recommendation: str
    red_line_conflicts: list[str]
    appraisal_version: int
    recorded_at: datetime


class PartnershipRef(Schema):
    id: int
    name: str
    form: str
    status: str


class AppraisalOut(Schema):
    partnership: PartnershipRef
    version: int
    notes: str
    our_roles: list[str]
    partners: list[PartnerOut]
    ratings: list[RatingOut]
    recommendation: str
    label: str
    reasons: list[str]
    conditions: list[str]
    red_line_conflicts: list[str]
    values_average: float | None
    impact_average: float | None
    risks: list[HitOut]
    terms: list[HitOut]
    decision: DecisionOut | None


class RatingIn(Schema):
    principle_id: Id
    score: int | None = None
    evidence: str = ""


class AppraisalIn(Schema):
    """Send the `version` you read (0 before the first save); ratings not sent are kept."""

    version: int
    ratings: list[RatingIn] = []
    notes: str | None = None


class DecisionIn(Schema):
    """Send the appraisal `appraisal_version` and the `latest_decision_id` you read."""

    outcome: Text20
    reasons: str
    approved_by: Text200
    decided_on: date
    conditions: str = ""
    override_reason: str = ""
    appraisal_version: int
    latest_decision_id: Id | None = None


class TermOut(Schema):
    key: str
    title: str
    severity: str
    suggested: bool
    walk_away: bool
    state: str
    state_label: str
    note: str
    version: int
    walk_away_refused: bool
    updated: datetime | None
    updated_by: str | None


class TermIn(Schema):
    state: str
    note: str = ""
    version: int


def _decision(decision: Decision) -> dict[str, Any]:
    user = decision.decided_by
    return {
        "id": decision.pk,
        "outcome": decision.outcome,
        "reasons": decision.reasons,
        "conditions": decision.conditions,
        "override_reason": decision.override_reason,
        "approved_by": decision.approved_by,
        "decided_on": decision.decided_on,
        "decided_by": (user.get_full_name() or user.get_username()) if user else None,
        "recommendation": decision.recommendation,
        "red_line_conflicts": list(decision.red_line_conflicts),
        "appraisal_version": decision.appraisal_version,
        "recorded_at": decision.recorded_at,
    }


def _appraisal(picture: Picture) -> dict[str, Any]:
    data = picture.to_dict()
    data["version"] = picture.version
    data["notes"] = picture.appraisal.notes if picture.appraisal else ""
    latest = picture.latest_decision
    data["decision"] = _decision(latest) if latest else None
    return data


def _partnership(workspace: Workspace, pk: int) -> Partnership:
    return get_object_or_404(workspace.partnerships, pk=pk)


@router.get("/w/{slug}/principles", response=list[PrincipleOut])
def principle_list(request: HttpRequest, slug: str) -> list[Principle]:
    workspace = get_workspace_for_user(request, slug)
    return list(workspace.principles.order_by("kind", "position", "name", "pk"))


@router.get("/w/{slug}/playbook", response=list[EntryOut])
def playbook(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    workspace = get_workspace_for_user(request, slug)
    return [entry.to_dict() for entry in workspace_playbook(workspace)]


@router.get("/w/{slug}/partnerships/{pk}/appraisal", response=AppraisalOut)
def appraisal_detail(request: HttpRequest, slug: str, pk: int) -> dict[str, Any]:
    workspace = get_workspace_for_user(request, slug)
    return _appraisal(appraise(workspace=workspace, partnership=_partnership(workspace, pk)))


@router.put("/w/{slug}/partnerships/{pk}/appraisal", response=AppraisalOut)
def appraisal_update(
    request: HttpRequest, slug: str, pk: int, payload: AppraisalIn
) -> dict[str, Any]:
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = _partnership(workspace, pk)
    picture = appraise(workspace=workspace, partnership=partnership)
    scores = {item.principle_id: (item.score, item.evidence) for item in payload.ratings}
    try:
        save_appraisal(
            workspace=workspace,
            partnership=partnership,
            user=request.user,
            seen_version=payload.version,
            scores=scores,
            notes=payload.notes,
            picture=picture,
        )
    except ValueError as error:
        raise Invalid.field(["ratings"], str(error)) from error
    except StaleVersion as error:
        # The API's 409 answer carries the appraisal as it now stands.
        error.current = _appraisal(appraise(workspace=workspace, partnership=partnership))
        raise
    return _appraisal(appraise(workspace=workspace, partnership=partnership))


@router.get("/w/{slug}/partnerships/{pk}/decisions", response=list[DecisionOut])
def decision_list(request: HttpRequest, slug: str, pk: int) -> list[dict[str, Any]]:
    workspace = get_workspace_for_user(request, slug)
    partnership = _partnership(workspace, pk)
    rows = workspace.decisions.filter(partnership=partnership).select_related("decided_by")
    return [_decision(row) for row in rows]


@router.post("/w/{slug}/partnerships/{pk}/decisions", response={201: DecisionOut})
def decision_create(
    request: HttpRequest, slug: str, pk: int, payload: DecisionIn
) -> Status[dict[str, Any]]:
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = _partnership(workspace, pk)
    picture = appraise(workspace=workspace, partnership=partnership)
    fields = ["outcome", "reasons", "approved_by", "conditions", "override_reason"]
    form = DecisionForm(
        data={
            **{name: getattr(payload, name) for name in fields},
            "decided_on": payload.decided_on.isoformat(),
        },
        red_line_conflicts=picture.recommendation.red_line_conflicts,
    )
    if not form.is_valid():
        raise Invalid.from_form(form)
    try:
        decision = record_decision(
            workspace=workspace,
            partnership=partnership,
            user=request.user,
            picture=picture,
            decision=form.save(commit=False),
            seen_version=payload.appraisal_version,
            seen_latest=payload.latest_decision_id,
        )
    except StaleVersion as error:
        error.current = _appraisal(appraise(workspace=workspace, partnership=partnership))
        raise
    return Status(201, _decision(decision))


def _terms(workspace: Workspace, partnership: Partnership) -> list[dict[str, Any]]:
    picture = appraise(workspace=workspace, partnership=partnership, with_decisions=False)
    rows = term_rows(
        workspace=workspace, partnership=partnership, terms=picture.recommendation.terms
    )
    return [row.to_dict() for row in rows]


@router.get("/w/{slug}/partnerships/{pk}/terms", response=list[TermOut])
def term_list(request: HttpRequest, slug: str, pk: int) -> list[dict[str, Any]]:
    """The terms the playbook suggests, and any marked before, with where each stands."""
    workspace = get_workspace_for_user(request, slug)
    return _terms(workspace, _partnership(workspace, pk))


@router.put("/w/{slug}/partnerships/{pk}/terms/{key}", response=TermOut)
def term_mark(
    request: HttpRequest, slug: str, pk: int, key: str, payload: TermIn
) -> dict[str, Any]:
    """Mark a term asked, agreed, refused or dropped; `version` is the one read (0: never)."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = _partnership(workspace, pk)
    picture = appraise(workspace=workspace, partnership=partnership, with_decisions=False)
    rows = term_rows(
        workspace=workspace, partnership=partnership, terms=picture.recommendation.terms
    )
    try:
        mark_term(
            workspace=workspace,
            partnership=partnership,
            user=request.user,
            rows=rows,
            key=key,
            state=payload.state,
            note=payload.note,
            seen_version=payload.version,
        )
    except TermError as error:
        raise Invalid.field([error.field], error.message) from error
    except StaleVersion as error:
        error.current = next(row for row in _terms(workspace, partnership) if row["key"] == key)
        raise
    return next(row for row in _terms(workspace, partnership) if row["key"] == key)
