"""Values, service-user commitments, appraisals, their ratings, decisions and playbook edits.

A workspace lists its own values and its commitments to service users (each may be a red
line); an appraisal rates one partnership against them with evidence. Decisions are kept,
never edited: the newest is the current one, the rest are the record. A workspace's playbook
is the shipped data file with its own `PlaybookEntry` rows merged over it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.dates import not_in_future
from partnerwise.workspaces.models import WorkspaceOwned


class PrincipleKind(models.TextChoices):
    VALUE = "value", "Value"
    COMMITMENT = "commitment", "Commitment to service users"


class Principle(WorkspaceOwned):
    """One of the workspace's values or commitments to service users."""

    kind = models.CharField(max_length=12, choices=PrincipleKind.choices)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_red_line = models.BooleanField(
        "Red line",
        default=False,
        help_text="A partnership in conflict with a red line cannot be recorded as going ahead "
        "without a written override.",
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "position", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "name"], name="one_principle_per_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


# A single scale so values and commitments can be averaged and compared; the labels differ.
VALUE_SCORES = [
    (2, "+2 Fits strongly"),
    (1, "+1 Fits"),
    (0, "0 Neither fits nor clashes"),
    (-1, "-1 Strains it"),
    (-2, "-2 In conflict"),
]
IMPACT_SCORES = [
    (2, "+2 Clear benefit to service users"),
    (1, "+1 Some benefit"),
    (0, "0 No clear effect"),
    (-1, "-1 Some harm"),
    (-2, "-2 Serious harm: in conflict"),
]


class Appraisal(WorkspaceOwned):
    """The appraisal of one partnership: its ratings and notes (versioned: stale saves fail)."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="appraisal"
    )
    notes = models.TextField(blank=True, help_text="Anything the board should know.")
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Appraisal of {self.partnership}"


class Rating(WorkspaceOwned):
    """How a partnership stands against one value (fit) or commitment (impact)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="ratings")
    principle = models.ForeignKey(Principle, on_delete=models.CASCADE, related_name="ratings")
    score = models.SmallIntegerField(null=True, blank=True, help_text="-2 (conflict) to +2.")
    evidence = models.TextField(blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["appraisal", "principle"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "principle"], name="one_rating_per_principle"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=-2) & Q(score__lte=2)),
                name="score_minus_2_to_2",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principle}: {self.score}"


class Outcome(models.TextChoices):
    GO = "go", "Go"
    GO_WITH_CONDITIONS = "go_with_conditions", "Go with conditions"
    DONT_GO = "dont_go", "Don't go"


class Recommended(models.TextChoices):
    """What the appraisal recommended: an outcome, or that it cannot recommend yet."""

    GO = "go", "Go"
    GO_WITH_CONDITIONS = "go_with_conditions", "Go with conditions"
    DONT_GO = "dont_go", "Don't go"
    NOT_ENOUGH = "not_enough", "Not enough to recommend yet"


class Decision(WorkspaceOwned):
    """What people decided about a partnership, who, when and why. Kept, never edited."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reasons = models.TextField(help_text="Why this was decided.")
    conditions = models.TextField(blank=True, help_text="The conditions attached, if any.")
    override_reason = models.TextField(
        blank=True, help_text="Why the partnership goes ahead despite a red-line conflict."
    )
    approved_by = models.CharField(
        max_length=200,
        help_text="Who approved it, e.g. 'Board of trustees'; the date is asked separately.",
    )
    decided_on = models.DateField(default=timezone.localdate)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the appraisal said when the decision was taken, so later edits don't rewrite it.
    recommendation = models.CharField(max_length=20, choices=Recommended.choices)
    red_line_conflicts = models.JSONField(default=list, blank=True)
    appraisal_version = models.PositiveIntegerField(default=0)
    # The recommendation, partners' profiles and ratings as they stood, to say what changed.
    snapshot = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.partnership} ({self.decided_on})"

    @property
    def approver(self) -> str:
        """Who approved it, without the date when it was written in too (older decisions)."""
        name = self.approved_by.strip()
        if self.decided_on:
            for written in (f"{self.decided_on:%-d %B %Y}", f"{self.decided_on:%d %B %Y}"):
                if name.endswith(written):
                    name = name[: -len(written)].rstrip(" ,;-\u2013")
        return name or self.approved_by

    def clean(self) -> None:
        if self.decided_on:
            try:
                not_in_future(self.decided_on, "The date of a decision")
            except ValidationError as error:
                raise ValidationError({"decided_on": error.messages}) from None


class EntryKind(models.TextChoices):
    RISK = "risk", "Risk"
    TERM = "term", "Term to negotiate"


class Severity(models.TextChoices):
    HIGH = "high", "High: settle before going in"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class PlaybookEntry(WorkspaceOwned):
    """A workspace's edit of a shipped playbook entry (same key), or an entry of its own."""

    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=4, choices=EntryKind.choices)
    severity = models.CharField(max_length=6, choices=Severity.choices)
    text = models.TextField()
    source = models.CharField(max_length=300, blank=True)
    archetypes = models.JSONField(default=list, blank=True)
    partner_roles = models.JSONField(default=list, blank=True)
    forms = models.JSONField(default=list, blank=True)
    our_roles = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "playbook entries"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="one_playbook_entry_per_key")
        ]

    def __str__(self) -> str:
        return self.title


class TermState(models.TextChoices):
    ASKED = "asked", "Asked for"
    AGREED = "agreed", "Agreed"
    REFUSED = "refused", "Refused"
    DROPPED = "dropped", "Dropped"


class TermStatus(WorkspaceOwned):
    """Where a term the playbook suggests for a partnership stands in the negotiation.

    `key` is the playbook entry's id; `title` keeps the title it had when last marked, so the
    record still reads if the playbook entry is later edited or no longer applies. No row
    means the term has not been raised yet.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="term_statuses"
    )
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=TermState.choices)
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "term"
        ordering = ["partnership", "key"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "key"], name="one_status_per_term")
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.get_state_display()}"


class AttentionSetting(WorkspaceOwned):
    """How a workspace wants "needs attention" and reminders to judge staleness."""

    rerate_after_months = models.PositiveSmallIntegerField(
        "Re-rate partners after (months)",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A partner not rated for this many months is listed as needing attention, "
        "and members are reminded. 1 to 60.",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="one_attention_setting")]

    def __str__(self) -> str:
        return f"Re-rate after {self.rerate_after_months} months"


class ReminderPreference(WorkspaceOwned):
    """Whether one member wants reminders by email from one workspace (no row: yes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_reminders = models.BooleanField("Send me reminders by email", default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_reminder_preference")
        ]

    def __str__(self) -> str:
        return f"Reminders {'on' if self.email_reminders else 'off'} for {self.user_id}"


class SentReminder(WorkspaceOwned):
    """A reminder sent to one person, so a second run the same day does not send it again.

    `key` names the reminder and the date it is about ("renewal:12:2027-03-01"), so a changed
    date is a new reminder and an unchanged one is never repeated."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "key"], name="one_reminder_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.user_id}"
