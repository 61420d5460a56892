"""Warning signs from the register (issue 13): each finding with its source and date, and
none where the data is missing. Data is built here, row by row; one test imports the
sample register to check the new tables arrive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from partnerwise.opendata.mergers import mergers_for
from partnerwise.opendata.models import (
    CharityAccounts,
    CharityReturnHistory,
    Merger,
    RegisterCharity,
    RegisterTable,
)
from partnerwise.opendata.page import open_data_context
from partnerwise.opendata.signs import register_signs
from partnerwise.opendata.tests.conftest import txt_table
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.models import Workspace

EXTRACT = dt.date(2024, 9, 10)


@pytest.fixture
def charity(db: None) -> Organisation:
    organisation = Organisation.objects.create(name="Hope Housing")
    organisation.identifiers.create(scheme="GB-CHC", value="GB-CHC-1100001", is_primary=True)
    RegisterCharity.objects.create(
        organisation_number=1, registered_number=1100001, organisation=organisation,
        name="Hope Housing", normalised="hope housing", status="Registered",
        extract_date=EXTRACT, row_hash=1, source_file="t.zip",
    )  # fmt: skip
    RegisterTable.objects.create(table="charity_annual_return_history", extract_date=EXTRACT)
    return organisation


def _history(year: int, income: int | None, spending: int | None, **dates: dt.date) -> None:
    CharityReturnHistory.objects.create(
        registered_number=1100001,
        row_hash=year,
        fin_period_end=dt.date(year, 3, 31),
        total_income=None if income is None else Decimal(income),
        total_expenditure=None if spending is None else Decimal(spending),
        return_due=dates.get("due", dt.date(year + 1, 1, 31)),
        return_received=dates.get("received", dt.date(year + 1, 1, 10)),
    )


def _kinds(organisation: Organisation) -> dict[str, str]:
    return {sign.kind: sign.text for sign in register_signs(organisation).warnings}


def test_income_falling_by_more_than_a_third_in_two_years(charity: Organisation) -> None:
    for year, income in [(2019, 480_000), (2020, 510_000), (2021, 500_000), (2022, 420_000),
                         (2023, 310_000)]:  # fmt: skip
        _history(year, income, income - 10_000)
    signs = register_signs(charity)
    assert [y.ending.year for y in signs.years] == [2019, 2020, 2021, 2022, 2023]
    (fall,) = signs.warnings
    assert fall.text == (
        "Their income fell 38% in two years, from £500,000 (year ending 31 March 2021) to "
        "£310,000 (year ending 31 March 2023)"
    )
    assert fall.source == (
        "Charity Commission register, annual return history, extract of 10 September 2024"
    )
    assert fall.date == dt.date(2023, 3, 31)
    assert "ask how the sub-contract is funded" in fall.evidence
    page = render_to_string("opendata/_organisation_facts.html", open_data_context(charity))
    assert "Their income fell 38% in two years" in page
    assert "Income and spending over 5 years" in page


def test_a_small_fall_and_healthy_years_give_no_warning(charity: Organisation) -> None:
    _history(2021, 500_000, 400_000)
    _history(2022, 450_000, 400_000)
    _history(2023, 400_000, 390_000)  # 20% down in two years: not a third
    assert _kinds(charity) == {}
    page = render_to_string("opendata/_organisation_facts.html", open_data_context(charity))
    assert "No warning sign in what the register gives (3 years of figures)" in page


def test_missing_figures_are_never_read_as_facts(charity: Organisation) -> None:
    _history(2021, 500_000, 400_000)
    _history(2022, None, None)  # suppressed or not filed: no figures
    _history(2023, None, None)
    signs = register_signs(charity)
    assert [y.ending.year for y in signs.years] == [2021]
    assert _kinds(charity) == {}
    assert not any(sign.kind == "reserves" for sign in signs.signs)  # no part B, no reserves
    page = render_to_string("opendata/_organisation_facts.html", open_data_context(charity))
    assert "Reserves" not in page and "fell" not in page


def test_spending_above_income_two_years_running(charity: Organisation) -> None:
    _history(2022, 300_000, 340_000)
    _history(2023, 290_000, 320_000)
    assert _kinds(charity)["deficit"].startswith(
        "They spent more than their income in each of the last two years (£340,000 against "
        "£300,000 in the year ending 31 March 2022"
    )


def test_reserves_low_and_healthy(charity: Organisation) -> None:
    accounts = CharityAccounts.objects.create(
        registered_number=1100001, row_hash=7, fin_period_end=dt.date(2023, 3, 31),
        total_expenditure=Decimal(1_200_000), reserves=Decimal(150_000),
    )  # fmt: skip
    assert _kinds(charity)["reserves"] == (
        "Reserves of £150,000, about 1.5 months of their spending (year ending 31 March 2023)"
    )
    accounts.reserves = Decimal(900_000)
    accounts.save()
    (fact,) = register_signs(charity).signs
    assert (fact.kind, fact.warning) == ("reserves", False)
    assert "9.0 months" in fact.text


def test_overdue_returns(charity: Organisation) -> None:
    _history(2022, 300_000, 250_000)
    CharityReturnHistory.objects.create(
        registered_number=1100001, row_hash=99, fin_period_end=dt.date(2023, 3, 31),
        return_due=dt.date(2024, 1, 31),
    )  # fmt: skip
    assert _kinds(charity)["overdue"] == (
        "The annual return for the year ending 31 March 2023 was due on 31 January 2024 and "
        "had not been received by 10 September 2024"
    )
    RegisterCharity.objects.update(reporting_status="Submission Overdue")
    assert _kinds(charity)["overdue"] == "The register's reporting status is 'Submission Overdue'"


def test_removed_insolvent_and_recent_merger(charity: Organisation) -> None:
    RegisterCharity.objects.update(status="Removed", removed_on=dt.date(2024, 5, 1), insolvent=True)
    Merger.objects.create(
        key="m", transferor="GB-CHC-1100001", transferor_name="Hope Housing",
        transferee="GB-CHC-1100002", transferee_name="Big Housing",
        transferred_on=dt.date(2024, 4, 30), source_file="m.csv", row_hash=1,
    )  # fmt: skip
    Merger.objects.create(
        key="old", transferor="GB-CHC-1000003", transferor_name="Old Friends",
        transferee="GB-CHC-1100001", transferee_name="Hope Housing",
        transferred_on=dt.date(2015, 1, 1), source_file="m.csv", row_hash=2,
    )  # fmt: skip
    kinds = _kinds(charity)
    assert kinds["removed"] == "Removed from the register on 1 May 2024"
    assert kinds["insolvent"] == "The register marks the charity insolvent"
    assert kinds["merger"] == "Transferred its property to Big Housing on 30 April 2024"
    assert list(kinds).count("merger") == 1  # the 2015 merger is not recent


def test_not_a_registered_charity_has_no_signs(db: None) -> None:
    other = Organisation.objects.create(name="Prime plc")
    assert not register_signs(other)
    page = render_to_string("opendata/_organisation_facts.html", open_data_context(other))
    assert "Warning signs" not in page


def test_imported_history_and_part_b_give_the_years(
    imported_sample: Callable[[], str],
) -> None:
    imported_sample()
    header, rows = txt_table("charity_annual_return_history")
    number, end, income = (
        header.index(name)
        for name in ("registered_charity_number", "fin_period_end_date", "total_gross_income")
    )
    counts: dict[str, int] = {}
    for row in rows:
        if row[income]:
            counts[row[number]] = counts.get(row[number], 0) + 1
    busiest = max(counts, key=lambda n: counts[n])
    organisation = RegisterCharity.objects.get(
        registered_number=int(busiest), linked_number=0
    ).organisation
    assert organisation is not None
    expected = sorted(
        (row[end][:10], Decimal(row[income]))
        for row in rows
        if row[number] == busiest and row[income]
    )[-5:]
    signs = register_signs(organisation)
    assert [(y.ending.isoformat(), y.income) for y in signs.years] == expected
    assert CharityAccounts.objects.filter(reserves__isnull=False).exists()


def test_a_partners_mergers_come_from_its_shared_identifiers_read_by_organisation(
    charity: Organisation,
) -> None:
    """Its identifiers are read through the organisation index alone (asking for "shared" in
    SQL had PostgreSQL without statistics read every shared identifier's index entry), and
    a workspace's own identifiers still count for nothing."""
    Merger.objects.create(
        key="m", transferor="GB-CHC-1100001", transferor_name="Hope Housing",
        transferee="GB-CHC-1100002", transferee_name="Big Housing",
        transferred_on=dt.date(2024, 4, 30), source_file="m.csv", row_hash=1,
    )  # fmt: skip
    workspace = Workspace.objects.create(name="Elsewhere", slug="elsewhere")
    private = Organisation.objects.create(name="Our copy", workspace=workspace)
    private.identifiers.create(scheme="GB-CHC", value="GB-CHC-1100002", workspace=workspace)
    with CaptureQueriesContext(connection) as queries:
        found = mergers_for([charity, private])
    assert [str(fact) for fact in found[charity.pk]] == [
        "Transferred its property to Big Housing on 30 April 2024"
    ]
    assert private.pk not in found
    first = queries.captured_queries[0]["sql"]
    assert '"organisations_identifier"' in first and "IS NULL" not in first
