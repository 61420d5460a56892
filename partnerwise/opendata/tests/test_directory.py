"""Directory questions: search, suggested facts, who funds / buys from / supplies with."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection

from partnerwise.opendata.directory import (
    buyers_of,
    co_suppliers,
    funders_of,
    identifier_lookups,
    names_starting,
    register_facts,
    search_organisations,
    suggested_facts,
)
from partnerwise.opendata.models import Award, CharityOtherName, RegisterCharity, SearchName
from partnerwise.opendata.tests.conftest import GRANTS, OCDS, run, txt_table
from partnerwise.organisations.models import Identifier, Kind, Organisation
from partnerwise.workspaces.models import Workspace


def _charity() -> RegisterCharity:
    charity = (
        RegisterCharity.objects.filter(linked_number=0, organisation__isnull=False)
        .order_by("registered_number")
        .first()
    )
    assert charity is not None
    return charity


def test_search_by_name_prefix_number_and_other_name(imported_sample: Callable[[], str]) -> None:
    imported_sample()
    charity = _charity()
    words = charity.name.split()
    typed = " ".join(words[:2]).upper() + ("." if len(words) > 1 else "")
    found = search_organisations(typed[:-1] if typed.endswith(".") else typed)
    assert charity.organisation_id in [r.organisation.pk for r in found]

    by_number = search_organisations(str(charity.registered_number))
    assert by_number[0].organisation.pk == charity.organisation_id
    assert by_number[0].how == "identifier"

    other = CharityOtherName.objects.filter(
        registered_number__in=RegisterCharity.objects.filter(
            linked_number=0, organisation__isnull=False
        ).values("registered_number"),
        linked_number=0,
    ).first()
    assert other is not None
    owner = RegisterCharity.objects.get(registered_number=other.registered_number, linked_number=0)
    hits = search_organisations(other.name.lower())
    match = next(r for r in hits if r.organisation.pk == owner.organisation_id)
    assert match.how == "other name" and match.matched == other.name


def test_name_search_is_one_index_range(imported_sample: Callable[[], str]) -> None:
    """The prefix search uses the index made for it (migrations 0006 and 0009), which a
    later migration could drop without anyone noticing but for this test."""
    imported_sample()
    some = SearchName.objects.order_by("pk").first()
    assert some is not None
    query = names_starting(some.normalised[:4])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a table this small the planner would rather scan it, or fetch the range by
            # bitmap and sort it; forbid both to see whether the index can serve the query.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            plan = query.explain()
            index = "searchname_prefix_c"
        else:
            plan = query.explain()
            index = "searchname_prefix_binary"
    assert index in plan, plan
    assert "SORT" not in plan.upper(), plan  # the index gives the order too
    assert some in list(query)  # and the range finds what it should


def _plan(query: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Small tables: forbid the scan the planner would prefer, to see whether an
            # index can serve the query at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
        return str(query.explain())


def test_identifier_lookups_use_the_unique_indexes(imported_sample: Callable[[], str]) -> None:
    """Identifiers have no index on value alone (migration organisations.0003): each lookup
    must be served by one of the partial unique indexes, on either database."""
    imported_sample()
    ours = Workspace.objects.create(name="Ours", slug="ours")
    charity = _charity()
    value = f"GB-CHC-{charity.registered_number}"
    own = Organisation.objects.create(workspace=ours, name="Our copy")
    own.add_identifier(value)
    reference, workspace = identifier_lookups([value], ours)
    assert "reference_identifier_unique" in _plan(reference)
    assert "workspace_identifier_unique" in _plan(workspace)
    assert [i.organisation_id for i in reference] == [charity.organisation_id]
    assert [i.organisation_id for i in workspace] == [own.pk]
    found = {
        hit.organisation.pk for hit in search_organisations(str(charity.registered_number), ours)
    }
    assert found == {charity.organisation_id, own.pk}


def test_search_never_shows_another_workspaces_records(db: None) -> None:
    ours = Workspace.objects.create(name="Ours", slug="ours")
    theirs = Workspace.objects.create(name="Theirs", slug="theirs")
    Organisation.objects.create(workspace=ours, name="Zebra Outreach Project")
    Organisation.objects.create(name="Zebra Crossing Trust")  # reference data, no search name
    assert [r.organisation.name for r in search_organisations("zebra", ours)] == [
        "Zebra Outreach Project"
    ]
    assert search_organisations("zebra", theirs) == []
    assert search_organisations("zebra") == []


def test_size_gap_suggestion_from_incomes(db: None) -> None:
    us = Organisation.objects.create(name="Us", latest_income=Decimal(100_000))
    big = Organisation.objects.create(name="Big", latest_income=Decimal(2_000_000))
    small = Organisation.objects.create(name="Small", latest_income=Decimal(20_000))
    unknown = Organisation.objects.create(name="Unknown")
    [size] = [s for s in suggested_facts(big, relative_to=us) if s.indicator_id == "size_gap"]
    assert size.value == 5 and "20.0 times ours" in size.reason
    [size] = [s for s in suggested_facts(small, relative_to=us) if s.indicator_id == "size_gap"]
    assert size.value == 1 and "smaller" in size.reason
    assert not [s for s in suggested_facts(unknown, relative_to=us) if s.indicator_id == "size_gap"]
    assert not [s for s in suggested_facts(big) if s.indicator_id == "size_gap"]


def _award(buyer: Organisation, supplier: Organisation, value: int, **extra: object) -> Award:
    return Award.objects.create(
        key=f"k/{buyer.pk}/{supplier.pk}/{value}",
        ocid="ocds-x",
        release_id="r",
        award_id="a",
        buyer=buyer,
        supplier=supplier,
        value=Decimal(value),
        currency="GBP",
        source_file="t.json",
        row_hash=0,
        **extra,
    )


def test_gov_prime_and_vcse_suggestions(db: None) -> None:
    department = Organisation.objects.create(name="Ministry of Justice", kind=Kind.GOVERNMENT)
    council = Organisation.objects.create(name="A Council", kind=Kind.LOCAL_AUTHORITY)
    prime = Organisation.objects.create(name="Prime plc")
    local = Organisation.objects.create(name="Local Ltd")
    _award(department, prime, 5_000_000, buyer_is_central_government=True, supplier_vcse=False)
    _award(council, local, 50_000, supplier_vcse=True)
    facts = {s.indicator_id: s for s in suggested_facts(prime)}
    assert facts["gov_prime"].value == 4
    assert "Ministry of Justice" in facts["gov_prime"].reason
    assert facts["vcse"].value == 1
    facts = {s.indicator_id: s for s in suggested_facts(local)}
    assert "gov_prime" not in facts  # local-government work says nothing about primes
    assert facts["vcse"].value == 5


def test_who_funds_them_from_real_grants(db: None) -> None:
    path = GRANTS / "covid19-tracker-grants-2020-04-16.json"
    run("360giving", str(path))
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for grant in json.loads(path.read_text(encoding="utf-8"))["grants"]:
        recipient = grant["recipientOrganization"][0]["id"]
        funder = grant["fundingOrganization"][0]["id"]
        totals[recipient][funder] += Decimal(str(grant["amountAwarded"]))
    recipient_id, funders = next(
        (r, f) for r, f in totals.items() if Identifier.objects.filter(value=r).exists()
    )
    organisation = Identifier.objects.get(value=recipient_id).organisation
    result = {r.organisation.primary_identifier(): r.total for r in funders_of(organisation)}
    assert result == dict(funders)


def test_buyers_and_co_suppliers_from_real_awards(db: None) -> None:
    path = OCDS / "contracts-finder-search-2025-01-23.json"
    run("ocds", str(path))
    by_buyer: dict[int, set[int]] = defaultdict(set)
    for buyer, supplier in Award.objects.values_list("buyer", "supplier"):
        by_buyer[buyer].add(supplier)
    buyer_id, suppliers = next((b, s) for b, s in by_buyer.items() if len(s) > 1)
    first, *others = sorted(suppliers)
    found = Organisation.objects.get(pk=first)
    assert buyer_id in [r.organisation.pk for r in buyers_of(found)]
    co = {r.organisation.pk: r for r in co_suppliers(found)}
    assert set(others) <= set(co)
    buyer_name = Organisation.objects.get(pk=buyer_id).name
    assert buyer_name in co[others[0]].via


def test_register_facts_for_the_page(imported_sample: Callable[[], str]) -> None:
    imported_sample()
    header, rows = txt_table("charity_other_regulators")
    column = header.index("registered_charity_number")
    on_register = {c.registered_number: c for c in RegisterCharity.objects.filter(linked_number=0)}
    charity = next(on_register[int(r[column])] for r in rows if int(r[column]) in on_register)
    assert charity.organisation is not None
    facts = register_facts(charity.organisation)
    assert facts["charity_number"] == charity.registered_number
    expected = [
        r[header.index("regulator_name")]
        for r in rows
        if int(r[column]) == charity.registered_number
    ]
    assert expected
    assert sorted(facts["regulators"]) == sorted(expected)
