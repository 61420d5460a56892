"""Creating a workspace through the JSON API: `POST /api/workspaces`.

Not under /api/w/{slug}/ as the workspace does not exist yet; any signed-in or token user may
create one and becomes its admin. The rules are `organisations.creating.create_workspace`'s.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from partnerwise.api.errors import Invalid
from partnerwise.organisations.creating import (
    WorkspaceError,
    create_workspace,
    directory_organisation,
)
from partnerwise.organisations.models import Kind, Organisation
from partnerwise.workspaces.access import signed_in

router = Router(tags=["workspaces"])


class PrivateOrganisationIn(Schema):
    name: str
    kind: str = Kind.CHARITY
    identifiers: list[str] = []


class WorkspaceIn(Schema):
    name: str
    organisation_id: int | None = None
    organisation_identifier: str | None = None
    private_organisation: PrivateOrganisationIn | None = None


class OrganisationRef(Schema):
    id: int
    name: str


class WorkspaceOut(Schema):
    slug: str
    name: str
    role: str
    organisation: OrganisationRef | None


def _organisation(body: WorkspaceIn) -> Organisation | None:
    if body.organisation_id is not None and body.organisation_identifier:
        raise Invalid.field(["organisation_id"], "Give organisation_id or an identifier, not both")
    if body.organisation_id is not None:
        found = Organisation.objects.reference().filter(pk=body.organisation_id).first()
        if found is None:
            raise Invalid.field(["organisation_id"], "No such organisation in the directory")
        return found
    if body.organisation_identifier:
        try:
            found = directory_organisation(body.organisation_identifier)
        except WorkspaceError as error:
            raise Invalid.field(["organisation_identifier"], str(error)) from error
        if found is None:
            raise Invalid.field(
                ["organisation_identifier"], "No organisation in the directory has it"
            )
        return found
    return None


@router.post("/workspaces", response={201: WorkspaceOut})
def create(request: HttpRequest, body: WorkspaceIn) -> Status[WorkspaceOut]:
    organisation = _organisation(body)
    private = body.private_organisation
    try:
        workspace = create_workspace(
            name=body.name,
            admin=signed_in(request),
            organisation=organisation,
            private_name=private.name if private else "",
            private_kind=private.kind if private else Kind.CHARITY,
            private_identifiers=private.identifiers if private else (),
        )
    except WorkspaceError as error:
        loc: list[str | int] = (
            ["private_organisation", error.field.removeprefix("private_")]
            if error.field.startswith("private_")
            else [error.field]
        )
        raise Invalid.field(loc, str(error)) from error
    ours = workspace.organisation
    return Status(
        201,
        WorkspaceOut(
            slug=workspace.slug,
            name=workspace.name,
            role="admin",
            organisation=OrganisationRef(id=ours.pk, name=ours.name) if ours else None,
        ),
    )
