"""Reminders by email: renewals and notice deadlines in the next 90 days, partners due to be
re-rated. Run daily by `partnerwise send_reminders`; safe to run more often.

Each reminder has a key naming it and the date it is about (`attention.Item.key`); a
`SentReminder` row per person and key means it is never sent twice. The rows are claimed in a
transaction (the unique key stops a second run that overlaps this one), the mail is sent after
that transaction commits, and if the mail server fails the claims are withdrawn so the next
run tries again. Reminders go to editors and admins with an email address who have not turned
them off (`ReminderPreference`).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from partnerwise.appraisals.attention import DATED_KINDS, Item, needs_attention
from partnerwise.appraisals.models import SentReminder
from partnerwise.workspaces.models import Role, User, Workspace

ACTING_ROLES = (Role.EDITOR, Role.ADMIN)


@dataclass
class Report:
    """What a run did: emails and reminders sent, and each failure in one line."""

    emails: int = 0
    reminders: int = 0
    already_sent: int = 0
    failures: list[str] = field(default_factory=list)


def _recipients(workspace: Workspace) -> list[User]:
    off = set(
        workspace.reminderpreferences.filter(email_reminders=False).values_list(
            "user_id", flat=True
        )
    )
    members = workspace.memberships.filter(role__in=ACTING_ROLES).select_related("user")
    return [
        m.user
        for m in members.order_by("user__pk")
        if m.user.email and m.user.is_active and m.user.pk not in off
    ]


def _message(workspace: Workspace, items: Iterable[Item], site: str) -> str:
    lines = [f"Reminders from Partnerwise for {workspace.name}:", ""]
    for item in items:
        lines += [f"- {item.label}: {item.reason}", f"  {site.rstrip('/')}{item.url}", ""]
    lines += [
        "Each reminder is sent once. To stop these emails, turn reminders off at",
        f"{site.rstrip('/')}/w/{workspace.slug}/reminders/",
    ]
    return "\n".join(lines)


def _claim(workspace: Workspace, user: User, items: list[Item]) -> list[Item]:
    """Record the reminders not yet sent to `user` as sent; returns them (none if another run
    claimed them first)."""
    keys = [item.key for item in items]
    try:
        with transaction.atomic():
            sent = set(
                workspace.sentreminders.filter(user=user, key__in=keys).values_list(
                    "key", flat=True
                )
            )
            new = [item for item in items if item.key not in sent]
            SentReminder.objects.bulk_create(
                [SentReminder(workspace=workspace, user=user, key=item.key) for item in new]
            )
    except IntegrityError:
        return []
    return new


def send_reminders(*, today: date, site: str, workspaces: Iterable[Workspace]) -> Report:
    """Email each member the dated reminders they have not had yet; see the module's note."""
    report = Report()
    for workspace in workspaces:
        items = [
            item
            for item in needs_attention(workspace=workspace, today=today).items
            if item.kind in DATED_KINDS
        ]
        if not items:
            continue
        for user in _recipients(workspace):
            new = _claim(workspace, user, items)
            report.already_sent += len(items) - len(new)
            if not new:
                continue
            count = len(new)
            try:
                send_mail(
                    subject=f"Partnerwise: {count} reminder{'s' if count != 1 else ''} for "
                    f"{workspace.name}",
                    message=_message(workspace, new, site),
                    from_email=None,
                    recipient_list=[user.email],
                )
            except (smtplib.SMTPException, OSError) as error:
                # Withdraw the claims, so the next run tries again.
                workspace.sentreminders.filter(
                    user=user, key__in=[item.key for item in new]
                ).delete()
                report.failures.append(
                    f"{workspace.slug}: could not email {user.email} ({error}); "
                    "will try again on the next run"
                )
                continue
            report.emails += 1
            report.reminders += count
    return report
