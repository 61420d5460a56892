"""Exports read back: parse the CSV, reopen the XLSX with openpyxl, call the API, and compare
with made-up records whose values are known. Another workspace's rows never appear."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from partnerwise.appraisals.models import Decision
from partnerwise.conftest import Api, Cast, rate
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation, Partnership

SECRET = "Secret Elsewhere"


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def records(cast: Cast) -> Cast:
    p = cast.partnership
    p.value = Decimal("250000.00")
    p.status = "active"
    p.start_date = date(2026, 4, 1)
    p.renewal_date = date(2027, 3, 31)
    p.save()
    p.participations.filter(organisation=cast.prime).update(share=Decimal("60.00"))
    p.participations.filter(organisation=cast.us).update(share=Decimal("12.50"))
    cast.prime.latest_income = Decimal("1200000000")
    cast.prime.latest_income_year_end = date(2026, 3, 31)
    cast.prime.save()
    rate(cast.workspace, p, cast.prime, cast.editor, {"power": 5, "slack": 1, "decisive": None},
         on=date(2026, 10, 1), rater_name="Sam Lead")  # fmt: skip
    rate(cast.workspace, p, cast.prime, cast.viewer, {"power": 4}, on=date(2026, 10, 2),
         rater_name="Alex Colleague")  # fmt: skip
    Decision.objects.create(
        workspace=cast.workspace, partnership=p, outcome="go_with_conditions",
        reasons="Fits our values", conditions="Full cost recovery", approved_by="Board",
        decided_on=date(2026, 11, 20), recommendation="go_with_conditions",
    )  # fmt: skip
    # Another workspace's records, which must never appear in ours.
    secret = Organisation.objects.create(name=SECRET)
    theirs = Partnership.objects.create(
        workspace=cast.other_workspace, name=f"{SECRET} deal", form="grant", value=Decimal(9)
    )
    Participation.objects.create(
        workspace=cast.other_workspace, partnership=theirs, organisation=secret, role="host"
    )
    rate(cast.other_workspace, theirs, secret, cast.outsider, {"power": 2},
         rater_name=f"{SECRET} rater")  # fmt: skip
    Decision.objects.create(
        workspace=cast.other_workspace, partnership=theirs, outcome="dont_go",
        reasons=SECRET, approved_by=SECRET, recommendation="dont_go",
    )  # fmt: skip
    return cast


def csv_rows(client: Client, table: str) -> list[dict[str, str]]:
    response = client.get(f"/w/hope/exports/{table}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


def sheet_rows(client: Client, table: str) -> tuple[list[str], list[tuple[object, ...]]]:
    response = client.get(f"/w/hope/exports/{table}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [str(h) for h in header], rows


def test_partnerships_as_csv(records: Cast) -> None:
    (row,) = csv_rows(signed_in(records.viewer), "partnerships")
    assert row["Name"] == "Restart sub-contract"
    assert row["Status"] == "Active"
    assert row["Start date"] == "2026-04-01" and row["Renewal date"] == "2027-03-31"
    assert row["End date"] == ""
    assert row["Value (£)"] == "250000"
    assert row["Number of participants"] == "2"
    assert row["Participants (role, share)"] == (
        "Big Prime Ltd (Prime or lead, 60%); Hope Housing (Sub-contractor or delivery partner, "
        "12.5%)"
    )


def test_partnerships_as_xlsx_keep_numbers_and_dates(records: Cast) -> None:
    header, rows = sheet_rows(signed_in(records.viewer), "partnerships")
    assert header[:8] == [
        "Partnership ID", "Name", "Form", "Status", "Start date", "End date", "Renewal date",
        "Value (£)",
    ]  # fmt: skip
    (row,) = rows
    values = dict(zip(header, row, strict=True))
    assert values["Value (£)"] == 250000 and isinstance(values["Value (£)"], int)
    assert values["Start date"] == datetime(2026, 4, 1)
    assert values["Number of participants"] == 2


def test_participants_carry_roles_shares_and_their_value(records: Cast) -> None:
    rows = csv_rows(signed_in(records.viewer), "participants")
    by_org = {row["Organisation"]: row for row in rows}
    assert by_org["Big Prime Ltd"]["Role"] == "Prime or lead"
    assert by_org["Big Prime Ltd"]["Org-id"] == "GB-COH-03911478"
    assert by_org["Big Prime Ltd"]["Value of share (£)"] == "150000"
    assert by_org["Hope Housing"]["Value of share (£)"] == "31250"
    header, xrows = sheet_rows(signed_in(records.viewer), "participants")
    shares = {r[header.index("Organisation")]: r[header.index("Share (%)")] for r in xrows}
    assert shares == {"Big Prime Ltd": 60, "Hope Housing": 12.5}


def test_organisations_with_register_facts(records: Cast) -> None:
    header, rows = sheet_rows(signed_in(records.viewer), "organisations")
    by_name = {r[header.index("Name")]: dict(zip(header, r, strict=True)) for r in rows}
    assert set(by_name) == {"Big Prime Ltd", "Hope Housing"}
    prime = by_name["Big Prime Ltd"]
    assert prime["Latest income (£)"] == 1200000000
    assert prime["Income for the year ending"] == datetime(2026, 3, 31)
    assert prime["Identifiers"] == "GB-COH-03911478"
    assert prime["Source"] == "Public register"
    assert prime["Places in our partnerships"] == 1


def test_ratings_one_row_per_rater_per_statement(records: Cast) -> None:
    rows = csv_rows(signed_in(records.viewer), "ratings")
    assert len(rows) == 4  # Sam: power, slack, decisive; Alex: power
    got = {(r["Rater"], r["Statement ID"]): (r["Answer (1-5)"], r["Answer in words"]) for r in rows}
    assert got == {
        ("Sam Lead", "decisive"): ("", "Don't know"),
        ("Sam Lead", "power"): ("5", "Strongly agree"),
        ("Sam Lead", "slack"): ("1", "Strongly disagree"),
        ("Alex Colleague", "power"): ("4", "Agree"),
    }
    power = next(r for r in rows if r["Statement ID"] == "power")
    assert power["Statement"].startswith("They hold more power")
    assert power["Date"] == "2026-10-01"
    header, xrows = sheet_rows(signed_in(records.viewer), "ratings")
    answers = sorted((r[header.index("Answer (1-5)")] for r in xrows), key=lambda v: (v is None, v))
    assert answers == [1, 4, 5, None]


def test_decisions(records: Cast) -> None:
    (row,) = csv_rows(signed_in(records.viewer), "decisions")
    assert row["Decision"] == "Go with conditions"
    assert row["Decided on"] == "2026-11-20"
    assert row["Conditions"] == "Full cost recovery"
    assert row["Recorded at (UTC)"][:4].isdigit() and "T" in row["Recorded at (UTC)"]


def test_everything_in_one_workbook_and_nothing_from_another_workspace(records: Cast) -> None:
    client = signed_in(records.viewer)
    response = client.get("/w/hope/exports/all.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert [s.title for s in book.worksheets] == [
        "Partnerships", "Participants", "Organisations", "Ratings",
        "Decisions",
    ]  # fmt: skip
    cells = [str(c) for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r]
    assert not any(SECRET in c for c in cells)
    for table in ("partnerships", "participants", "organisations", "ratings", "decisions"):
        body = b"".join(client.get(f"/w/hope/exports/{table}.csv").streaming_content)  # type: ignore[attr-defined]
        assert SECRET.encode() not in body
    # The outsider's own export has their rows and none of ours.
    theirs = b"".join(
        signed_in(records.outsider).get("/w/elsewhere/exports/partnerships.csv").streaming_content  # type: ignore[attr-defined]
    )
    assert SECRET.encode() in theirs and b"Restart" not in theirs


def test_outsiders_get_404_and_signed_out_people_sign_in(records: Cast) -> None:
    outsider = signed_in(records.outsider)
    for path in ("/w/hope/exports/", "/w/hope/exports/ratings.csv", "/w/hope/exports/all.xlsx"):
        assert outsider.get(path).status_code == 404
        assert Client().get(path).status_code == 302
    status, _ = Api(records.outsider).call("GET", "/w/hope/exports/ratings")
    assert status == 404


def test_unknown_tables_and_formats_are_404(records: Cast) -> None:
    client = signed_in(records.viewer)
    assert client.get("/w/hope/exports/secrets.csv").status_code == 404
    assert client.get("/w/hope/exports/ratings.pdf").status_code == 404
    assert client.get("/w/hope/exports/all.csv").status_code == 404
    page = client.get("/w/hope/exports/").content.decode()
    assert "/w/hope/exports/ratings.xlsx" in page


def test_text_that_looks_like_a_formula_stays_text(records: Cast) -> None:
    records.prime.name = '=HYPERLINK("http://evil.example","Click")'
    records.prime.save()
    rows = csv_rows(signed_in(records.viewer), "organisations")
    assert '\'=HYPERLINK("http://evil.example","Click")' in {r["Name"] for r in rows}
    response = signed_in(records.viewer).get("/w/hope/exports/organisations.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    (cell,) = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYP")]
    assert cell.data_type == "s"


def test_api_gives_the_same_rows_with_numbers_as_numbers(records: Cast) -> None:
    api = Api(records.viewer)
    status, body = api.call("GET", "/w/hope/exports/participants")
    assert status == 200
    rows = [dict(zip(body["columns"], row, strict=True)) for row in body["rows"]]
    by_org = {row["Organisation"]: row for row in rows}
    assert by_org["Hope Housing"]["Share (%)"] == 12.5
    assert by_org["Big Prime Ltd"]["Value of share (£)"] == 150000
    status, body = api.call("GET", "/w/hope/exports/partnerships")
    assert body["rows"][0][body["columns"].index("Start date")] == "2026-04-01"
    assert api.call("GET", "/w/hope/exports/nonsense")[0] == 404
    response = api.client.get(
        "/api/w/hope/exports/ratings/file?format=xlsx",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).worksheets[0].max_row == 5


def test_queries_do_not_grow_with_rows(records: Cast) -> None:
    client = signed_in(records.viewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/w/hope/exports/all.xlsx").status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        p = records.workspace.partnerships.create(name=f"P{n}", form="referral")
        org = Organisation.objects.create(name=f"Org {n}")
        p.participations.create(workspace=records.workspace, organisation=org, role="member")
        rate(records.workspace, p, org, records.editor, {"power": 3, "slack": 2})
    assert count() == few
