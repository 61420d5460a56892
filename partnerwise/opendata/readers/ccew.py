"""The Charity Commission for England and Wales register extract.

The Commission publishes each table of the register as a zip holding one file, in two
encodings: JSON (`publicextract.charity.json`, an array of objects, UTF-8 with a byte-order
mark) and TXT (`publicextract.charity.txt`, tab-separated, a header line, `\\` escapes, no
quoting, `\\r\\n` line ends and stray `\\r\\n\\t` inside values). Both yield the same rows here.
Field meanings: data/charity-lookups/ccew-fields.csv.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson

from partnerwise.opendata.names import normalise_name
from partnerwise.opendata.readers import (
    BadRecord,
    FieldError,
    Row,
    SourceError,
    to_bool,
    to_decimal,
    to_int,
    to_iso_date,
    to_text,
)

Converter = Callable[[Any], Any]
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = re.compile(r"\s+")


def _clean_text(value: Any) -> str:
    if value is None:
        return ""
    text = value.strip() if type(value) is str else to_text(value)
    if "\r" in text or "\n" in text or "\t" in text:
        text = _WHITESPACE.sub(" ", text).strip()
    return text


def _required_int(value: Any) -> int:
    number = to_int(value)
    if number is None:
        raise FieldError("is empty")
    return number


def _required_text(value: Any) -> str:
    text = _clean_text(value)
    if not text:
        raise FieldError("is empty")
    return text


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, tuple[str, Converter]]  # source column -> (our field, converter)


def _spec(name: str, **columns: tuple[str, Converter]) -> Table:
    return Table(name, dict(columns))


TABLES: dict[str, Table] = {
    table.name: table
    for table in [
        _spec(
            "charity",
            date_of_extract=("extract_date", to_iso_date),
            organisation_number=("organisation_number", _required_int),
            registered_charity_number=("registered_number", _required_int),
            linked_charity_number=("linked_number", to_int),
            charity_name=("name", _required_text),
            charity_type=("charity_type", _clean_text),
            charity_registration_status=("status", _clean_text),
            date_of_registration=("registered_on", to_iso_date),
            date_of_removal=("removed_on", to_iso_date),
            charity_reporting_status=("reporting_status", _clean_text),
            latest_acc_fin_period_end_date=("fin_period_end", to_iso_date),
            latest_income=("latest_income", to_decimal),
            latest_expenditure=("latest_expenditure", to_decimal),
            charity_contact_web=("website", _clean_text),
            charity_company_registration_number=("company_number", _clean_text),
            charity_insolvent=("insolvent", to_bool),
            charity_in_administration=("in_administration", to_bool),
            charity_is_cio=("is_cio", to_bool),
            charity_activities=("activities", _clean_text),
        ),
        _spec(
            "charity_other_names",
            registered_charity_number=("registered_number", _required_int),
            linked_charity_number=("linked_number", to_int),
            charity_name_type=("name_type", _clean_text),
            charity_name=("name", _clean_text),
        ),
        _spec(
            "charity_other_regulators",
            registered_charity_number=("registered_number", _required_int),
            regulator_order=("regulator_order", to_int),
            regulator_name=("name", _required_text),
            regulator_web_url=("url", _clean_text),
        ),
        _spec(
            "charity_area_of_operation",
            registered_charity_number=("registered_number", _required_int),
            linked_charity_number=("linked_number", to_int),
            geographic_area_type=("area_type", _clean_text),
            geographic_area_description=("description", _clean_text),
            parent_geographic_area_type=("parent_type", _clean_text),
            parent_geographic_area_description=("parent_description", _clean_text),
            welsh_ind=("welsh", to_bool),
        ),
        _spec(
            "charity_classification",
            registered_charity_number=("registered_number", _required_int),
            linked_charity_number=("linked_number", to_int),
            classification_code=("code", _required_int),
            classification_type=("classification_type", _clean_text),
            classification_description=("description", _clean_text),
        ),
        _spec(
            "charity_annual_return_parta",
            registered_charity_number=("registered_number", _required_int),
            fin_period_order_number=("fin_period_order", to_int),
            latest_fin_period_submitted_ind=("latest_submitted", to_bool),
            fin_period_start_date=("fin_period_start", to_iso_date),
            fin_period_end_date=("fin_period_end", to_iso_date),
            ar_due_date=("return_due", to_iso_date),
            ar_received_date=("return_received", to_iso_date),
            total_gross_income=("total_income", to_decimal),
            total_gross_expenditure=("total_expenditure", to_decimal),
            charity_receives_govt_funding_contracts=("receives_govt_contracts", to_bool),
            count_govt_contracts=("count_govt_contracts", to_int),
            charity_receives_govt_funding_grants=("receives_govt_grants", to_bool),
            count_govt_grants=("count_govt_grants", to_int),
            income_from_government_contracts=("income_govt_contracts", to_decimal),
            income_from_government_grants=("income_govt_grants", to_decimal),
        ),
        _spec(
            "charity_annual_return_partb",
            registered_charity_number=("registered_number", _required_int),
            fin_period_order_number=("fin_period_order", to_int),
            latest_fin_period_submitted_ind=("latest_submitted", to_bool),
            fin_period_start_date=("fin_period_start", to_iso_date),
            fin_period_end_date=("fin_period_end", to_iso_date),
            income_total_income_and_endowments=("total_income", to_decimal),
            expenditure_total=("total_expenditure", to_decimal),
            reserves=("reserves", to_decimal),
        ),
        _spec(
            "charity_annual_return_history",
            registered_charity_number=("registered_number", _required_int),
            fin_period_start_date=("fin_period_start", to_iso_date),
            fin_period_end_date=("fin_period_end", to_iso_date),
            reporting_due_date=("return_due", to_iso_date),
            date_annual_return_received=("return_received", to_iso_date),
            date_accounts_received=("accounts_received", to_iso_date),
            total_gross_income=("total_income", to_decimal),
            total_gross_expenditure=("total_expenditure", to_decimal),
        ),
    ]
}

# Tables whose rows carry a name the search index should know.
NORMALISED = {"charity", "charity_other_names"}


@dataclass(frozen=True)
class ExtractFile:
    path: Path
    table: str  # e.g. "charity_other_names"; may be a table we do not read
    member: str
    encoding: str  # "json" or "txt"

    @property
    def supported(self) -> bool:
        return self.table in TABLES

    def rows(self) -> Iterator[Row | BadRecord]:
        return read_rows(self)

    def extract_date(self) -> str | None:
        """The `date_of_extract` of the table's first row (every row has the same), as an
        ISO date; None when the first row gives none (reading the rows says what is wrong)."""
        try:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as raw:
                if self.encoding == "json":
                    first = next(ijson.items(_SkipBom(raw), "item"), None)
                else:
                    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                    reader = csv.DictReader(
                        text, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"
                    )
                    first = next(reader, None)
            value = first.get("date_of_extract") if isinstance(first, dict) else None
            return to_iso_date(value)
        except (FieldError, ValueError, csv.Error, zipfile.BadZipFile, zlib.error, EOFError):
            return None


_MEMBER = re.compile(r"(?:^|/)publicextract\.([a-z_]+)\.(json|txt)$", re.IGNORECASE)


def open_extract(path: Path) -> ExtractFile:
    """Identify the table in one register zip (raises `SourceError` if it is not one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise SourceError(f"{path}: not a readable zip file ({error})") from None
    for member in names:
        match = _MEMBER.search(member)
        if match:
            return ExtractFile(path, match.group(1).lower(), member, match.group(2).lower())
    raise SourceError(
        f"{path}: no publicextract.<table>.json or .txt inside (found {', '.join(names) or '-'})"
    )


class _SkipBom:
    """A byte stream without its UTF-8 byte-order mark (the JSON parser would reject it)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        head = raw.read(3)
        self._head = b"" if head == _BOM else head

    def read(self, size: int = -1) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            rest = self._raw.read(size - len(head)) if size > len(head) else b""
            return head + rest if size >= 0 else head + self._raw.read()
        return self._raw.read(size)


def _convert(table: Table, record: dict[str, Any], file: str, position: str) -> Row | BadRecord:
    data: dict[str, Any] = {}
    column = ""
    # One try around the loop, not one per field: this runs for every row of the register.
    try:
        for column, (target, converter) in table.columns.items():
            data[target] = converter(record[column])
    except KeyError:
        return BadRecord(file, position, column, "missing")
    except FieldError as error:
        return BadRecord(file, position, column, str(error))
    if "linked_number" in data and data["linked_number"] is None:
        data["linked_number"] = 0
    if table.name in NORMALISED:
        data["normalised"] = normalise_name(data["name"])
        if not data["normalised"] and table.name == "charity_other_names":
            # The real extract has other names that are blank; there is nothing to keep.
            return Row(file, position, {}, [f"{file}: blank other name, row ignored\x00{position}"])
    return Row(file, position, data)


def read_rows(extract: ExtractFile) -> Iterator[Row | BadRecord]:
    table = TABLES[extract.table]
    file = extract.path.name
    try:
        with zipfile.ZipFile(extract.path) as archive, archive.open(extract.member) as raw:
            if extract.encoding == "json":
                yield from _json_rows(table, raw, file)
            else:
                yield from _txt_rows(table, raw, file)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise SourceError(f"{file}: the zip is damaged or cut off ({error})") from None


def _json_rows(table: Table, raw: IO[bytes], file: str) -> Iterator[Row | BadRecord]:
    count = 0
    try:
        for count, record in enumerate(ijson.items(_SkipBom(raw), "item"), start=1):
            position = f"record {count}"
            if not isinstance(record, dict):
                yield BadRecord(file, position, "", "is not a JSON object")
                continue
            if count == 1:
                missing = [c for c in table.columns if c not in record]
                if missing:
                    raise SourceError(
                        f"{file}: not a {table.name} table, missing column "
                        f"{', '.join(repr(c) for c in missing)}"
                    )
            yield _convert(table, record, file, position)
    except ijson.JSONError as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else "invalid JSON"
        raise SourceError(
            f"{file}: broken JSON after record {count} ({detail}); is the file cut off "
            "or not UTF-8?"
        ) from None


def _txt_rows(table: Table, raw: IO[bytes], file: str) -> Iterator[Row | BadRecord]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
    try:
        header = next(reader, None)
        if header is None:
            raise SourceError(f"{file}: empty table, no header line")
        header = [column.strip() for column in header]
        missing = [c for c in table.columns if c not in header]
        if missing:
            raise SourceError(
                f"{file}, line 1: not a {table.name} table, missing column "
                f"{', '.join(repr(c) for c in missing)}"
            )
        width = len(header)
        for values in reader:
            position = f"line {reader.line_num}"
            if not values:
                continue
            if len(values) != width:
                yield BadRecord(
                    file, position, "", f"has {len(values)} fields, the header has {width}"
                )
                continue
            yield _convert(table, dict(zip(header, values, strict=True)), file, position)
    except UnicodeDecodeError as error:
        raise SourceError(
            f"{file}, line {reader.line_num + 1}: not UTF-8 text ({error.reason})"
        ) from None
    except csv.Error as error:
        raise SourceError(f"{file}, line {reader.line_num}: {error}") from None
