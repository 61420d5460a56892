"""The one place that decides who may see and change a workspace's data.

Page views call `workspace_access(request, slug, Role.X)` first and start every query from
`access.workspace`; the API calls `get_workspace_for_user`, which applies the same rule. An
outsider (not a member) gets 404, so the existence of another workspace's records is never
revealed; a member whose role is too low gets 403. The role comes from the membership row and
travels in the `Access` value, never attached to the workspace object.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseNotAllowed

from partnerwise.workspaces.models import ROLE_RANK, Membership, Role, User, Workspace


@dataclass(frozen=True)
class Access:
    """A signed-in member's standing in one workspace."""

    workspace: Workspace
    user: User
    role: Role

    def allows(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def can_edit(self) -> bool:
        return self.allows(Role.EDITOR)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def context(self) -> dict[str, object]:
        """What every workspace page's template needs to know about the reader."""
        return {
            "workspace": self.workspace,
            "can_edit": self.can_edit,
            "is_admin": self.is_admin,
            # For the switcher in the header: a queryset, so it runs only when shown.
            "my_workspaces": Workspace.objects.filter(memberships__user=self.user).order_by("name"),
        }


def signed_in(request: HttpRequest) -> User:
    """The signed-in user (views call this after `login_required` has let them through)."""
    user = request.user
    if not isinstance(user, User):
        raise Http404("No such workspace")
    return user


def workspace_access(request: HttpRequest, slug: str, role: Role = Role.VIEWER) -> Access:
    """The reader's access to the workspace named by `slug`, if they hold at least `role`."""
    if not request.user.is_authenticated:
        raise Http404("No such workspace")
    membership = (
        Membership.objects.select_related("workspace__us")
        .filter(user=request.user, workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace")
    access = Access(
        workspace=membership.workspace, user=signed_in(request), role=Role(membership.role)
    )
    if not access.allows(role):
        raise PermissionDenied(f"This needs the {role.label.split(' ')[0].lower()} role")
    return access


def get_workspace_for_user(request: HttpRequest, slug: str, role: Role = Role.VIEWER) -> Workspace:
    """The workspace named by `slug` if the signed-in user holds at least `role` in it."""
    return workspace_access(request, slug, role).workspace


def refuse_unless_post(request: HttpRequest) -> HttpResponseNotAllowed | None:
    """405 for anything but POST. Called after the access check, so outsiders still get 404."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])
