"""Creating a workspace: its name, its first admin, and which organisation it speaks for.

Here rather than in `workspaces` because saying which organisation a workspace is needs the
organisation directory, which sits above `workspaces` in the layers (`OurOrganisation`,
`record_organisation`); the page, the `create_workspace` command and `POST /api/workspaces`
all call `create_workspace`, so the rules hold whichever door a workspace comes through.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.text import slugify

from partnerwise.organisations.identifiers import IdentifierError, parse_org_id
from partnerwise.organisations.models import Kind, Organisation, set_our_organisation
from partnerwise.organisations.recording import RecordingError, record_organisation
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Membership, Role, User, Workspace

SLUG_LENGTH = 60


class WorkspaceError(ValueError):
    """Bad input for a new workspace; `field` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _free_slug(name: str) -> str:
    base = slugify(name)[:SLUG_LENGTH].strip("-") or "workspace"
    taken = set(Workspace.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def create_workspace(
    *,
    name: str,
    admin: User,
    organisation: Organisation | None = None,
    private_name: str = "",
    private_kind: str = Kind.CHARITY,
    private_identifiers: Sequence[str] = (),
) -> Workspace:
    """A new workspace with `admin` as its admin, speaking for `organisation` (from the shared
    directory) or for a private organisation recorded now from `private_name`."""
    name = name.strip()
    if not name:
        raise WorkspaceError("name", "Give the workspace a name")
    if len(name) > 200:
        raise WorkspaceError("name", "Keep the name under 200 characters")
    if not admin.is_active:
        raise WorkspaceError("admin", f"{admin} has not confirmed their email address yet")
    if organisation is not None and private_name.strip():
        raise WorkspaceError(
            "organisation",
            "Choose your organisation from the directory or record it privately, not both",
        )
    if organisation is not None and not organisation.is_reference:
        # A new workspace has no private records yet: anything else is another workspace's.
        raise WorkspaceError("organisation", "That organisation is not in the shared directory")
    if private_kind not in Kind.values:
        raise WorkspaceError("private_kind", f"Unknown kind of organisation: {private_kind}")
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name, slug=_free_slug(name))
        Membership.objects.create(workspace=workspace, user=admin, role=Role.ADMIN)
        record_change(
            workspace=workspace, user=admin, obj=workspace, action="created the workspace"
        )
        if private_name.strip():
            try:
                organisation = record_organisation(
                    workspace=workspace,
                    user=admin,
                    name=private_name,
                    kind=private_kind,
                    identifiers=private_identifiers,
                )
            except RecordingError as error:
                raise WorkspaceError(f"private_{error.field}", str(error)) from error
        if organisation is not None:
            set_our_organisation(workspace, organisation)
    return workspace


def directory_organisation(identifier: str) -> Organisation | None:
    """The shared directory's organisation carrying an org-id (e.g. GB-CHC-1082947)."""
    try:
        value = str(parse_org_id(identifier))
    except IdentifierError as error:
        raise WorkspaceError("organisation", str(error)) from error
    return Organisation.objects.reference().filter(identifiers__value=value).first()
