"""Partnerships and each organisation's place in them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.models import WorkspaceOwned


class Form(models.TextChoices):
    REFERRAL = "referral", "Referral network"
    INFLUENCING = "influencing", "Joint influencing or lobbying coalition"
    CONSORTIUM = "consortium", "Consortium bid or delivery"
    SUPPLY_CHAIN = "supply_chain", "Prime and sub-contract supply chain"
    LEAD_PARTNER = "lead_partner", "Lead-partner contract"
    GRANT = "grant", "Grant partnership"
    MERGER = "merger", "Merger talks"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    IDEA = "idea", "Idea"
    EXPLORING = "exploring", "Exploring"
    NEGOTIATING = "negotiating", "Negotiating"
    ACTIVE = "active", "Active"
    ENDING = "ending", "Ending"
    ENDED = "ended", "Ended"
    DECLINED = "declined", "Declined"


class Role(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner or funder"
    PRIME = "prime", "Prime or lead"
    SUBCONTRACTOR = "subcontractor", "Sub-contractor or delivery partner"
    MEMBER = "member", "Member"
    ACCOUNTABLE_BODY = "accountable_body", "Accountable body"
    HOST = "host", "Host"


class Partnership(WorkspaceOwned):
    name = models.CharField(max_length=200)
    form = models.CharField(max_length=20, choices=Form.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IDEA)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    renewal_date = models.DateField(null=True, blank=True)
    notice_date = models.DateField(
        null=True,
        blank=True,
        help_text="The last day to give notice, to leave or renegotiate before it renews.",
    )
    value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Total value, in £."
    )
    services = models.TextField(blank=True, help_text="The services delivered.")
    area = models.CharField(max_length=200, blank=True, help_text="Where the services run.")
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every save; a stale edit is refused, not merged."
    )

    class Meta:
        ordering = ["name", "pk"]
        # Lists sort by name and the portfolio looks for renewals: both from an index.
        indexes = [
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["workspace", "name"]),
            models.Index(fields=["workspace", "renewal_date"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An end or a renewal comes after the start."""
        errors = {}
        start = self.start_date
        if start and self.end_date and self.end_date < start:
            errors["end_date"] = (
                f"The end date ({self.end_date:%-d %B %Y}) must be on or after the start date "
                f"({start:%-d %B %Y})"
            )
        if start and self.renewal_date and self.renewal_date < start:
            errors["renewal_date"] = (
                f"The renewal date ({self.renewal_date:%-d %B %Y}) must be on or after the start "
                f"date ({start:%-d %B %Y})"
            )
        if errors:
            raise ValidationError(errors)


class Participation(WorkspaceOwned):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="participations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    share = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="This organisation's share of the partnership's value, in per cent.",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["partnership", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation", "role"], name="one_role_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(share__isnull=True)
                | (models.Q(share__gte=0) & models.Q(share__lte=100)),
                name="share_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} as {self.get_role_display()} in {self.partnership}"
