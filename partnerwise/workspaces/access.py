"""The one place that decides who may see and change a workspace's data.

Views call `get_workspace_for_user(request, slug, Role.X)` first and start every query from the
workspace it returns. An outsider (not a member) gets 404, so the existence of another
workspace's records is never revealed; a member whose role is too low gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from partnerwise.workspaces.models import ROLE_RANK, Membership, Role, Workspace


def get_membership(request: HttpRequest, slug: str) -> Membership:
    if not request.user.is_authenticated:
        raise Http404("No such workspace")
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=request.user, workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace")
    return membership


def get_workspace_for_user(request: HttpRequest, slug: str, role: Role = Role.VIEWER) -> Workspace:
    """The workspace named by `slug` if the signed-in user holds at least `role` in it."""
    membership = get_membership(request, slug)
    if ROLE_RANK[Role(membership.role)] < ROLE_RANK[role]:
        raise PermissionDenied(f"This needs the {role.label.split(' ')[0].lower()} role")
    workspace = membership.workspace
    # Templates and helpers read the role without another query.
    workspace.current_role = Role(membership.role)  # type: ignore[attr-defined]
    return workspace
