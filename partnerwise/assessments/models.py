"""Typologies, their archetypes and indicators, and assessments with their answers.

Shipped typologies (the founding document's five, Himmelman's continuum) have no workspace
and are read from the engine's data files after every migrate. A workspace can add its own
typologies, and add archetypes to a shipped one; those rows carry its workspace key and only
it sees them.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.models import Workspace, WorkspaceOwned


def new_revision() -> int:
    """A fresh value for `Typology.revision`."""
    return secrets.randbits(31)


class TypologyQuerySet(models.QuerySet["Typology"]):
    def visible_to(self, workspace: Workspace) -> TypologyQuerySet:
        return self.filter(Q(workspace__isnull=True) | Q(workspace=workspace))


class Typology(models.Model):
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="typologies"
    )
    key = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    contradictions = models.JSONField(
        default=list,
        blank=True,
        help_text="Pairs of answers that cannot both be true of one partner (engine format).",
    )
    revision = models.PositiveIntegerField(
        default=new_revision,
        editable=False,
        help_text="A new random value whenever one of the typology's indicators or archetypes "
        "changes, so the engine form built from them can be kept between requests (random, not "
        "counted, so a rolled-back or restored database never reuses one for other contents).",
    )

    objects = TypologyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "typologies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(workspace__isnull=True), name="shipped_typology_key"
            ),
            models.UniqueConstraint(
                fields=["workspace", "key"],
                condition=Q(workspace__isnull=False),
                name="workspace_typology_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shipped(self) -> bool:
        return self.workspace_id is None


class Indicator(models.Model):
    typology = models.ForeignKey(Typology, on_delete=models.CASCADE, related_name="indicators")
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.SlugField(max_length=50)
    statement = models.CharField(max_length=300)
    short = models.CharField(max_length=200, blank=True, help_text="Used in reasons.")
    self_text = models.CharField(
        max_length=300, blank=True, help_text='The statement about ourselves ("We ...").'
    )
    self_short = models.CharField(max_length=200, blank=True)
    help = models.TextField(blank=True)
    weight = models.FloatField(default=1.0)
    weight_reason = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["typology", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["typology", "key"], name="indicator_key_per_typology")
        ]

    def __str__(self) -> str:
        return self.statement


class Archetype(models.Model):
    typology = models.ForeignKey(Typology, on_delete=models.CASCADE, related_name="archetypes")
    workspace = models.ForeignKey(
        Workspace,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Set when a workspace added this archetype; only it sees the archetype.",
    )
    key = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    singular = models.CharField(max_length=200, blank=True, help_text='"a Megalomaniac"')
    source = models.TextField(blank=True, help_text="The passage the archetype comes from.")
    prototype = models.JSONField(
        default=dict, help_text="Indicator key to the rating (1-5) typical of this archetype."
    )
    reasons = models.JSONField(
        default=dict, blank=True, help_text="Why each prototype value is what it is."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["typology", "position", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["typology", "key"],
                condition=Q(workspace__isnull=True),
                name="shipped_archetype_key",
            ),
            models.UniqueConstraint(
                fields=["typology", "workspace", "key"],
                condition=Q(workspace__isnull=False),
                name="workspace_archetype_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RaterKind(models.TextChoices):
    COLLEAGUE = "colleague", "A colleague in our organisation"
    PARTNER = "partner", "Someone from a partner organisation"


class Assessment(WorkspaceOwned):
    """One rater's answers about one subject in one partnership on one date."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="assessments"
    )
    subject = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assessments_about"
    )
    typology = models.ForeignKey(Typology, on_delete=models.PROTECT, related_name="assessments")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
    )
    rater_name = models.CharField(max_length=200, help_text="Shown beside the answers.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who entered the answers, when not the rater (a colleague's paper answers).",
    )
    rater_kind = models.CharField(
        max_length=20, choices=RaterKind.choices, default=RaterKind.COLLEAGUE
    )
    assessed_on = models.DateField()
    notes = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["workspace", "partnership", "subject"])]

    def __str__(self) -> str:
        return f"{self.rater_name} on {self.subject} ({self.assessed_on})"

    @property
    def entered_for(self) -> bool:
        """Entered by someone on the rater's behalf (shown as "entered by X for Y")."""
        return self.recorded_by_id is not None and self.recorded_by_id != self.rater_id

    def answer_map(self) -> dict[str, int | None]:
        return {a.indicator: a.rating for a in self.answers.all()}


class Answer(WorkspaceOwned):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.SlugField(max_length=50)
    rating = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="1 strongly disagree ... 5 strongly agree; empty: don't know.",
    )
    evidence = models.TextField(blank=True)

    class Meta:
        # By the assessment's id, not its own ordering: "assessment" would join every
        # prefetch of a few assessments' answers to the assessments table to sort by date
        # (a whole-table hash join on PostgreSQL, issue 15).
        ordering = ["assessment_id", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="one_answer_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.rating}"


class RatingInvitation(WorkspaceOwned):
    """An expiring, single-use link through which someone at a partner rates a subject (usually
    us: "how they see us") without an account. Only a hash of the link's token is stored."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="rating_invitations"
    )
    subject = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    rater_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The partner organisation the rater speaks for.",
    )
    rater_name = models.CharField(max_length=200)
    rater_email = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    replaced_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
        help_text="The fresh link sent in its place when it was resent; this one no longer works.",
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Rating invitation for {self.rater_name} in {self.partnership_id}"


class ChosenTypology(models.Model):
    """The typology a workspace rates partners with, when not the founding five (the default).

    Kept here, like `OurOrganisation`, so that workspaces refer to no app above them.
    """

    workspace = models.OneToOneField(
        Workspace, primary_key=True, on_delete=models.CASCADE, related_name="chosen_typology"
    )
    typology = models.ForeignKey(Typology, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.workspace} rates with {self.typology}"


class ProfileFields(WorkspaceOwned):
    """What pages need of an engine profile, and the engine's own summary of it.

    `data` is whatever the engine's `Profile.to_dict()` gives, stored as it is so that a new
    engine's fields arrive without a schema change; the other fields are copied out of it for
    the pages and queries that list many profiles.
    """

    # Lists of partnerships filter on the stored verdicts through this name (`%(class)s`:
    # "storedprofiles", "profilepoints"), without importing this app.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    subject = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    typology = models.ForeignKey(Typology, on_delete=models.CASCADE, related_name="+")
    rater_kind = models.CharField(
        max_length=20, choices=RaterKind.choices, default=RaterKind.COLLEAGUE
    )
    verdict = models.CharField(max_length=20)
    best = models.CharField(max_length=50, blank=True)
    leading = models.JSONField(default=list)
    confidence = models.FloatField(default=0.0)
    raters = models.JSONField(default=list)
    # The engine's fits (`data["fits"]`), apart: drift charts draw them for many points, and
    # reading them out of `data` parsed a summary of several kilobytes a point (issue 15).
    fits = models.JSONField(default=dict)
    data = models.JSONField(default=dict)

    class Meta:
        abstract = True

    @property
    def reasons(self) -> list[str]:
        return list(self.data.get("reasons", []))

    # The engine's explanation, as the profile page and board paper show it.
    @property
    def summary(self) -> str:
        return str(self.data.get("summary", ""))

    @property
    def points_to(self) -> list[str]:
        return list(self.data.get("points_to", []))

    @property
    def points_against(self) -> list[str]:
        return list(self.data.get("points_against", []))

    @property
    def unknown(self) -> list[str]:
        return list(self.data.get("unknown", []))

    @property
    def answered(self) -> int:
        return int(self.data.get("answered", 0))

    @property
    def rater_count(self) -> int:
        return int(self.data.get("rater_count", len(self.raters)))

    @property
    def confidence_meaning(self) -> str:
        return str(self.data.get("confidence_meaning", ""))

    @property
    def answers(self) -> dict[str, float]:
        return {key: float(value) for key, value in self.data.get("answers", {}).items()}


class StoredProfile(ProfileFields):
    """The current profile of a subject in a partnership, on one typology, from one kind of
    rater: kept up to date by every change to ratings or to the typology (see
    `assessments/stored.py`), so that pages listing many profiles only read them."""

    updated = models.DateTimeField(auto_now=True)
    # Each rater's own answers as the engine read them, in its order of raters, none for a
    # rater set aside: [[name, {indicator: answer}], ...], what the profile page draws
    # beside the profile. None for a profile stored before it was kept (`migrate` fills it).
    rater_answers = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "subject", "typology", "rater_kind"],
                name="one_stored_profile",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "typology", "rater_kind"]),
            # One partnership's profiles (its page, its appraisal, its board paper).
            models.Index(fields=["workspace", "partnership", "typology", "rater_kind"]),
            models.Index(fields=["workspace", "subject"]),
            # The newest change of a workspace's profiles, read to tell whether a portfolio's
            # cached totals still hold.
            models.Index(fields=["workspace", "updated"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} in {self.partnership_id}: {self.verdict}"


class ProfilePoint(ProfileFields):
    """The profile as it stood just after one rating: the subject's drift over time."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="profile_point"
    )
    assessed_on = models.DateField()
    rater_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["assessed_on", "assessment_id"]
        indexes = [
            # One subject's history in one partnership (its profile page) or in a page of
            # partnerships (an organisation's page), without reading its other partnerships'
            # (an index led by the subject had PostgreSQL, without statistics, read a busy
            # partner's thousands of points for one page of partnerships).
            models.Index(fields=["workspace", "subject", "partnership", "typology", "rater_kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} in {self.partnership_id} after {self.assessment_id}"
