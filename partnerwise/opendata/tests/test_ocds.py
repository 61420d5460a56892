"""The OCDS importer on real Contracts Finder releases (2025 search page, bluetail 2017-20)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from partnerwise.opendata.directory import buyers_of, suggested_facts
from partnerwise.opendata.models import Award
from partnerwise.opendata.tests.conftest import OCDS, run, snapshot

SEARCH = OCDS / "contracts-finder-search-2025-01-23.json"
RAW = sorted((OCDS / "bluetail-2017-2020" / "json_1_1_raw").glob("*.json"))


def _supplier_awards(path: Path) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(release, award, supplier party) for every supplier of every live award, read plainly."""
    found = []
    for release in json.loads(path.read_text(encoding="utf-8"))["releases"]:
        parties = {p["id"]: p for p in release.get("parties", [])}
        for award in release.get("awards", []):
            if award.get("status") in {"cancelled", "unsuccessful"}:
                continue
            for supplier in award.get("suppliers", []):
                found.append((release, award, parties.get(supplier["id"], supplier)))
    return found


def test_contracts_finder_search_page(db: None) -> None:
    run("ocds", str(SEARCH))
    expected = _supplier_awards(SEARCH)
    keys = {f"{r['ocid']}/{a['id']}/{p['id']}" for r, a, p in expected}
    assert set(Award.objects.values_list("key", flat=True)) == keys

    release, award, party = next(
        (r, a, p) for r, a, p in expected if p.get("details", {}).get("vcse") is not None
    )
    stored = Award.objects.get(key=f"{release['ocid']}/{award['id']}/{party['id']}")
    assert stored.supplier_vcse is party["details"]["vcse"]
    assert stored.supplier_sme is (party["details"].get("scale") == "sme")
    assert stored.value == Decimal(str(award["value"]["amount"]))
    assert str(stored.award_date) == award["date"][:10]
    assert stored.buyer.name == release["buyer"]["name"]
    assert stored.supplier.name == party["name"]
    suitability = release.get("tender", {}).get("suitability", {})
    assert stored.suitable_vcse is suitability.get("vcse")


def test_central_government_buyers_are_flagged(db: None) -> None:
    run("ocds", str(SEARCH))
    central = Award.objects.filter(buyer_is_central_government=True)
    assert central.exists()
    for award in central.select_related("buyer"):
        gor = award.buyer.identifiers.filter(scheme="GB-GOR").exists()
        named = ("ministry", "department", "hm ", "cabinet office", "home office")
        assert gor or award.buyer.name.lower().startswith(named)
    assert not Award.objects.filter(
        buyer__name__istartswith="London Borough", buyer_is_central_government=True
    ).exists()


def test_bluetail_vco_flags_and_unidentified_suppliers(db: None) -> None:
    run("ocds", *[str(p) for p in RAW])
    expected = [item for path in RAW for item in _supplier_awards(path)]
    assert Award.objects.count() == len(expected)
    flagged = [(r, a, p) for r, a, p in expected if p.get("vco") is True]
    assert flagged
    release, award, party = flagged[0]
    stored = Award.objects.get(key=f"{release['ocid']}/{award['id']}/{party['id']}")
    assert stored.supplier_vcse is True
    # A supplier named the same way in two releases, with no identifier, is one supplier.
    names = [p["name"] for _, _, p in expected if not p.get("identifier", {}).get("id")]
    repeated = next(n for n in names if names.count(n) > 1)
    assert Award.objects.filter(supplier__name=repeated).values("supplier").distinct().count() == 1


def test_reimport_changes_nothing(db: None) -> None:
    run("ocds", str(SEARCH), *[str(p) for p in RAW[:20]])
    before = snapshot()
    output = run("ocds", str(SEARCH), *[str(p) for p in RAW[:20]])
    after = snapshot()
    before.pop("opendata.ImportRun")
    after.pop("opendata.ImportRun")
    assert after == before
    assert "awards: new" not in output


def test_newer_release_updates_the_award(db: None, tmp_path: Path) -> None:
    package = json.loads(SEARCH.read_text(encoding="utf-8"))
    release = next(r for r in package["releases"] if r.get("awards"))
    older = {**package, "releases": [release]}
    newer_release = json.loads(json.dumps(release))
    newer_release["id"] += "-update"
    newer_release["date"] = "2026-01-01T00:00:00Z"
    newer_release["awards"][0]["value"]["amount"] = 123456
    newer = {**package, "releases": [newer_release]}
    (tmp_path / "older.json").write_text(json.dumps(older), encoding="utf-8")
    (tmp_path / "newer.json").write_text(json.dumps(newer), encoding="utf-8")
    run("ocds", str(tmp_path / "newer.json"))
    output = run("ocds", str(tmp_path / "older.json"))  # arrives late: must not win
    award = Award.objects.get()
    assert award.value == Decimal("123456.00")
    assert "awards: older release ignored: 1" in output


def test_bad_and_corrupt_files_fail_cleanly(db: None, tmp_path: Path) -> None:
    run("ocds", str(RAW[0]))
    before = snapshot()
    cut = tmp_path / "cut.json"
    cut.write_bytes(SEARCH.read_bytes()[:100_000])
    with pytest.raises(CommandError, match=r"cut.json: broken JSON after release \d+"):
        run("ocds", str(cut))
    package = json.loads(SEARCH.read_text(encoding="utf-8"))
    del package["releases"][3]["ocid"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.json, release 4, field 'ocid': missing"):
        run("ocds", str(bad))
    wrong = tmp_path / "latin.json"
    wrong.write_bytes(
        RAW[1].read_text(encoding="utf-8").replace("LIMITED", "LIMITÉ").encode("latin-1")
    )
    with pytest.raises(CommandError, match=r"latin.json"):
        run("ocds", str(wrong))
    assert snapshot() == before
    output = run("ocds", str(bad), "--skip-bad")
    assert "bad.json, release 4, field 'ocid': missing" in output


# ------------------------------------------------ awards gone from a newer version of a file


def _releases() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The search page and its first six releases with awards, one from a ministry."""
    package = json.loads(SEARCH.read_text(encoding="utf-8"))
    releases = [r for r in package["releases"] if r.get("awards")][:6]
    assert any(r["buyer"]["name"].startswith("Ministry of") for r in releases)
    return package, releases


def _version(tmp_path: Path, version: str, package: dict[str, Any], releases: list[Any]) -> Path:
    """`awards.json` as one version of a publisher's file: same name, its own folder."""
    folder = tmp_path / version
    folder.mkdir(exist_ok=True)
    path = folder / "awards.json"
    path.write_text(json.dumps({**package, "releases": releases}), encoding="utf-8")
    return path


def _keys(path: Path) -> set[str]:
    return {f"{r['ocid']}/{a['id']}/{p['id']}" for r, a, p in _supplier_awards(path)}


def test_award_dropped_from_a_newer_file_is_marked_removed(db: None, tmp_path: Path) -> None:
    package, releases = _releases()
    dropped = next(r for r in releases if r["buyer"]["name"].startswith("Ministry of"))
    original = _version(tmp_path, "v1", package, releases)
    newer = _version(tmp_path, "v2", package, [r for r in releases if r is not dropped])
    gone = _keys(original) - _keys(newer)
    assert gone
    run("ocds", str(original))
    award = Award.objects.select_related("buyer", "supplier").get(key=next(iter(gone)))
    assert award.buyer_is_central_government
    assert award.buyer in [r.organisation for r in buyers_of(award.supplier)]
    assert "gov_prime" in [s.indicator_id for s in suggested_facts(award.supplier)]

    output = run("ocds", str(newer))
    assert f"awards: no longer in the file (marked removed): {len(gone)}" in output
    assert set(Award.objects.filter(in_latest_file=False).values_list("key", flat=True)) == gone
    assert Award.objects.count() == len(_keys(original))  # kept, only marked
    award.refresh_from_db()
    assert award.removed_on == timezone.localdate()
    assert award.buyer not in [r.organisation for r in buyers_of(award.supplier)]
    assert "gov_prime" not in [s.indicator_id for s in suggested_facts(award.supplier)]

    output = run("ocds", str(original))
    assert f"awards: back in the file (no longer marked removed): {len(gone)}" in output
    assert not Award.objects.filter(in_latest_file=False).exists()
    award.refresh_from_db()
    assert award.removed_on is None
    assert award.buyer in [r.organisation for r in buyers_of(award.supplier)]

    before = snapshot()
    output = run("ocds", str(original))  # the same file again changes nothing
    after = snapshot()
    before.pop("opendata.ImportRun")
    after.pop("opendata.ImportRun")
    assert after == before
    assert "marked removed" not in output


def test_an_award_cancelled_in_a_newer_file_is_marked_removed(db: None, tmp_path: Path) -> None:
    package, releases = _releases()
    original = _version(tmp_path, "v1", package, releases)
    cancelled = json.loads(json.dumps(releases))
    cancelled[0]["awards"][0]["status"] = "cancelled"
    newer = _version(tmp_path, "v2", package, cancelled)
    gone = _keys(original) - _keys(newer)
    assert gone
    run("ocds", str(original))
    output = run("ocds", str(newer))
    assert f"awards: no longer in the file (marked removed): {len(gone)}" in output
    assert set(Award.objects.filter(in_latest_file=False).values_list("key", flat=True)) == gone


def test_another_award_file_name_removes_nothing(db: None, tmp_path: Path) -> None:
    package, releases = _releases()
    run("ocds", str(_version(tmp_path, "v1", package, releases)))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**package, "releases": releases[:1]}), encoding="utf-8")
    output = run("ocds", str(other))
    assert "marked removed" not in output
    assert not Award.objects.filter(in_latest_file=False).exists()


def test_dry_run_failure_and_skip_bad_with_a_newer_award_file(db: None, tmp_path: Path) -> None:
    package, releases = _releases()
    run("ocds", str(_version(tmp_path, "v1", package, releases)))
    before = snapshot()
    output = run("ocds", str(_version(tmp_path, "v2", package, releases[1:])), "--dry-run")
    assert "Dry run: nothing was written." in output
    assert "awards: no longer in the file (marked removed)" in output
    assert snapshot() == before

    broken = json.loads(json.dumps(releases[1:]))
    del broken[1]["ocid"]
    bad = _version(tmp_path, "bad", package, broken)
    with pytest.raises(CommandError, match=r"awards.json, release 2, field 'ocid': missing"):
        run("ocds", str(bad))
    assert snapshot() == before

    # releases[0] really is gone, but the bad release's award is unknown, not gone.
    output = run("ocds", str(bad), "--skip-bad")
    assert "awards.json: 1 bad record(s) skipped, so none of its awards were marked removed" in (
        output
    )
    assert "marked removed:" not in output
    assert not Award.objects.filter(in_latest_file=False).exists()
