"""Saying "our private record is this register organisation".

A workspace may record an organisation before the registers (or the open-data imports) know
it. When it turns out to be a register organisation, `link_to_register` moves every record
that points at the private one (participations, assessments, rating invitations, which
organisation the workspace speaks for, ...) to the register organisation and removes the
private record, in one transaction, recorded in the workspace's history. The walk over
Organisation's relations is generic, so this app imports none of the apps above it.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from partnerwise.organisations.identifiers import IdentifierError, parse_org_id
from partnerwise.organisations.models import Identifier, Organisation
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Workspace

# Rows that describe the private record itself rather than our work with it: removed with
# it, not moved (the register organisation has its own identifiers and names).
# Rows derived from the ones people recorded (profiles stored after each rating): they move
# with the ratings but are not counted as records the person made.
_KEPT_IN_STEP = {"assessments.StoredProfile", "assessments.ProfilePoint"}
_DESCRIBES_THE_RECORD = {"organisations.Identifier", "opendata.SearchName", "opendata.SourceKey"}


class LinkError(ValueError):
    """Bad input; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def find_register_organisation(value: str) -> Organisation:
    """The register (shared) organisation with this org-id, or a charity number alone."""
    text = value.strip()
    if not text:
        raise LinkError("identifier", "Enter the register organisation's identifier")
    if text.isdigit():
        text = f"GB-CHC-{text}"
    try:
        org_id = parse_org_id(text)
    except IdentifierError as error:
        raise LinkError("identifier", str(error)) from error
    found = (
        Identifier.objects.filter(workspace=None, value=str(org_id))
        .select_related("organisation")
        .first()
    )
    if found is None or found.organisation.workspace_id is not None:
        raise LinkError(
            "identifier",
            f"No register organisation has the identifier {org_id}: search the "
            "organisations page for it first",
        )
    return found.organisation


@transaction.atomic
def link_to_register(
    *, workspace: Workspace, private: Organisation, register: Organisation, user: Any
) -> dict[str, int]:
    """Move the workspace's records from `private` to `register`, then remove `private`.
    Returns how many rows of each kind moved."""
    if private.workspace_id != workspace.pk:
        raise LinkError("organisation", "Only your workspace's own records can be linked")
    if register.workspace_id is not None:
        raise LinkError("identifier", f"{register.name} is not a register organisation")
    moved: dict[str, int] = {}
    for relation in Organisation._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model: Any = relation.related_model
        name = relation.field.name  # type: ignore[union-attr]
        rows = model._base_manager.filter(**{name: private})
        if model._meta.label in _DESCRIBES_THE_RECORD:
            rows.delete()
            continue
        try:
            with transaction.atomic():
                count = rows.update(**{name: register})
        except IntegrityError:
            raise LinkError(
                "identifier",
                f"{register.name} and {private.name} both appear in the same "
                f"{model._meta.verbose_name_plural}; remove one of them first",
            ) from None
        if count and model._meta.label not in _KEPT_IN_STEP:
            label = str(model._meta.verbose_name_plural)
            moved[label] = moved.get(label, 0) + count
    what = ", ".join(f"{count} {label}" for label, count in sorted(moved.items())) or "nothing"
    record_change(
        workspace=workspace,
        user=user,
        obj=register,
        action="linked",
        changes={"organisation": (private.name, register.name)},
        summary=f"Our private record {private.name} is this register organisation: moved "
        f"{what}; the private record was removed.",
    )
    private.delete()
    return moved
