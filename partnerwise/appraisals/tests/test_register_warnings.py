"""The register's warning signs about partners are offered as evidence in the appraisal's
risks (issue 13), with source and date, never where the data is missing, in one batch of
queries however many partners there are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerwise.appraisals.appraising import appraise
from partnerwise.conftest import Cast
from partnerwise.opendata.models import CharityReturnHistory, RegisterCharity, RegisterTable
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation

EXTRACT = dt.date(2024, 9, 10)
FALL = "Their income fell 38% in two years"


def _register(org: Organisation, number: int, incomes: list[int | None]) -> None:
    org.add_identifier(f"GB-CHC-{number}")
    RegisterCharity.objects.create(
        organisation_number=number, registered_number=number, organisation=org,
        name=org.name, normalised=org.name.lower(), status="Registered",
        extract_date=EXTRACT, row_hash=number, source_file="t.zip",
    )  # fmt: skip
    RegisterTable.objects.get_or_create(
        table="charity_annual_return_history", defaults={"extract_date": EXTRACT}
    )
    for offset, income in enumerate(incomes):
        CharityReturnHistory.objects.create(
            registered_number=number, row_hash=number * 10 + offset,
            fin_period_end=dt.date(2021 + offset, 3, 31),
            total_income=None if income is None else Decimal(income),
            total_expenditure=None, return_due=dt.date(2022 + offset, 1, 31),
            return_received=dt.date(2022 + offset, 1, 10),
        )  # fmt: skip


def _partner(cast: Cast, name: str) -> Organisation:
    org = Organisation.objects.create(name=name)
    Participation.objects.create(
        workspace=cast.workspace, partnership=cast.partnership, organisation=org, role="member"
    )
    return org


def test_a_partners_income_fall_is_evidence_on_the_appraisal_and_board_paper(cast: Cast) -> None:
    _register(cast.prime, 1100001, [500_000, 420_000, 310_000])
    client = Client()
    client.force_login(cast.viewer)
    slug, pk = cast.workspace.slug, cast.partnership.pk
    for name in ("appraisals:appraisal", "appraisals:board_paper"):
        page = client.get(reverse(name, args=[slug, pk])).content.decode()
        risks = page.split("Risks</h2>", 1)[1]
        assert "Big Prime Ltd" in risks
        assert FALL in risks
        assert (
            "Charity Commission register, annual return history, extract of 10 September 2024"
            in risks
        )
        assert "ask how the sub-contract is funded" in risks
    picture = appraise(workspace=cast.workspace, partnership=cast.partnership)
    (warning,) = picture.to_dict()["register_warnings"]
    assert warning["organisation"] == "Big Prime Ltd"
    assert warning["evidence"].startswith(FALL)


def test_no_warning_where_the_data_is_missing_nor_about_us(cast: Cast) -> None:
    _register(cast.prime, 1100001, [500_000, None, None])  # one year: nothing to compare
    _register(cast.us, 1100002, [500_000, 420_000, 310_000])  # our own fall is not a partner's
    _partner(cast, "Unknown To The Register")
    picture = appraise(workspace=cast.workspace, partnership=cast.partnership)
    assert picture.register_warnings == []
    client = Client()
    client.force_login(cast.viewer)
    url = reverse("appraisals:appraisal", args=[cast.workspace.slug, cast.partnership.pk])
    assert "Warning signs from the register" not in client.get(url).content.decode()


def test_the_queries_do_not_grow_with_the_partners(cast: Cast) -> None:
    _register(cast.prime, 1100001, [500_000, 420_000, 310_000])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            appraise(workspace=cast.workspace, partnership=cast.partnership)
        return len(captured)

    queries()  # the first call fills caches (the typology)
    one = queries()
    for number in (1100011, 1100012, 1100013):
        _register(_partner(cast, f"Partner {number}"), number, [500_000, 420_000, 310_000])
    assert (
        len(appraise(workspace=cast.workspace, partnership=cast.partnership).register_warnings) == 4
    )
    assert queries() == one
