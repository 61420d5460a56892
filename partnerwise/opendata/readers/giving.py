"""360Giving grant data: JSON packages and flattened spreadsheets (CSV, XLSX).

Every grant is checked against the 360Giving Data Standard schema 1.4.3 (shipped in
`opendata/data/`). Early real publications break the standard in ways whose meaning is
clear: dates written dd/mm/yyyy (UK publishers), amounts as text, the pre-1.0 column names
("Project Start Date", "Recipient Org Beneficiary Location", "Grant Programme" as text).
Those are repaired with a warning. A grant that lacks what a grant needs (an id, an amount,
an award date, a funder, a recipient) is a bad record.

Spreadsheets use the column titles the standard's schema gives, joined with ":" the way
flattentool writes them ("Recipient Org:Identifier"), or flattentool's path headings
("recipientOrganization/0/id"). The mapping is built from the schema itself.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema
import ijson
from jsonschema import Draft202012Validator, FormatChecker

from partnerwise.opendata.readers import (
    BadRecord,
    FieldError,
    Row,
    SourceError,
    content_key,
    json_error,
    to_bool,
    to_decimal,
    to_iso_date,
)

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "360-giving-schema.json"
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_FIELDS = ("awardDate", "dateModified")
_NESTED_DATES = ("plannedDates", "actualDates")
# Pre-standard names seen in real early files, and where their content belongs.
_OLD_PLANNED = {"Project Start Date": "startDate", "Project End Date": "endDate"}
_OLD_COLUMNS = {*_OLD_PLANNED, "Recipient Org Beneficiary Location", "Grant Programme"}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


# (property, repr of its value) -> its errors, for values grants repeat. Cleared when full,
# so memory stays bounded whatever the file.
_CHECKED: dict[tuple[str, str], list[tuple[str, str]]] = {}
_CHECKED_MAX = 50_000
_VALID_MAX = 100_000  # a GrantNav-sized file names about 60,000 recipients
_VALID_LONGEST = 500  # a longer value (a description) is rarely repeated: not remembered


def _valid_key(value: Any) -> Any:
    """How `_Rule.valid` remembers a value that is not text (text is kept as itself, in
    `_Rule.valid_text`): a list or object by its content (`content_key`, which tells a
    number from the same digits as text); a scalar by its type and value."""
    if isinstance(value, (list, dict)):
        key = content_key(value)
        return key if len(key) <= _VALID_LONGEST else None
    return (type(value), value) if isinstance(value, (int, float, bool)) else None


# JSON types whose whole check is the value's Python type (`{"type": "string"}` and the
# like, annotations aside): most of a grant's own values (id, title, description, amounts)
# are checked so, rather than through the memo below, which they would only churn.
_PLAIN_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "number": frozenset({int, float, Decimal}),  # (not bool: not a number to JSON Schema)
    "integer": frozenset({int}),
    "boolean": frozenset({bool}),
}
_ANNOTATIONS = {"title", "description", "weight", "codelist", "openCodelist", "rollUp"}


class _Rule:
    """How one top-level property is checked: by its value's type alone (`plain`), else by
    fastjsonschema, once per distinct valid value (grants repeat their funder, recipient,
    programme, dates and currency, and a property's check depends on its value alone: the
    `valid` sets, cleared when full, long values not kept), with jsonschema to say how a
    value is wrong."""

    __slots__ = ("fast", "plain", "valid", "valid_text", "validator")

    def __init__(self, node: dict[str, Any], defs: dict[str, Any]) -> None:
        rules = {name: rule for name, rule in node.items() if name not in _ANNOTATIONS}
        kind = rules.get("type")
        plain = set(rules) == {"type"} and isinstance(kind, str)
        self.plain = _PLAIN_TYPES.get(str(kind), frozenset()) if plain else frozenset()
        self.validator = Draft202012Validator({**node, "$defs": defs}, format_checker=_FORMATS)
        # Formats as in `_FORMATS`: only date-time is checked.
        formats = {"date-time": _is_date_time_or_not, "uri": _anything}
        self.fast = fastjsonschema.compile(
            {**node, "$defs": defs}, formats=formats, detailed_exceptions=False
        )
        self.valid: set[Any] = set()
        self.valid_text: set[str] = set()

    def remember(self, valid: set[Any], seen: Any) -> None:
        if len(valid) >= _VALID_MAX:
            valid.clear()
        valid.add(seen)

    def errors(self, key: str, value: Any) -> list[tuple[str, str]]:
        """(path, message) for each way `value` breaks the schema (jsonschema's words)."""
        # repr tells a number from the same digits as text, which the schema does too.
        memo = (key, repr(value)) if isinstance(value, (list, dict)) else None
        found = _CHECKED.get(memo) if memo else None
        if found is None:
            found = [
                ("/".join([key, *map(str, error.absolute_path)]), error.message)
                for error in self.validator.iter_errors(value)
            ]
            if memo:
                if len(_CHECKED) >= _CHECKED_MAX:
                    _CHECKED.clear()
                _CHECKED[memo] = found
        return found


@lru_cache(maxsize=1)
def _rules() -> dict[str, _Rule]:
    """One rule per top-level property. The schema's top level says only "an object with
    these properties" and, in a `oneOf`, "recipient organisation or individual", which
    `_missing` checks with a clearer message. So checking each property on its own is the
    whole check, and lets a value repeated across grants be checked once."""
    body = schema()
    return {key: _Rule(node, body["$defs"]) for key, node in body["properties"].items()}


def _anything(value: object) -> bool:
    return True


def _is_date_time_or_not(value: object) -> bool:
    try:
        return bool(_is_date_time(value))
    except ValueError:
        return False


def schema_errors(grant: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(top-level property, path, message) for each way `grant` breaks the schema."""
    rules = _rules()
    errors: list[tuple[str, str, str]] = []
    for key, value in grant.items():
        rule = rules.get(key)
        if rule is None:
            continue  # the standard allows other properties
        kind = type(value)
        if kind in rule.plain:
            continue
        if kind is str:  # most of the rest: dates, currencies
            valid: set[Any] = rule.valid_text
            seen: Any = value if len(value) <= _VALID_LONGEST else None
        elif kind is list:  # organisations, programmes, planned dates
            valid = rule.valid
            seen = content_key(value)
            if len(seen) > _VALID_LONGEST:
                seen = None
        else:
            valid = rule.valid
            seen = _valid_key(value)
        if seen is not None and seen in valid:
            continue
        try:
            rule.fast(value)
            if seen is not None:
                rule.remember(valid, seen)
            continue
        except fastjsonschema.JsonSchemaException:
            pass  # jsonschema says how (or, where the two differ, that it is valid after all)
        errors.extend((key, path, message) for path, message in rule.errors(key, value))
    return errors


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time (the schema's dates are "a date, or a full date-time")."""
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}", value):
        return False
    dt.datetime.fromisoformat(value.replace("z", "Z"))
    return True


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: dict[str, Any] = schema()["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    return node


@lru_cache(maxsize=1)
def title_paths() -> dict[str, str]:
    """Spreadsheet heading -> JSON path.

    For example "Recipient Org:Identifier" -> "recipientOrganization/0/id".
    """
    paths: dict[str, str] = {}

    def walk(properties: dict[str, Any], title_prefix: str, path_prefix: str, depth: int) -> None:
        for key, raw in properties.items():
            node = _resolve(raw)
            title = raw.get("title") or node.get("title")
            if not title:
                continue
            kind = node.get("type")
            heading = f"{title_prefix}{title}"
            if kind == "array" and isinstance(node.get("items"), dict):
                items = _resolve(node["items"])
                if "properties" in items and depth < 2:
                    walk(items["properties"], heading + ":", f"{path_prefix}{key}/0/", depth + 1)
                    continue
            if kind == "object" and "properties" in node and depth < 2:
                walk(node["properties"], heading + ":", f"{path_prefix}{key}/", depth + 1)
                continue
            paths[heading.lower()] = f"{path_prefix}{key}"

    walk(schema()["properties"], "", "", 0)
    paths.setdefault("currency", "currency")
    return paths


@lru_cache(maxsize=1)
def path_types() -> dict[str, str]:
    """JSON path (list positions as 0) -> the schema's type for the value there."""
    types: dict[str, str] = {}

    def walk(properties: dict[str, Any], prefix: str, depth: int) -> None:
        for key, raw in properties.items():
            node = _resolve(raw)
            kind = node.get("type")
            kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
            if kind == "array" and isinstance(node.get("items"), dict) and depth < 3:
                items = _resolve(node["items"])
                if "properties" in items:
                    walk(items["properties"], f"{prefix}{key}/0/", depth + 1)
                    continue
            if kind == "object" and "properties" in node and depth < 3:
                walk(node["properties"], f"{prefix}{key}/", depth + 1)
                continue
            if isinstance(kind, str):
                date_time = node.get("format") == "date-time"
                types[f"{prefix}{key}"] = "date-time" if date_time else kind

    walk(schema()["properties"], "", 0)
    return types


_POSITION = re.compile(r"/\d+(?=/|$)")


def _as_schema_type(path: str, value: Any) -> Any:
    """A spreadsheet cell as the type the schema wants there, as flattentool converts it:
    Excel stores a charity number or a postcode typed as digits as a number (1082947.0)."""
    kind = path_types().get(_POSITION.sub("/0", path))
    if isinstance(value, dt.datetime):
        return value.isoformat() if kind == "date-time" else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if (
        kind in ("string", "date-time")
        and not isinstance(value, (str, bool))
        and isinstance(value, (int, float))
    ):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if kind == "boolean" and isinstance(value, str):
        with contextlib.suppress(FieldError):
            return to_bool(value)
    return value


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split("/")
    node: Any = target
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following = None if last else parts[index + 1]
        if isinstance(node, list):
            position = int(part)
            while len(node) <= position:
                node.append({})
            if last:
                node[position] = value
            else:
                node = node[position]
            continue
        if last:
            node[part] = value
        else:
            default: Any = [] if following is not None and following.isdigit() else {}
            node = node.setdefault(part, default)


def _uk_date(value: Any, field: str, notes: list[tuple[str, str]]) -> Any:
    if type(value) is not str or value[4:5] == "-":  # not text, or ISO (2024-...) already
        return value
    match = _UK_DATE.match(value.strip())
    if not match:
        return value
    day, month, year = (int(part) for part in match.groups())
    if month > 12:
        raise FieldError(f"{value!r} is not a day/month/year date", field)
    try:
        iso = dt.date(year, month, day).isoformat()
    except ValueError:
        raise FieldError(f"{value!r} is not a real date", field) from None
    notes.append((f"{field} written dd/mm/yyyy, read as day/month/year", f"{value} -> {iso}"))
    return iso


def repair(grant: dict[str, Any]) -> list[tuple[str, str]]:
    """Bring a grant to the standard where the meaning is clear; returns (kind, example)."""
    notes: list[tuple[str, str]] = []
    if _OLD_COLUMNS.isdisjoint(grant):
        return _repair_dates_and_amounts(grant, notes)
    for old, new in _OLD_PLANNED.items():
        if old in grant:
            value = grant.pop(old)
            if value not in (None, ""):
                planned = grant.setdefault("plannedDates", [{}])
                if isinstance(planned, list) and planned and isinstance(planned[0], dict):
                    planned[0].setdefault(new, value)
                notes.append((f"old column {old!r} read as plannedDates {new}", str(value)))
    if "Recipient Org Beneficiary Location" in grant:
        value = grant.pop("Recipient Org Beneficiary Location")
        grant.setdefault("beneficiaryLocation", value if isinstance(value, list) else [value])
        notes.append(
            ("old column 'Recipient Org Beneficiary Location' read as beneficiaryLocation", "")
        )
    if isinstance(grant.get("Grant Programme"), str) and "grantProgramme" not in grant:
        grant["grantProgramme"] = [{"title": grant.pop("Grant Programme")}]
        notes.append(("old column 'Grant Programme' read as grantProgramme title", ""))
    return _repair_dates_and_amounts(grant, notes)


def _repair_dates_and_amounts(
    grant: dict[str, Any], notes: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    for key in ("recipientOrganization", "fundingOrganization"):
        if isinstance(grant.get(key), dict):
            grant[key] = [grant[key]]
            notes.append((f"{key} given as one object, read as a list of one", ""))
    for field in _DATE_FIELDS:
        if field in grant:
            grant[field] = _uk_date(grant[field], field, notes)
    for field in _NESTED_DATES:
        periods = grant.get(field)
        if isinstance(periods, list):
            for period in periods:
                if isinstance(period, dict):
                    for key in ("startDate", "endDate"):
                        if key in period:
                            period[key] = _uk_date(period[key], f"{field}/{key}", notes)
    for field in ("amountAwarded", "amountAppliedFor", "amountDisbursed"):
        value = grant.get(field)
        try:
            if isinstance(value, str):
                grant[field] = to_decimal(value)
                notes.append((f"{field} written as text, read as a number", value))
            elif value is not None:
                to_decimal(value)  # too large for the database is a bad record
        except FieldError as problem:
            raise FieldError(str(problem), field) from None
    # A date the schema's pattern lets through but the calendar does not (30 February).
    value = grant.get("awardDate")
    if isinstance(value, str) and value.strip():
        try:
            to_iso_date(value)
        except FieldError as problem:
            raise FieldError(str(problem), "awardDate") from None
    return notes


_REQUIRED = ("id", "title", "currency", "amountAwarded", "awardDate", "fundingOrganization")


def _missing(grant: dict[str, Any]) -> str | None:
    get = grant.get
    for field in _REQUIRED:
        value = get(field)
        if value is None or value == "" or value == []:
            return field
    if not grant.get("recipientOrganization") and not grant.get("recipientIndividual"):
        return "recipientOrganization"
    return None


# Fields the directory relies on: a schema error here makes the grant a bad record.
_ESSENTIAL = {
    "id",
    "amountAwarded",
    "awardDate",
    "currency",
    "recipientOrganization",
    "fundingOrganization",
}


def check(grant: Any, file: str, position: str) -> Row | BadRecord:
    if not isinstance(grant, dict):
        return BadRecord(file, position, "", "is not a JSON object")
    try:
        notes = repair(grant)
    except FieldError as problem:
        return BadRecord(file, position, problem.field, str(problem))
    missing = _missing(grant)
    if missing:
        return BadRecord(file, position, missing, "missing; every grant needs one")
    row = Row(file, position, grant)
    for kind, example in notes:
        row.warnings.append(f"{file}: {kind}\x00{example}")
    for top, path, message in schema_errors(grant):
        if top in _ESSENTIAL:
            return BadRecord(file, position, path, f"{message[:160]} (360Giving 1.4.3)")
        row.warnings.append(
            f"{file}: does not follow 360Giving 1.4.3 at {path or 'top level'}\x00"
            f"{position}: {message[:120]}"
        )
    if not grant.get("recipientOrganization"):
        row.warnings.append(
            f"{file}: grant to an individual, no organisation to link\x00{position}"
        )
    return row


def read_grants(path: Path) -> Iterator[Row | BadRecord]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json_grants(path)
    if suffix == ".csv":
        return _csv_grants(path)
    if suffix in {".xlsx", ".xlsm"}:
        return _xlsx_grants(path)
    raise SourceError(f"{path.name}: expected a .json, .csv or .xlsx 360Giving file")


def _json_grants(path: Path) -> Iterator[Row | BadRecord]:
    file = path.name
    count = 0
    try:
        with path.open("rb") as raw:
            head = raw.read(3)
            if head != b"\xef\xbb\xbf":
                raw.seek(0)
            for count, grant in enumerate(ijson.items(raw, "grants.item"), start=1):
                yield check(grant, file, f"grant {count}")
    except ijson.JSONError as error:
        raise SourceError(f"{file}: {json_error(error, f'grant {count}')}") from None
    except OSError as error:
        raise SourceError(f"{file}: cannot be read ({error})") from None
    if count == 0:
        raise SourceError(f"{file}: no grants found (a 360Giving package has a 'grants' list)")


def _headings(header: list[str], file: str) -> list[str | None]:
    paths = title_paths()
    mapped: list[str | None] = []
    for heading in header:
        text = heading.strip()
        if "/" in text:
            mapped.append(text)
        else:
            mapped.append(paths.get(text.lower()))
    if "id" not in mapped:
        raise SourceError(f"{file}, line 1: no 'Identifier' column, so not a 360Giving sheet")
    return mapped


def _sheet_rows(rows: Iterator[list[Any]], file: str, line_of: Any) -> Iterator[Row | BadRecord]:
    header = next(rows, None)
    if header is None:
        raise SourceError(f"{file}: empty spreadsheet")
    mapped = _headings([str(cell or "") for cell in header], file)
    count = 0
    for count, values in enumerate(rows, start=2):
        if not any(value not in (None, "") for value in values):
            continue
        grant: dict[str, Any] = {}
        for path, value in zip(mapped, values, strict=False):
            if path and value not in (None, ""):
                if isinstance(value, str):
                    value = value.strip()
                _set_path(grant, path, _as_schema_type(path, value))
        yield check(grant, file, f"line {line_of(count)}")


def _csv_grants(path: Path) -> Iterator[Row | BadRecord]:
    file = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            yield from _sheet_rows(iter(reader), file, lambda _: reader.line_num)
    except UnicodeDecodeError as error:
        raise SourceError(
            f"{file}: not UTF-8 text ({error.reason}); save it as UTF-8 CSV"
        ) from None
    except csv.Error as error:
        raise SourceError(f"{file}: {error}") from None


def _xlsx_grants(path: Path) -> Iterator[Row | BadRecord]:
    from openpyxl import load_workbook

    file = path.name
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as problem:  # openpyxl raises many kinds for a damaged workbook
        raise SourceError(f"{file}: not a readable XLSX workbook ({problem})") from None
    try:
        sheet = book["grants"] if "grants" in book.sheetnames else book.worksheets[0]
        rows = (list(row) for row in sheet.iter_rows(values_only=True))
        yield from _sheet_rows(rows, file, lambda number: number)
    finally:
        book.close()
