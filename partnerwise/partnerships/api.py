"""Partnerships in the JSON API, validated by the same form as the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from partnerwise.api.errors import Invalid
from partnerwise.api.types import Id, Text20, Text200
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.editing import edit_partnership, partnership_values
from partnerwise.partnerships.forms import PARTNERSHIP_FIELDS, ParticipationForm, PartnershipForm
from partnerwise.partnerships.listing import ListError, filter_partnerships, page_of, read_filter
from partnerwise.partnerships.models import Participation, Partnership
from partnerwise.workspaces.access import get_workspace_for_user
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Role, Workspace

router = Router(tags=["partnerships"])


class ParticipantOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    role: str
    share: Decimal | None

    @staticmethod
    def resolve_organisation(obj: Participation) -> str:
        return obj.organisation.name


class PartnershipOut(Schema):
    id: int
    name: str
    form: str
    status: str
    start_date: date | None
    end_date: date | None
    renewal_date: date | None
    notice_date: date | None
    value: Decimal | None
    services: str
    area: str
    description: str
    version: int
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_participants(obj: Partnership) -> list[Participation]:
        return list(obj.participations.all())


class PartnershipIn(Schema):
    name: Text200
    form: Text20
    status: Text20 = "idea"
    start_date: date | None = None
    end_date: date | None = None
    renewal_date: date | None = None
    notice_date: date | None = None
    value: Decimal | None = None
    services: str = ""
    area: Text200 = ""
    description: str = ""


class PartnershipPatch(Schema):
    """Send the `version` you read; a stale version is refused with 409 and nothing changes."""

    version: int
    name: Text200 | None = None
    form: Text20 | None = None
    status: Text20 | None = None
    start_date: date | None = None
    end_date: date | None = None
    renewal_date: date | None = None
    notice_date: date | None = None
    value: Decimal | None = None
    services: str | None = None
    area: Text200 | None = None
    description: str | None = None


class ParticipantIn(Schema):
    organisation_id: Id
    role: Text20
    share: Decimal | None = None
    notes: str = ""


def _participants_listed() -> QuerySet[Participation]:
    """Participants with what the list shows of them: their organisation's name, not its
    whole record (open-data facts and all), read once per row of a page."""
    return Participation.objects.select_related("organisation").only(
        "id", "partnership_id", "organisation_id", "role", "share", "organisation__name"
    )


def _partnerships(workspace: Workspace) -> QuerySet[Partnership]:
    return workspace.partnerships.prefetch_related("participations__organisation")


def _validated(data: dict[str, object], instance: Partnership | None = None) -> dict[str, Any]:
    form = PartnershipForm(data={k: "" if v is None else v for k, v in data.items()})
    if instance is not None:
        form.instance = instance
    if not form.is_valid():
        raise Invalid.from_form(form)
    return {name: form.cleaned_data[name] for name in PARTNERSHIP_FIELDS}


class PartnershipPage(Schema):
    """One page of partnerships, with the total and the number of pages."""

    count: int
    page: int
    pages: int
    size: int
    results: list[PartnershipOut]


@router.get("/w/{slug}/partnerships", response=PartnershipPage)
def partnership_list(
    request: HttpRequest,
    slug: str,
    status: str = "",
    form: str = "",
    partner: str = "",
    archetype: str = "",
    sort: str = "name",
    page: str = "1",
    size: str = "25",
) -> dict[str, Any]:
    """Partnerships, one page at a time (`size` 25, the default as on the page, 50, 100 or
    200), filtered by status,
    form, partner (an organisation id) or the archetype we see a partner as, and sorted by
    name, value, renewal, status or form (`-` first for descending)."""
    workspace = get_workspace_for_user(request, slug)
    params = {"status": status, "form": form, "partner": partner, "archetype": archetype}
    try:
        chosen = read_filter({**params, "sort": sort})
        rows = filter_partnerships(workspace, chosen).prefetch_related(
            Prefetch("participations", queryset=_participants_listed())
        )
        one = page_of(rows, page, size)
    except ListError as error:
        raise Invalid(
            [{"loc": ["query", error.field], "msg": str(error), "type": "value_error"}]
        ) from error
    return {
        "count": one.paginator.count,
        "page": one.number,
        "pages": one.paginator.num_pages,
        "size": one.paginator.per_page,
        "results": list(one),
    }


@router.get("/w/{slug}/partnerships/{pk}", response=PartnershipOut)
def partnership_detail(request: HttpRequest, slug: str, pk: int) -> Partnership:
    workspace = get_workspace_for_user(request, slug)
    return get_object_or_404(_partnerships(workspace), pk=pk)


@router.post("/w/{slug}/partnerships", response={201: PartnershipOut})
def partnership_create(
    request: HttpRequest, slug: str, payload: PartnershipIn
) -> Status[Partnership]:
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    values = _validated(payload.dict())
    with transaction.atomic():
        partnership = Partnership.objects.create(
            workspace=workspace,
            created_by=request.user if request.user.is_authenticated else None,
            **values,
        )
        record_change(workspace=workspace, user=request.user, obj=partnership, action="created")
    return Status(201, partnership)


@router.patch("/w/{slug}/partnerships/{pk}", response=PartnershipOut)
def partnership_update(
    request: HttpRequest, slug: str, pk: int, payload: PartnershipPatch
) -> Partnership:
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    changes = payload.dict(exclude_unset=True)
    seen_version = changes.pop("version")
    after = _validated({**partnership_values(partnership), **changes}, instance=partnership)
    edit_partnership(
        workspace=workspace,
        partnership=partnership,
        seen_version=seen_version,
        values=after,
        user=request.user,
    )
    return get_object_or_404(_partnerships(workspace), pk=pk)


@router.post("/w/{slug}/partnerships/{pk}/participants", response={201: ParticipantOut})
def participant_add(
    request: HttpRequest, slug: str, pk: int, payload: ParticipantIn
) -> Status[Participation]:
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    organisation = Organisation.objects.visible_to(workspace).filter(pk=payload.organisation_id)
    if not organisation.exists():
        raise Invalid.field(["organisation_id"], "No such organisation in your directory")
    form = ParticipationForm(
        data={
            "role": payload.role,
            "share": "" if payload.share is None else payload.share,
            "notes": payload.notes,
        }
    )
    if not form.is_valid():
        raise Invalid.from_form(form)
    try:
        with transaction.atomic():
            participation = form.save(commit=False)
            participation.workspace = workspace
            participation.partnership = partnership
            participation.organisation = organisation.get()
            participation.save()
            record_change(
                workspace=workspace,
                user=request.user,
                obj=partnership,
                action="participant added",
                summary=f"{participation.organisation} as {participation.get_role_display()}",
            )
    except IntegrityError as error:
        raise Invalid.field(
            ["role"], "That organisation already has this role in the partnership"
        ) from error
    return Status(201, participation)
