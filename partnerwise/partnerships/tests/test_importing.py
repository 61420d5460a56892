"""Importing a partner list: read, check, match, review, then save in one transaction."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from partnerwise.conftest import Cast
from partnerwise.organisations.models import Kind, Organisation
from partnerwise.partnerships import importing
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.models import ChangeRecord

HEADING = [
    "Organisation",
    "Identifier",
    "Partnership",
    "Form",
    "Status",
    "Role",
    "Value",
    "Start date",
    "End date",
]
ROWS = [
    [
        "Big Prime Ltd",
        "03911478",
        "Restart North",
        "Prime and sub-contract supply chain",
        "active",
        "Prime or lead",
        "£3,200,000",
        "01/04/2025",
        "31/03/2028",
    ],
    [
        "Newcastle City Council",
        "",
        "Restart North",
        "supply chain",
        "Active",
        "commissioner",
        "3200000",
        "2025-04-01",
        "2028-03-31",
    ],
    ["Tiny Food Bank", "", "Food referrals", "Referral network", "", "member", "", "", ""],
    [
        "Shelter Together",
        "",
        "Homes coalition",
        "influencing",
        "exploring",
        "Member",
        "",
        "1 May 2026",
        "",
    ],
]
BAD = ["", "", "Broken", "pyramid scheme", "active", "member", "lots", "31/02/2026", ""]


def csv_bytes(rows: list[list[str]]) -> bytes:
    lines = [",".join(f'"{cell}"' for cell in row) for row in [HEADING, *rows]]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADING, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def council(cast: Cast) -> Organisation:
    found = Organisation.objects.create(name="Newcastle City Council", kind=Kind.LOCAL_AUTHORITY)
    found.add_identifier("GB-LAE-NET", primary=True)
    return found


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_read(cast: Cast) -> None:
    plan = importing.read_plan(
        workspace=cast.workspace, filename="list.csv", content=csv_bytes([*ROWS, BAD])
    )
    where = {(p.line, p.column.split(" (")[0]) for p in plan.problems}
    assert where == {(6, "Organisation"), (6, "Form"), (6, "Value"), (6, "Start date")}
    assert any("“pyramid scheme” is not a form we know" in p.message for p in plan.problems)
    assert any(p.column == "Form (D)" for p in plan.problems)
    assert plan.matches == []


def test_rows_of_one_partnership_must_agree(cast: Cast) -> None:
    changed = [*ROWS]
    changed[1] = [*ROWS[1][:6], "999", *ROWS[1][7:]]
    plan = importing.read_plan(
        workspace=cast.workspace, filename="x.csv", content=csv_bytes(changed)
    )
    assert [(p.line, p.column) for p in plan.problems] == [(3, "Value")]
    assert "Differs from line 2" in plan.problems[0].message


def test_matches_are_proposed_by_number_and_by_name(cast: Cast, council: Organisation) -> None:
    plan = importing.read_plan(
        workspace=cast.workspace, filename="x.xlsx", content=xlsx_bytes(ROWS)
    )
    assert not plan.problems
    proposed = {match.name: match.proposed for match in plan.matches}
    assert proposed == {
        "Big Prime Ltd": str(cast.prime.pk),
        "Newcastle City Council": str(council.pk),
        "Tiny Food Bank": importing.PRIVATE,
        "Shelter Together": importing.PRIVATE,
    }
    assert plan.rows[0].value == "3200000.00" and plan.rows[0].start_date == "2025-04-01"


def test_unreadable_files_say_why(cast: Cast) -> None:
    for content, message in [
        (b"", "empty"),
        (b"PK\x03\x04garbage", "not an Excel"),
        (b"Name,Colour\nA,blue\n", None),
    ]:
        if message:
            with pytest.raises(importing.UnreadableFile, match=message):
                importing.read_plan(workspace=cast.workspace, filename="f.csv", content=content)
        else:
            plan = importing.read_plan(workspace=cast.workspace, filename="f.csv", content=content)
            assert [p.message for p in plan.problems] == [
                "No “Partnership” column in the heading row"
            ]


def upload(client: Client, name: str, content: bytes) -> object:
    return client.post(
        reverse("partnership_import", args=["hope"]),
        {"file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_partner_list_is_imported_after_review(
    cast: Cast, council: Organisation, client: Client, kind: str
) -> None:
    client.force_login(cast.editor)
    maker = csv_bytes if kind == "csv" else xlsx_bytes
    before = Partnership.objects.count()
    bad = upload(client, f"list.{kind}", maker([*ROWS, BAD]))
    page = bad.content.decode()  # type: ignore[attr-defined]
    assert "The file has 4 problems" in page and "Nothing has been saved" in page
    assert "<td>6</td><td>Form (D)</td>" in page
    assert Partnership.objects.count() == before

    response = upload(client, f"list.{kind}", maker(ROWS))
    assert response["Location"] == reverse("partnership_import_review", args=["hope"])  # type: ignore[index]
    review = client.get(response["Location"]).content.decode()  # type: ignore[index]
    assert "Check the matches" in review and "Tiny Food Bank" in review
    assert Partnership.objects.count() == before  # still nothing saved

    # Tiny Food Bank: record privately; Shelter Together: record privately; the rest as proposed.
    choices = {
        "match-0": str(cast.prime.pk),
        "match-1": str(council.pk),
        "match-2": "private",
        "match-3": "private",
    }
    done = client.post(reverse("partnership_import_review", args=["hope"]), choices)
    assert done.status_code == 302
    restart = Partnership.objects.get(workspace=cast.workspace, name="Restart North")
    assert (
        restart.value == 3200000 and restart.status == "active" and restart.form == "supply_chain"
    )
    assert {(p.organisation.name, p.role) for p in restart.participations.all()} == {
        ("Big Prime Ltd", "prime"),
        ("Newcastle City Council", "commissioner"),
    }
    tiny = Organisation.objects.get(name="Tiny Food Bank")
    assert tiny.workspace == cast.workspace
    assert Partnership.objects.count() == before + 3
    assert ChangeRecord.objects.filter(action="imported").count() == 3
    listing = client.get(reverse("partnership_list", args=["hope"])).content.decode()
    assert "Imported 3 partnerships with 4 partners (2 recorded privately)." in listing

    # The same file again: recorded partnerships are skipped, not doubled.
    upload(client, f"list.{kind}", maker(ROWS))
    client.post(
        reverse("partnership_import_review", args=["hope"]), {**choices, "match-2": str(tiny.pk)}
    )
    assert Partnership.objects.count() == before + 3


def test_choices_cannot_reach_another_workspace(
    cast: Cast, council: Organisation, client: Client
) -> None:
    secret = Organisation.objects.create(workspace=cast.other_workspace, name="Secret")
    client.force_login(cast.editor)
    upload(client, "list.csv", csv_bytes(ROWS))
    choices = {
        "match-0": str(secret.pk),
        "match-1": str(council.pk),
        "match-2": "private",
        "match-3": "private",
    }
    page = client.post(
        reverse("partnership_import_review", args=["hope"]), choices
    ).content.decode()
    assert "Choose a match for Big Prime Ltd" in page
    assert not Partnership.objects.filter(name="Restart North").exists()
    assert not Organisation.objects.filter(name="Tiny Food Bank").exists()  # one transaction


def test_outsiders_and_viewers_cannot_import(cast: Cast, client: Client) -> None:
    client.force_login(cast.outsider)
    assert client.get(reverse("partnership_import", args=["hope"])).status_code == 404
    client.force_login(cast.viewer)
    assert client.get(reverse("partnership_import", args=["hope"])).status_code == 403
