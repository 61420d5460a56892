"""Small helpers the workspace pages share: what the signed-in member may do here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseNotAllowed

from partnerwise.workspaces.models import ROLE_RANK, Role, User, Workspace


def signed_in(request: HttpRequest) -> User:
    """The signed-in user (views call this after `login_required` has let them through)."""
    user = request.user
    assert isinstance(user, User)
    return user


def held_role(workspace: Workspace) -> Role:
    # Set by get_workspace_for_user, so reading it costs no query.
    return Role(getattr(workspace, "current_role", Role.VIEWER))


def can_edit(workspace: Workspace) -> bool:
    return ROLE_RANK[held_role(workspace)] >= ROLE_RANK[Role.EDITOR]


def is_admin(workspace: Workspace) -> bool:
    return held_role(workspace) == Role.ADMIN


def role_context(workspace: Workspace) -> dict[str, object]:
    return {
        "workspace": workspace,
        "can_edit": can_edit(workspace),
        "is_admin": is_admin(workspace),
    }


def refuse_unless_post(request: HttpRequest) -> HttpResponseNotAllowed | None:
    """405 for anything but POST. Called after the access check, so outsiders still get 404."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def posted_version(request: HttpRequest) -> int:
    """The record version a form was built from (a hidden input); -1 if missing or garbled,
    which matches no row, so the save is refused rather than guessed."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1
