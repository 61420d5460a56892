"""Real files from other publishers (issue 13): every shape of OCDS, Excel-typed sheets,
impossible values, other currencies, and the messages each problem gives.

The data is built here (a few releases or grants each) or is one of the small real files in
data/real-world-extra (SOURCES.md there says what is odd in each)."""

from __future__ import annotations

import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from partnerwise.opendata.directory import buyers_of, funders_of, suggested_facts
from partnerwise.opendata.loaders import giving
from partnerwise.opendata.models import Award, Grant
from partnerwise.opendata.tests.conftest import DATA, run, snapshot

EXTRA = DATA / "real-world-extra"
CDMX_10 = EXTRA / "ocds" / "mx-cdmx-1.0-release-package-2.json"
CDMX_COMPILED = EXTRA / "ocds" / "mx-cdmx-compiled-release-2.json"
CDMX_LINES = EXTRA / "ocds" / "mx-cdmx-record-package_split.json"
JALISCO_RECORD = EXTRA / "ocds" / "mx-jalisco-1.1-record-package-SFIN-03-0007.json"
DNCP_10 = EXTRA / "ocds" / "py-dncp-1.0-award-usd-280555.json"
ALWF = EXTRA / "360giving" / "alwf-a003W000001B7PzQAK.xlsx"


def _grant(number: int, **changes: Any) -> dict[str, Any]:
    grant = {
        "id": f"360G-test-{number}",
        "title": "Youth work",
        "currency": "GBP",
        "amountAwarded": 1000,
        "awardDate": "2020-01-02",
        "fundingOrganization": [{"id": "GB-CHC-1082947", "name": "Crisis"}],
        "recipientOrganization": [{"id": "GB-CHC-226171", "name": "Nacro"}],
    }
    grant.update(changes)
    return grant


def _grants_file(path: Path, grants: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"grants": grants}), encoding="utf-8")
    return path


def _release(number: int, **changes: Any) -> dict[str, Any]:
    """An OCDS 1.1 award release from a UK council to a charity."""
    release: dict[str, Any] = {
        "ocid": f"ocds-b5fd17-test-{number}",
        "id": f"release-{number}",
        "date": "2020-01-02T10:00:00Z",
        "tag": ["award"],
        "buyer": {"id": "buyer", "name": "Leeds City Council"},
        "parties": [
            {"id": "buyer", "name": "Leeds City Council", "roles": ["buyer"]},
            {
                "id": "GB-CHC-226171",
                "name": "Nacro",
                "roles": ["supplier"],
                "identifier": {"scheme": "GB-CHC", "id": "226171"},
            },
        ],
        "awards": [
            {
                "id": f"award-{number}",
                "status": "active",
                "date": "2020-01-01",
                "value": {"amount": 5000, "currency": "GBP"},
                "suppliers": [{"id": "GB-CHC-226171", "name": "Nacro"}],
            }
        ],
    }
    release.update(changes)
    return release


def _package(path: Path, releases: list[dict[str, Any]], **top: Any) -> Path:
    path.write_text(json.dumps({"version": "1.1", **top, "releases": releases}), encoding="utf-8")
    return path


# ------------------------------------------------------------------ impossible values


def test_impossible_award_date_in_a_grant_is_a_bad_record(db: None, tmp_path: Path) -> None:
    path = _grants_file(tmp_path / "g.json", [_grant(1), _grant(2, awardDate="2020-02-30")])
    before = snapshot()
    with pytest.raises(CommandError, match=r"g.json, grant 2, field 'awardDate'"):
        run("360giving", str(path))
    assert snapshot() == before
    output = run("360giving", str(path), "--skip-bad")
    assert "g.json, grant 2, field 'awardDate'" in output
    assert list(Grant.objects.values_list("grant_id", flat=True)) == ["360G-test-1"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2020-13-01T00:00:00Z"}, "date"),
        ({"awards": [{**_release(9)["awards"][0], "date": "2020-02-30"}]}, "awards/0/date"),
        (
            {
                "awards": [
                    {**_release(9)["awards"][0], "value": {"amount": 1e20, "currency": "GBP"}}
                ]
            },
            "awards/0/value/amount",
        ),
    ],
)
def test_impossible_release_values_are_bad_records(
    db: None, tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    path = _package(tmp_path / "p.json", [_release(1), _release(2, **change)])
    with pytest.raises(CommandError, match=rf"p.json, release 2, field '{field}'"):
        run("ocds", str(path))
    output = run("ocds", str(path), "--skip-bad")
    assert f"p.json, release 2, field '{field}'" in output
    assert Award.objects.count() == 1


def test_an_amount_too_large_for_the_database_is_a_bad_record(db: None, tmp_path: Path) -> None:
    path = _grants_file(tmp_path / "g.json", [_grant(1, amountAwarded=10**16)])
    with pytest.raises(CommandError, match=r"grant 1, field 'amountAwarded': amount too large"):
        run("360giving", str(path))


def test_unreadable_amount_names_its_own_field(db: None, tmp_path: Path) -> None:
    grant = _grant(1, amountAwarded="about a thousand", plannedDates=[{"startDate": "1/2/2020"}])
    path = _grants_file(tmp_path / "g.json", [grant])
    with pytest.raises(CommandError, match=r"grant 1, field 'amountAwarded'"):
        run("360giving", str(path))


def test_naive_release_dates_are_read_as_utc_without_a_warning(db: None, tmp_path: Path) -> None:
    path = _package(tmp_path / "p.json", [_release(1, date="2020-01-02T10:00:00")])
    run("ocds", str(path))  # warnings are errors in the tests: Django's naive one would fail
    stored = Award.objects.get().release_date
    assert stored is not None
    assert stored.isoformat() == "2020-01-02T10:00:00+00:00"


# ------------------------------------------------------------------ currencies


def _armenian_award(number: int) -> dict[str, Any]:
    release = _release(number, ocid=f"ocds-arm-{number}")
    release["buyer"] = {"id": "min", "name": "Ministry of Finance of the Republic of Armenia"}
    release["parties"][0] = {"id": "min", "name": release["buyer"]["name"], "roles": ["buyer"]}
    release["awards"][0]["value"] = {"amount": 51_811_000, "currency": "AMD"}
    return release


def test_other_currencies_are_never_summed_with_pounds(db: None, tmp_path: Path) -> None:
    path = _package(tmp_path / "p.json", [_release(1), _armenian_award(2)])
    run("ocds", str(path))
    armenian = Award.objects.get(currency="AMD")
    assert armenian.buyer_is_central_government is False  # not UK central government
    supplier = armenian.supplier
    rows = {row.organisation.name: row for row in buyers_of(supplier)}
    assert rows["Leeds City Council"].total == Decimal(5000)
    ministry = rows["Ministry of Finance of the Republic of Armenia"]
    assert ministry.total is None
    assert ministry.other_totals_shown == ["51,811,000 AMD"]
    assert not [s for s in suggested_facts(supplier) if s.indicator_id == "gov_prime"]


def test_uk_ministry_is_still_central_government(db: None, tmp_path: Path) -> None:
    release = _release(1)
    release["buyer"] = {"id": "moj", "name": "Ministry of Justice"}
    release["parties"][0] = {"id": "moj", "name": "Ministry of Justice", "roles": ["buyer"]}
    run("ocds", str(_package(tmp_path / "p.json", [release])))
    assert Award.objects.get().buyer_is_central_government is True


def test_grant_totals_keep_pounds_apart(db: None, tmp_path: Path) -> None:
    dollars = _grant(2, currency="USD", amountAwarded=700)
    run("360giving", str(_grants_file(tmp_path / "g.json", [_grant(1), dollars])))
    (row,) = funders_of(Grant.objects.first().recipient)  # type: ignore[union-attr]
    assert row.total == Decimal(1000)
    assert row.other_totals_shown == ["700 USD"]


# ------------------------------------------------------------------ shapes of OCDS


def test_ocds_10_package_with_inline_buyer_and_suppliers(db: None) -> None:
    output = run("ocds", str(CDMX_10))
    assert "files: OCDS 1.0 release package: 1" in output
    assert "no buyer" not in output
    award = Award.objects.first()
    assert award is not None
    assert award.buyer.name == "SECRETARÍA DE FINANZAS"
    assert award.currency == "USD"
    assert not award.buyer_is_central_government


def test_ocds_10_award_without_a_buyer_is_warned_not_lost_silently(db: None) -> None:
    output = run("ocds", str(DNCP_10))
    assert "release with awards but no buyer, skipped" in output


def test_record_package_bare_release_and_json_lines(db: None) -> None:
    output = run("ocds", str(JALISCO_RECORD))
    assert "files: OCDS 1.1 record package: 1" in output  # version comes after the records
    assert Award.objects.filter(currency="MXN").exists()
    output = run("ocds", str(CDMX_COMPILED))
    assert "files: OCDS 1.0 release: 1" in output
    output = run("ocds", str(CDMX_LINES))
    assert "files: JSON Lines: 1" in output
    assert "cut off" not in output
    assert Award.objects.filter(ocid="OCDS-87SD3T-AD-SF-DRM-065-2015").exists()


def test_zip_and_directory_of_ocds_files(db: None, tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    folder.mkdir()
    _package(folder / "a.json", [_release(1)])
    _package(folder / "b.json", [_release(2)])
    (folder / "notes.txt").write_text("not data", encoding="utf-8")
    output = run("ocds", str(folder))
    assert "awards: new: 2" in output
    archive = tmp_path / "releases.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("c.json", json.dumps({"version": "1.1", "releases": [_release(3)]}))
        out.write(CDMX_LINES, "lines.jsonl")
    output = run("ocds", str(archive))
    assert Award.objects.filter(ocid="ocds-b5fd17-test-3", source_file="releases.zip").exists()


def test_files_that_are_not_ocds_are_refused_saying_what_they_are(db: None, tmp_path: Path) -> None:
    grants = _grants_file(tmp_path / "grants.json", [_grant(1)])
    with pytest.raises(CommandError, match=r"grants.json: a 360Giving grants file, not OCDS"):
        run("ocds", str(grants))
    page = tmp_path / "page.json"
    page.write_text("<!DOCTYPE html><html></html>", encoding="utf-8")
    with pytest.raises(CommandError, match=r"page.json: an HTML or XML page"):
        run("ocds", str(page))
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([_release(1)]), encoding="utf-8")
    with pytest.raises(CommandError, match=r"list.json: a JSON list"):
        run("ocds", str(listing))
    future = _package(tmp_path / "future.json", [_release(1)], version="2.0")
    with pytest.raises(CommandError, match=r"OCDS version '2.0' is not read here"):
        run("ocds", str(future))


def test_text_amounts_in_ocds_are_read_with_a_warning(db: None, tmp_path: Path) -> None:
    text = _release(1)
    text["awards"][0]["value"] = {"amount": "300,000", "currency": "GBP"}
    words = _release(2)
    words["awards"][0]["value"] = {"amount": "three hundred", "currency": "GBP"}
    output = run("ocds", str(_package(tmp_path / "p.json", [text, words])))
    assert Award.objects.get(ocid="ocds-b5fd17-test-1").value == Decimal(300_000)
    assert Award.objects.get(ocid="ocds-b5fd17-test-2").value is None
    assert "amount written as text, read as a number" in output
    assert "amount written as text that is not a number, stored as no amount" in output


# ------------------------------------------------------------------ spreadsheets


def test_excel_typed_cells_are_converted_before_validation(db: None, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["Identifier", "Title", "Currency", "Amount Awarded", "Award Date",
         "Recipient Org:Identifier", "Recipient Org:Name", "Recipient Org:Charity Number",
         "Recipient Org:Postal Code", "Funding Org:Identifier", "Funding Org:Name"]
    )  # fmt: skip
    sheet.append(
        ["360G-x-1", "Grant", "GBP", 41133.770000000004, "01/02/2020", "360G-x-org-1",
         "Nacro", 226171, 7044, "GB-CHC-1082947", "Crisis"]
    )  # fmt: skip
    # A Scottish charity in the same column is a GB-SC org-id, not a broken GB-CHC one.
    sheet.append(
        ["360G-x-2", "Grant", "GBP", 500, "2020-02-01", "360G-x-org-2", "Scottish charity",
         "SC049135", "EH1 1AA", "GB-CHC-1082947", "Crisis"]
    )  # fmt: skip
    path = tmp_path / "typed.xlsx"
    book.save(path)
    output = run("360giving", str(path))
    assert "identifier not usable" not in output
    grant = Grant.objects.get(grant_id="360G-x-1")
    assert grant.amount == Decimal("41133.77")
    assert grant.recipient.identifiers.filter(value="GB-CHC-226171").exists()
    scottish = Grant.objects.get(grant_id="360G-x-2").recipient
    assert scottish.identifiers.filter(value="GB-SC-SC049135").exists()


def test_real_foundation_spreadsheet_with_numeric_charity_numbers(db: None) -> None:
    output = run("360giving", str(ALWF), "--skip-bad")
    assert Grant.objects.count() >= 400
    assert "charityNumber" not in output.split("Skipped")[-1]


# ------------------------------------------------------------------ duplicates, messages


def test_repeated_grant_id_batches_apart_is_warned_and_counted_once(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(giving, "BATCH", 2)
    grants = [_grant(1), _grant(2), _grant(3), _grant(1, title="Again")]
    output = run("360giving", str(_grants_file(tmp_path / "g.json", grants)))
    assert "grant id given twice, the later one kept" in output
    assert "grants: changed" not in output
    assert "grants: new: 3" in output
    assert Grant.objects.get(grant_id="360G-test-1").title == "Again"


def test_messages_for_encoding_json_lines_directories_and_dry_runs(
    db: None, tmp_path: Path
) -> None:
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps({"grants": [_grant(1, title="Café")]}, ensure_ascii=False)
                      .encode("latin-1"))  # fmt: skip
    with pytest.raises(CommandError) as error:
        run("360giving", str(latin))
    assert "latin.json: not UTF-8 text" in str(error.value)
    assert "b'" not in str(error.value) and "\\x" not in str(error.value)
    lines = tmp_path / "lines.json"
    lines.write_text(json.dumps(_grant(1)) + "\n" + json.dumps(_grant(2)) + "\n", "utf-8")
    with pytest.raises(CommandError) as error:
        run("360giving", str(lines))
    assert "cut off" not in str(error.value)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CommandError, match=r"a directory with no .json"):
        run("360giving", str(empty))
    shutil.copy(CDMX_10, empty / "cdmx.json")
    output = run("ocds", str(empty), "--dry-run")
    assert "Imported" not in output
    assert "Would import ocds (dry run, rolled back):" in output
    assert not Award.objects.exists()
