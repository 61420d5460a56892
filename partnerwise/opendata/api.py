"""Organisations in the JSON API: search the directory, read one, record a private one."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from partnerwise.api.errors import Invalid
from partnerwise.api.types import Text100, Text300, Website
from partnerwise.opendata.finding import search
from partnerwise.organisations.models import Kind, Organisation
from partnerwise.organisations.recording import RecordingError, record_organisation
from partnerwise.workspaces.access import get_workspace_for_user
from partnerwise.workspaces.models import Role

router = Router(tags=["organisations"])


class IdentifierOut(Schema):
    value: str
    scheme: str
    warning: str


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    is_reference: bool
    is_removed: bool
    latest_income: Decimal | None
    website: str
    identifiers: list[IdentifierOut]

    @staticmethod
    def resolve_identifiers(obj: Organisation) -> list[IdentifierOut]:
        return [
            IdentifierOut(value=i.value, scheme=i.scheme, warning=i.warning)
            for i in obj.identifiers.all()
        ]


class OrganisationIn(Schema):
    name: Text300
    kind: Kind = Kind.OTHER
    website: Website = ""
    description: str = ""
    identifiers: list[Text100] = []


@router.get("/w/{slug}/organisations", response=list[OrganisationOut])
def organisation_search(
    request: HttpRequest, slug: str, q: str = "", limit: int = 20
) -> list[Organisation]:
    """Organisations whose name contains `q`, or whose identifier (or charity number) is `q`."""
    workspace = get_workspace_for_user(request, slug)
    limit = max(1, min(limit, 100))
    return search(workspace, q, limit=limit)


@router.get("/w/{slug}/organisations/{org_id}", response=OrganisationOut)
def organisation_detail(request: HttpRequest, slug: str, org_id: int) -> Organisation:
    workspace = get_workspace_for_user(request, slug)
    return get_object_or_404(
        Organisation.objects.visible_to(workspace).prefetch_related("identifiers"), pk=org_id
    )


@router.post("/w/{slug}/organisations", response={201: OrganisationOut})
def organisation_create(
    request: HttpRequest, slug: str, payload: OrganisationIn
) -> Status[Organisation]:
    """Record an organisation that is not in the public registers (private to the workspace)."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    try:
        organisation = record_organisation(
            workspace=workspace,
            user=request.user,
            name=payload.name,
            kind=payload.kind,
            website=payload.website,
            description=payload.description,
            identifiers=payload.identifiers,
        )
    except RecordingError as error:
        loc: list[str | int] = [error.field] if error.index is None else [error.field, error.index]
        raise Invalid.field(loc, str(error)) from error
    return Status(201, organisation)
