"""Asking partners how they see us: rating links for several partner organisations at once,
who has answered, and resending a fresh link to those who have not.

A link is single-use and expires (`INVITATION_LIFETIME`); only a hash of its token is stored.
Resending issues a fresh link and cancels the old one (`replaced_by`), so only the newest
link a person holds works. Emails go out after the transaction that records the links
commits; a mail server failure does not lose the link, which the page shows to copy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from partnerwise.assessments.models import RatingInvitation
from partnerwise.hosting import mail
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Workspace
from partnerwise.workspaces.tokens import new_token

INVITATION_LIFETIME = timedelta(days=14)
LinkFor = Callable[[str], str]


class InvitingError(ValueError):
    """The request cannot be met; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Ask:
    """Ask one person at one partner organisation."""

    organisation_id: int
    name: str
    email: str = ""


@dataclass(frozen=True)
class Sent:
    """A link just made: shown once, emailed if there is an address (`mail_error` if it failed)."""

    invitation: RatingInvitation
    link: str
    emailed: bool
    mail_error: str = ""


def state_of(invitation: RatingInvitation, now: datetime) -> str:
    """answered, replaced (resent), expired (or cancelled) or waiting."""
    if invitation.used is not None:
        return "answered"
    if invitation.replaced_by_id is not None:
        return "replaced"
    if invitation.expires <= now:
        return "expired"
    return "waiting"


def partner_organisations(workspace: Workspace, partnership: Partnership) -> list[Organisation]:
    """The other organisations in the partnership, once each, in role order."""
    us = workspace.organisation_id
    found: dict[int, Organisation] = {}
    for item in partnership.participations.select_related("organisation").order_by("role", "pk"):
        if item.organisation_id != us:
            found.setdefault(item.organisation_id, item.organisation)
    return list(found.values())


def current_invitations(partnership: Partnership) -> list[RatingInvitation]:
    """Every link not replaced by a resend, newest first: who was asked, and what came of it."""
    return list(
        partnership.rating_invitations.filter(replaced_by__isnull=True).select_related(
            "rater_organisation", "created_by"
        )
    )


def _email(sent: RatingInvitation, link: str, us: Organisation, partnership: Partnership) -> str:
    """Send the link; returns the error in words, or "" if it went."""
    went = mail.send(  # tries again a few times, and never raises
        subject=f"{us.name} asks how you see them as a partner",
        body=f"{us.name} would value your view of them as a partner in "
        f"{partnership.name}.\n\nThe form takes about ten minutes and needs no account. "
        f"The link works once and expires in {INVITATION_LIFETIME.days} days:\n{link}\n",
        to=[sent.rater_email],
    )
    if went:
        return ""
    return mail.not_sent(sent.rater_email)


def _new(
    workspace: Workspace,
    partnership: Partnership,
    user: Any,
    us: Organisation,
    organisation: Organisation | None,
    name: str,
    email: str,
) -> tuple[RatingInvitation, str]:
    token, token_hash = new_token()
    invitation = RatingInvitation.objects.create(
        workspace=workspace,
        partnership=partnership,
        subject=us,
        rater_organisation=organisation,
        rater_name=name,
        rater_email=email,
        token_hash=token_hash,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        expires=timezone.now() + INVITATION_LIFETIME,
    )
    return invitation, token


def _deliver(
    made: list[tuple[RatingInvitation, str]],
    link_for: LinkFor,
    us: Organisation,
    partnership: Partnership,
) -> list[Sent]:
    """After the commit: email each link that has an address."""
    sent = []
    for invitation, token in made:
        link = link_for(token)
        error = _email(invitation, link, us, partnership) if invitation.rater_email else ""
        sent.append(Sent(invitation, link, bool(invitation.rater_email) and not error, error))
    return sent


def _us(workspace: Workspace) -> Organisation:
    us = workspace.organisation
    if us is None:
        raise InvitingError(
            "partnership", "Set which organisation this workspace speaks for first."
        )
    return us


def invite_partners(
    *,
    workspace: Workspace,
    partnership: Partnership,
    user: Any,
    asks: Sequence[Ask],
    link_for: LinkFor,
) -> list[Sent]:
    """Make a link for each person asked (one per partner organisation in `asks`), record it
    in the partnership's history, then email those with an address."""
    us = _us(workspace)
    partners = {org.pk: org for org in partner_organisations(workspace, partnership)}
    if not asks:
        raise InvitingError("partners", "Choose at least one partner to ask.")
    cleaned: list[tuple[Organisation, str, str]] = []
    for n, ask in enumerate(asks):
        organisation = partners.get(ask.organisation_id)
        if organisation is None:
            raise InvitingError(
                f"partners.{n}.organisation_id",
                f"organisation {ask.organisation_id} is not a partner in {partnership.name}",
            )
        name, email = ask.name.strip(), ask.email.strip()
        if not name:
            raise InvitingError(
                f"partners.{n}.name", f"{organisation.name}: give the name of the person you ask"
            )
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise InvitingError(
                    f"partners.{n}.email", f"{organisation.name}: '{email}' is not an email address"
                ) from error
        cleaned.append((organisation, name, email))
    with transaction.atomic():
        made = [
            _new(workspace, partnership, user, us, organisation, name, email)
            for organisation, name, email in cleaned
        ]
        record_change(
            workspace=workspace,
            user=user,
            obj=partnership,
            action="invited partners to rate us"
            if len(made) > 1
            else "invited a partner to rate us",
            summary="; ".join(
                f"{inv.rater_name} ({organisation.name})"
                for (inv, _), (organisation, _, _) in zip(made, cleaned, strict=True)
            ),
        )
    return _deliver(made, link_for, us, partnership)


def resend(
    *,
    workspace: Workspace,
    partnership: Partnership,
    user: Any,
    invitation_ids: Sequence[int],
    link_for: LinkFor,
) -> list[Sent]:
    """A fresh link for each unanswered invitation in `invitation_ids`; the old ones stop
    working. Raises InvitingError naming one already answered, replaced or unknown."""
    us = _us(workspace)
    if not invitation_ids:
        raise InvitingError("invitations", "Nobody is waiting to answer.")
    with transaction.atomic():
        olds = {
            inv.pk: inv
            # Lock only the invitations (PostgreSQL refuses to lock the outer-joined side).
            for inv in partnership.rating_invitations.select_for_update(of=("self",))
            .filter(pk__in=list(invitation_ids))
            .select_related("rater_organisation")
        }
        made = []
        for pk in invitation_ids:
            old = olds.get(pk)
            if old is None:
                raise InvitingError("invitations", f"no invitation {pk} in {partnership.name}")
            if old.used is not None:
                raise InvitingError("invitations", f"{old.rater_name} has already answered")
            if old.replaced_by_id is not None:
                raise InvitingError("invitations", f"{old.rater_name}'s link was already resent")
            invitation, token = _new(
                workspace,
                partnership,
                user,
                us,
                old.rater_organisation,
                old.rater_name,
                old.rater_email,
            )
            old.replaced_by = invitation
            old.expires = min(old.expires, timezone.now())
            old.save(update_fields=["replaced_by", "expires"])
            made.append((invitation, token))
        record_change(
            workspace=workspace,
            user=user,
            obj=partnership,
            action="resent rating links",
            summary="; ".join(inv.rater_name for inv, _ in made)
            + " (the old links no longer work)",
        )
    return _deliver(made, link_for, us, partnership)
