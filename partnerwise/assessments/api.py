"""Typologies, assessments and profiles in the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Body, Field, Router, Schema, Status

from partnerwise import typology as engine
from partnerwise.api.errors import Invalid
from partnerwise.api.types import Id, Text50, Text200
from partnerwise.assessments.custom import add_archetype, add_typology
from partnerwise.assessments.inviting import (
    Ask,
    InvitingError,
    LinkFor,
    Sent,
    current_invitations,
    invite_partners,
    resend,
    state_of,
)
from partnerwise.assessments.models import Assessment, RaterKind, RatingInvitation, Typology
from partnerwise.assessments.profiles import can_be_rated
from partnerwise.assessments.rating import RatingError, record_rating
from partnerwise.assessments.typologies import engine_typology
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.access import get_workspace_for_user
from partnerwise.workspaces.models import Role, User, Workspace

router = Router(tags=["assessments"])


class IndicatorOut(Schema):
    id: str
    statement: str
    weight: float


class ArchetypeOut(Schema):
    id: str
    name: str
    summary: str
    prototype: dict[str, float]


class TypologyOut(Schema):
    id: str
    name: str
    version: int
    description: str
    indicators: list[IndicatorOut]
    archetypes: list[ArchetypeOut]


class RaterIn(Schema):
    name: Text200
    answers: dict[str, int | None]


class ClassifyIn(Schema):
    """Either `answers` (one rater) or `raters` (several); null or missing = don't know."""

    answers: dict[str, int | None] | None = None
    raters: list[RaterIn] | None = None


class AnswerIn(Schema):
    rating: int | None = Field(None, description="1 strongly disagree … 5 strongly agree")
    evidence: str = ""


class AssessmentIn(Schema):
    subject_id: Id
    typology: Text50 = "default"
    assessed_on: date | None = None
    rater_name: Text200 = ""
    notes: str = ""
    answers: dict[str, AnswerIn]


class AssessmentOut(Schema):
    id: int
    subject_id: int
    rater_name: str
    rater_kind: str
    assessed_on: date
    answers: dict[str, int | None]
    profile: dict[str, Any]


def _typology_out(model: engine.Typology) -> TypologyOut:
    return TypologyOut(
        id=model.id,
        name=model.name,
        version=model.version,
        description=model.description,
        indicators=[
            IndicatorOut(id=i.id, statement=i.statement, weight=model.weights[i.id])
            for i in model.indicators
        ],
        archetypes=[
            ArchetypeOut(id=a.id, name=a.name, summary=a.summary, prototype=dict(a.prototype))
            for a in model.archetypes
        ],
    )


def _typology(workspace: Workspace, key: str) -> Typology:
    found = (
        Typology.objects.visible_to(workspace)
        .filter(key=key)
        .order_by(F("workspace").asc(nulls_last=True))  # the workspace's own wins a clash
        .first()
    )
    if found is None:
        raise Invalid.field(["typology"], f"unknown typology '{key}'")
    return found


@router.get("/w/{slug}/typologies", response=list[TypologyOut])
def typology_list(request: HttpRequest, slug: str) -> list[TypologyOut]:
    """The typologies this workspace can use, with the archetypes it can see."""
    workspace = get_workspace_for_user(request, slug)
    rows = Typology.objects.visible_to(workspace).prefetch_related("indicators")
    return [_typology_out(engine_typology(row, workspace)) for row in rows]


@router.post("/w/{slug}/typologies/{key}/classify", response=dict[str, Any])
def classify(request: HttpRequest, slug: str, key: str, payload: ClassifyIn) -> dict[str, Any]:
    """Profile answers without storing them (the same engine as `partnerwise classify`)."""
    workspace = get_workspace_for_user(request, slug)
    model = engine_typology(_typology(workspace, key), workspace)
    if payload.raters is not None:
        raters = [engine.Rater(r.name, r.answers) for r in payload.raters]
    else:
        raters = [engine.Rater("rater", payload.answers or {})]
    try:
        return engine.profile(model, raters).to_dict()
    except engine.AnswerError as error:
        raise Invalid.field(["answers"], str(error)) from error


def _subject(workspace: Workspace, partnership: Partnership, org_id: int) -> Organisation:
    if not can_be_rated(workspace, partnership, org_id):
        raise Invalid.field(["subject_id"], "That organisation is not in this partnership")
    return get_object_or_404(Organisation.objects.visible_to(workspace), pk=org_id)


def _assessment_out(assessment: Assessment, profile: dict[str, Any]) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.pk,
        subject_id=assessment.subject_id,
        rater_name=assessment.rater_name,
        rater_kind=assessment.rater_kind,
        assessed_on=assessment.assessed_on,
        answers=assessment.answer_map(),
        profile=profile,
    )


@router.post(
    "/w/{slug}/partnerships/{pk}/assessments",
    response={201: AssessmentOut},
)
def assessment_create(
    request: HttpRequest, slug: str, pk: int, payload: AssessmentIn
) -> Status[AssessmentOut]:
    """Record the caller's ratings of a partner (or of us) and return the updated profile."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    subject = _subject(workspace, partnership, payload.subject_id)
    typology = _typology(workspace, payload.typology)
    user = request.user
    assert isinstance(user, User)  # the API's authentication admits only signed-in users
    try:
        assessment = record_rating(
            workspace=workspace,
            partnership=partnership,
            subject=subject,
            typology=typology,
            answers={key: (a.rating, a.evidence) for key, a in payload.answers.items()},
            rater=user,
            rater_name=payload.rater_name or user.get_full_name() or user.get_username(),
            assessed_on=payload.assessed_on or timezone.localdate(),
            notes=payload.notes,
        )
    except RatingError as error:
        loc: list[str | int] = ["answers"]
        if error.field == "assessed_on":
            loc = ["assessed_on"]
        elif error.field != "answers":
            loc.append(error.field)
        raise Invalid.field(loc, str(error)) from error
    stored = workspace.storedprofiles.get(
        partnership=partnership,
        subject=subject,
        typology=assessment.typology,
        rater_kind=assessment.rater_kind,
    )
    return Status(201, _assessment_out(assessment, stored.data))


@router.get("/w/{slug}/partnerships/{pk}/profiles/{org_id}", response=dict[str, Any])
def profile(
    request: HttpRequest,
    slug: str,
    pk: int,
    org_id: int,
    typology: str = "default",
    rater_kind: RaterKind = RaterKind.COLLEAGUE,
) -> dict[str, Any]:
    """The profile of an organisation in a partnership from each rater's latest assessment.

    `rater_kind=partner` gives how partners who rated it see it ("how they see us").
    """
    workspace = get_workspace_for_user(request, slug)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    subject = get_object_or_404(Organisation.objects.visible_to(workspace), pk=org_id)
    chosen = _typology(workspace, typology)
    stored = workspace.storedprofiles.filter(
        partnership=partnership, subject=subject, typology=chosen, rater_kind=rater_kind
    ).first()
    if stored is not None:
        return dict(stored.data)
    # Nobody has rated it: the engine's profile of no answers says so in its own words.
    return engine.profile(engine_typology(chosen, workspace), []).to_dict()


@router.post("/w/{slug}/typologies", response={201: TypologyOut})
def typology_create(
    request: HttpRequest, slug: str, payload: Body[dict[str, Any]]
) -> Status[TypologyOut]:
    """Add a whole typology for this workspace (admins), shaped like the shipped TOML files."""
    workspace = get_workspace_for_user(request, slug, Role.ADMIN)
    try:
        row = add_typology(workspace=workspace, data=payload, source="typology")
    except engine.TypologyError as error:
        raise Invalid.field([], str(error)) from error
    return Status(201, _typology_out(engine_typology(row, workspace)))


@router.post("/w/{slug}/typologies/{key}/archetypes", response={201: TypologyOut})
def archetype_create(
    request: HttpRequest, slug: str, key: str, payload: Body[dict[str, Any]]
) -> Status[TypologyOut]:
    """Add an archetype, seen only by this workspace, to a typology it can use (admins)."""
    workspace = get_workspace_for_user(request, slug, Role.ADMIN)
    typology = _typology(workspace, key)
    try:
        add_archetype(workspace=workspace, typology=typology, data=payload, source="archetype")
    except engine.TypologyError as error:
        raise Invalid.field([], str(error)) from error
    return Status(201, _typology_out(engine_typology(typology, workspace)))


class InvitationOut(Schema):
    id: int
    name: str
    email: str
    organisation_id: int | None
    organisation: str | None
    state: str
    created: datetime
    expires: datetime
    answered: datetime | None
    link: str | None = Field(None, description="Only in the answer that made the link")
    emailed: bool | None = None
    mail_error: str = ""


class AskIn(Schema):
    organisation_id: int
    name: str
    email: str = ""


class InviteIn(Schema):
    partners: list[AskIn]


class ResendIn(Schema):
    invitation_ids: list[int] = Field(
        default_factory=list, description="Empty: everyone who has not answered"
    )


def _invitation_out(invitation: RatingInvitation, sent: Sent | None = None) -> dict[str, Any]:
    org = invitation.rater_organisation
    return {
        "id": invitation.pk,
        "name": invitation.rater_name,
        "email": invitation.rater_email,
        "organisation_id": org.pk if org else None,
        "organisation": org.name if org else None,
        "state": state_of(invitation, timezone.now()),
        "created": invitation.created,
        "expires": invitation.expires,
        "answered": invitation.used,
        "link": sent.link if sent else None,
        "emailed": sent.emailed if sent else None,
        "mail_error": sent.mail_error if sent else "",
    }


def _link_for(request: HttpRequest) -> LinkFor:
    return lambda token: request.build_absolute_uri(reverse("rate", args=[token]))


@router.get("/w/{slug}/partnerships/{pk}/invitations", response=list[InvitationOut])
def invitation_list(request: HttpRequest, slug: str, pk: int) -> list[dict[str, Any]]:
    """Everyone asked to rate us in this partnership (not the links replaced by a resend)."""
    workspace = get_workspace_for_user(request, slug)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    return [_invitation_out(inv) for inv in current_invitations(partnership)]


@router.post("/w/{slug}/partnerships/{pk}/invitations", response={201: list[InvitationOut]})
def invitation_create(
    request: HttpRequest, slug: str, pk: int, payload: InviteIn
) -> Status[list[dict[str, Any]]]:
    """Ask several partners at once; each link is in this answer only."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    try:
        sent = invite_partners(
            workspace=workspace,
            partnership=partnership,
            user=request.user,
            asks=[Ask(a.organisation_id, a.name, a.email) for a in payload.partners],
            link_for=_link_for(request),
        )
    except InvitingError as error:
        place: list[str | int] = [int(p) if p.isdigit() else p for p in error.field.split(".")]
        raise Invalid.field(place, error.message) from error
    return Status(201, [_invitation_out(item.invitation, item) for item in sent])


@router.post("/w/{slug}/partnerships/{pk}/invitations/resend", response={201: list[InvitationOut]})
def invitation_resend(
    request: HttpRequest, slug: str, pk: int, payload: ResendIn
) -> Status[list[dict[str, Any]]]:
    """Fresh links for those who have not answered; their old links stop working."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    ids = payload.invitation_ids
    if not ids:
        now = timezone.now()
        ids = [
            inv.pk
            for inv in current_invitations(partnership)
            if state_of(inv, now) in ("waiting", "expired")
        ]
    try:
        sent = resend(
            workspace=workspace,
            partnership=partnership,
            user=request.user,
            invitation_ids=ids,
            link_for=_link_for(request),
        )
    except InvitingError as error:
        raise Invalid.field([error.field], error.message) from error
    return Status(201, [_invitation_out(item.invitation, item) for item in sent])
