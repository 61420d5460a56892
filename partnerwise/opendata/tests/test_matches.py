"""Same organisation in several sources: name matches wait for a person; ids merge."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from partnerwise.opendata.directory import buyers_of, funders_of
from partnerwise.opendata.matches import confirm_match, propose_name_matches, reject_match
from partnerwise.opendata.models import CandidateMatch, CharityOtherName, Grant, MatchStatus
from partnerwise.opendata.names import normalise_name
from partnerwise.opendata.synth import load_seed, write_extract
from partnerwise.opendata.tests.conftest import DATA, GRANTS, OCDS, SAMPLE, run, snapshot
from partnerwise.organisations.models import Identifier, Organisation
from partnerwise.workspaces.models import User

DERIVED = DATA / "derived" / "cross-source-name-matches.csv"


def _derived(name: str) -> dict[str, str]:
    with DERIVED.open(encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["supplier_name"] == name)


def _import_both_sides(row: dict[str, str], tmp_path: Path) -> None:
    """The funder's grants to the organisation (from the real file) and the real release."""
    dulverton = GRANTS / "grantnav-sample-2016" / "dulverton.json"
    grants = json.loads(dulverton.read_text(encoding="utf-8"))["grants"]
    mine = [g for g in grants if g["recipientOrganization"][0]["id"] == row["360_recipient_ids"]]
    path = tmp_path / f"{normalise_name(row['supplier_name'])}.json"
    path.write_text(json.dumps({"grants": mine}), encoding="utf-8")
    run("360giving", str(path))
    source = row["ocds_source"].removeprefix("bluetail/")
    release = OCDS / "bluetail-2017-2020" / source / f"{row['ocid']}.json"
    run("ocds", str(release))


def test_same_name_is_proposed_never_merged(db: None, tmp_path: Path) -> None:
    nacro = _derived("Nacro")
    _import_both_sides(nacro, tmp_path)
    organisations = Organisation.objects.count()
    assert propose_name_matches() > 0
    assert Organisation.objects.count() == organisations  # nothing merged by itself
    match = CandidateMatch.objects.get(normalised_name="nacro")
    assert match.status == MatchStatus.PROPOSED
    assert nacro["360_recipient_ids"] in match.evidence
    assert propose_name_matches() == 0  # proposals are not repeated


def test_st_giles_trap_is_flagged_as_a_conflict(db: None, tmp_path: Path) -> None:
    row = _derived("St Giles Trust")
    _import_both_sides(row, tmp_path)
    # The register's working names for the two *other* charities, as the derived file says.
    for item in row["ccew_other_names_match"].split(";"):
        number = int(item.split()[0].removeprefix("GB-CHC-"))
        CharityOtherName.objects.create(
            registered_number=number,
            name_type="Working name",
            name="St Giles Trust",
            normalised=normalise_name("St Giles Trust"),
            row_hash=number,
        )
    propose_name_matches()
    match = CandidateMatch.objects.get(normalised_name="st giles trust")
    claimed = row["360_recipient_ids"].removeprefix("GB-CHC-")
    assert f"Conflict: {claimed} is not among them" in match.evidence
    assert match.status == MatchStatus.PROPOSED


def test_confirming_merges(db: None, tmp_path: Path) -> None:
    nacro = _derived("Nacro")
    _import_both_sides(nacro, tmp_path)
    propose_name_matches()
    person = User.objects.create(username="rater")
    match = CandidateMatch.objects.get(normalised_name="nacro")
    survivor = confirm_match(match, user=person)
    assert survivor.identifiers.filter(value=nacro["360_recipient_ids"]).exists()
    assert nacro["buyer"] in [r.organisation.name for r in buyers_of(survivor)]
    assert funders_of(survivor)
    match.refresh_from_db()
    assert match.status == MatchStatus.CONFIRMED and match.decided_by == person
    assert Organisation.objects.filter(name__iexact="nacro").count() == 1


def test_rejected_match_is_not_proposed_again(db: None, tmp_path: Path) -> None:
    _import_both_sides(_derived("St Giles Trust"), tmp_path)
    propose_name_matches()
    match = CandidateMatch.objects.get(normalised_name="st giles trust")
    organisations = Organisation.objects.count()
    reject_match(match, user=User.objects.create(username="rater"))
    assert propose_name_matches() == 0
    match.refresh_from_db()
    assert match.status == MatchStatus.REJECTED
    assert Organisation.objects.count() == organisations


def test_links_join_identifiers_and_merge_on_shared_ids(db: None, tmp_path: Path) -> None:
    charity = Organisation.objects.create(name="Charity A")
    charity.identifiers.create(scheme="GB-CHC", value="GB-CHC-1000611", is_primary=True)
    company = Organisation.objects.create(name="CHARITY A LTD")
    company.identifiers.create(scheme="GB-COH", value="GB-COH-08591698")
    funder = Organisation.objects.create(name="Funder")
    Grant.objects.create(
        grant_id="g1", funder=funder, recipient=company, source_file="t", row_hash=1
    )
    lone = Organisation.objects.create(name="Charity B")
    lone.identifiers.create(scheme="GB-CHC", value="GB-CHC-1001900", is_primary=True)
    path = tmp_path / "links.csv"
    path.write_text(
        "org_id_a,org_id_b,org_name,relationship,source\n"
        "GB-CHC-1000611,GB-COH-08591698,A,sameas,test\n"
        "GB-CHC-1001900,GB-COH-07451584,B,sameas,test\n"
        "GB-CHC-1,GB-COH-2,C,sameas,test\n"
        "GB-CHC-1001900,GB-CHC-1000611,D,parent,test\n",
        encoding="utf-8",
    )
    output = run("links", str(path))
    assert not Organisation.objects.filter(pk=company.pk).exists()
    assert set(charity.identifiers.values_list("value", flat=True)) == {
        "GB-CHC-1000611",
        "GB-COH-08591698",
    }
    assert Grant.objects.get().recipient == charity
    assert lone.identifiers.filter(value="GB-COH-07451584").exists()
    assert "links: other relationships (not merged): 1" in output


def test_links_bad_input_fails_cleanly(db: None, tmp_path: Path) -> None:
    before = snapshot()
    path = tmp_path / "links.csv"
    path.write_text("org_id,other\nGB-CHC-1,GB-COH-2\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"links.csv, line 1: missing column org_id_a"):
        run("links", str(path))
    assert snapshot() == before


def test_synthetic_register_is_deterministic_and_importable(db: None, tmp_path: Path) -> None:
    seed = load_seed(DATA, names_zip=SAMPLE / "publicextract.charity_other_names.zip")
    first = write_extract(tmp_path / "one", 300, seed)
    second = write_extract(tmp_path / "two", 300, seed)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.read("publicextract.charity.json").startswith(b"\xef\xbb\xbf[{")
    output = run("ccew", str(first))
    assert "charity: new: 300" in output
    names = set(seed.names)
    main = Identifier.objects.filter(scheme="GB-CHC").first()
    assert main is not None and main.organisation.name in names


def test_match_command_lists_and_decides(db: None, tmp_path: Path) -> None:
    import io

    from django.core.management import call_command

    _import_both_sides(_derived("Nacro"), tmp_path)
    propose_name_matches()
    match = CandidateMatch.objects.get(normalised_name="nacro")
    out = io.StringIO()
    call_command("match", "list", stdout=out)
    assert f"#{match.pk} [proposed]" in out.getvalue()
    with pytest.raises(CommandError, match="needs a match ID and --user"):
        call_command("match", "confirm", str(match.pk))
    User.objects.create(username="ann")
    call_command("match", "confirm", str(match.pk), "--user", "ann", stdout=io.StringIO())
    match.refresh_from_db()
    assert match.status == MatchStatus.CONFIRMED
    with pytest.raises(CommandError, match="already been decided"):
        call_command("match", "reject", str(match.pk), "--user", "ann")
