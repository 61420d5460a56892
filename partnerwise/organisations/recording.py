"""Recording an organisation that is not in the public registers: private to one workspace.

Pages and API both call `record_organisation`, so the rules (a name is needed, identifiers are
org-ids, history is kept) hold whichever door the record came through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from partnerwise.organisations.identifiers import IdentifierError, OrgId, parse_org_id
from partnerwise.organisations.models import Kind, Organisation
from partnerwise.workspaces.history import diff, record_change
from partnerwise.workspaces.models import Workspace


class RecordingError(ValueError):
    """Bad input; `field` names the field and `index` the identifier at fault, if any."""

    def __init__(self, field: str, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.index = index


def parse_identifiers(values: Sequence[str]) -> list[OrgId]:
    """Each org-id normalised, or RecordingError naming the one that is not an org-id."""
    parsed = []
    for index, value in enumerate(values):
        try:
            parsed.append(parse_org_id(value))
        except IdentifierError as error:
            raise RecordingError("identifiers", str(error), index) from error
    return parsed


def record_organisation(
    *,
    workspace: Workspace,
    user: Any,
    name: str,
    kind: str = Kind.OTHER,
    website: str = "",
    description: str = "",
    identifiers: Sequence[str] = (),
) -> Organisation:
    """Create a private organisation for `workspace`; the first identifier is its primary."""
    if not name.strip():
        raise RecordingError("name", "Give the organisation's name")
    parsed = parse_identifiers(identifiers)
    with transaction.atomic():
        organisation = Organisation.objects.create(
            workspace=workspace,
            name=name.strip(),
            kind=kind,
            website=website,
            description=description,
        )
        for index, org_id in enumerate(parsed):
            organisation.add_identifier(str(org_id), primary=index == 0)
        record_change(workspace=workspace, user=user, obj=organisation, action="created")
    return organisation


def edit_organisation(
    *,
    workspace: Workspace,
    user: Any,
    organisation: Organisation,
    name: str,
    kind: str,
    website: str = "",
    description: str = "",
) -> None:
    """Change a workspace's private organisation; reference data is never edited."""
    if organisation.workspace_id != workspace.pk:
        raise RecordingError("name", "Only your workspace's own records can be changed")
    if not name.strip():
        raise RecordingError("name", "Give the organisation's name")
    fields: dict[str, object] = {
        "name": name.strip(),
        "kind": kind,
        "website": website,
        "description": description,
    }
    before = {key: getattr(organisation, key) for key in fields}
    with transaction.atomic():
        for key, value in fields.items():
            setattr(organisation, key, value)
        organisation.save(update_fields=[*fields, "updated"])
        record_change(
            workspace=workspace,
            user=user,
            obj=organisation,
            action="edited",
            changes=diff(before, fields),
        )
