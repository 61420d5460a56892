"""`{% appraisal_summary partnership workspace as summary %}` for the partnership page."""

from __future__ import annotations

from django import template

from partnerwise.appraisals.appraising import Picture, appraise
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.models import Workspace

register = template.Library()


@register.simple_tag
def appraisal_summary(partnership: Partnership, workspace: Workspace) -> Picture:
    # The partnership came from this workspace's query, so this reads only its own rows.
    return appraise(workspace=workspace, partnership=partnership)


@register.filter
def signed(value: int | float | None) -> str:
    """+2, 0, -1; an em dash when there is no value."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:+.1f}"
    return f"{value:+d}" if value else "0"
