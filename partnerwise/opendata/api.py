"""Organisations in the JSON API: search the directory, read one, record a private one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from partnerwise.api.errors import Invalid
from partnerwise.api.types import Text100, Text300, Website
from partnerwise.opendata.finding import SearchPageError, search_page
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


class OrganisationPage(Schema):
    """One page of a search's matches, best first, with how many there are and the number
    of pages. A search stops at its best 200 matches: `more` is true when there were more."""

    count: int
    page: int
    pages: int
    size: int
    more: bool
    results: list[OrganisationOut]


@router.get("/w/{slug}/organisations", response=OrganisationPage)
def organisation_search(
    request: HttpRequest, slug: str, q: str = "", page: int = 1, size: int = 20
) -> dict[str, Any]:
    """Organisations whose name contains `q`, or whose identifier (or charity number) is `q`,
    best first, one page at a time (`size` 10, 20, 50 or 100): the same search as the
    directory page. Without `q`, the workspace's own records by name."""
    workspace = get_workspace_for_user(request, slug)
    try:
        found = search_page(workspace=workspace, query=q, page=page, size=size)
    except SearchPageError as error:
        raise Invalid(
            [{"loc": ["query", error.field], "msg": str(error), "type": "value_error"}]
        ) from error
    return {
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
        "size": found.size,
        "more": found.more,
        "results": found.results,
    }


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
