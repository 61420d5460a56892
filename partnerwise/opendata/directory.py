"""Questions the directory pages ask of open data.

These are the functions the organisation pages call (documented in docs/opendata.md):
`search_organisations`, `suggested_facts`, `register_facts`, `funders_of`, `buyers_of`,
and `co_suppliers`. They read reference data only, plus, for search,
the asking workspace's own organisations; never another workspace's.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, IntegerField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, Collate

from partnerwise.opendata.models import (
    Award,
    CharityAnnualReturn,
    CharityArea,
    CharityClassification,
    CharityOtherName,
    CharityRegulator,
    Grant,
    RegisterTable,
    SearchName,
)
from partnerwise.opendata.names import normalise_name
from partnerwise.organisations.identifiers import IdentifierError, parse_org_id
from partnerwise.organisations.models import Identifier, Organisation
from partnerwise.workspaces.models import Workspace

# ------------------------------------------------------------------------------ search


@dataclass(frozen=True)
class SearchResult:
    organisation: Organisation
    matched: str  # the name or identifier that matched
    how: str  # "identifier", "name" or "other name"


_NUMBER = re.compile(r"^\s*(?:[A-Za-z]{2}\s*)?\d[\d\s-]{3,}\s*$")


def _identifier_candidates(query: str) -> list[str]:
    text = query.strip()
    values: list[str] = []
    if _NUMBER.match(text):
        compact = re.sub(r"[\s-]", "", text).upper()
        for scheme in ("GB-CHC", "GB-COH"):
            with contextlib.suppress(IdentifierError):
                values.append(str(parse_org_id(f"{scheme}-{compact}")))
    elif re.match(r"^[A-Za-z0-9]{2,}-[A-Za-z0-9]", text):
        with contextlib.suppress(IdentifierError):
            values.append(str(parse_org_id(text)))
    return values


def is_identifier_query(query: str) -> bool:
    """Whether the query reads as a charity or company number or an org-id."""
    return bool(_identifier_candidates(query))


def names_starting(normalised: str) -> QuerySet[SearchName]:
    """Search names that start with `normalised`, in byte order: one index range scan.

    A prefix is a range in byte order: normalised names are plain ASCII, and U+FFFF sorts
    after all of it. SQLite compares bytes already (index of migration 0009); PostgreSQL is
    told to (its "C" collation), which the index of migration 0006 serves.
    """
    upper = normalised + "\uffff"
    if connection.vendor == "postgresql":
        return (
            SearchName.objects.alias(key=Collate("normalised", "C"))
            .filter(key__gte=normalised, key__lt=upper)
            .order_by("key", "organisation_id")
        )
    return SearchName.objects.filter(normalised__gte=normalised, normalised__lt=upper).order_by(
        "normalised", "organisation_id"
    )


def identifier_lookups(
    values: list[str], workspace: Workspace | None
) -> list[QuerySet[Identifier]]:
    """Identifiers with these values among the reference data, then among `workspace`'s own
    records: one query per partial unique index, which a single OR would not use on SQLite."""
    lookups = [Identifier.objects.filter(workspace__isnull=True, value__in=values)]
    if workspace is not None:
        lookups.append(Identifier.objects.filter(workspace=workspace, value__in=values))
    return lookups


def search_organisations(
    query: str, workspace: Workspace | None = None, limit: int = 20
) -> list[SearchResult]:
    """Organisations whose name (or other name) starts with the query, or whose charity or
    company number / org-id is the query. Reference data plus `workspace`'s own records.

    Fast on the full register: an identifier lookup and one indexed prefix range.
    """
    results: dict[int, SearchResult] = {}
    visible = (
        Organisation.objects.visible_to(workspace)
        if workspace is not None
        else Organisation.objects.reference()
    )
    identifiers = _identifier_candidates(query)
    if identifiers:
        for rows in identifier_lookups(identifiers, workspace):
            for identifier in rows.select_related("organisation")[:limit]:
                results.setdefault(
                    identifier.organisation_id,
                    SearchResult(identifier.organisation, identifier.value, "identifier"),
                )
    normalised = normalise_name(query)
    if normalised and len(results) < limit:
        columns = ("organisation_id", "name", "normalised", "source")
        hits = list(names_starting(normalised).values_list(*columns)[: limit * 5])
        organisations = visible.in_bulk({hit[0] for hit in hits})
        ranked = sorted(
            hits,
            key=lambda hit: (
                hit[2] != normalised,
                organisations[hit[0]].is_removed if hit[0] in organisations else True,
                len(hit[2]),
                hit[2],
            ),
        )
        for organisation_id, name, _, _source in ranked:
            organisation = organisations.get(organisation_id)
            if organisation is None or organisation_id in results:
                continue
            how = (
                "name"
                if normalise_name(organisation.name) == normalise_name(name)
                else ("other name")
            )
            results[organisation_id] = SearchResult(organisation, name, how)
            if len(results) >= limit:
                break
    if workspace is not None and len(results) < limit and query.strip():
        own = Organisation.objects.filter(workspace=workspace, name__icontains=query.strip())
        for organisation in own[: limit - len(results)]:
            results.setdefault(
                organisation.pk, SearchResult(organisation, organisation.name, "name")
            )
    return list(results.values())[:limit]


# ------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Suggestion:
    """A fact from open data offered to a rater, who may accept it as their answer."""

    indicator_id: str  # "size_gap", "gov_prime", or "vcse" (a fact, not an indicator)
    value: int  # 1 (strongly disagree) .. 5 (strongly agree)
    reason: str
    source: str


POUNDS = "GBP"


def _money(amount: Decimal | int | float) -> str:
    return f"£{Decimal(amount):,.0f}"


def money(amount: Decimal | None, currency: str) -> str:
    """An amount in its own currency: "£1,200" for pounds, "51,811,000 AMD" for others."""
    if amount is None:
        return ""
    if currency == POUNDS:
        return _money(amount)
    return f"{Decimal(amount):,.0f} {currency or '(currency not given)'}"


# Income ratio (theirs / ours) at or above which each answer is suggested.
_SIZE_STEPS = [(Decimal(10), 5), (Decimal(3), 4), (Decimal("1.5"), 3), (Decimal("0.5"), 2)]
# A central-government award at least this large counts as "a large contract".
LARGE_CONTRACT = Decimal(1_000_000)


def suggested_facts(
    organisation: Organisation, *, relative_to: Organisation | None = None
) -> list[Suggestion]:
    """Suggestions for the typology from open data; an empty list when nothing is known."""
    suggestions: list[Suggestion] = []
    size = _size_gap(organisation, relative_to)
    if size:
        suggestions.append(size)
    prime = _gov_prime(organisation)
    if prime:
        suggestions.append(prime)
    vcse = _vcse(organisation)
    if vcse:
        suggestions.append(vcse)
    return suggestions


def _size_gap(organisation: Organisation, us: Organisation | None) -> Suggestion | None:
    if us is None or organisation.latest_income is None or not us.latest_income:
        return None
    ratio = organisation.latest_income / us.latest_income
    value = next((answer for step, answer in _SIZE_STEPS if ratio >= step), 1)
    year = (
        f" (year ending {organisation.latest_income_year_end:%d %B %Y})"
        if organisation.latest_income_year_end
        else ""
    )
    if ratio >= 1:
        comparison = f"{ratio:.1f} times ours ({_money(us.latest_income)})"
    else:
        smaller = 1 / ratio if ratio else Decimal(0)
        comparison = f"{smaller:.1f} times smaller than ours ({_money(us.latest_income)})"
    return Suggestion(
        "size_gap",
        value,
        f"Their latest income {_money(organisation.latest_income)}{year} is {comparison}.",
        "Charity Commission register" if organisation.register_charities.exists() else "open data",
    )


def _gov_prime(organisation: Organisation) -> Suggestion | None:
    # Pounds only: the threshold is in pounds, and other currencies are never summed with them.
    central = Award.objects.filter(
        supplier=organisation,
        buyer_is_central_government=True,
        in_latest_file=True,
        currency=POUNDS,
    )
    summary = central.aggregate(count=Count("id"), total=Sum("value"), largest=Max("value"))
    if summary["count"]:
        largest = summary["largest"] or Decimal(0)
        biggest = central.filter(value=largest).select_related("buyer").first()
        buyer = biggest.buyer.name if biggest else "a government department"
        value = 4 if largest >= LARGE_CONTRACT else 3
        return Suggestion(
            "gov_prime",
            value,
            f"{summary['count']} central-government contract award(s), the largest "
            f"{_money(largest)} from {buyer}. Whether they lead its supply chain is for you "
            "to judge.",
            "Contracts Finder (OCDS)",
        )
    latest = (
        CharityAnnualReturn.objects.filter(
            registered_number__in=organisation.register_charities.filter(linked_number=0).values(
                "registered_number"
            ),
            income_govt_contracts__isnull=False,
        )
        .order_by("-fin_period_end")
        .first()
    )
    if latest and latest.income_govt_contracts and latest.income_govt_contracts >= LARGE_CONTRACT:
        return Suggestion(
            "gov_prime",
            3,
            f"{_money(latest.income_govt_contracts)} of income from government contracts in "
            f"the year to {latest.fin_period_end:%d %B %Y} (annual return; central or local "
            "government not said).",
            "Charity Commission annual return",
        )
    return None


def _vcse(organisation: Organisation) -> Suggestion | None:
    if organisation.register_charities.exists():
        return Suggestion("vcse", 5, "A registered charity.", "Charity Commission register")
    flags = list(
        Award.objects.filter(
            supplier=organisation, supplier_vcse__isnull=False, in_latest_file=True
        )
        .values_list("supplier_vcse", flat=True)
        .distinct()
    )
    if flags == [True]:
        return Suggestion("vcse", 5, "Marked VCSE as a supplier on Contracts Finder.", "OCDS")
    if flags == [False]:
        return Suggestion("vcse", 1, "Marked not VCSE as a supplier on Contracts Finder.", "OCDS")
    return None


# ----------------------------------------------------------------------- relationships


@dataclass(frozen=True)
class Relationship:
    """Money between two organisations, summed over grants or awards.

    `total` is in pounds only; money in other currencies is summed per currency in
    `other_totals` ((currency, amount) pairs), never added to the pounds.
    """

    organisation: Organisation
    count: int
    total: Decimal | None
    latest: Any  # date or None
    central_government: bool = False
    via: list[str] = field(default_factory=list)  # for co-suppliers: the shared buyers
    other_totals: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def other_totals_shown(self) -> list[str]:
        return [money(amount, currency) for currency, amount in self.other_totals]


def funders_of(organisation: Organisation, limit: int = 50) -> list[Relationship]:
    """Who funds them: 360Giving funders, largest total first."""
    grants = Grant.objects.filter(recipient=organisation, in_latest_file=True)
    rows = (
        grants.values("funder")
        .annotate(
            count=Count("id"),
            total=Sum("amount", filter=Q(currency=POUNDS)),
            latest=Max("award_date"),
        )
        .order_by(F("total").desc(nulls_last=True), "funder")[:limit]
    )
    return _relationships(rows, "funder", _others(grants, "funder", "amount"))


def buyers_of(organisation: Organisation, limit: int = 50) -> list[Relationship]:
    """Who buys from them: OCDS buyers of awards they won, largest total first."""
    awards = Award.objects.filter(supplier=organisation, in_latest_file=True)
    rows = (
        awards.values("buyer")
        .annotate(
            count=Count("id"),
            total=Sum("value", filter=Q(currency=POUNDS)),
            latest=Max("award_date"),
            # PostgreSQL has no MAX(boolean); the integer cast works on both databases.
            central=Max(Cast("buyer_is_central_government", IntegerField())),
        )
        .order_by(F("total").desc(nulls_last=True), "buyer")[:limit]
    )
    return _relationships(rows, "buyer", _others(awards, "buyer", "value"))


def co_suppliers(organisation: Organisation, limit: int = 50) -> list[Relationship]:
    """Who else supplies their buyers: other suppliers of the same buyers, most shared first."""
    buyers = Award.objects.filter(supplier=organisation, in_latest_file=True).values("buyer")
    rows = (
        Award.objects.filter(buyer__in=buyers, in_latest_file=True)
        .exclude(supplier=organisation)
        .values("supplier")
        .annotate(
            count=Count("id"),
            total=Sum("value", filter=Q(currency=POUNDS)),
            latest=Max("award_date"),
            shared=Count("buyer", distinct=True),
        )
        .order_by("-shared", "-count", "supplier")[:limit]
    )
    result = _relationships(rows, "supplier")
    buyer_names = dict(Organisation.objects.filter(pk__in=buyers).values_list("pk", "name"))
    shared = {
        (supplier, buyer)
        for supplier, buyer in Award.objects.filter(
            buyer__in=buyers, supplier__in=[r.organisation.pk for r in result], in_latest_file=True
        ).values_list("supplier", "buyer")
    }
    return [
        Relationship(
            r.organisation,
            r.count,
            r.total,
            r.latest,
            via=sorted(
                buyer_names[b] for (s, b) in shared if s == r.organisation.pk and b in buyer_names
            ),
        )
        for r in result
    ]


def _others(rows: QuerySet[Any], key: str, amount: str) -> dict[int, list[tuple[str, Decimal]]]:
    """Per organisation, the sum of each currency other than pounds."""
    others: dict[int, list[tuple[str, Decimal]]] = {}
    summed = (
        rows.exclude(currency=POUNDS)
        .filter(**{f"{amount}__isnull": False})
        .values(key, "currency")
        .annotate(total=Sum(amount))
        .order_by(key, "currency")
    )
    for row in summed:
        others.setdefault(row[key], []).append((row["currency"], row["total"]))
    return others


def _relationships(
    rows: Any, key: str, others: dict[int, list[tuple[str, Decimal]]] | None = None
) -> list[Relationship]:
    rows = list(rows)
    organisations = Organisation.objects.in_bulk([row[key] for row in rows])
    return [
        Relationship(
            organisations[row[key]],
            row["count"],
            row["total"],
            row["latest"],
            central_government=bool(row.get("central")),
            other_totals=(others or {}).get(row[key], []),
        )
        for row in rows
        if row[key] in organisations
    ]


# ------------------------------------------------------------------------ register facts


# What each register table gives the organisation page, for its sources line.
_TABLE_LABELS = {
    "charity": "charity table",
    "charity_other_names": "other names",
    "charity_other_regulators": "other regulators",
    "charity_area_of_operation": "areas of operation",
    "charity_classification": "classifications",
    "charity_annual_return_parta": "annual returns",
}


def _register_number(organisation: Organisation) -> int | None:
    """The organisation's charity number, from its reference GB-CHC identifier."""
    values = organisation.identifiers.filter(workspace=None, scheme="GB-CHC").values_list(
        "value", flat=True
    )
    for value in values:
        number = value.removeprefix("GB-CHC-")
        if number.isdigit():
            return int(number)
    return None


def _register_lists(number: int) -> dict[str, Any]:
    return {
        "other_names": list(
            CharityOtherName.objects.filter(registered_number=number, linked_number=0)
            .order_by("name_type", "name")
            .values_list("name_type", "name")
        ),
        "regulators": list(
            CharityRegulator.objects.filter(registered_number=number)
            .order_by("regulator_order")
            .values_list("name", flat=True)
        ),
        "areas": list(
            CharityArea.objects.filter(registered_number=number, linked_number=0)
            .order_by("description")
            .values_list("description", flat=True)
        ),
        "classifications": list(
            CharityClassification.objects.filter(registered_number=number, linked_number=0)
            .order_by("classification_type", "code")
            .values_list("classification_type", "description")
        ),
    }


def _register_sources(facts: dict[str, Any]) -> list[tuple[str, Any]]:
    """The register tables these facts come from, with each one's extract date."""
    dates = dict(RegisterTable.objects.values_list("table", "extract_date"))
    gave = {
        "charity": facts.get("in_charity_table", True),
        "charity_other_names": facts["other_names"],
        "charity_other_regulators": facts["regulators"],
        "charity_area_of_operation": facts["areas"],
        "charity_classification": facts["classifications"],
        "charity_annual_return_parta": facts.get("return_year_end"),
    }
    return [
        (label, dates[table])
        for table, label in _TABLE_LABELS.items()
        if gave[table] and table in dates
    ]


def register_facts(organisation: Organisation) -> dict[str, Any]:
    """What the Charity Commission register says, for the organisation page.

    A registered charity the imported charity table does not list (the extract imported is
    a sample, or older than the charity) still gets what the other tables imported say of
    its number (other names, other regulators...), with `in_charity_table` False and the
    charity table's date, so the page says where its status and income are missing from
    rather than a bare "not known". {} when the register says nothing of it.
    """
    charities = list(organisation.register_charities.order_by("linked_number"))
    main = next((c for c in charities if c.linked_number == 0), None)
    if main is None:
        number = _register_number(organisation)
        if number is None:
            return {}
        facts = {"charity_number": number, **_register_lists(number), "in_charity_table": False}
        charity_table = RegisterTable.objects.filter(table="charity").first()
        if charity_table is None and not any(
            facts[k] for k in ("other_names", "regulators", "areas", "classifications")
        ):
            return {}
        facts["charity_table_date"] = charity_table.extract_date if charity_table else None
        facts["sources"] = _register_sources(facts)
        return facts
    number = main.registered_number
    latest_return = (
        CharityAnnualReturn.objects.filter(registered_number=number)
        .order_by("-fin_period_end")
        .first()
    )
    facts = {
        "charity_number": number,
        "in_charity_table": True,
        "name": main.name,
        "status": "Removed" if main.is_removed else (main.status or "Registered"),
        "registered_on": main.registered_on,
        "removed_on": main.removed_on,
        "charity_type": main.charity_type,
        "latest_income": main.latest_income,
        "latest_expenditure": main.latest_expenditure,
        "fin_period_end": main.fin_period_end,
        "company_number": main.company_number,
        "linked_charities": [c.name for c in charities if c.linked_number],
        **_register_lists(number),
        "income_govt_contracts": latest_return.income_govt_contracts if latest_return else None,
        "income_govt_grants": latest_return.income_govt_grants if latest_return else None,
        "return_year_end": latest_return.fin_period_end if latest_return else None,
    }
    facts["sources"] = _register_sources(facts)
    return facts


__all__ = [
    "Relationship",
    "SearchResult",
    "Suggestion",
    "buyers_of",
    "co_suppliers",
    "funders_of",
    "register_facts",
    "search_organisations",
    "suggested_facts",
]
