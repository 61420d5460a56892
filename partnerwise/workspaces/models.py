"""Workspaces (the tenants), their users and roles.

Every workspace-owned table carries a `workspace` foreign key (`WorkspaceOwned`), and every
query for such rows starts from a workspace (`workspace.partnerships...`), reached through the
access helpers in `partnerwise.workspaces.access`. Shared reference data (organisations from
public registers) has no workspace.
"""

from __future__ import annotations

import datetime
import decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.text import capfirst

if TYPE_CHECKING:
    from partnerwise.organisations.models import Organisation, OurOrganisation


class User(AbstractUser):
    """A person who signs in. Their workspaces come through memberships."""


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer (reads)"
    EDITOR = "editor", "Editor (reads and writes)"
    ADMIN = "admin", "Admin (manages members and settings)"


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class Workspace(models.Model):
    """One organisation using Partnerwise; its data is private to it."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    is_demo = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # Which organisation the workspace speaks for ("us" in every partnership) is recorded by
    # the organisations app (`OurOrganisation`), which sits above this one; these read it.
    @property
    def organisation(self) -> Organisation | None:
        link = self._our_link()
        return link.organisation if link else None

    @property
    def organisation_id(self) -> int | None:
        link = self._our_link()
        return link.organisation_id if link else None

    def _our_link(self) -> OurOrganisation | None:
        try:
            return self.us
        except ObjectDoesNotExist:
            return None


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} as {self.role}"


class WorkspaceOwned(models.Model):
    """Abstract base for every workspace-owned table: it carries the workspace key."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="%(class)ss", editable=False
    )

    class Meta:
        abstract = True


class ChangeRecord(WorkspaceOwned):
    """Who changed what and when, on any workspace-owned record (written by `record_change`)."""

    user = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    when = models.DateTimeField(auto_now_add=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=40)
    changes = models.JSONField(
        default=list, blank=True, help_text="[{field, old, new}] for each changed field."
    )
    summary = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-when", "-pk"]
        indexes = [models.Index(fields=["workspace", "content_type", "object_id", "-when"])]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type_id}:{self.object_id} at {self.when}"

    def changes_in_words(self) -> list[dict[str, str]]:
        """Each change as people read it: the field's name, choices by their labels, dates as
        "1 April 2026", money in pounds, empty as "(empty)"."""
        model = self.content_type.model_class()
        fields = {f.name: f for f in model._meta.get_fields()} if model else {}
        rows = []
        for change in self.changes:
            name = str(change.get("field", ""))
            field = fields.get(name)
            label = capfirst(str(getattr(field, "verbose_name", ""))) if field else name
            rows.append(
                {
                    "field": label or name,
                    "old": _in_words(field, change.get("old")),
                    "new": _in_words(field, change.get("new")),
                }
            )
        return rows


def _in_words(field: Any, value: object) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_in_words(field, item) for item in value)
    choices = dict(getattr(field, "flatchoices", None) or [])
    if value in choices:
        return str(choices[value])
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return f"{datetime.date.fromisoformat(value[:10]):%-d %B %Y}"
        except ValueError:
            return value
    if isinstance(field, models.DecimalField) and field.name == "value":
        try:
            return f"£{decimal.Decimal(str(value)):,.0f}"
        except decimal.InvalidOperation:
            return str(value)
    if isinstance(field, models.DecimalField) and field.name == "share":
        return f"{decimal.Decimal(str(value)).normalize():f}%"
    return str(value)


class Invitation(WorkspaceOwned):
    """A colleague asked to join a workspace through an expiring, single-use link.

    Only a hash of the link's token is stored, with a nonce from which the token is derived
    using the site's secret key (so admins can copy the link again), so a leaked database does
    not leak live links. Only someone signed in with the invited email address can accept.
    """

    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(
        max_length=64,
        blank=True,
        help_text="Random; the link's token is derived from it with the secret key.",
    )
    invited_by = models.ForeignKey(
        "workspaces.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    accepted = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.workspace_id}"
