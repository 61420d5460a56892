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


# ------------------------------------------------------------------ register of mergers

MERGERS_HEADER = (
    '"org_id_a","org_id_b","relationship","source","org_name_a","transferor_regno",'
    '"transferor_subno","org_name_b","transferee_regno","transferee_subno",'
    '"date_vesting_declaration","date_property_transferred","valid_from"'
)


def test_a_merger_is_a_dated_relationship_not_one_organisation(db: None, tmp_path: Path) -> None:
    wrexham = Organisation.objects.create(name="Wrexham Women's Aid")
    wrexham.identifiers.create(scheme="GB-CHC", value="GB-CHC-1058981", is_primary=True)
    welsh = Organisation.objects.create(name="Welsh Women's Aid")
    welsh.identifiers.create(scheme="GB-CHC", value="GB-CHC-1140962", is_primary=True)
    path = tmp_path / "mergers.csv"
    path.write_text(
        MERGERS_HEADER + "\n"
        '"GB-CHC-1058981","GB-CHC-1140962","sameas","Charity Commission Register of Mergers",'
        '"Wrexham Women\'s Aid","1058981",0,"Welsh Women\'s Aid","1140962",0,"",'
        '"2013-09-16 00:00:00","2014-11-07 00:00:00"\n'
        '"","GB-CHC-1140962","sameas","Charity Commission Register of Mergers",'
        '"Unregistered Aid Group","","","Welsh Women\'s Aid","1140962",0,"",'
        '"2012-01-01 00:00:00","2012-02-01 00:00:00"\n',
        encoding="utf-8",
    )
    output = run("links", str(path))
    assert "links: organisations merged" not in output
    assert "mergers: new: 2" in output
    assert Organisation.objects.filter(pk__in=[wrexham.pk, welsh.pk]).count() == 2
    from partnerwise.opendata.mergers import mergers_of

    (gave,) = mergers_of(wrexham)
    assert (gave.direction, gave.other, str(gave.date)) == ("transferred to", welsh, "2013-09-16")
    received = mergers_of(welsh)
    assert [(f.direction, f.other_name) for f in received] == [
        ("received from", "Wrexham Women's Aid"),
        ("received from", "Unregistered Aid Group"),
    ]
    assert "unchanged: 2" in run("links", str(path))
    from django.template.loader import render_to_string

    from partnerwise.opendata.page import open_data_context

    page = render_to_string("opendata/_organisation_facts.html", open_data_context(wrexham))
    assert "Transferred its property to Welsh Women&#x27;s Aid on 16 September 2013" in page
    page = render_to_string("opendata/_organisation_facts.html", open_data_context(welsh))
    assert "Received the property of Wrexham Women&#x27;s Aid on 16 September 2013" in page


def test_links_on_the_real_register_of_mergers_does_not_crash(db: None) -> None:
    real = DATA / "charity-lookups" / "relationships" / "ccew-register-of-mergers.csv"
    with real.open(encoding="utf-8") as text:
        rows = list(csv.DictReader(text))
    # Every charity of the first 300 mergers is in the directory, chains included.
    for value in {r[k] for r in rows[:300] for k in ("org_id_a", "org_id_b") if r[k]}:
        organisation = Organisation.objects.create(name=value)
        organisation.identifiers.create(scheme="GB-CHC", value=value)
    count = Organisation.objects.count()
    output = run("links", str(real))
    assert "mergers: new:" in output
    assert Organisation.objects.count() == count  # nothing merged


def test_a_chain_of_same_entity_links_merges_without_crashing(db: None, tmp_path: Path) -> None:
    values = ["GB-CHC-1000611", "GB-COH-08591698", "GB-SC-SC049135"]
    for value in values:
        organisation = Organisation.objects.create(name=value)
        organisation.identifiers.create(scheme=value[:6].rstrip("-"), value=value)
    path = tmp_path / "links.csv"
    path.write_text(
        "org_id_a,org_id_b,relationship,source\n"
        f"{values[0]},{values[1]},sameas,test\n{values[1]},{values[2]},sameas,test\n"
        f"{values[2]},{values[0]},sameas,test\n",
        encoding="utf-8",
    )
    output = run("links", str(path))
    assert "links: organisations merged: 2" in output
    assert "links: already joined: 1" in output
    assert Organisation.objects.count() == 1
