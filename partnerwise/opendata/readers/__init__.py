"""Streaming readers for open-data formats.

Pure Python (no Django): each reader is a generator over one file that yields `Row`s and,
for a record it cannot make sense of, a `BadRecord` naming the file, the record and the
field, so the caller decides whether one bad record fails the whole import. A file that
cannot be read at all (truncated zip, cut-off JSON, wrong encoding, missing column) raises
`SourceError` instead. Memory stays flat: nothing holds more than the current record.
"""

from __future__ import annotations

import datetime as dt
import marshal
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any


class SourceError(Exception):
    """The file as a whole cannot be read; the message names the file and the place."""


@dataclass(frozen=True)
class BadRecord:
    file: str
    position: str  # "line 12" or "record 5"
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, {self.position}"
        return (
            f"{where}, field {self.field!r}: {self.message}"
            if self.field
            else (f"{where}: {self.message}")
        )


@dataclass
class Row:
    file: str
    position: str
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Note:
    """Something a reader found about a file as a whole, counted in the import's summary
    (for example "files: OCDS 1.0 release package")."""

    key: str


def json_error(error: Exception, after: str) -> str:
    """What a JSON parser's error means, in words (no parser internals or byte reprs)."""
    text = str(error)
    if "invalid bytes in UTF8" in text or "UnicodeDecodeError" in text:
        return f"not UTF-8 text (after {after}); save it as UTF-8"
    if "trailing garbage" in text or "Extra data" in text:
        return (
            f"more than one JSON value (after {after}): JSON Lines, one value a line, "
            "is not read for this source"
        )
    if text.startswith(("b'", 'b"')):
        text = text[2:-1].replace("\\n", "\n")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    detail = lines[0] if lines else "invalid JSON"
    return f"broken JSON after {after} ({detail}); is the file cut off?"


# The largest amount any amount column holds (16 digits, 2 after the point).
MAX_AMOUNT = Decimal("99999999999999.99")


class FieldError(ValueError):
    """A value that does not fit its field; readers turn it into a `BadRecord`. `field`
    names the field when the code that raises knows it better than its caller."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def content_key(value: Any) -> bytes | str:
    """A hashable key for a parsed JSON value's whole content, to remember what a value
    came to (its check, its organisation): equal only for values of the same content and
    types (True is not 1, 1 is not "1"). marshal's bytes (format 2, which depends on
    nothing but the value), four times quicker than the repr it falls back on for what
    marshal cannot write (a Decimal)."""
    try:
        return marshal.dumps(value, 2)
    except ValueError:
        return repr(value)


def to_int(value: Any) -> int | None:
    if type(value) is int:
        return value
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)) and value == int(value):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise FieldError(f"expected a whole number, got {str(value)[:40]!r}") from None


def _fits(number: Decimal) -> Decimal:
    if abs(number) > MAX_AMOUNT:
        raise FieldError(f"amount too large ({number:,.0f}); the most held is {MAX_AMOUNT:,.2f}")
    return number


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if type(value) is int:
        return _fits(Decimal(value))
    if type(value) is Decimal and value.is_finite():
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -2:
            # JSON numbers arrive as Decimal already; most need no rounding
            return _fits(value)
    if isinstance(value, bool):
        raise FieldError(f"expected an amount, got {value!r}")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise FieldError(f"expected an amount, got {str(value)[:40]!r}") from None
    if not number.is_finite():
        raise FieldError(f"expected an amount, got {str(value)[:40]!r}")
    return _fits(number).quantize(Decimal("0.01"))


def to_bool(value: Any) -> bool | None:
    if value is True or value is False:
        return value
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "y", "t"}:
        return True
    if text in {"false", "0", "no", "n", "f"}:
        return False
    raise FieldError(f"expected True or False, got {str(value)[:40]!r}")


def to_iso_date(value: Any) -> str | None:
    """An ISO date string from the ISO forms the sources use (time parts are dropped)."""
    if value is None or value == "":
        return None
    if type(value) is str:
        return _iso_date_of_text(value)
    return _iso_date(value)


# Records repeat their dates (a funder's award dates, a framework's contract periods).
@lru_cache(maxsize=8192)
def _iso_date_of_text(value: str) -> str | None:
    return _iso_date(value)


def _iso_date(value: Any) -> str | None:
    full = str(value).strip()
    text = full[:10]
    try:
        parsed = dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(f"expected a date like 2024-09-10, got {full[:40]!r}") from None
    # fromisoformat also reads compact forms (20240910); give back the extended one.
    return text if text[4:5] == "-" else parsed.isoformat()


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value)
