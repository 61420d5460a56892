"""Organisations in the JSON API: search the directory, read one, record a private one."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from partnerwise.api.errors import Invalid
from partnerwise.api.types import Text100, Text300, Website
from partnerwise.organisations.identifiers import IdentifierError, parse_org_id
from partnerwise.organisations.models import Kind, Organisation
from partnerwise.workspaces.access import get_workspace_for_user
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Role, Workspace

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


def search(workspace: Workspace, query: str) -> QuerySet[Organisation]:
    """Name or org-id search over the reference data and the workspace's own records."""
    visible = Organisation.objects.visible_to(workspace)
    query = query.strip()
    if not query:
        return visible.none()
    condition = Q(name__icontains=query)
    with contextlib.suppress(IdentifierError):
        condition |= Q(identifiers__value=str(parse_org_id(query)))
    if query.isdigit():
        condition |= Q(identifiers__value=f"GB-CHC-{query}")
    return visible.filter(condition).distinct()


@router.get("/w/{slug}/organisations", response=list[OrganisationOut])
def organisation_search(
    request: HttpRequest, slug: str, q: str = "", limit: int = 20
) -> list[Organisation]:
    """Organisations whose name contains `q`, or whose identifier (or charity number) is `q`."""
    workspace = get_workspace_for_user(request, slug)
    limit = max(1, min(limit, 100))
    return list(search(workspace, q).prefetch_related("identifiers")[:limit])


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
    if not payload.name.strip():
        raise Invalid.field(["name"], "Give the organisation's name")
    parsed = []
    for index, value in enumerate(payload.identifiers):
        try:
            parsed.append(parse_org_id(value))
        except IdentifierError as error:
            raise Invalid.field(["identifiers", index], str(error)) from error
    with transaction.atomic():
        organisation = Organisation.objects.create(
            workspace=workspace,
            name=payload.name.strip(),
            kind=payload.kind,
            website=payload.website,
            description=payload.description,
        )
        for index, org_id in enumerate(parsed):
            organisation.add_identifier(str(org_id), primary=index == 0)
        record_change(workspace=workspace, user=request.user, obj=organisation, action="created")
    return Status(201, organisation)
