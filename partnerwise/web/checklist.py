"""The first-run checklist a new workspace sees on its empty portfolio.

Each item is ticked from the data itself (not from a flag someone must remember to set), so
it stays true however the step was done: through the pages, the API or an import.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from partnerwise.appraisals.models import PrincipleKind
from partnerwise.workspaces.access import Access


@dataclass(frozen=True)
class Step:
    title: str
    explanation: str
    done: bool
    links: list[tuple[str, str]]  # (label, url); empty when the reader may not do it


def first_run_checklist(access: Access) -> list[Step]:
    workspace, slug = access.workspace, access.workspace.slug
    kinds = set(workspace.principles.values_list("kind", flat=True).distinct())
    colleagues = (
        workspace.memberships.count() > 1
        or workspace.invitations.filter(expires__gt=timezone.now()).exists()
    )
    ours = workspace.organisation
    admin, editor = access.is_admin, access.can_edit
    return [
        Step(
            "Say who we are",
            f"We are {ours.name}."
            if ours
            else "Choose your organisation from the registers, "
            "so Partnerwise can put “us” in every partnership.",
            ours is not None,
            [("Choose our organisation", reverse("workspace_settings", args=[slug]))]
            if admin
            else [],
        ),
        Step(
            "Set out our values and commitments to service users",
            "Every appraisal checks a partnership against them; mark any red lines.",
            {PrincipleKind.VALUE, PrincipleKind.COMMITMENT} <= kinds,
            [("Our values and commitments", reverse("appraisals:principles", args=[slug]))]
            if admin
            else [],
        ),
        Step(
            "Invite colleagues",
            "Colleagues rate partners too, and the profiles show where you disagree.",
            colleagues,
            [("Invite colleagues", reverse("members", args=[slug]))] if admin else [],
        ),
        Step(
            "Record a first partnership, or import our partner list",
            "Bring in the partnerships you already have from a spreadsheet (CSV or Excel), "
            "or record one by hand.",
            workspace.partnerships.exists(),
            [
                ("Import our partner list", reverse("partnership_import", args=[slug])),
                ("record a partnership", reverse("partnership_new", args=[slug])),
            ]
            if editor
            else [],
        ),
    ]
