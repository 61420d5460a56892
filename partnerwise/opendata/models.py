"""Open-data records behind the shared organisation directory.

Each importer keeps the rows of its source here, close to how the source publishes them, and
links them to reference `Organisation`s (workspace NULL) through org-id `Identifier`s. The
directory pages read the organisation; these tables answer "where did that come from" and
the relationship questions (who funds them, who buys from them).

Rows that mirror a complete published table (the Charity Commission extract tables) carry a
`row_hash` of their content, so a re-import can tell unchanged rows from changed ones
without comparing column by column.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from partnerwise.organisations.models import Organisation


class RegisterCharity(models.Model):
    """One row of the Charity Commission `charity` table: a main or a linked charity.

    A main charity has `linked_number` 0 and its own organisation; a linked charity (a
    subsidiary or group member registered under the main charity's number) points at the
    main charity's organisation, as the register defines it.
    """

    organisation_number = models.BigIntegerField(unique=True)
    registered_number = models.BigIntegerField(db_index=True)
    linked_number = models.IntegerField(default=0)
    # No database constraint: this row is a copy of the register, rewritten in bulk by each
    # import, and checking 400,000 references row by row was a third of PostgreSQL's import
    # time. Django still sets it to NULL when the organisation is deleted.
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="register_charities",
        db_constraint=False,
    )
    name = models.CharField(max_length=300)
    normalised = models.CharField(max_length=300)
    charity_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, blank=True)
    registered_on = models.DateField(null=True, blank=True)
    removed_on = models.DateField(null=True, blank=True)
    reporting_status = models.CharField(max_length=100, blank=True)
    fin_period_end = models.DateField(null=True, blank=True)
    latest_income = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    latest_expenditure = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    insolvent = models.BooleanField(null=True, blank=True)
    in_administration = models.BooleanField(null=True, blank=True)
    website = models.CharField(max_length=500, blank=True)
    is_cio = models.BooleanField(null=True, blank=True)
    activities = models.TextField(blank=True)
    extract_date = models.DateField(null=True, blank=True)
    in_latest_extract = models.BooleanField(
        default=True, help_text="False once a newer extract no longer lists this charity."
    )
    row_hash = models.BigIntegerField()
    source_file = models.CharField(max_length=300)

    class Meta:
        ordering = ["registered_number", "linked_number"]

    def __str__(self) -> str:
        if self.linked_number:
            return f"{self.registered_number}-{self.linked_number} {self.name}"
        return f"{self.registered_number} {self.name}"

    @property
    def is_removed(self) -> bool:
        return self.status.lower() == "removed" or not self.in_latest_extract


class _RegisterTable(models.Model):
    """A row of a Charity Commission table that hangs off a charity number."""

    registered_number = models.BigIntegerField(db_index=True)
    row_hash = models.BigIntegerField(unique=True)

    class Meta:
        abstract = True


class CharityOtherName(_RegisterTable):
    linked_number = models.IntegerField(default=0)
    name_type = models.CharField(max_length=40)
    name = models.CharField(max_length=300)
    normalised = models.CharField(max_length=300, db_index=True)

    def __str__(self) -> str:
        return self.name


class CharityRegulator(_RegisterTable):
    regulator_order = models.IntegerField(default=0)
    name = models.CharField(max_length=200)
    url = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.name


class CharityArea(_RegisterTable):
    linked_number = models.IntegerField(default=0)
    area_type = models.CharField(max_length=60)
    description = models.CharField(max_length=200)
    parent_type = models.CharField(max_length=60, blank=True)
    parent_description = models.CharField(max_length=200, blank=True)
    welsh = models.BooleanField(null=True, blank=True)

    def __str__(self) -> str:
        return self.description


class CharityClassification(_RegisterTable):
    linked_number = models.IntegerField(default=0)
    code = models.IntegerField()
    classification_type = models.CharField(max_length=20)
    description = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.description


class CharityAnnualReturn(_RegisterTable):
    """Part A of an annual return: income, and how much of it came from government."""

    fin_period_order = models.IntegerField(default=0)
    latest_submitted = models.BooleanField(null=True, blank=True)
    fin_period_start = models.DateField(null=True, blank=True)
    fin_period_end = models.DateField(null=True, blank=True)
    return_due = models.DateField(null=True, blank=True)
    return_received = models.DateField(null=True, blank=True)
    total_income = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    total_expenditure = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    receives_govt_contracts = models.BooleanField(null=True, blank=True)
    count_govt_contracts = models.IntegerField(null=True, blank=True)
    receives_govt_grants = models.BooleanField(null=True, blank=True)
    count_govt_grants = models.IntegerField(null=True, blank=True)
    income_govt_contracts = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True
    )
    income_govt_grants = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["registered_number", "-fin_period_end"]

    def __str__(self) -> str:
        return f"{self.registered_number} {self.fin_period_end}"


class RegisterTable(models.Model):
    """The extract date of the last import of each register table, so an older extract of
    any table is refused, not only of the charity table."""

    table = models.CharField(max_length=60, unique=True)
    extract_date = models.DateField()
    imported = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.table} {self.extract_date}"


class CharityAccounts(_RegisterTable):
    """Part B of an annual return (charities with income over £500,000): the accounts'
    totals and reserves."""

    fin_period_order = models.IntegerField(default=0)
    latest_submitted = models.BooleanField(null=True, blank=True)
    fin_period_start = models.DateField(null=True, blank=True)
    fin_period_end = models.DateField(null=True, blank=True)
    total_income = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    total_expenditure = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    reserves = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["registered_number", "-fin_period_end"]

    def __str__(self) -> str:
        return f"{self.registered_number} {self.fin_period_end}"


class CharityReturnHistory(_RegisterTable):
    """One year of a charity's annual return history (about five years a charity): income,
    spending, and when the return was due and received."""

    fin_period_start = models.DateField(null=True, blank=True)
    fin_period_end = models.DateField(null=True, blank=True)
    return_due = models.DateField(null=True, blank=True)
    return_received = models.DateField(null=True, blank=True)
    accounts_received = models.DateField(null=True, blank=True)
    total_income = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    total_expenditure = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["registered_number", "-fin_period_end"]

    def __str__(self) -> str:
        return f"{self.registered_number} {self.fin_period_end}"


class SearchName(models.Model):
    """A name an organisation is known by, normalised for prefix search.

    Main and other names from the register and names seen in grants and contracts all land
    here, so one indexed range query finds an organisation by any of them.
    """

    # No index of its own: the unique constraint below starts with the organisation. No
    # database constraint either: this is a search index derived from the other tables and
    # written in bulk; Django deletes an organisation's names with it, and search skips a
    # name whose organisation is gone.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="search_names",
        db_index=False,
        db_constraint=False,
    )
    normalised = models.CharField(max_length=300)
    name = models.CharField(max_length=300)
    source = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "normalised", "source"], name="one_search_name"
            )
        ]
        # The prefix search index is made per database (migration 0009): byte order on
        # SQLite, the "C" collation on PostgreSQL, so a prefix is one range scan whatever the
        # database's collation. Django's own index would be a second, unused one there.

    def __str__(self) -> str:
        return self.name


class SourceKey(models.Model):
    """How an importer recognises an organisation that has no org-id in its source.

    Contracts Finder releases converted by third parties name many suppliers without any
    identifier; such a supplier is keyed by its normalised name within the OCDS source only,
    so re-imports find the same organisation. It is never merged with a register charity of
    the same name: that takes a person confirming a `CandidateMatch`.
    """

    source = models.CharField(max_length=20)
    key = models.CharField(max_length=320)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="source_keys"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="one_source_key")]

    def __str__(self) -> str:
        return f"{self.source}:{self.key}"


class Grant(models.Model):
    """A 360Giving grant: a funder gave a recipient an amount on a date.

    A grant that a newer version of its file (same file name) no longer lists is kept,
    marked `in_latest_file=False`; it no longer counts as a current relationship.
    """

    grant_id = models.CharField(max_length=300, unique=True)
    # No index of their own: the (funder, award_date) and (recipient, award_date) indexes
    # serve every lookup by funder or recipient, and each index is written for every grant.
    funder = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="grants_made", db_index=False
    )
    recipient = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="grants_received", db_index=False
    )
    title = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    award_date = models.DateField(null=True, blank=True)
    programme = models.CharField(max_length=300, blank=True)
    source_file = models.CharField(max_length=300)
    in_latest_file = models.BooleanField(
        default=True, help_text="False once a newer version of its file no longer lists it."
    )
    removed_on = models.DateField(
        null=True, blank=True, help_text="The day an import found it gone from its file."
    )
    row_hash = models.BigIntegerField()

    class Meta:
        ordering = ["-award_date", "grant_id"]
        indexes = [
            models.Index(fields=["recipient", "award_date"]),
            models.Index(fields=["funder", "award_date"]),
            models.Index(fields=["source_file"], name="grant_source_file"),
        ]

    def __str__(self) -> str:
        return self.grant_id


class Award(models.Model):
    """One supplier's part of an OCDS contract award: a buyer bought from a supplier.

    Like a grant, an award gone from a newer version of its file is kept, marked
    `in_latest_file=False`, and no longer counts as a current relationship.
    """

    key = models.CharField(max_length=400, unique=True, help_text="ocid / award id / party id")
    ocid = models.CharField(max_length=200, db_index=True)
    release_id = models.CharField(max_length=200)
    award_id = models.CharField(max_length=200)
    # Served by the (buyer, award_date) and (supplier, award_date) indexes (as grants').
    buyer = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="awards_made", db_index=False
    )
    supplier = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="awards_won", db_index=False
    )
    title = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=40, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    award_date = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    release_date = models.DateTimeField(null=True, blank=True)
    buyer_is_central_government = models.BooleanField(default=False)
    supplier_vcse = models.BooleanField(null=True, blank=True)
    supplier_sme = models.BooleanField(null=True, blank=True)
    suitable_vcse = models.BooleanField(null=True, blank=True)
    suitable_sme = models.BooleanField(null=True, blank=True)
    source_file = models.CharField(max_length=300)
    in_latest_file = models.BooleanField(
        default=True, help_text="False once a newer version of its file no longer lists it."
    )
    removed_on = models.DateField(
        null=True, blank=True, help_text="The day an import found it gone from its file."
    )
    row_hash = models.BigIntegerField()

    class Meta:
        ordering = ["-award_date", "key"]
        indexes = [
            models.Index(fields=["supplier", "award_date"]),
            models.Index(fields=["buyer", "award_date"]),
            models.Index(fields=["source_file"], name="award_source_file"),
        ]

    def __str__(self) -> str:
        return self.key


class Merger(models.Model):
    """One charity's property transferred to another (the Charity Commission's register of
    mergers): a dated relationship between two organisations, never one organisation.

    Each side is kept as its org-id and name as published (a transferor may be an
    unregistered body with no org-id); pages find the organisations by identifier, so a
    merger reads the same before and after either side is imported or merged.
    """

    key = models.CharField(max_length=400, unique=True)
    transferor = models.CharField(max_length=80, blank=True, db_index=True)
    transferor_name = models.CharField(max_length=300, blank=True)
    transferee = models.CharField(max_length=80, blank=True, db_index=True)
    transferee_name = models.CharField(max_length=300, blank=True)
    transferred_on = models.DateField(
        null=True, blank=True, help_text="When the property was transferred."
    )
    vesting_declared_on = models.DateField(null=True, blank=True)
    registered_on = models.DateField(
        null=True, blank=True, help_text="When the merger was entered on the register."
    )
    source = models.CharField(max_length=200, blank=True)
    source_file = models.CharField(max_length=300)
    row_hash = models.BigIntegerField()

    class Meta:
        ordering = ["-transferred_on", "key"]

    def __str__(self) -> str:
        return f"{self.transferor_name} -> {self.transferee_name}"

    @property
    def date(self) -> Any:
        return self.transferred_on or self.registered_on


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed (merged)"
    REJECTED = "rejected", "Rejected"


class CandidateMatch(models.Model):
    """Two reference organisations that may be the same, found by name.

    Never acted on by itself: a person confirms (the two are merged) or rejects it. The
    names are kept as text so the record still reads after a merge removes one side.
    """

    left = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    right = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    left_label = models.CharField(max_length=400, default="")
    right_label = models.CharField(max_length=400, default="")
    normalised_name = models.CharField(max_length=300)
    evidence = models.TextField()
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "normalised_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="one_candidate_per_pair"),
            models.CheckConstraint(
                condition=Q(left__lt=models.F("right"))
                | Q(left__isnull=True)
                | Q(right__isnull=True),
                name="ordered_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.left_label} / {self.right_label} ({self.status})"


class ImportRun(models.Model):
    """A completed import: what was read and what changed (written in the same transaction)."""

    source = models.CharField(max_length=20)
    files = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    skipped = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    finished = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-finished"]

    def __str__(self) -> str:
        return f"{self.source} {self.finished:%Y-%m-%d %H:%M}"
