"""Asking a colleague to join a workspace, and their accepting.

Pages call these; the rules live here: a person already in the workspace is not invited again,
one invitation waits per address, and only someone signed in with the invited email address
can accept (the link alone is not enough: it may have been forwarded or leaked).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Invitation, Membership, User, Workspace
from partnerwise.workspaces.tokens import hash_token, invitation_token

INVITATION_LIFETIME = timedelta(days=7)


class InvitationError(ValueError):
    """An invitation that cannot be made or accepted; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _new_secret(found: Invitation) -> str:
    found.nonce = secrets.token_urlsafe(32)
    token = invitation_token(found.nonce)
    found.token_hash = hash_token(token)
    found.expires = timezone.now() + INVITATION_LIFETIME
    return token


def link_token(found: Invitation) -> str | None:
    """The token for the invitation's link, or None for links made before nonces were kept."""
    return invitation_token(found.nonce) if found.nonce else None


def pending(workspace: Workspace) -> list[Invitation]:
    return list(workspace.invitations.filter(accepted__isnull=True, expires__gt=timezone.now()))


def is_member(workspace: Workspace, email: str) -> bool:
    return workspace.memberships.filter(
        Q(user__email__iexact=email) | Q(user__username__iexact=email)
    ).exists()


def invite(*, workspace: Workspace, by: User, email: str, role: str) -> tuple[Invitation, str]:
    """A new invitation and the token for its link."""
    email = email.strip()
    if is_member(workspace, email):
        raise InvitationError("email", f"{email} is already a member of {workspace.name}.")
    waiting = [item for item in pending(workspace) if item.email.lower() == email.lower()]
    if waiting:
        raise InvitationError(
            "email",
            f"{email} already has an invitation waiting: copy its link or resend it below.",
        )
    found = Invitation(workspace=workspace, email=email, role=role, invited_by=by)
    token = _new_secret(found)
    with transaction.atomic():
        found.save()
        record_change(
            workspace=workspace,
            user=by,
            obj=found,
            action="invited",
            summary=f"{found.email} as {found.get_role_display()}",
        )
    return found, token


def renew(*, found: Invitation, by: User) -> str:
    """A fresh link (the old one stops working) valid for another week; returns its token."""
    token = _new_secret(found)
    with transaction.atomic():
        found.save(update_fields=["nonce", "token_hash", "expires"])
        record_change(
            workspace=found.workspace,
            user=by,
            obj=found,
            action="resent an invitation",
            summary=found.email,
        )
    return token


def may_accept(found: Invitation, user: User) -> bool:
    """Only the person the invitation was sent to: their account's email is the invited one."""
    invited = found.email.strip().lower()
    return invited in {(user.email or "").strip().lower(), user.username.strip().lower()}


@transaction.atomic
def accept(*, found: Invitation, user: User) -> Membership:
    """Join `user` to the workspace with the invited role (or keep their existing membership)."""
    if not may_accept(found, user):
        raise InvitationError(
            "email", f"This invitation is for {found.email}, not for {user.email or user}."
        )
    # Lock the row so two tabs accepting at once cannot both use the link.
    locked = Invitation.objects.select_for_update().get(pk=found.pk)
    if locked.accepted is not None or locked.expires <= timezone.now():
        raise InvitationError("token", "This invitation has been used or has expired.")
    membership, created = Membership.objects.get_or_create(
        workspace=locked.workspace, user=user, defaults={"role": locked.role}
    )
    locked.accepted = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted", "accepted_by"])
    record_change(
        workspace=locked.workspace,
        user=user,
        obj=membership,
        action="joined" if created else "accepted an invitation",
        summary=f"{user} as {membership.get_role_display()}",
    )
    return membership
