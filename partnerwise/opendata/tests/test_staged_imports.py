"""Grants and awards go through a staging table and, for big files, a reader process:
records far apart, small batches and the background reader give what one batch gives."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection, transaction

from partnerwise.opendata.finding import search
from partnerwise.opendata.loaders import ImportFailed, ImportReport, giving, ocds, row_hash
from partnerwise.opendata.loaders.shaping import Handles
from partnerwise.opendata.loaders.sql import NAME_FTS
from partnerwise.opendata.models import Award, Grant
from partnerwise.opendata.readers import SourceError
from partnerwise.opendata.tests.conftest import run
from partnerwise.opendata.tests.test_ocds import SEARCH
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.models import Workspace


def _grant(number: int, title: str = "") -> dict[str, Any]:
    return {
        "id": f"360G-test-{number}",
        "title": title or f"Grant {number}",
        "currency": "GBP",
        "amountAwarded": 1000 + number,
        "awardDate": "2024-05-01",
        "recipientOrganization": [{"id": f"GB-CHC-{1000000 + number % 3}", "name": "A Trust"}],
        "fundingOrganization": [{"id": "360G-testfunder", "name": "Test Foundation"}],
    }


def _write(path: Path, grants: list[Any]) -> Path:
    path.write_text(json.dumps({"grants": grants}), encoding="utf-8")
    return path


def _load_grants(path: Path, **options: Any) -> ImportReport:
    report = ImportReport()
    with transaction.atomic():
        giving.load([path], report, **options)
    return report


def _grant_rows() -> list[tuple[Any, ...]]:
    return list(
        Grant.objects.order_by("grant_id").values_list(
            "grant_id", "funder__name", "recipient__name", "title", "amount", "award_date"
        )
    )


def test_grant_id_given_twice_batches_apart_keeps_the_later_with_a_warning(
    db: None, tmp_path: Path
) -> None:
    grants = [_grant(n) for n in range(7)]
    path = _write(tmp_path / "twice.json", [*grants, _grant(1, title="The later one")])
    report = _load_grants(path, batch=2)  # the repeat is three batches after the first
    assert report.counts["grants: new"] == 7
    assert report.counts["grants: read"] == 7
    assert "grants: changed" not in report.counts
    assert report.warnings["twice.json: grant id given twice, the later one kept"] == (
        1,
        "360G-test-1",
    )
    assert Grant.objects.get(grant_id="360G-test-1").title == "The later one"
    assert Grant.objects.count() == 7


def test_small_batches_and_the_background_reader_give_what_one_batch_gives(
    db: None, tmp_path: Path
) -> None:
    path = _write(tmp_path / "grants.json", [_grant(n) for n in range(9)])
    whole = _load_grants(path, batch=1000, background=False)
    expected = _grant_rows()
    Grant.objects.all().delete()
    pieces = _load_grants(path, batch=2, background=True)
    assert _grant_rows() == expected
    assert pieces.counts == whole.counts - Counter({"organisations: new": 4})
    again = _load_grants(path, batch=3, background=True)
    assert again.counts["grants: unchanged"] == 9
    assert "grants: new" not in again.counts and "grants: changed" not in again.counts


def test_background_reader_reports_bad_records_and_broken_files_as_in_process(
    db: None, tmp_path: Path
) -> None:
    bad = _write(tmp_path / "bad.json", [_grant(1), {**_grant(2), "amountAwarded": None}])
    for background in (False, True):
        with pytest.raises(ImportFailed, match=r"bad.json, grant 2, field 'amountAwarded'"):
            _load_grants(bad, background=background)
    report = ImportReport(skip_bad=True)
    with transaction.atomic():
        giving.load([bad], report, background=True)
    assert report.skipped == [
        "bad.json, grant 2, field 'amountAwarded': missing; every grant needs one"
    ]
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps({"grants": [_grant(1), _grant(2)]})[:-30], encoding="utf-8")
    messages = []
    for background in (False, True):
        with pytest.raises(SourceError) as error:
            _load_grants(cut, background=background)
        messages.append(str(error.value))
    assert messages[0] == messages[1] and messages[0].startswith("cut.json: ")


def test_later_release_of_an_award_batches_apart_wins_and_counts_once(
    db: None, tmp_path: Path
) -> None:
    package = json.loads(SEARCH.read_text(encoding="utf-8"))
    releases = [r for r in package["releases"] if r.get("awards")][:4]
    first = releases[0]
    newer = json.loads(json.dumps(first))
    newer["id"] += "-update"
    newer["date"] = "2030-01-01T00:00:00Z"
    newer["awards"][0]["value"]["amount"] = 654321
    older = json.loads(json.dumps(first))
    older["id"] += "-older"
    older["date"] = "2000-01-01T00:00:00Z"
    older["awards"][0]["value"]["amount"] = 1
    path = tmp_path / "awards.json"
    path.write_text(
        json.dumps({**package, "releases": [first, *releases[1:], newer, older]}),
        encoding="utf-8",
    )
    report = ImportReport()
    with transaction.atomic():
        ocds.load([path], report, batch=1, background=True)
    key = next(a.key for a in Award.objects.filter(ocid=first["ocid"]))
    assert Award.objects.get(key=key).value == 654321
    assert Award.objects.get(key=key).release_id == newer["id"]
    assert report.counts["awards: read"] == Award.objects.count()
    assert report.counts["awards: new"] == Award.objects.count()
    assert "awards: changed" not in report.counts
    output = run("ocds", str(path))
    assert f"awards: unchanged: {Award.objects.count()}" in output


def test_grants_packed_by_the_background_reader_load_as_read_in_process(
    db: None, tmp_path: Path
) -> None:
    """The reader process sends only the fields the loader reads (`pack_grant`): every
    shape of funder, recipient and programme loads, warns and fails as in-process."""
    charity = {"id": "local-42", "charityNumber": "1000003", "name": "Numbered Trust"}
    grants = [
        {**_grant(1), "grantProgramme": [{"title": "Small grants"}], "description": "Roof"},
        {**_grant(2), "recipientOrganization": [charity], "awardDate": "01/05/2024"},
        {**_grant(3), "recipientOrganization": [{"id": "local-7", "name": "Nameonly Group"}]},
        {**_grant(4), "recipientOrganization": [{"addressLocality": "Leeds"}]},
        {**_grant(5), "recipientOrganization": [], "recipientIndividual": {"id": "x"}},
        {
            **_grant(6),
            "fundingOrganization": [{"id": "x", "name": "Unnumbered"}],
            "currency": "EUR",
        },
        {**_grant(7), "grantProgramme": "not a list", "amountAwarded": "12.50"},
        {**_grant(8), "recipientOrganization": [{"id": "local-9", "name": ""}]},
    ]
    path = _write(tmp_path / "shapes.json", grants)
    reports = []
    for background in (False, True):
        Grant.objects.all().delete()
        report = ImportReport(skip_bad=True)
        with transaction.atomic():
            giving.load([path], report, background=background)
        stored = Grant.objects.order_by("grant_id").values_list("programme", "description")
        reports.append((report, list(zip(_grant_rows(), stored, strict=True))))
    (in_process, expected), (packed, rows) = reports
    assert rows == expected
    assert len(expected) == 5
    assert packed.skipped == in_process.skipped
    assert packed.warnings == in_process.warnings
    # The organisations are there by the second run: only they are counted differently.
    assert packed.counts - Counter({"organisations: new": 99}) == in_process.counts - Counter(
        {"organisations: new": 99}
    )


def _stored_grants() -> list[tuple[Any, ...]]:
    return list(
        Grant.objects.order_by("grant_id").values_list(
            "grant_id", "title", "amount", "source_file", "in_latest_file", "row_hash"
        )
    )


@pytest.mark.parametrize(("chunk", "busy"), [(1, False), (2, False), (3, False), (2, True)])
def test_grants_written_in_chunks_count_and_store_what_one_write_does(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, busy: bool
) -> None:
    """PostgreSQL writes every CHUNK records as they come. A key given again in a later
    chunk, rows stored before (unchanged, changed, marked removed and back) and a change
    undone later in the same run are counted against what was stored before the run, as
    one write at the end counts them. (`busy`: records whose organisations are new wait,
    as they do while a chunk is being written, until WAIT_AT_MOST of them wait.)"""
    from partnerwise.opendata.loaders import staged_rows

    if busy:
        monkeypatch.setattr(staged_rows.StagedRows, "busy", property(lambda self: True))
        monkeypatch.setattr(staged_rows, "WAIT_AT_MOST", 3)

    first = [_grant(n) for n in range(6)]
    second = [
        _grant(0),  # unchanged
        _grant(1, title="Changed"),  # changed
        _grant(2, title="Changed"),  # changed, then given again as it was: unchanged
        _grant(7),  # new
        _grant(5),  # back: marked removed in between
        _grant(7, title="New, given twice"),  # new, the later kept
        _grant(2),
        _grant(3, title="Changed"),  # given twice, both changed: the later kept
        _grant(3, title="Changed again"),
    ]
    results = []
    for size in (None, chunk):
        Grant.objects.all().delete()
        monkeypatch.setattr(staged_rows, "chunk_size", lambda size=size: size)
        # First imports: every key new (in several chunks), then one given twice.
        clean = _load_grants(_write(tmp_path / "g.json", first))
        assert clean.counts["grants: new"] == 6
        assert clean.counts["grants: read"] == 6
        Grant.objects.all().delete()
        opening = _load_grants(_write(tmp_path / "g.json", [*first, _grant(0, "Again")]))
        _load_grants(_write(tmp_path / "g.json", first))
        _load_grants(_write(tmp_path / "g.json", first[:5]))  # 5 marked removed
        report = _load_grants(_write(tmp_path / "g.json", second), batch=2)
        results.append((report.counts, report.warnings, _stored_grants(), opening.counts))
    (whole_counts, whole_warnings, whole_rows, whole_opening) = results[0]
    (counts, warnings, rows, opening_counts) = results[1]
    assert whole_opening["grants: new"] == 6
    assert opening_counts - Counter({"organisations: new": 9}) == whole_opening - Counter(
        {"organisations: new": 9}
    )
    assert whole_counts["grants: new"] == 1
    assert whole_counts["grants: changed"] == 2
    assert whole_counts["grants: unchanged"] == 2
    assert whole_counts["grants: back in the file (no longer marked removed)"] == 1
    assert whole_counts["grants: no longer in the file (marked removed)"] == 1  # grant 4
    assert counts == whole_counts
    assert warnings == whole_warnings
    assert rows == whole_rows
    titles = dict((row[0], row[1]) for row in rows)
    assert titles["360G-test-3"] == "Changed again"
    assert titles["360G-test-7"] == "New, given twice"


def test_a_first_import_in_chunks_writes_straight_and_a_refused_chunk_is_staged(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of new keys skip the stage; the first chunk with a key given again (here the
    fourth: grant 1 was written straight in the first) is undone and staged with every
    record before it, and the run counts, warns and stores what one write at the end does.
    A new version of a file written straight marks what it no longer lists, not itself."""
    from partnerwise.opendata.loaders import staged_rows
    from partnerwise.opendata.loaders.sql import Stage

    staged: list[str] = []
    add = Stage.add

    def spy(stage: Stage, values: Any) -> None:
        staged.append(str(values[1]))
        add(stage, values)

    monkeypatch.setattr(Stage, "add", spy)
    grants = [_grant(n) for n in range(6)]
    results = []
    for size in (None, 2):
        Grant.objects.all().delete()
        staged.clear()
        monkeypatch.setattr(staged_rows, "chunk_size", lambda size=size: size)
        fresh = _load_grants(_write(tmp_path / "g.json", grants))
        staged_fresh = list(staged)
        Grant.objects.all().delete()
        again = [*grants, _grant(6), _grant(1, title="The later one"), _grant(7)]
        twice = _load_grants(_write(tmp_path / "g.json", again))
        rows_twice = _stored_grants()
        staged_twice = staged[len(staged_fresh) :]
        newer = _load_grants(_write(tmp_path / "g.json", [_grant(n) for n in range(10, 13)]))
        # (Organisations are made by the first size's run only.)
        fresh.counts.pop("organisations: new", None)
        results.append(
            (fresh.counts, twice.counts, twice.warnings, rows_twice, newer.counts, _stored_grants())
        )
        if size:
            assert staged_fresh == []  # all three chunks went straight in
            # The fourth chunk on (the first three are copied back to the stage in SQL).
            assert staged_twice == ["360G-test-6", "360G-test-1", "360G-test-7"]
        else:
            assert len(staged_fresh) == 6
    assert results[1] == results[0]
    fresh_counts, twice_counts, twice_warnings, rows_twice, newer_counts, rows = results[1]
    assert {row[0]: row[1] for row in rows_twice}["360G-test-1"] == "The later one"
    assert fresh_counts["grants: new"] == 6
    assert twice_counts["grants: new"] == 8
    assert twice_counts["grants: read"] == 8
    assert "grants: changed" not in twice_counts
    assert twice_warnings["g.json: grant id given twice, the later one kept"] == (1, "360G-test-1")
    assert newer_counts["grants: new"] == 3
    assert newer_counts["grants: no longer in the file (marked removed)"] == 8
    current = {row[0] for row in rows if row[4]}
    assert current == {"360G-test-10", "360G-test-11", "360G-test-12"}


def _grant_indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'opendata_grant' ORDER BY indexname"
        )
        return [str(definition) for (definition,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL builds them at the end")
def test_a_first_import_builds_the_tables_read_indexes_at_the_end(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty table, the indexes that only speed up reads are dropped and built again
    once the rows are in; a failed import leaves them as they were, and an import into a
    table with rows keeps them throughout."""
    from partnerwise.opendata.loaders import sql, staged_rows

    before = _grant_indexes()
    assert any("(recipient_id, award_date)" in definition for definition in before)
    seen: list[list[str]] = []
    build = sql.build_indexes

    def spy(cursor: Any, definitions: list[str]) -> None:
        seen.append(list(definitions))
        with connection.cursor() as check:
            check.execute("SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'opendata_grant'")
            assert check.fetchone()[0] == len(before) - len(definitions)  # set aside till now
        build(cursor, definitions)

    monkeypatch.setattr(staged_rows, "build_indexes", spy)
    monkeypatch.setattr(staged_rows, "chunk_size", lambda: 2)
    bad = _write(tmp_path / "bad.json", [_grant(1), {**_grant(2), "amountAwarded": None}])
    with pytest.raises(ImportFailed):
        _load_grants(bad)
    assert _grant_indexes() == before
    report = _load_grants(_write(tmp_path / "g.json", [_grant(n) for n in range(5)]))
    assert report.counts["grants: new"] == 5
    assert _grant_indexes() == before
    assert len(seen[-1]) == 4  # the read indexes (recipient, funder, source file, id LIKE)
    _load_grants(_write(tmp_path / "more.json", [_grant(n) for n in range(5, 9)]))
    assert seen[-1] == []  # rows were stored: nothing set aside
    assert Grant.objects.count() == 9


@pytest.mark.parametrize("chunk", [1, 2])
def test_awards_written_in_chunks_keep_the_latest_release(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    from partnerwise.opendata.loaders import staged_rows

    package = json.loads(SEARCH.read_text(encoding="utf-8"))
    releases = [r for r in package["releases"] if r.get("awards")][:3]
    first = releases[0]
    newer = {**first, "id": f"{first['id']}-newer", "date": "2030-01-01T00:00:00Z"}
    newer["awards"] = [{**first["awards"][0], "value": {"amount": 654321, "currency": "GBP"}}]
    older = {**first, "id": f"{first['id']}-older", "date": "2001-01-01T00:00:00Z"}
    path = tmp_path / "awards.json"
    path.write_text(
        json.dumps({**package, "releases": [first, *releases[1:], newer, older]}),
        encoding="utf-8",
    )
    results = []
    for size in (None, chunk):
        Award.objects.all().delete()
        monkeypatch.setattr(staged_rows, "chunk_size", lambda size=size: size)
        report = ImportReport()
        with transaction.atomic():
            ocds.load([path], report, batch=1)
        stored = list(Award.objects.order_by("key").values_list("key", "release_id", "value"))
        report.counts.pop("organisations: new", None)  # made by the first run only
        results.append((report.counts, stored))
    assert results[1] == results[0]
    assert any(release == newer["id"] for _, release, _ in results[1][1])


def test_a_grant_row_hash_is_the_digest_of_its_values_as_before(db: None, tmp_path: Path) -> None:
    """Shaped in the reader's process, a grant still gets the digest the loader that built
    Grant objects gave it, so a re-import of data imported then finds it unchanged."""
    _load_grants(_write(tmp_path / "one.json", [_grant(1)]))
    grant = Grant.objects.get()
    values = (grant.funder_id, grant.recipient_id, "Grant 1", "", Decimal(1001), "GBP")
    assert grant.row_hash == row_hash((*values, "2024-05-01", ""))


def test_an_award_row_hash_is_the_digest_of_its_values_as_read(db: None, tmp_path: Path) -> None:
    """The value and the release date cross from the reader as text; the digest is still
    that of the amount and the time themselves, as the loader that built Award objects
    gave it, so a re-import finds the award unchanged."""
    release = {
        "ocid": "ocds-b5fd17-hash", "id": "r1", "date": "2024-02-03T04:05:06+01:00",
        "tag": ["award"], "buyer": {"id": "GB-GOR-B1", "name": "Council"},
        "parties": [
            {"id": "GB-GOR-B1", "name": "Council", "roles": ["buyer"]},
            {"id": "GB-CHC-1000001", "name": "A Trust", "roles": ["supplier"]},
        ],
        "awards": [{
            "id": "a1", "status": "active", "date": "2024-01-05", "title": "Beds",
            "value": {"amount": 1234.5, "currency": "GBP"},
            "suppliers": [{"id": "GB-CHC-1000001", "name": "A Trust"}],
        }],
    }  # fmt: skip
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"version": "1.1", "releases": [release]}), encoding="utf-8")
    report = ImportReport()
    with transaction.atomic():
        ocds.load([path], report)
    award = Award.objects.get()
    released = dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    values = (
        "ocds-b5fd17-hash", "r1", "a1", award.buyer_id, award.supplier_id, "Beds", "active",
        Decimal("1234.5"), "GBP", "2024-01-05", None, None, released, True, None, None,
        None, None,
    )  # fmt: skip
    assert award.row_hash == row_hash(values)
    assert award.value == Decimal("1234.50") and award.release_date == released
    again = ImportReport()
    with transaction.atomic():
        ocds.load([path], again)
    assert again.counts["awards: unchanged"] == 1


def test_the_reader_forgetting_its_organisations_changes_nothing(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader remembers at most Handles.LIMIT organisations, then starts again."""
    grants = [
        {**_grant(n), "recipientOrganization": [{"id": f"GB-CHC-{2000000 + n % 7}", "name": "R"}]}
        for n in range(30)
    ]
    path = _write(tmp_path / "many.json", grants)
    remembered = _load_grants(path, batch=4, background=False)
    rows = _grant_rows()
    Grant.objects.all().delete()
    monkeypatch.setattr(Handles, "LIMIT", 3)
    forgetful = _load_grants(path, batch=4, background=False)
    assert _grant_rows() == rows
    assert forgetful.counts - Counter({"organisations: new": 99}) == remembered.counts - Counter(
        {"organisations: new": 99}
    )


def _name_trigger() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            [f"{NAME_FTS}_insert"],
        )
        row = cursor.fetchone()
    return str(row[0]) if row else None


def test_organisations_an_import_creates_are_found_inside_their_names(
    db: None, tmp_path: Path
) -> None:
    """On SQLite the import indexes its new organisations' names at once, then indexes each
    new organisation again as it comes; a failed import changes none of it."""
    trigger = _name_trigger() if connection.vendor == "sqlite" else None
    grants = [
        {
            **_grant(1),
            "recipientOrganization": [{"id": "GB-CHC-3000001", "name": "Wexcombe Trust"}],
        },
        {**_grant(2), "recipientOrganization": [{"id": "GB-CHC-3000002", "name": "Ashbury Hub"}]},
    ]
    run("360giving", str(_write(tmp_path / "named.json", grants)))
    ours = Workspace.objects.create(name="Ours", slug="ours")
    assert [o.name for o in search(ours, "xcomb")] == ["Wexcombe Trust"]
    assert [o.name for o in search(ours, "hbury")] == ["Ashbury Hub"]
    bad = [{**_grant(3), "recipientOrganization": [{"id": "GB-CHC-3000003", "name": "Zed"}]}, 7]
    with pytest.raises(CommandError):
        run("360giving", str(_write(tmp_path / "bad.json", bad)))
    Organisation.objects.create(name="Later Lakeside Group")
    assert [o.name for o in search(ours, "akesid")] == ["Later Lakeside Group"]
    assert search(ours, "Zed") == []
    if connection.vendor == "sqlite":
        assert _name_trigger() == trigger
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -2000  # as before the import
