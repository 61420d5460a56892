"""Tests for partnerwise.organisations.identifiers (pure Python: no Django, no database)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from partnerwise.organisations import identifiers
from partnerwise.organisations.identifiers import (
    SCHEMES_DIR,
    IdentifierError,
    OrgId,
    Scheme,
    load_schemes,
    make_org_id,
    normalise_charity_number,
    normalise_company_number,
    parse_org_id,
)

SHIPPED = load_schemes()


def _example_org_ids() -> list[tuple[str, str]]:
    """(scheme code, example) for every example identifier in the shipped lists."""
    return [(scheme.code, ex) for scheme in SHIPPED.values() for ex in scheme.examples]


def _parse_example(code: str, example: str) -> OrgId:
    # Some lists (XI-BRIDGE, our 360G) give full org-ids as examples, the rest local ids.
    if example.upper().startswith(code + "-"):
        return parse_org_id(example)
    return make_org_id(code, example)


# --------------------------------------------------------------------------- loader


def test_shipped_directory_holds_the_register_lists_licence_and_credit() -> None:
    assert SCHEMES_DIR.is_dir()
    assert len(list(SCHEMES_DIR.glob("gb/*.json"))) == 26
    assert len(list(SCHEMES_DIR.glob("xi/*.json"))) == 10
    assert len(list(SCHEMES_DIR.glob("xm/*.json"))) == 2
    assert "Open Database License" in (SCHEMES_DIR / "LICENSE-ODbL.txt").read_text("utf-8")
    credit = (SCHEMES_DIR / "CREDIT.md").read_text("utf-8")
    assert "f500b45f6c2a6f8b7c54eddbfb7628e73e3f01c7" in credit
    assert "ODbL" in credit


def test_load_schemes_reads_the_shipped_lists() -> None:
    assert len(SHIPPED) == 38 + 3
    chc = SHIPPED["GB-CHC"]
    assert chc == Scheme(
        code="GB-CHC",
        name="Charity Commission/Comisiwn Elusennau",
        description=chc.description,
        deprecated=False,
        confirmed=True,
        examples=("279417", "1090095", "1173575"),
        in_register=True,
    )
    assert chc.description.startswith("The Charity Commission registers")
    assert {code for code, s in SHIPPED.items() if s.deprecated} == {
        "GB-GOVUK",
        "XI-BRIDGE",
        "XI-GRID",
    }
    assert SHIPPED["XI-BRIDGE"].examples[0] == "XI-BRIDGE-7924198567"  # ';'-separated list


def test_extra_schemes_are_known_but_marked_not_in_register() -> None:
    extras = {code for code, s in SHIPPED.items() if not s.in_register}
    assert extras == {"GB-CQC", "GB-CFS", "360G"}
    # GB-SRS (Supplier Registration Service) is already in the register.
    assert SHIPPED["GB-SRS"].in_register
    data = json.loads((SCHEMES_DIR / "extra-schemes.json").read_text("utf-8"))
    assert all(record["inRegister"] is False for record in data["schemes"])


def test_load_schemes_default_is_cached_and_returns_a_copy() -> None:
    first = load_schemes()
    first.pop("GB-CHC")
    assert "GB-CHC" in load_schemes()
    assert load_schemes(SCHEMES_DIR) == load_schemes()


def _record(code: str, **extra: object) -> dict[str, object]:
    return {
        "code": code,
        "name": {"en": f"{code} list"},
        "description": {"en": "test"},
        "confirmed": True,
        "deprecated": None,
        "access": {"exampleIdentifiers": "A1, B2"},
        **extra,
    }


def test_load_schemes_reads_a_given_directory(tmp_path: Path) -> None:
    (tmp_path / "zz").mkdir()
    (tmp_path / "zz" / "zz-one.json").write_text(json.dumps(_record("ZZ-ONE")), "utf-8")
    extras = {"schemes": [_record("ZZ-TWO", inRegister=False), _record("ZZ-ONE")]}
    (tmp_path / "extra-schemes.json").write_text(json.dumps(extras), "utf-8")

    schemes = load_schemes(tmp_path)

    assert set(schemes) == {"ZZ-ONE", "ZZ-TWO"}
    assert schemes["ZZ-ONE"].in_register  # the register record wins over the extra one
    assert schemes["ZZ-ONE"].deprecated is False  # null -> False
    assert schemes["ZZ-ONE"].examples == ("A1", "B2")
    assert not schemes["ZZ-TWO"].in_register
    # Parsing against a given scheme set: ZZ-ONE is known there, GB-CHC is not.
    assert parse_org_id("zz-one-x1", schemes=schemes) == OrgId("ZZ-ONE", "x1")
    assert parse_org_id("zz-one-x1", schemes=schemes).warning is None
    assert parse_org_id("GB-CHC-1", schemes=schemes).warning == "unknown scheme 'GB-CHC'"


def test_load_schemes_rejects_a_missing_or_unrecognised_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_schemes(tmp_path / "missing")
    with pytest.raises(ValueError, match="no org-id scheme lists"):
        load_schemes(tmp_path)
    (tmp_path / "other.json").write_text('{"title": "not a list"}', "utf-8")
    with pytest.raises(ValueError, match=r"other\.json"):
        load_schemes(tmp_path)


def test_module_does_not_import_django() -> None:
    path = Path(identifiers.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('ids', {str(path)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['ids'] = module\n"
        "spec.loader.exec_module(module)\n"
        "assert str(module.parse_org_id('GB-CHC-1082947')) == 'GB-CHC-1082947'\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- register examples


@pytest.mark.parametrize(("code", "example"), _example_org_ids())
def test_every_register_example_parses(code: str, example: str) -> None:
    org_id = _parse_example(code, example)
    assert org_id.scheme == code
    if SHIPPED[code].deprecated:
        assert org_id.warning == f"deprecated scheme {code!r}"
    else:
        assert org_id.warning is None
    # The register's own examples are already in canonical form.
    assert str(org_id) == (example if example.startswith(code) else f"{code}-{example}")


def test_every_gb_scheme_with_examples_is_covered() -> None:
    with_examples = {code for code, _ in _example_org_ids() if code.startswith("GB-")}
    without = {c for c, s in SHIPPED.items() if c.startswith("GB-") and not s.examples}
    assert without == {"GB-COA", "GB-GOVUK"}
    assert len(with_examples) == 26 - 2 + 2  # + GB-CQC, GB-CFS from extra-schemes.json


# --------------------------------------------------------------------------- splitting


@pytest.mark.parametrize(
    ("value", "scheme", "local"),
    [
        ("GB-CHC-1082947", "GB-CHC", "1082947"),
        ("gb-chc-1082947", "GB-CHC", "1082947"),
        ("  GB-CHC-1082947\n", "GB-CHC", "1082947"),
        ("GB - CHC - 1082947", "GB-CHC", "1082947"),
        ("GB\u2013CHC\u20131082947", "GB-CHC", "1082947"),  # en dashes
        ("GB-SCOTEDU-8212627", "GB-SCOTEDU", "8212627"),  # not GB-SC + "OTEDU-..."
        ("GB-SC-SC042386", "GB-SC", "SC042386"),
        ("GB-COE-608393", "GB-COE", "608393"),  # not GB-CO... anything
        ("XI-WIKIDATA-Q1377", "XI-WIKIDATA", "Q1377"),
        ("XM-DAC-963-1", "XM-DAC", "963-1"),  # hyphen inside the local part
        ("xi-pb-gb/aberdeen-city-council", "XI-PB", "gb/aberdeen-city-council"),
        ("360G-wolfson-14758", "360G", "wolfson-14758"),
        ("360g-ocf-org:1063068", "360G", "ocf-org:1063068"),
        ("360G-dulverton", "360G", "dulverton"),
    ],
)
def test_parse_splits_on_the_longest_known_scheme(value: str, scheme: str, local: str) -> None:
    assert parse_org_id(value) == OrgId(scheme, local)
    assert parse_org_id(value).warning is None
    assert str(parse_org_id(value)) == f"{scheme}-{local}"


@pytest.mark.parametrize(
    ("value", "scheme", "local"),
    [
        ("US-EIN-12-3456789", "US-EIN", "12-3456789"),
        ("gb-fake-Abc 123", "GB-FAKE", "Abc 123"),  # scheme upper-cased, local as given
        ("GB-CHCX-1", "GB-CHCX", "1"),  # GB-CHC needs a hyphen after it
        ("NL-KVK- 41202536 ", "NL-KVK", "41202536"),
    ],
)
def test_unknown_scheme_is_kept_with_a_warning(value: str, scheme: str, local: str) -> None:
    org_id = parse_org_id(value)
    assert (org_id.scheme, org_id.local) == (scheme, local)
    assert org_id.warning == f"unknown scheme {scheme!r}"


def test_deprecated_scheme_is_kept_with_a_warning() -> None:
    org_id = parse_org_id("GB-GOVUK-cabinet_office")
    assert org_id == OrgId("GB-GOVUK", "cabinet_office")
    assert org_id.warning == "deprecated scheme 'GB-GOVUK'"


def test_warning_is_not_part_of_equality() -> None:
    assert OrgId("US-EIN", "1", warning="unknown scheme 'US-EIN'") == OrgId("US-EIN", "1")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "the value is empty"),
        ("   ", "the value is empty"),
        ("1082947", "expected a scheme code and an identifier"),
        ("GBCHC1082947", "expected a scheme code and an identifier"),
        ("GB-1082947", "expected a scheme code and an identifier"),
        ("GB-CHC", "expected a scheme code and an identifier"),
        ("GB-CHC-", "the local identifier after 'GB-CHC' is empty"),
        ("GB-CHC-   ", "the local identifier after 'GB-CHC' is empty"),
        ("US-EIN-", "the local identifier after 'US-EIN' is empty"),
        ("360G-", "the local identifier after '360G' is empty"),
        ("XI-PB-a\x00b", "control or invisible characters"),
    ],
)
def test_unparseable_values_raise(value: str, problem: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_org_id(value)
    assert problem in str(caught.value)
    assert repr(value) in str(caught.value)


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        parse_org_id(1082947)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- scheme rules

GOOD = [
    # GB-CHC
    ("GB-CHC-279417", "GB-CHC-279417"),
    ("GB-CHC-1 082 947", "GB-CHC-1082947"),
    ("GB-CHC-0201640", "GB-CHC-201640"),  # zero-padded in real data (charity-lookups)
    ("GB-CHC-1082947-0", "GB-CHC-1082947"),  # linked number 0 = the main charity
    # GB-COH
    ("GB-COH-03911478", "GB-COH-03911478"),
    ("GB-COH-3911478", "GB-COH-03911478"),
    ("GB-COH-1", "GB-COH-00000001"),
    ("gb-coh-sc12345", "GB-COH-SC012345"),
    ("GB-COH-SC 012345", "GB-COH-SC012345"),
    ("GB-COH-NI000123", "GB-COH-NI000123"),
    ("GB-COH-oc301234", "GB-COH-OC301234"),
    ("GB-COH-R0000123", "GB-COH-R0000123"),
    ("GB-COH-R01234", "GB-COH-R0001234"),
    ("GB-COH-CE010135", "GB-COH-CE010135"),
    ("GB-COH-CS1234", "GB-COH-CS001234"),
    ("GB-COH-IP28607R", "GB-COH-IP28607R"),  # registered society with a letter suffix
    ("GB-COH-SP2134RS", "GB-COH-SP2134RS"),
    ("GB-COH-RS007654", "GB-COH-RS007654"),
    ("GB-COH-OE000123", "GB-COH-OE000123"),
    # GB-SC
    ("GB-SC-SC042386", "GB-SC-SC042386"),
    ("GB-SC-sc 012345", "GB-SC-SC012345"),
    ("GB-SC-SC12345", "GB-SC-SC012345"),
    ("GB-SC-42386", "GB-SC-SC042386"),
    # GB-NIC
    ("GB-NIC-100012", "GB-NIC-100012"),
    ("GB-NIC-NIC100012", "GB-NIC-100012"),
    ("GB-NIC-nic 100012", "GB-NIC-100012"),
    ("GB-NIC-10001", "GB-NIC-10001"),
    # local authorities
    ("GB-LAE-net", "GB-LAE-NET"),
    ("GB-LAE-BIR", "GB-LAE-BIR"),
    ("GB-LAE-ABCD", "GB-LAE-ABCD"),
    ("GB-LAS-zet", "GB-LAS-ZET"),
    ("GB-PLA-agy", "GB-PLA-AGY"),
    ("GB-LANI-bfs", "GB-LANI-BFS"),
    # others with a format
    ("GB-GOR-d1198", "GB-GOR-D1198"),
    ("GB-GOR-PB1", "GB-GOR-PB1"),
    ("GB-NHS-rx1", "GB-NHS-RX1"),
    ("GB-NHS-A81001", "GB-NHS-A81001"),
    ("GB-EDU-125554", "GB-EDU-125554"),
    ("GB-UKPRN-10000346", "GB-UKPRN-10000346"),
    ("GB-HESA-177", "GB-HESA-0177"),
    ("GB-IRN-5420059", "GB-IRN-542-0059"),
    ("GB-WALEDU-6602130", "GB-WALEDU-6602130"),
    ("GB-SCOTEDU-8212627", "GB-SCOTEDU-8212627"),
    ("GB-MPR-ip031455", "GB-MPR-IP031455"),
    ("GB-SHPE-lh4401", "GB-SHPE-LH4401"),
    ("GB-REV-xn80595", "GB-REV-XN80595"),
    ("GB-REV-X9493/1", "GB-REV-X9493/1"),
    ("GB-CFS-199356", "GB-CFS-199356"),
    ("GB-CQC-1-101641541", "GB-CQC-1-101641541"),
    ("GB-CQC-rxh", "GB-CQC-RXH"),
    ("XI-LEI-724500pmk2a2m1sqq228", "XI-LEI-724500PMK2A2M1SQQ228"),
    ("XI-WIKIDATA-q1377", "XI-WIKIDATA-Q1377"),
    ("XI-DUNS-24-218-3440", "XI-DUNS-242183440"),
    ("XI-ROR-05ASF4E91", "XI-ROR-05asf4e91"),
    # known schemes without a rule: kept as given (case too), whitespace collapsed
    ("GB-CASC-df679063", "GB-CASC-df679063"),
    (
        "GB-SRS-sid4gov.cabinetoffice.gov.uk/tBq37PN7",
        "GB-SRS-sid4gov.cabinetoffice.gov.uk/tBq37PN7",
    ),
    ("XI-GRID-grid.1957.a", "XI-GRID-grid.1957.a"),
    ("XI-IATI-iadb", "XI-IATI-iadb"),
    ("360G-indigotrust:IND10", "360G-indigotrust:IND10"),
    ("360G-a   b", "360G-a b"),
]


@pytest.mark.parametrize(("value", "expected"), GOOD)
def test_good_values_normalise(value: str, expected: str) -> None:
    org_id = parse_org_id(value)
    assert str(org_id) == expected
    assert org_id.warning is None or org_id.warning.startswith("deprecated")
    assert parse_org_id(str(org_id)) == org_id


BAD = [
    ("GB-CHC-12345", "GB-CHC charity numbers are 6 or 7 digits"),
    ("GB-CHC-12345678", "GB-CHC charity numbers are 6 or 7 digits"),
    ("GB-CHC-24377R", "GB-CHC charity numbers are 6 or 7 digits"),
    ("GB-CHC-000000", "GB-CHC charity numbers are 6 or 7 digits"),
    ("GB-CHC-IT/4002/09", "GB-CHC charity numbers are 6 or 7 digits"),
    ("GB-CHC-1082947-1", "use the main charity number 'GB-CHC-1082947'"),
    ("GB-CHC-1O82947", "GB-CHC charity numbers are 6 or 7 digits"),  # letter O
    ("GB-CHC-١٠٨٢٩٤٧", "GB-CHC charity numbers are 6 or 7 digits"),  # Arabic-Indic digits
    ("GB-COH-458577871", "GB-COH company numbers are 8 characters"),
    ("GB-COH-ZZ123456", "unknown prefix 'ZZ'"),
    ("GB-COH-SC1234567", "GB-COH company numbers are 8 characters"),
    ("GB-COH-IP1004137", "GB-COH company numbers are 8 characters"),
    ("GB-COH-IP", "GB-COH company numbers are 8 characters"),
    ("GB-COH-00000000", "all zeros"),
    ("GB-COH-SC000000", "all zeros"),
    ("GB-COH-0391-1478", "GB-COH company numbers are 8 characters"),
    ("GB-SC-SC1234567", "GB-SC Scottish charity numbers are SC followed by 6 digits"),
    ("GB-SC-NI012345", "GB-SC Scottish charity numbers are SC followed by 6 digits"),
    ("GB-SC-SC000000", "GB-SC Scottish charity numbers are SC followed by 6 digits"),
    ("GB-NIC-XN12345", "looks like an HMRC charity reference (use GB-REV)"),
    ("GB-NIC-1000", "GB-NIC Northern Ireland charity numbers are 5 or 6 digits"),
    ("GB-NIC-1000123", "GB-NIC Northern Ireland charity numbers are 5 or 6 digits"),
    ("GB-LAE-NE", "GB-LAE local authority codes are 3 or 4 letters"),
    ("GB-LAE-NET1", "GB-LAE local authority codes are 3 or 4 letters"),
    ("GB-LAS-ABCDE", "GB-LAS local authority codes are 3 or 4 letters"),
    ("GB-PLA-A1", "GB-PLA local authority codes are 3 or 4 letters"),
    ("GB-LANI-ßBC", "GB-LANI local authority codes are 3 or 4 letters"),
    ("GB-GOR-1198", "GB-GOR codes are letters then digits"),
    ("GB-NHS-R", "GB-NHS ODS codes are 3 to 6 letters or digits"),
    ("GB-NHS-RX1-01", "GB-NHS ODS codes are 3 to 6 letters or digits"),
    ("GB-EDU-12345", "GB-EDU school URNs are 6 digits"),
    ("GB-UKPRN-20000346", "GB-UKPRN numbers are 8 digits starting with 1"),
    ("GB-HESA-12345", "GB-HESA institution ids are 4 digits"),
    ("GB-IRN-54-20059", "GB-IRN institution references are NNN-NNNN"),
    ("GB-WALEDU-660213", "GB-WALEDU school numbers are 7 digits"),
    ("GB-CFS-abc", "GB-CFS Contracts Finder ids are digits"),
    ("GB-SRS-sid4gov.cabinetoffice.gov.uk/ tBq37PN7", "must not contain spaces"),
    ("XI-LEI-724500PMK2A2M1SQQ2", "XI-LEI codes are 20 letters and digits"),
    ("XI-WIKIDATA-1377", "XI-WIKIDATA ids are Q followed by digits"),
    ("XI-DUNS-12345", "XI-DUNS numbers are 9 digits"),
]


@pytest.mark.parametrize(("value", "rule"), BAD)
def test_bad_values_raise_naming_value_and_rule(value: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_org_id(value)
    message = str(caught.value)
    assert message.startswith(f"invalid org-id {value!r}: ")
    assert rule in message
    assert "\n" not in message
    assert caught.value.value == value


def test_error_message_is_one_line_and_bounded_for_hostile_values() -> None:
    value = "GB-CHC-" + "9\n" * 500
    with pytest.raises(IdentifierError) as caught:
        parse_org_id(value)
    assert "\n" not in str(caught.value)
    assert len(str(caught.value)) < 400


def test_identifier_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_org_id("nonsense")


# --------------------------------------------------------------------------- make_org_id, helpers


def test_make_org_id_from_parts() -> None:
    assert make_org_id("GB-COH", "3911478") == OrgId("GB-COH", "03911478")
    assert make_org_id(" gb-coh ", " sc12345 ") == OrgId("GB-COH", "SC012345")
    assert make_org_id("GB-CHC", "1082947").warning is None
    assert make_org_id("360G", "wolfson-1") == OrgId("360G", "wolfson-1")
    assert make_org_id("gb\u2013sc", "12345") == OrgId("GB-SC", "SC012345")
    unknown = make_org_id("us-ein", "12-3456789")
    assert unknown == OrgId("US-EIN", "12-3456789")
    assert unknown.warning == "unknown scheme 'US-EIN'"


@pytest.mark.parametrize(
    ("scheme", "local", "problem"),
    [
        ("GB-CHC", "", "the local identifier after 'GB-CHC' is empty"),
        ("", "1082947", "'' is not an org-id scheme code"),
        ("CHARITY", "1082947", "'CHARITY' is not an org-id scheme code"),
        ("GB-CHC", "GB-CHC-1082947", "GB-CHC charity numbers are 6 or 7 digits"),
        ("GB-COH", "X", "GB-COH company numbers are 8 characters"),
    ],
)
def test_make_org_id_rejects_bad_parts(scheme: str, local: str, problem: str) -> None:
    with pytest.raises(IdentifierError, match=r"^invalid org-id ") as caught:
        make_org_id(scheme, local)
    assert problem in str(caught.value)


def test_charity_and_company_helpers() -> None:
    assert make_org_id("GB-CHC", " 279417 ") == OrgId("GB-CHC", "279417")
    assert str(make_org_id("GB-COH", "sc 12345")) == "GB-COH-SC012345"
    # The "R0" prefix (old Northern Ireland numbers) pads after the prefix, as every
    # importer now writes it (the register import used to write GB-COH-R012345).
    assert normalise_company_number("R012345") == "R0012345"
    assert normalise_charity_number(" 1082947 ") == "1082947"
    assert normalise_charity_number(279417) == "279417"
    assert normalise_company_number(3911478) == "03911478"
    assert normalise_company_number("ni12345") == "NI012345"


def test_helper_errors_name_the_number_kind() -> None:
    with pytest.raises(IdentifierError) as caught:
        normalise_charity_number("12345")
    assert str(caught.value) == (
        "invalid charity number '12345': GB-CHC charity numbers are 6 or 7 digits (got '12345')"
    )
    with pytest.raises(IdentifierError, match=r"^invalid company number 'ZZ1': .*unknown prefix"):
        normalise_company_number("ZZ1")


# --------------------------------------------------------------------------- properties

_COH_PREFIX_LIST = sorted(identifiers._COH_PREFIXES)


def _noisy(text: str) -> st.SearchStrategy[str]:
    """``text`` with random case and surrounding whitespace, as importers see it."""
    return st.tuples(
        st.sampled_from(["", " ", "\t", "  "]),
        st.sampled_from([text, text.lower(), text.upper()]),
        st.sampled_from(["", " ", "\n"]),
    ).map("".join)


valid_locals: dict[str, st.SearchStrategy[str]] = {
    "GB-CHC": st.integers(100_000, 9_999_999).map(str),
    "GB-COH": st.one_of(
        st.integers(1, 99_999_999).map(str),
        st.tuples(st.sampled_from(_COH_PREFIX_LIST), st.integers(1, 999_999)).map(
            lambda p: f"{p[0]}{p[1]}"
        ),
    ),
    "GB-SC": st.integers(1, 999_999).map(lambda n: f"SC{n:06d}"),
    "GB-NIC": st.integers(10_000, 999_999).map(str),
    "GB-LAE": st.from_regex(r"[A-Z]{3,4}", fullmatch=True),
    "GB-NHS": st.from_regex(r"[A-Z0-9]{3,6}", fullmatch=True),
    "GB-GOR": st.from_regex(r"[A-Z]{1,4}[0-9]{1,6}", fullmatch=True),
    "GB-HESA": st.integers(0, 9999).map(str),
    "360G": st.from_regex(r"[a-zA-Z0-9:-]{1,20}", fullmatch=True),
    "XM-DAC": st.from_regex(r"[0-9]{1,5}(-[0-9]{1,3})?", fullmatch=True),
    "ZZ-UNKNOWN": st.from_regex(r"[A-Za-z0-9/.]{1,12}", fullmatch=True),
}


@st.composite
def valid_org_ids(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(sorted(valid_locals)))
    local = draw(valid_locals[scheme])
    separator = draw(st.sampled_from(["-", " - ", "\u2013"]))
    return draw(_noisy(scheme)) + separator + draw(_noisy(local))


@given(valid_org_ids())
@example("GB-COH-sc12345")
@example("360G-indigotrust:IND10")
def test_round_trip_for_valid_inputs(value: str) -> None:
    org_id = parse_org_id(value)
    again = parse_org_id(str(org_id))
    assert again == org_id
    assert again.warning == org_id.warning
    assert str(again) == str(org_id)


@given(st.text(max_size=40))
@example("GB-CHC-1082947")
@example("XM-DAC- -5")
@example("GB-PB-a\u00a0b")
def test_round_trip_for_any_accepted_text(value: str) -> None:
    try:
        org_id = parse_org_id(value)
    except IdentifierError as error:
        assert "\n" not in str(error)
        return
    again = parse_org_id(str(org_id))
    assert (again, again.warning, str(again)) == (org_id, org_id.warning, str(org_id))


@given(st.text(alphabet="0123456789 SCNIOPRsc", max_size=12))
def test_company_number_normalisation_is_idempotent(raw: str) -> None:
    try:
        number = normalise_company_number(raw)
    except IdentifierError:
        return
    assert len(number) == 8
    assert normalise_company_number(number) == number


@given(st.integers(0, 10**7 - 1))
def test_all_digit_company_numbers_are_zero_padded(n: int) -> None:
    if n == 0:
        with pytest.raises(IdentifierError):
            normalise_company_number(n)
    else:
        assert normalise_company_number(n) == f"{n:08d}"


@given(st.integers(100_000, 9_999_999), st.integers(0, 3))
def test_charity_numbers_accept_padding_and_spacing(n: int, pad: int) -> None:
    assert normalise_charity_number("0" * pad + f" {n} ") == str(n)
