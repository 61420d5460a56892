"""The Charity Commission register importer, on the real sample extract and broken copies."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection

from partnerwise.opendata.loaders import ccew
from partnerwise.opendata.loaders.sql import Stage
from partnerwise.opendata.models import (
    CharityAnnualReturn,
    CharityArea,
    CharityClassification,
    CharityOtherName,
    CharityRegulator,
    ImportRun,
    RegisterCharity,
    SearchName,
)
from partnerwise.opendata.names import normalise_name
from partnerwise.opendata.readers import BadRecord, Row, SourceError, background
from partnerwise.opendata.readers.ccew import open_extract
from partnerwise.opendata.tests.conftest import (
    REAL_CCEW,
    SAMPLE,
    run,
    snapshot,
    txt_table,
    write_txt_zip,
)
from partnerwise.organisations.models import Identifier, Organisation

Table = tuple[list[str], list[list[str]]]


@pytest.fixture(autouse=True, params=["in-process", "background, small chunks"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs both ways the loader reads: in this process in one chunk (what
    small files get), and in the background reader process in chunks of 97 rows (what the
    full register gets, in chunks of 50,000)."""
    if request.param != "in-process":
        monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 0)
        monkeypatch.setattr(ccew, "CHUNK", 97)
    else:
        monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 10**12)
    return str(request.param)


def _col(header: list[str], name: str) -> int:
    return header.index(name)


def test_txt_sample_fills_the_directory(
    imported_sample: Callable[[], str], sample_charity: Table
) -> None:
    output = imported_sample()
    header, rows = sample_charity
    number, linked = (
        _col(header, "registered_charity_number"),
        _col(header, "linked_charity_number"),
    )
    mains = {row[number] for row in rows if row[linked] == "0"}

    assert RegisterCharity.objects.count() == len(rows)
    assert Organisation.objects.reference().count() == len(mains)
    assert f"charity: new: {len(rows)}" in output
    tables: list[tuple[str, Any]] = [
        ("charity_other_regulators", CharityRegulator),
        ("charity_area_of_operation", CharityArea),
        ("charity_classification", CharityClassification),
        ("charity_annual_return_parta", CharityAnnualReturn),
    ]
    for table, model in tables:
        _, table_rows = txt_table(table)
        distinct = {tuple(row[1:]) for row in table_rows}  # identical rows are one fact
        assert model.objects.count() == len(distinct), table

    some = next(row for row in rows if row[linked] == "0")
    organisation = Identifier.objects.get(value=f"GB-CHC-{some[number]}").organisation
    assert organisation.name == some[_col(header, "charity_name")]
    assert organisation.workspace is None


def test_removed_and_linked_charities_follow_the_register(
    imported_sample: Callable[[], str], sample_charity: Table
) -> None:
    imported_sample()
    header, rows = sample_charity
    status, number, linked = (
        _col(header, "charity_registration_status"),
        _col(header, "registered_charity_number"),
        _col(header, "linked_charity_number"),
    )
    removed_main = next(r for r in rows if r[status] == "Removed" and r[linked] == "0")
    organisation = Identifier.objects.get(value=f"GB-CHC-{removed_main[number]}").organisation
    assert organisation.is_removed
    assert organisation.removed_on is not None

    mains = {r[number] for r in rows if r[linked] == "0"}
    sub = next(r for r in rows if r[linked] != "0" and r[number] in mains)
    row = RegisterCharity.objects.get(registered_number=sub[number], linked_number=int(sub[linked]))
    main = RegisterCharity.objects.get(registered_number=sub[number], linked_number=0)
    assert row.organisation_id == main.organisation_id
    # Linked charities have no org-id of their own.
    assert not Identifier.objects.filter(value__contains=f"{sub[number]}-").exists()


def test_json_and_txt_encodings_read_the_same(tmp_path: Path) -> None:
    """The JSON encoding (array with a byte-order mark) gives the same rows as the TXT."""
    txt = open_extract(SAMPLE / "publicextract.charity.zip")
    header, rows = txt_table("charity")
    records: list[dict[str, Any]] = [
        {key: (value or None) for key, value in zip(header, row, strict=True)} for row in rows
    ]
    for record in records:
        record["organisation_number"] = int(record["organisation_number"])
    path = tmp_path / "publicextract.charity.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("publicextract.charity.json", json.dumps(records).encode("utf-8-sig"))
    from_json = [r.data for r in open_extract(path).rows() if isinstance(r, Row)]
    from_txt = [r.data for r in txt.rows() if isinstance(r, Row)]
    assert len(from_json) == len(rows)
    assert from_json == from_txt


def test_real_json_table_with_bom(db: None) -> None:
    path = REAL_CCEW / "publicextract.charity_other_regulators.zip"
    with zipfile.ZipFile(path) as archive:
        records = json.loads(archive.read(archive.namelist()[0]).decode("utf-8-sig"))
    run("ccew", str(path))
    distinct = {
        tuple(sorted(r.items() - {("date_of_extract", r["date_of_extract"])})) for r in records
    }
    assert CharityRegulator.objects.count() == len(distinct)
    first = records[0]
    assert CharityRegulator.objects.filter(
        registered_number=first["registered_charity_number"], name=first["regulator_name"]
    ).exists()


def test_real_other_names_stream_into_search(
    db: None, tmp_path: Path, sample_charity: Table
) -> None:
    """The one test that reads the 40 MB other-names table (streamed by the reader)."""
    header, rows = sample_charity
    # A main charity numbered like a real one, so the real other names attach to it.
    with (
        zipfile.ZipFile(REAL_CCEW / "publicextract.charity_other_names.zip") as archive,
        archive.open(archive.namelist()[0]) as raw,
    ):
        head = raw.read(20_000).decode("utf-8-sig").splitlines()[:-1]
    records = [json.loads(line.lstrip("[,")) for line in head]
    first = next(r for r in records if r["linked_charity_number"] == 0)
    number = str(first["registered_charity_number"])
    row = list(rows[0])
    row[_col(header, "registered_charity_number")] = number
    row[_col(header, "linked_charity_number")] = str(first["linked_charity_number"])
    row[_col(header, "date_of_extract")] = "2024-09-10 00:00:00.0000000"
    charity = write_txt_zip(tmp_path / "charity.zip", "charity", header, [row])
    output = run("ccew", str(charity), str(REAL_CCEW / "publicextract.charity_other_names.zip"))

    assert CharityOtherName.objects.count() > 160_000
    assert "blank other name, row ignored" in output
    name = SearchName.objects.get(normalised=normalise_name(first["charity_name"]), source="ccew")
    assert name.organisation.identifiers.filter(value=f"GB-CHC-{number}").exists()


def test_reimport_changes_nothing(imported_sample: Callable[[], str]) -> None:
    imported_sample()
    before = snapshot()
    output = imported_sample()
    after = snapshot()
    after.pop("opendata.ImportRun")
    before.pop("opendata.ImportRun")
    assert after == before
    assert ": new:" not in output
    assert ImportRun.objects.count() == 2


def test_newer_extract_updates_and_records_removals(
    db: None, tmp_path: Path, sample_charity: Table
) -> None:
    header, rows = sample_charity
    col = {name: _col(header, name) for name in header}
    mains = [r for r in rows if r[col["linked_charity_number"]] == "0"]
    registered = [r for r in mains if r[col["charity_registration_status"]] == "Registered"]
    dropped, richer, closing = registered[0], registered[1], registered[2]
    run("ccew", str(SAMPLE / "publicextract.charity.zip"))

    newer = []
    for row in rows:
        if row is dropped:
            continue
        row = list(row)
        row[col["date_of_extract"]] = "2024-09-10 00:00:00.0000000"
        if row[col["organisation_number"]] == richer[col["organisation_number"]]:
            row[col["latest_income"]] = "987654.32"
        if row[col["organisation_number"]] == closing[col["organisation_number"]]:
            row[col["charity_registration_status"]] = "Removed"
            row[col["date_of_removal"]] = "2024-08-01 00:00:00.0000000"
        newer.append(row)
    path = write_txt_zip(tmp_path / "newer.zip", "charity", header, newer)
    output = run("ccew", str(path))

    def org(row: list[str]) -> Organisation:
        return Identifier.objects.get(
            value=f"GB-CHC-{row[col['registered_charity_number']]}"
        ).organisation

    assert org(richer).latest_income == Decimal("987654.32")
    assert org(closing).is_removed and str(org(closing).removed_on) == "2024-08-01"
    gone = RegisterCharity.objects.get(organisation_number=dropped[col["organisation_number"]])
    assert not gone.in_latest_extract and gone.is_removed
    assert org(dropped).is_removed  # kept, shown as removed
    assert "no longer in the extract (marked removed): 1" in output
    assert "charity: changed: 2" in output

    # And the old extract cannot roll the register back.
    with pytest.raises(CommandError, match="older than the one already imported"):
        run("ccew", str(SAMPLE / "publicextract.charity.zip"))


def test_child_table_is_replaced_by_set_difference_chunk_by_chunk(db: None, tmp_path: Path) -> None:
    """A child table's rows go in chunk by chunk (97 rows at a time in the background
    reading): a row given twice, chunks apart, is stored once; a newer table adds what is
    new and deletes what it no longer gives; the same table again changes nothing."""
    header, rows = txt_table("charity_classification")
    col = {name: _col(header, name) for name in header}
    first = write_txt_zip(
        tmp_path / "first.zip", "charity_classification", header, [*rows, rows[3]]
    )
    output = run("ccew", str(first))
    assert f"classification: rows read: {len(rows) + 1}" in output
    assert f"classification: new: {len(rows)}" in output
    assert CharityClassification.objects.count() == len(rows)

    newer = [list(row) for row in rows[5:]]  # the first five are gone
    for row in newer:
        row[col["date_of_extract"]] = "2024-09-10 00:00:00.0000000"
    # Changing the extract date alone changes no row (it is not stored); two rows change.
    newer[0][col["classification_description"]] = "Changed description"
    newer[-1][col["classification_description"]] = "Changed too"
    second = write_txt_zip(tmp_path / "second.zip", "charity_classification", header, newer)
    output = run("ccew", str(second))
    assert "classification: new: 2" in output
    assert "classification: gone: 7" in output
    assert CharityClassification.objects.count() == len(rows) - 5
    assert set(
        CharityClassification.objects.filter(description__startswith="Changed").values_list(
            "description", flat=True
        )
    ) == {"Changed description", "Changed too"}
    before = snapshot()
    output = run("ccew", str(second))
    assert "classification: new" not in output and "classification: gone" not in output
    after = snapshot()
    after.pop("opendata.ImportRun")
    before.pop("opendata.ImportRun")
    assert after == before


# ------------------------------------------------------------------------- bad input


@pytest.fixture
def loaded(imported_sample: Callable[[], str]) -> dict[str, object]:
    imported_sample()
    return snapshot()


@pytest.fixture(params=["into an empty register", "over a loaded register"])
def before(request: pytest.FixtureRequest, imported_sample: Callable[[], str]) -> dict[str, object]:
    """The database before an import that must fail: empty (a first import, which takes
    shortcuts an empty register allows), or with the sample loaded."""
    if request.param == "over a loaded register":
        imported_sample()
    return snapshot()


def _truncated(tmp_path: Path) -> Path:
    data = (SAMPLE / "publicextract.charity.zip").read_bytes()
    path = tmp_path / "publicextract.charity.zip"
    path.write_bytes(data[: len(data) // 2])
    return path


def test_truncated_zip_fails_cleanly(loaded: dict[str, object], tmp_path: Path) -> None:
    path = _truncated(tmp_path)
    with pytest.raises(CommandError, match=r"publicextract.charity.zip.*not a readable zip"):
        run("ccew", str(path))
    assert snapshot() == loaded


def test_cut_off_json_fails_cleanly(loaded: dict[str, object], tmp_path: Path) -> None:
    text = (REAL_CCEW / "publicextract.charity_other_regulators.zip").read_bytes()
    with zipfile.ZipFile(REAL_CCEW / "publicextract.charity_other_regulators.zip") as archive:
        body = archive.read(archive.namelist()[0])
    assert text
    path = tmp_path / "regulators.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("publicextract.charity_other_regulators.json", body[: len(body) // 3])
    with pytest.raises(CommandError, match=r"regulators.zip: broken JSON after record \d+"):
        run("ccew", str(path))
    assert snapshot() == loaded


def test_wrong_encoding_fails_cleanly(
    loaded: dict[str, object], tmp_path: Path, sample_charity: Table
) -> None:
    header, rows = sample_charity
    body = "\r\n".join("\t".join(r) for r in [header, *rows]).replace("Charity", "Charité", 3)
    path = tmp_path / "latin1.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("publicextract.charity.txt", body.encode("cp1252", errors="replace"))
    with pytest.raises(CommandError, match=r"latin1.zip, line \d+: not UTF-8"):
        run("ccew", str(path))
    assert snapshot() == loaded


def test_missing_column_fails_cleanly(
    loaded: dict[str, object], tmp_path: Path, sample_charity: Table
) -> None:
    header, rows = sample_charity
    drop = header.index("charity_name")
    path = write_txt_zip(
        tmp_path / "nocol.zip",
        "charity",
        [h for i, h in enumerate(header) if i != drop],
        [[v for i, v in enumerate(r) if i != drop] for r in rows],
    )
    with pytest.raises(CommandError, match=r"nocol.zip, line 1: .*missing column 'charity_name'"):
        run("ccew", str(path))
    assert snapshot() == loaded


def test_bad_record_fails_unless_skipped(
    loaded: dict[str, object], tmp_path: Path, sample_charity: Table
) -> None:
    header, rows = sample_charity
    rows = [list(r) for r in rows]
    rows[4][header.index("latest_income")] = "lots"
    path = write_txt_zip(tmp_path / "bad.zip", "charity", header, rows)
    with pytest.raises(
        CommandError, match=r"bad.zip, line 6, field 'latest_income': expected an amount"
    ):
        run("ccew", str(path))
    assert snapshot() == loaded

    output = run("ccew", str(path), "--skip-bad")
    assert "Skipped 1 bad records:" in output
    assert "bad.zip, line 6, field 'latest_income'" in output
    assert ImportRun.objects.latest("finished").skipped == [
        "bad.zip, line 6, field 'latest_income': expected an amount, got 'lots'"
    ]


def test_dry_run_writes_nothing(db: None) -> None:
    before = snapshot()
    output = run("ccew", str(SAMPLE / "publicextract.charity.zip"), "--dry-run")
    assert "Dry run: nothing was written." in output
    assert snapshot() == before


def test_command_line_fails_without_traceback(tmp_path: Path) -> None:
    path = _truncated(tmp_path)
    env = {**os.environ, "PARTNERWISE_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "partnerwise"), "import", "ccew", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "publicextract.charity.zip" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ reading and chunks


def test_background_reader_gives_what_the_in_process_reader_gives(
    tmp_path: Path, sample_charity: Table
) -> None:
    header, rows = sample_charity
    rows = [list(r) for r in rows]
    rows[7][header.index("latest_income")] = "lots"
    extract = open_extract(write_txt_zip(tmp_path / "bad.zip", "charity", header, rows))
    there = list(background.read_batches(extract, background=True))
    here = list(background.read_batches(extract, background=False))
    assert there == here
    items = [item for batch, _ in here for item in batch]
    assert len(items) == len(rows)
    assert str(items[7]) == "bad.zip, line 9, field 'latest_income': expected an amount, got 'lots'"


def test_copy_mode_sends_the_rows_the_in_process_reader_makes(
    tmp_path: Path, sample_charity: Table
) -> None:
    """For PostgreSQL the background reader sends good rows as COPY text, numbered on
    across batches; bad records still come one by one."""
    header, rows = sample_charity
    rows = [list(r) for r in rows] * 3  # more than one batch
    rows[7][header.index("latest_income")] = "lots"
    extract = open_extract(write_txt_zip(tmp_path / "bad.zip", "charity", header, rows))
    here = [
        item for batch, _ in background.read_batches(extract, background=False) for item in batch
    ]
    there = [
        item
        for batch, _ in background.read_batches(extract, background=True, copy=True, size=40)
        for item in batch
    ]
    good = [item for item in here if isinstance(item, tuple)]
    blocks = [item for item in there if isinstance(item, background.CopyRows)]
    assert len(blocks) > 1
    assert [b.first for b in blocks] == [
        1 + sum(b.rows for b in blocks[:i]) for i in range(len(blocks))
    ]
    assert "".join(b.text for b in blocks) == background.copy_text(good, 1)
    assert [i for i in there if isinstance(i, BadRecord)] == [
        i for i in here if isinstance(i, BadRecord)
    ]


@pytest.mark.django_db
def test_copy_text_stages_exactly_what_write_row_stages() -> None:
    """The reader's own COPY formatting and psycopg's give PostgreSQL the same rows."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY text is only sent to PostgreSQL")
    columns = [("seq", "BIGINT"), ("t", "TEXT"), ("n", "BIGINT"), ("d", "DATE"),
               ("b", "BOOLEAN"), ("m", "NUMERIC(18, 2)")]  # fmt: skip
    rows = [
        ("back\\slash \\N", 1, dt.date(2024, 2, 29), True, "12.50"),
        ("tab\there\nnew line\r\nreturn", -(2**62), None, False, None),
        ("caf\u00e9 \u2013 \u00fcn\u00efcode \u2713", None, dt.date(1, 1, 1), None, "0"),
        ("", 0, dt.date(9999, 12, 31), True, "-1234567.89"),
        (None, 42, None, None, None),
    ]
    tables = []
    with connection.cursor() as cursor:
        for name, write in (("pw_by_text", "text"), ("pw_by_rows", "rows")):
            stage = Stage(cursor, name, columns)
            if write == "text":
                stage.add_text(background.copy_text(rows, 1), len(rows))
            else:
                stage.extend((number, *row) for number, row in enumerate(rows, 1))
            stage.flush()
            cursor.execute(f"SELECT * FROM {name} ORDER BY seq")
            tables.append(cursor.fetchall())
            stage.drop()
    assert tables[0] == tables[1]
    assert len(tables[0]) == len(rows)
    assert tables[0][1][1] == "tab\there\nnew line\r\nreturn"


def test_background_reader_reports_a_broken_file_as_the_reader_would(tmp_path: Path) -> None:
    with zipfile.ZipFile(REAL_CCEW / "publicextract.charity_other_regulators.zip") as archive:
        body = archive.read(archive.namelist()[0])
    path = tmp_path / "regulators.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("publicextract.charity_other_regulators.json", body[: len(body) // 3])
    messages = []
    for where in (True, False):
        with pytest.raises(SourceError) as caught:
            list(background.read_batches(open_extract(path), background=where))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("regulators.zip: broken JSON after record ")


def _content() -> tuple[set[Any], set[Any], set[Any]]:
    """What the register import says, keyed by charity numbers rather than database ids."""
    chc: dict[int | None, str] = dict(
        Identifier.objects.filter(workspace=None, scheme="GB-CHC").values_list(
            "organisation_id", "value"
        )
    )
    organisations = {
        (chc.get(o.pk), o.name, o.kind, o.is_removed, o.latest_income)
        for o in Organisation.objects.reference()
    }
    charities = {
        (r.organisation_number, r.linked_number, chc.get(r.organisation_id), r.in_latest_extract)
        for r in RegisterCharity.objects.all()
    }
    names = {(chc.get(n.organisation_id), n.normalised) for n in SearchName.objects.all()}
    return organisations, charities, names


def test_linked_charities_before_their_main_charity(
    db: None, tmp_path: Path, sample_charity: Table
) -> None:
    """Linked charities read chunks before their main charity still join its organisation."""
    header, rows = sample_charity
    linked = header.index("linked_charity_number")
    run("ccew", str(SAMPLE / "publicextract.charity.zip"))
    expected = _content()
    RegisterCharity.objects.all().delete()
    Organisation.objects.all().delete()

    backwards = sorted(rows, key=lambda row: row[linked] == "0")  # every linked row first
    assert backwards[0][linked] != "0"
    run("ccew", str(write_txt_zip(tmp_path / "backwards.zip", "charity", header, backwards)))
    assert _content() == expected
    with_main = RegisterCharity.objects.filter(
        registered_number__in=[int(r[header.index("registered_charity_number")]) for r in rows
                               if r[linked] == "0"]
    )  # fmt: skip
    assert not with_main.filter(organisation__isnull=True).exists()


def test_number_given_twice_far_apart_fails_cleanly(
    before: dict[str, object], tmp_path: Path, sample_charity: Table
) -> None:
    header, rows = sample_charity
    again = list(rows[0])
    again[header.index("charity_name")] = "A different name"
    path = write_txt_zip(tmp_path / "twice.zip", "charity", header, [*rows, again])
    with pytest.raises(
        CommandError,
        match=rf"twice.zip, line {len(rows) + 2}, field 'organisation_number': "
        rf"{rows[0][header.index('organisation_number')]} already given at line 2",
    ):
        run("ccew", str(path))
    assert snapshot() == before


def test_main_charity_number_given_twice_fails_cleanly(
    before: dict[str, object], tmp_path: Path, sample_charity: Table
) -> None:
    """Two main charities (linked number 0) with one registered number: the second would
    be a second organisation with the same charity identifier."""
    header, rows = sample_charity
    linked = header.index("linked_charity_number")
    mains = [row for row in rows if row[linked] == "0"]
    again = list(mains[0])
    again[header.index("organisation_number")] = "999999999"
    path = write_txt_zip(tmp_path / "twice.zip", "charity", header, [*rows, again])
    with pytest.raises(
        CommandError,
        match=rf"twice.zip, line {len(rows) + 2}, field 'registered_charity_number': "
        rf"main charity {mains[0][header.index('registered_charity_number')]} already given "
        rf"at line {rows.index(mains[0]) + 2}",
    ):
        run("ccew", str(path))
    assert snapshot() == before
