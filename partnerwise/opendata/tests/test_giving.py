"""The 360Giving importer: the real COVID-19 file, the messy 2016 GrantNav files, sheets."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from partnerwise.conftest import Cast
from partnerwise.opendata.directory import funders_of
from partnerwise.opendata.models import Grant
from partnerwise.opendata.tests.conftest import GRANTS, run, snapshot
from partnerwise.organisations.models import Identifier

COVID = GRANTS / "covid19-tracker-grants-2020-04-16.json"
DULVERTON = GRANTS / "grantnav-sample-2016" / "dulverton.json"
HEADINGS = [
    "Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
    "Recipient Org:Identifier", "Recipient Org:Name", "Recipient Org:Charity Number",
    "Funding Org:Identifier", "Funding Org:Name", "Grant Programme:Title",
]  # fmt: skip


def _grants(path: Path) -> list[dict[str, object]]:
    grants: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))["grants"]
    return grants


def test_covid_file_is_valid_and_imported(db: None) -> None:
    output = run("360giving", str(COVID))
    grants = _grants(COVID)
    assert Grant.objects.count() == len(grants)
    assert "does not follow 360Giving" not in output  # valid against 1.4.3 (SOURCES.md)
    sample = grants[0]
    grant = Grant.objects.get(grant_id=sample["id"])
    funder = sample["fundingOrganization"][0]  # type: ignore[index]
    recipient = sample["recipientOrganization"][0]  # type: ignore[index]
    assert grant.amount == Decimal(str(sample["amountAwarded"]))
    assert str(grant.award_date) == sample["awardDate"]
    assert grant.funder.identifiers.filter(value=funder["id"]).exists()
    assert grant.recipient.identifiers.filter(value=recipient["id"]).exists()
    assert grant.funder.workspace is None


def test_messy_grantnav_file_is_read_with_warnings(db: None) -> None:
    output = run("360giving", str(DULVERTON))
    grants = _grants(DULVERTON)
    assert Grant.objects.count() == len({g["id"] for g in grants})
    assert "awardDate written dd/mm/yyyy, read as day/month/year" in output
    assert "old column 'Project Start Date' read as plannedDates startDate" in output
    day, month, year = str(grants[0]["awardDate"]).split("/")
    grant = Grant.objects.get(grant_id=grants[0]["id"])
    assert grant.award_date is not None
    assert (grant.award_date.year, grant.award_date.month, grant.award_date.day) == (
        int(year),
        int(month),
        int(day),
    )


def test_reimport_changes_nothing(db: None) -> None:
    run("360giving", str(COVID), str(DULVERTON))
    before = snapshot()
    output = run("360giving", str(COVID), str(DULVERTON))
    after = snapshot()
    before.pop("opendata.ImportRun")
    after.pop("opendata.ImportRun")
    assert after == before
    assert "grants: new" not in output


def _sheet_rows() -> list[list[str]]:
    return [
        ["360G-test-1", "Food bank", "Winter food", "GBP", "1,500.00", "14/02/2024",
         "GB-CHC-1082947", "Crisis UK", "1082947", "GB-CHC-299963", "Woodward", "Winter"],
        ["360G-test-2", "Outreach", "Street work", "GBP", "2500", "2024-03-01",
         "GB-COH-03911478", "Example Ltd", "", "GB-CHC-299963", "Woodward", ""],
    ]  # fmt: skip


def test_csv_spreadsheet_with_standard_titles(db: None, tmp_path: Path) -> None:
    path = tmp_path / "grants.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADINGS, *_sheet_rows()])
    output = run("360giving", str(path))
    first = Grant.objects.get(grant_id="360G-test-1")
    assert first.amount == Decimal("1500.00")
    assert str(first.award_date) == "2024-02-14"
    assert first.programme == "Winter"
    assert first.recipient.identifiers.filter(value="GB-CHC-1082947").exists()
    assert Grant.objects.get(grant_id="360G-test-2").funder == first.funder
    assert "amountAwarded written as text" in output


def test_xlsx_spreadsheet(db: None, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "grants"
    for row in [HEADINGS, *_sheet_rows()]:
        sheet.append(row)
    path = tmp_path / "grants.xlsx"
    book.save(path)
    run("360giving", str(path))
    assert set(Grant.objects.values_list("grant_id", flat=True)) == {"360G-test-1", "360G-test-2"}


def test_grant_without_amount_fails_unless_skipped(db: None, tmp_path: Path) -> None:
    grants = _grants(COVID)[:5]
    del grants[2]["amountAwarded"]
    path = tmp_path / "package.json"
    path.write_text(json.dumps({"grants": grants}), encoding="utf-8")
    before = snapshot()
    with pytest.raises(
        CommandError, match=r"package.json, grant 3, field 'amountAwarded': missing"
    ):
        run("360giving", str(path))
    assert snapshot() == before
    output = run("360giving", str(path), "--skip-bad")
    assert "Skipped 1 bad records:" in output
    assert "package.json, grant 3, field 'amountAwarded'" in output
    assert Grant.objects.count() == 4


def test_schema_error_in_an_essential_field_is_a_bad_record(db: None, tmp_path: Path) -> None:
    grants = _grants(COVID)[:2]
    grants[1]["currency"] = "POUNDS"
    path = tmp_path / "package.json"
    path.write_text(json.dumps({"grants": grants}), encoding="utf-8")
    with pytest.raises(CommandError, match=r"grant 2, field 'currency'.*360Giving 1.4.3"):
        run("360giving", str(path))


def test_cut_off_json_fails_cleanly(db: None, tmp_path: Path) -> None:
    run("360giving", str(COVID))
    before = snapshot()
    path = tmp_path / "cut.json"
    path.write_bytes(DULVERTON.read_bytes()[:200_000])
    with pytest.raises(CommandError, match=r"cut.json: broken JSON after grant \d+"):
        run("360giving", str(path))
    assert snapshot() == before


def test_wrong_encoding_and_missing_column_fail_cleanly(db: None, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        (
            ",".join(HEADINGS) + "\n" + ",".join(_sheet_rows()[1]).replace("Example", "Exémple")
        ).encode("latin-1")
    )
    with pytest.raises(CommandError, match=r"latin.csv: not UTF-8"):
        run("360giving", str(latin))
    nocol = tmp_path / "nocol.csv"
    nocol.write_text(",".join(HEADINGS[1:]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"nocol.csv, line 1: no 'Identifier' column"):
        run("360giving", str(nocol))
    assert not Grant.objects.exists()
    assert not Identifier.objects.exists()


# ------------------------------------------------ grants gone from a newer version of a file


def _version(tmp_path: Path, version: str, grants: list[dict[str, object]]) -> Path:
    """`grants.json` as one version of a publisher's file: same name, its own folder."""
    folder = tmp_path / version
    folder.mkdir(exist_ok=True)
    path = folder / "grants.json"
    path.write_text(json.dumps({"grants": grants}), encoding="utf-8")
    return path


def _lone_grant(grants: list[dict[str, object]]) -> dict[str, object]:
    """A grant whose recipient gets no other grant in `grants` (read plainly)."""
    recipients = [g["recipientOrganization"][0]["id"] for g in grants]  # type: ignore[index]
    return next(g for g, r in zip(grants, recipients, strict=True) if recipients.count(r) == 1)


def _funder_ids(grant: Grant) -> set[str | None]:
    return {r.organisation.primary_identifier() for r in funders_of(grant.recipient)}


def test_grant_dropped_from_a_newer_file_is_marked_removed(db: None, tmp_path: Path) -> None:
    grants = _grants(COVID)[:8]
    dropped = _lone_grant(grants)
    funder_id = dropped["fundingOrganization"][0]["id"]  # type: ignore[index]
    original = _version(tmp_path, "v1", grants)
    newer = _version(tmp_path, "v2", [g for g in grants if g is not dropped])
    run("360giving", str(original))
    grant = Grant.objects.get(grant_id=dropped["id"])
    assert funder_id in _funder_ids(grant)

    output = run("360giving", str(newer))
    assert "grants: no longer in the file (marked removed): 1" in output
    grant.refresh_from_db()
    assert grant.in_latest_file is False
    assert grant.removed_on == timezone.localdate()
    assert Grant.objects.count() == len(grants)  # kept, only marked
    assert Grant.objects.filter(in_latest_file=True).count() == len(grants) - 1
    assert funder_id not in _funder_ids(grant)

    output = run("360giving", str(original))  # the publisher puts it back
    assert "grants: back in the file (no longer marked removed): 1" in output
    assert "marked removed" not in output.replace("no longer marked removed", "")
    grant = Grant.objects.get(grant_id=dropped["id"])
    assert (grant.in_latest_file, grant.removed_on) == (True, None)
    assert funder_id in _funder_ids(grant)


def test_rerunning_a_newer_file_changes_nothing(db: None, tmp_path: Path) -> None:
    grants = _grants(COVID)[:8]
    run("360giving", str(_version(tmp_path, "v1", grants)))
    newer = _version(tmp_path, "v2", grants[1:])
    run("360giving", str(newer))
    before = snapshot()
    output = run("360giving", str(newer))
    after = snapshot()
    before.pop("opendata.ImportRun")
    after.pop("opendata.ImportRun")
    assert after == before
    assert "marked removed" not in output
    assert f"grants: unchanged: {len(grants) - 1}" in output


def test_another_file_name_removes_nothing(db: None, tmp_path: Path) -> None:
    grants = _grants(COVID)[:8]
    first = tmp_path / "first.json"
    first.write_text(json.dumps({"grants": grants[:5]}), encoding="utf-8")
    second = tmp_path / "second.json"
    second.write_text(json.dumps({"grants": grants[5:]}), encoding="utf-8")
    run("360giving", str(first))
    output = run("360giving", str(second))
    assert "marked removed" not in output
    assert Grant.objects.filter(in_latest_file=True).count() == len(grants)
    assert set(
        Grant.objects.filter(source_file="first.json").values_list("grant_id", flat=True)
    ) == {g["id"] for g in grants[:5]}


def test_a_grant_that_moves_to_another_file_belongs_to_it(db: None, tmp_path: Path) -> None:
    grants = _grants(COVID)[:8]
    moved = grants[4]
    run("360giving", str(_version(tmp_path, "v1", grants[:5])))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"grants": [moved]}), encoding="utf-8")
    run("360giving", str(other))
    assert Grant.objects.get(grant_id=moved["id"]).source_file == "other.json"
    # The first file drops it: it lives on in other.json, so it is not removed.
    output = run("360giving", str(_version(tmp_path, "v2", grants[:4])))
    assert "marked removed" not in output
    assert Grant.objects.get(grant_id=moved["id"]).in_latest_file is True


def test_dry_run_of_a_newer_file_writes_nothing(db: None, tmp_path: Path) -> None:
    grants = _grants(COVID)[:8]
    run("360giving", str(_version(tmp_path, "v1", grants)))
    before = snapshot()
    output = run("360giving", str(_version(tmp_path, "v2", grants[2:])), "--dry-run")
    assert "Dry run: nothing was written." in output
    assert "grants: no longer in the file (marked removed): 2" in output
    assert snapshot() == before


def test_a_failing_newer_file_leaves_the_old_state(db: None, tmp_path: Path) -> None:
    grants = _grants(COVID)[:8]
    run("360giving", str(_version(tmp_path, "v1", grants)))
    before = snapshot()
    bad = json.loads(json.dumps(grants[1:]))
    del bad[-1]["amountAwarded"]
    with pytest.raises(CommandError, match=r"grants.json, grant 7, field 'amountAwarded'"):
        run("360giving", str(_version(tmp_path, "bad", bad)))
    assert snapshot() == before
    cut = tmp_path / "cut" / "grants.json"
    cut.parent.mkdir()
    cut.write_bytes(_version(tmp_path, "whole", grants[1:]).read_bytes()[:3000])
    with pytest.raises(CommandError, match=r"grants.json: broken JSON"):
        run("360giving", str(cut))
    assert snapshot() == before
    assert not Grant.objects.filter(in_latest_file=False).exists()


def test_a_skipped_bad_record_removes_nothing_from_its_file(db: None, tmp_path: Path) -> None:
    grants = _grants(COVID)[:8]
    run("360giving", str(_version(tmp_path, "v1", grants)))
    newer = json.loads(json.dumps(grants[1:]))  # grants[0] really is gone ...
    del newer[2]["amountAwarded"]  # ... but this one is only unreadable
    output = run("360giving", str(_version(tmp_path, "v2", newer)), "--skip-bad")
    assert "Skipped 1 bad records:" in output
    assert (
        "grants.json: 1 bad record(s) skipped, so none of its grants were marked removed" in output
    )
    assert "marked removed:" not in output
    assert not Grant.objects.filter(in_latest_file=False).exists()
    # Once the file reads cleanly again, what is gone is recorded.
    output = run("360giving", str(_version(tmp_path, "v3", grants[1:])))
    assert "grants: no longer in the file (marked removed): 1" in output
    assert list(Grant.objects.filter(in_latest_file=False).values_list("grant_id", flat=True)) == [
        grants[0]["id"]
    ]


def test_organisation_page_no_longer_shows_a_removed_grant(cast: Cast, tmp_path: Path) -> None:
    grants = _grants(COVID)[:8]
    dropped = _lone_grant(grants)
    run("360giving", str(_version(tmp_path, "v1", grants)))
    grant = Grant.objects.select_related("funder", "recipient").get(grant_id=dropped["id"])
    client = Client()
    client.force_login(cast.viewer)
    page = f"/w/{cast.workspace.slug}/organisations/{grant.recipient.pk}/"
    funder = f'/organisations/{grant.funder.pk}/">{escape(grant.funder.name)}</a>'
    response = client.get(page)
    assert response.status_code == 200
    assert "Who funds them" in response.text
    assert funder in response.text
    run("360giving", str(_version(tmp_path, "v2", [g for g in grants if g is not dropped])))
    response = client.get(page)
    assert response.status_code == 200
    assert funder not in response.text


def test_a_value_checked_once_is_still_checked_where_it_differs() -> None:
    """Values found valid are remembered per property (grants repeat their funder and
    recipient); a value that only looks the same, or the same value elsewhere, is checked."""
    from partnerwise.opendata.readers.giving import schema_errors

    recipient = [{"id": "GB-CHC-1000001", "name": "A Trust"}]
    first = {"amountAwarded": 1, "title": "Roof", "recipientOrganization": recipient}
    assert schema_errors(first) == []
    assert schema_errors(first) == []
    paths = {
        path
        for grant in (
            {"amountAwarded": True},  # equal to 1 in Python, not a number to the schema
            {"title": 1},  # valid as an amount, not as a title
            {"recipientOrganization": [{"id": "GB-CHC-1000001", "name": 1}]},
            {"recipientOrganization": [{"id": "GB-CHC-1000001", "name": 1}]},  # again
        )
        for _, path, _ in schema_errors(grant)
    }
    assert paths == {"amountAwarded", "title", "recipientOrganization/0/name"}
    assert len(schema_errors({"recipientOrganization": [{"id": "GB-CHC-1", "name": 1}]})) == 1


def test_long_values_are_checked_but_not_remembered() -> None:
    from partnerwise.opendata.readers import content_key, giving

    long_programme, short_programme = [{"title": "Roof " * 200}], [{"title": "Roof"}]
    assert giving.schema_errors({"grantProgramme": long_programme}) == []
    assert giving.schema_errors({"grantProgramme": short_programme}) == []
    remembered = giving._rules()["grantProgramme"].valid
    assert content_key(short_programme) in remembered
    assert content_key(long_programme) not in remembered
    assert giving.schema_errors({"grantProgramme": [{"title": 7}]})  # still checked


def test_values_whose_schema_is_a_type_are_checked_by_their_type() -> None:
    from partnerwise.opendata.readers import giving

    assert giving.schema_errors({"title": "Roof", "amountAwarded": Decimal("5.5")}) == []
    assert giving.schema_errors({"id": "1", "amountAwarded": 12}) == []
    wrong = giving.schema_errors({"title": 12, "amountAwarded": "5", "id": True})
    assert sorted(path for _, path, _ in wrong) == ["amountAwarded", "id", "title"]
