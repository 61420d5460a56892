"""The organisation directory.

An organisation with no workspace is reference data: imported from public registers and open
data, shared by every workspace and never edited by one. An organisation with a workspace was
recorded by that workspace's users (say, a prime not on any register) and is private to it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from partnerwise.workspaces.models import Workspace


class Kind(models.TextChoices):
    CHARITY = "charity", "Charity"
    CIO = "cio", "Charitable incorporated organisation"
    COMPANY = "company", "Company"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    GOVERNMENT = "government", "Central government department or body"
    NHS = "nhs", "NHS body"
    FUNDER = "funder", "Grant-making funder"
    OTHER = "other", "Other"


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, workspace: Workspace) -> OrganisationQuerySet:
        """Reference data plus the workspace's own records; never another workspace's."""
        return self.filter(Q(workspace__isnull=True) | Q(workspace=workspace))

    def reference(self) -> OrganisationQuerySet:
        return self.filter(workspace__isnull=True)


class Organisation(models.Model):
    workspace = models.ForeignKey(
        Workspace,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="organisations",
        # Indexed below for workspace records only: the register's 400,000 reference rows
        # would fill a full index with NULLs that no query looks up.
        db_index=False,
        help_text="Empty for shared reference data; set for a workspace's private record.",
    )
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    is_removed = models.BooleanField(
        default=False, help_text="Removed from its register (kept, shown as removed)."
    )
    registered_on = models.DateField(null=True, blank=True)
    removed_on = models.DateField(null=True, blank=True)
    latest_income = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    latest_income_year_end = models.DateField(null=True, blank=True)
    website = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    is_vcse = models.BooleanField(
        null=True, blank=True, help_text="Voluntary, community or social enterprise, if known."
    )
    facts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Further facts from open data (regulators, areas, classifications, ...).",
    )
    sources = models.JSONField(default=list, blank=True, help_text="Where the facts came from.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        # No index on name alone: name searches match inside names (icontains), which no
        # B-tree serves, and the open-data directory searches names through SearchName.
        # Sorted lists are per workspace.
        indexes = [
            models.Index(
                fields=["workspace", "name"],
                condition=Q(workspace__isnull=False),
                name="workspace_organisation_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reference(self) -> bool:
        return self.workspace_id is None

    def primary_identifier(self) -> str:
        first = self.identifiers.order_by("-is_primary", "value").first()
        return first.value if first else ""

    def add_identifier(self, value: str, *, primary: bool = False) -> Identifier:
        """Normalise and validate an org-id, then attach it (idempotently)."""
        from partnerwise.organisations.identifiers import parse_org_id

        parsed = parse_org_id(value)
        identifier, _ = Identifier.objects.update_or_create(
            organisation=self,
            value=str(parsed),
            defaults={
                "workspace": self.workspace,
                "scheme": parsed.scheme,
                "is_primary": primary,
                "warning": parsed.warning or "",
            },
        )
        return identifier


class Identifier(models.Model):
    """One org-id identifier (e.g. GB-CHC-1082947); an organisation may carry several."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="identifiers"
    )
    workspace = models.ForeignKey(
        Workspace,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        # workspace_identifier_unique (workspace, value) serves lookups by workspace; reference
        # identifiers (workspace empty) are found by value.
        db_index=False,
        help_text="Same as the organisation's: empty for reference data.",
    )
    scheme = models.CharField(max_length=20)
    value = models.CharField(max_length=100, help_text="The full normalised org-id.")
    is_primary = models.BooleanField(default=False)
    warning = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-is_primary", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["value"],
                condition=Q(workspace__isnull=True),
                name="reference_identifier_unique",
            ),
            models.UniqueConstraint(
                fields=["workspace", "value"],
                condition=Q(workspace__isnull=False),
                name="workspace_identifier_unique",
            ),
        ]
        # Lookups by value use the two partial unique indexes above (reference identifiers,
        # and a workspace's own); a third index on value alone would only slow the register
        # import, which adds 400,000 identifiers.

    def __str__(self) -> str:
        return self.value


class OurOrganisation(models.Model):
    """Which organisation a workspace speaks for: "us" in every partnership.

    Kept here rather than on the workspace so that workspaces, the lowest app, refer to no
    app above them; `workspace.organisation` reads it.
    """

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="us")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.workspace} speaks for {self.organisation}"


def set_our_organisation(workspace: Workspace, organisation: Organisation | None) -> None:
    """Record which organisation `workspace` speaks for (None: not said yet)."""
    if organisation is None:
        OurOrganisation.objects.filter(workspace=workspace).delete()
    else:
        OurOrganisation.objects.update_or_create(
            workspace=workspace, defaults={"organisation": organisation}
        )
    workspace._state.fields_cache.pop("us", None)  # the next read sees the new link
