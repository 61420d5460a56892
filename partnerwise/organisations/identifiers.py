"""Org-id organisation identifiers (``GB-CHC-1082947``): parse, normalise, validate.

Pure Python (stdlib only, no Django) so importers, management commands and tests can use it
anywhere.

An org-id is a scheme code from the org-id register (https://org-id.guide) followed by ``-``
and the identifier the scheme's registrar issued (the "local" part). The scheme lists shipped
in ``data/org-id/`` are the register's ``gb``, ``xi`` and ``xm`` lists (ODbL 1.0, see
``data/org-id/CREDIT.md``) plus ``extra-schemes.json`` for schemes that UK open data uses but
the register lacks (``GB-CQC``, ``GB-CFS``, ``360G``).

Normalisation, all schemes:

* outer whitespace is stripped, whitespace around the separating hyphens is ignored and
  Unicode dashes (en dash, minus sign, ...) are read as ``-``;
* the scheme is matched case-insensitively and written in upper case; the split between
  scheme and local part uses the *longest* known scheme code (``GB-SCOTEDU-…`` is not
  ``GB-SC-OTEDU-…``);
* an unknown scheme that looks like ``CC-LIST-rest`` is kept (scheme upper-cased, local part
  as given) with ``OrgId.warning`` set; a deprecated scheme is kept with a warning too;
* schemes with a documented format are validated and canonicalised (see ``_RULES``); any
  other known scheme keeps its local part as given, with whitespace runs collapsed.

Scheme-specific decisions:

* ``GB-CHC`` (Charity Commission for England and Wales): 6 or 7 digits (every registered
  charity number in the 2024 register extract is 6 or 7 digits, none starts with 0). Leading
  zeros are padding and are dropped: real data pads 6-digit numbers to 7
  (``GB-CHC-0201640`` in drkane/charity-lookups is registered charity 201640). Linked
  (subsidiary) charities written ``1082947-1`` are **rejected**: they are registered under the
  main charity's number and have no org-id of their own, so the error names the main number
  to use instead. ``1082947-0`` (linked number 0 is the main charity itself in the
  Commission's data) is accepted as ``1082947``.
* ``GB-COH`` (Companies House): 8 characters. All-digit numbers are zero-padded to 8; a known
  two-character prefix (``SC``, ``NI``, ``OC``, ``R0``, ``CE``, ...) followed by up to 6 digits
  is zero-padded after the prefix (``SC12345`` -> ``SC012345``). Registered societies
  (``IP``/``SP``/``RS``) may also carry a letter suffix (``IP28607R``, ``SP2134RS``) when the
  whole number is 8 characters; Companies House uses these as-is.
* ``GB-SC`` (OSCR): ``SC`` + 6 digits; the ``SC`` may be missing and short numbers are
  zero-padded (``sc 12345`` -> ``SC012345``).
* ``GB-NIC`` (Charity Commission for Northern Ireland): 5 or 6 digits (numbers start at
  100001). A leading ``NIC`` is dropped (``NIC100012`` -> ``100012``). ``XN…`` references are
  HMRC charity references, not Commission numbers, so they are rejected with a pointer to
  ``GB-REV``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "SCHEMES_DIR",
    "IdentifierError",
    "OrgId",
    "Scheme",
    "load_schemes",
    "make_org_id",
    "normalise_charity_number",
    "normalise_company_number",
    "parse_org_id",
]

SCHEMES_DIR = Path(__file__).resolve().parent / "data" / "org-id"
"""The shipped copy of the org-id scheme lists (plus ``extra-schemes.json``)."""

_MAX_SHOWN = 80  # longest value quoted in an error message

_Case = Literal["upper", "lower"]


# --------------------------------------------------------------------------- schemes


@dataclass(frozen=True)
class Scheme:
    """One identifier scheme (an org-id register list, or one of our extra schemes)."""

    code: str
    name: str
    description: str
    deprecated: bool
    confirmed: bool
    examples: tuple[str, ...]
    in_register: bool = True


def _text(value: Any) -> str:
    """The English text of a register field that is either a string or ``{"en": ...}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        en = value.get("en")
        return en if isinstance(en, str) else ""
    return ""


def _examples(record: Mapping[str, Any]) -> tuple[str, ...]:
    access = record.get("access")
    raw: Any = access.get("exampleIdentifiers") if isinstance(access, Mapping) else None
    if isinstance(raw, str):
        raw = re.split(r"[,;]", raw)
    if not isinstance(raw, list):
        return ()
    return tuple(item.strip() for item in raw if isinstance(item, str) and item.strip())


def _scheme(record: Mapping[str, Any], *, in_register: bool, source: Path) -> Scheme:
    code = record.get("code")
    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"{source}: scheme record without a 'code'")
    return Scheme(
        code=code.strip().upper(),
        name=_text(record.get("name")),
        description=_text(record.get("description")),
        deprecated=bool(record.get("deprecated")),
        confirmed=bool(record.get("confirmed")),
        examples=_examples(record),
        in_register=in_register,
    )


@lru_cache(maxsize=8)
def _load_schemes_cached(directory: Path) -> Mapping[str, Scheme]:
    if not directory.is_dir():
        raise FileNotFoundError(f"org-id scheme directory not found: {directory}")
    register: dict[str, Scheme] = {}
    extras: dict[str, Scheme] = {}
    for path in sorted(directory.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "code" in data:
            scheme = _scheme(data, in_register=True, source=path)
            if scheme.code in register:
                raise ValueError(f"{path}: scheme {scheme.code!r} is listed twice")
            register[scheme.code] = scheme
        elif isinstance(data, dict) and isinstance(data.get("schemes"), list):
            for record in data["schemes"]:
                if not isinstance(record, dict):
                    raise ValueError(f"{path}: 'schemes' entries must be objects")
                in_register = bool(record.get("inRegister", False))
                scheme = _scheme(record, in_register=in_register, source=path)
                extras.setdefault(scheme.code, scheme)
        else:
            raise ValueError(f"{path}: neither an org-id list record nor an extra-schemes file")
    if not register and not extras:
        raise ValueError(f"no org-id scheme lists in {directory}")
    # The register wins: an extra scheme only fills a gap in it.
    return MappingProxyType({**extras, **register})


def load_schemes(directory: Path | None = None) -> dict[str, Scheme]:
    """Load the scheme lists in ``directory`` (default: the shipped copy), keyed by code.

    Every ``*.json`` below ``directory`` must be either an org-id register list record (an
    object with ``code``) or an extra-schemes file (``{"schemes": [...]}``, entries marked
    ``"inRegister": false``). Register entries take precedence over extra schemes with the same
    code. Results are cached per directory; the returned dict is a fresh copy.
    """
    path = (directory if directory is not None else SCHEMES_DIR).resolve()
    return dict(_load_schemes_cached(path))


def _shipped_schemes() -> Mapping[str, Scheme]:
    return _load_schemes_cached(SCHEMES_DIR)


# --------------------------------------------------------------------------- errors, OrgId


def _shown(value: str) -> str:
    if len(value) > _MAX_SHOWN:
        value = value[: _MAX_SHOWN - 1] + "…"
    return repr(value)


class IdentifierError(ValueError):
    """An identifier that cannot be parsed or breaks its scheme's rules.

    ``str(error)`` is one line naming the value and the problem, e.g.
    ``invalid org-id 'GB-CHC-12345': GB-CHC charity numbers are 6 or 7 digits``.
    """

    def __init__(self, value: str, problem: str, *, kind: str = "org-id") -> None:
        self.value = value
        self.problem = problem
        self.kind = kind
        super().__init__(f"invalid {kind} {_shown(value)}: {problem}")


class _RuleError(Exception):
    """Raised by a scheme rule; turned into an ``IdentifierError`` naming the full value."""


@dataclass(frozen=True)
class OrgId:
    """A normalised org-id. ``warning`` is informational and ignored in comparisons."""

    scheme: str
    local: str
    warning: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.scheme}-{self.local}"


# --------------------------------------------------------------------------- scheme rules

_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-")
)


def _compact(local: str, rule: str, *, case: _Case = "upper") -> str:
    """``local`` without any whitespace, in upper (or lower) case; ASCII only."""
    value = "".join(local.split())
    if not value.isascii():
        raise _RuleError(f"{rule} (unexpected character in {_shown(value)})")
    return value.upper() if case == "upper" else value.lower()


def _pattern(regex: str, rule: str, *, case: _Case = "upper") -> Callable[[str], str]:
    compiled = re.compile(regex, re.ASCII)

    def check(local: str) -> str:
        value = _compact(local, rule, case=case)
        if not compiled.fullmatch(value):
            raise _RuleError(f"{rule} (got {_shown(value)})")
        return value

    return check


def _as_given(local: str) -> str:
    """Keep the local part as given: whitespace runs collapsed, no control characters."""
    value = " ".join(local.split())
    if any(not ch.isprintable() for ch in value):
        raise _RuleError("the identifier contains control or invisible characters")
    return value


def _no_whitespace(local: str) -> str:
    value = _as_given(local)
    if " " in value:
        raise _RuleError("the identifier must not contain spaces")
    return value


_CHC_RULE = "GB-CHC charity numbers are 6 or 7 digits"


def _charity_number(local: str) -> str:
    value = _compact(local, _CHC_RULE)
    linked = re.fullmatch(r"([0-9]+)-([0-9]+)", value, re.ASCII)
    if linked:
        main = _charity_number(linked[1])
        if int(linked[2]) == 0:  # linked number 0 is the main charity itself
            return main
        raise _RuleError(
            f"linked charity numbers have no org-id of their own; "
            f"use the main charity number 'GB-CHC-{main}'"
        )
    if not re.fullmatch(r"[0-9]+", value, re.ASCII) or not 6 <= len(value.lstrip("0")) <= 7:
        raise _RuleError(f"{_CHC_RULE} (got {_shown(value)})")
    return value.lstrip("0")


# Companies House company number prefixes: Companies House URI customer guide list plus
# CE/CS (CIOs), SG (Scottish qualifying partnerships), OE (overseas entities) and the others
# seen on the register.
# fmt: off
_COH_PREFIXES = frozenset({
    "AC", "CE", "CS", "EN", "ES", "FC", "FE", "GE", "GN", "GS", "IC", "IP", "LP", "NA",
    "NC", "NF", "NI", "NL", "NO", "NP", "NR", "NV", "NZ", "OC", "OE", "PC", "R0", "RC",
    "RS", "SA", "SC", "SE", "SF", "SG", "SI", "SL", "SO", "SP", "SR", "SZ", "ZC",
})
# fmt: on
_COH_SOCIETY_PREFIXES = frozenset({"IP", "SP", "RS"})
_COH_RULE = (
    "GB-COH company numbers are 8 characters: digits (zero-padded to 8) "
    "or a Companies House prefix such as SC, NI, OC then 6 digits"
)


def _company_number(local: str) -> str:
    value = _compact(local, _COH_RULE)
    if re.fullmatch(r"[0-9]{1,8}", value, re.ASCII):
        if not value.strip("0"):
            raise _RuleError(f"{_COH_RULE} (got {_shown(value)}, all zeros)")
        return value.zfill(8)
    prefixed = re.fullmatch(r"([A-Z][A-Z0-9])([0-9]{1,6})", value, re.ASCII)
    if prefixed and prefixed[1] in _COH_PREFIXES:
        if not prefixed[2].strip("0"):
            raise _RuleError(f"{_COH_RULE} (got {_shown(value)}, all zeros)")
        return prefixed[1] + prefixed[2].zfill(6)
    if (
        len(value) == 8
        and value[:2] in _COH_SOCIETY_PREFIXES
        and re.fullmatch(r"[0-9]{1,5}[A-Z]{1,4}", value[2:], re.ASCII)
    ):
        return value  # registered society numbers such as IP28607R
    letters = re.match(r"[A-Z][A-Z0-9]", value, re.ASCII)
    if letters and letters[0] not in _COH_PREFIXES and not letters[0].isdigit():
        raise _RuleError(f"{_COH_RULE} (unknown prefix {letters[0]!r} in {_shown(value)})")
    raise _RuleError(f"{_COH_RULE} (got {_shown(value)})")


_SC_RULE = "GB-SC Scottish charity numbers are SC followed by 6 digits"


def _scottish_charity_number(local: str) -> str:
    value = _compact(local, _SC_RULE)
    match = re.fullmatch(r"(?:SC)?([0-9]{1,6})", value, re.ASCII)
    if not match or not match[1].strip("0"):
        raise _RuleError(f"{_SC_RULE} (got {_shown(value)})")
    return "SC" + match[1].zfill(6)


_NIC_RULE = "GB-NIC Northern Ireland charity numbers are 5 or 6 digits, e.g. 100012"


def _ni_charity_number(local: str) -> str:
    value = _compact(local, _NIC_RULE)
    if value.startswith("XN"):
        raise _RuleError(
            f"{_NIC_RULE}; {_shown(value)} looks like an HMRC charity reference (use GB-REV)"
        )
    value = value.removeprefix("NIC")
    if not re.fullmatch(r"[1-9][0-9]{4,5}", value, re.ASCII):
        raise _RuleError(f"{_NIC_RULE} (got {_shown(value)})")
    return value


_HESA_RULE = "GB-HESA institution ids are 4 digits"


def _hesa(local: str) -> str:
    value = _compact(local, _HESA_RULE)
    if not re.fullmatch(r"[0-9]{1,4}", value, re.ASCII):
        raise _RuleError(f"{_HESA_RULE} (got {_shown(value)})")
    return value.zfill(4)


_IRN_RULE = "GB-IRN institution references are NNN-NNNN"


def _irn(local: str) -> str:
    value = _compact(local, _IRN_RULE)
    match = re.fullmatch(r"([0-9]{3})-?([0-9]{4})", value, re.ASCII)
    if not match:
        raise _RuleError(f"{_IRN_RULE} (got {_shown(value)})")
    return f"{match[1]}-{match[2]}"


_DUNS_RULE = "XI-DUNS numbers are 9 digits"


def _duns(local: str) -> str:
    value = _compact(local, _DUNS_RULE).replace("-", "")
    if not re.fullmatch(r"[0-9]{9}", value, re.ASCII):
        raise _RuleError(f"{_DUNS_RULE} (got {_shown(value)})")
    return value


def _upper_as_given(local: str) -> str:
    value = _as_given(local)
    if not value.isascii():
        raise _RuleError(f"the identifier must be ASCII (got {_shown(value)})")
    return value.upper()


_LA_RULE = "{code} local authority codes are 3 or 4 letters"

_RULES: dict[str, Callable[[str], str]] = {
    "GB-CHC": _charity_number,
    "GB-COH": _company_number,
    "GB-SC": _scottish_charity_number,
    "GB-NIC": _ni_charity_number,
    "GB-LAE": _pattern(r"[A-Z]{3,4}", _LA_RULE.format(code="GB-LAE")),
    "GB-LAS": _pattern(r"[A-Z]{3,4}", _LA_RULE.format(code="GB-LAS")),
    "GB-PLA": _pattern(r"[A-Z]{3,4}", _LA_RULE.format(code="GB-PLA")),
    "GB-LANI": _pattern(r"[A-Z]{3,4}", _LA_RULE.format(code="GB-LANI")),
    "GB-GOR": _pattern(
        r"[A-Z]{1,4}[0-9]{1,6}", "GB-GOR codes are letters then digits, e.g. D1198 or PB1204"
    ),
    "GB-NHS": _pattern(r"[A-Z0-9]{3,6}", "GB-NHS ODS codes are 3 to 6 letters or digits"),
    "GB-EDU": _pattern(r"[0-9]{6}", "GB-EDU school URNs are 6 digits"),
    "GB-WALEDU": _pattern(r"[0-9]{7}", "GB-WALEDU school numbers are 7 digits"),
    "GB-SCOTEDU": _pattern(r"[0-9]{7}", "GB-SCOTEDU SEED codes are 7 digits"),
    "GB-UKPRN": _pattern(r"1[0-9]{7}", "GB-UKPRN numbers are 8 digits starting with 1"),
    "GB-HESA": _hesa,
    "GB-IRN": _irn,
    "GB-COE": _pattern(r"[0-9]{1,8}", "GB-COE church codes are digits"),
    "GB-CCSCUST": _pattern(r"[0-9]{1,10}", "GB-CCSCUST customer URNs are digits"),
    "GB-GOV": _pattern(r"[0-9]{1,4}", "GB-GOV department codes are digits"),
    "GB-MPR": _pattern(
        r"[A-Z0-9]{1,12}", "GB-MPR society numbers are letters and digits, e.g. IP031455"
    ),
    "GB-SHPE": _pattern(
        r"[A-Z0-9]{1,10}", "GB-SHPE provider codes are letters and digits, e.g. LH4401"
    ),
    "GB-REV": _upper_as_given,
    "GB-SRS": _no_whitespace,
    "GB-CFS": _pattern(r"[0-9]{1,10}", "GB-CFS Contracts Finder ids are digits"),
    "GB-CQC": _pattern(
        r"1-[0-9]{6,12}|[A-Z0-9]{3,6}",
        "GB-CQC ids are 1-<digits> (e.g. 1-101641541) or an NHS ODS code",
    ),
    "XI-LEI": _pattern(r"[A-Z0-9]{18}[0-9]{2}", "XI-LEI codes are 20 letters and digits"),
    "XI-WIKIDATA": _pattern(r"Q[1-9][0-9]*", "XI-WIKIDATA ids are Q followed by digits"),
    "XI-DUNS": _duns,
    "XI-ROR": _pattern(
        r"0[a-z0-9]{6}[0-9]{2}", "XI-ROR ids are 9 characters starting with 0", case="lower"
    ),
    "XI-PID": _pattern(r"[0-9]{1,15}", "XI-PID PermIDs are digits"),
}


# --------------------------------------------------------------------------- parsing


@lru_cache(maxsize=1)
def _shipped_prefix_regex() -> re.Pattern[str] | None:
    """`_prefix_regex` of the shipped schemes, found without sorting and hashing their
    codes again for each of the hundreds of thousands of org-ids an import parses."""
    known = _shipped_schemes()
    return _prefix_regex(tuple(sorted(known))) if known else None


@lru_cache(maxsize=8)
def _prefix_regex(codes: tuple[str, ...]) -> re.Pattern[str]:
    """Matches ``<known code>-<local>``, trying the longest codes first."""
    alternatives = "|".join(
        r"\s*-\s*".join(re.escape(part) for part in code.split("-"))
        for code in sorted(codes, key=lambda c: (-len(c), c))
    )
    return re.compile(
        rf"(?P<scheme>{alternatives})\s*-\s*(?P<local>.*)", re.IGNORECASE | re.ASCII | re.DOTALL
    )


_UNKNOWN_SCHEME = re.compile(r"([A-Za-z]{2})-([A-Za-z][A-Za-z0-9]*)", re.ASCII)
_UNKNOWN_ORG_ID = re.compile(
    r"(?P<country>[A-Za-z]{2})\s*-\s*(?P<list>[A-Za-z][A-Za-z0-9]*)\s*-\s*(?P<local>.*)",
    re.ASCII | re.DOTALL,
)


def _build(value: str, scheme: str, local: str, schemes: Mapping[str, Scheme]) -> OrgId:
    local = local.strip()
    if not local:
        raise IdentifierError(value, f"the local identifier after {scheme!r} is empty")
    known = schemes.get(scheme)
    warning: str | None
    if known is None:
        warning = f"unknown scheme {scheme!r}"
        rule: Callable[[str], str] = _as_given
    else:
        warning = f"deprecated scheme {scheme!r}" if known.deprecated else None
        rule = _RULES.get(scheme, _as_given)
    try:
        normalised = rule(local)
    except _RuleError as error:
        raise IdentifierError(value, str(error)) from None
    return OrgId(scheme=scheme, local=normalised, warning=warning)


def parse_org_id(value: str, *, schemes: Mapping[str, Scheme] | None = None) -> OrgId:
    """Parse, normalise and validate a full org-id such as ``"gb-chc-1082947"``.

    Raises ``IdentifierError`` when the value has no scheme/local split, the local part is
    empty, or a known scheme's format rule is broken. An unknown scheme of the form
    ``CC-LIST-rest`` is accepted with ``warning="unknown scheme 'CC-LIST'"``.
    ``schemes`` defaults to the shipped lists (``load_schemes()``).
    """
    if not isinstance(value, str):
        raise TypeError(f"org-id must be a string, not {type(value).__name__}")
    known = _shipped_schemes() if schemes is None else schemes
    text = value.translate(_DASHES).strip()
    if not text:
        raise IdentifierError(value, "the value is empty")
    if schemes is None:
        prefix: re.Pattern[str] | None = _shipped_prefix_regex()
    else:
        prefix = _prefix_regex(tuple(sorted(known))) if known else None
    match = prefix.fullmatch(text) if prefix else None
    if match:
        scheme = "".join(match["scheme"].split()).upper()
        return _build(value, scheme, match["local"], known)
    unknown = _UNKNOWN_ORG_ID.fullmatch(text)
    if unknown:
        scheme = f"{unknown['country']}-{unknown['list']}".upper()
        return _build(value, scheme, unknown["local"], known)
    raise IdentifierError(
        value, "expected a scheme code and an identifier such as 'GB-CHC-1082947'"
    )


def make_org_id(scheme: str, local: str, *, schemes: Mapping[str, Scheme] | None = None) -> OrgId:
    """Build an org-id from a scheme code and a local identifier held separately.

    ``make_org_id("gb-coh", "3911478")`` -> ``OrgId("GB-COH", "03911478")``. The same rules and
    warnings as ``parse_org_id`` apply; the scheme must be a known code or look like
    ``CC-LIST``.
    """
    if not isinstance(scheme, str) or not isinstance(local, str):
        raise TypeError("make_org_id() takes the scheme and the local identifier as strings")
    known = _shipped_schemes() if schemes is None else schemes
    code = "".join(scheme.translate(_DASHES).split()).upper()
    value = f"{scheme.strip()}-{local.strip()}"
    if code not in known and not _UNKNOWN_SCHEME.fullmatch(code):
        raise IdentifierError(value, f"{scheme!r} is not an org-id scheme code such as 'GB-CHC'")
    return _build(value, code, local, known)


# --------------------------------------------------------------------------- helpers


def _normalise(number: str | int, rule: Callable[[str], str], kind: str) -> str:
    value = str(number)
    try:
        return rule(value.strip())
    except _RuleError as error:
        raise IdentifierError(value, str(error), kind=kind) from None


def normalise_charity_number(number: str | int) -> str:
    """A Charity Commission (England and Wales) number, e.g. ``" 1082947 "`` -> ``"1082947"``.

    Raises ``IdentifierError`` (see ``GB-CHC`` in the module docstring).
    """
    return _normalise(number, _charity_number, "charity number")


def normalise_company_number(number: str | int) -> str:
    """A Companies House number, e.g. ``3911478`` -> ``"03911478"``, ``"sc12345"`` ->
    ``"SC012345"``. Raises ``IdentifierError``."""
    return _normalise(number, _company_number, "company number")
