"""Shape grants and awards into staging records where they are read (no Django here).

A big grant or OCDS file is read in a second process (readers/read_ahead.py). That process
also does what the loader used to do per record: it finds each record's organisations
(`OrgRef`: the org-ids, name and kind a funder, recipient, buyer or supplier is known by),
and shapes the record into the values the loader stages. An organisation is sent once, as a
`NewRef` with a small number (its handle), the first time a record names it; records carry
handles. So the loader's work per record is a lookup of two handles, a digest and a staged
row, and it finds each distinct organisation once, not once per grant.

A record crosses as a plain tuple (`Record`): its key, its organisations' handles and the
values before and after them, amounts and times as text (`as_text`; the loader revives them
before it hashes the record, so the digest is the one the values themselves give).
Warnings go as `Warned` items just before their record, in file order; what the loader used
to count (`report.add`) goes as a `Note`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from partnerwise.opendata.names import normalise_name
from partnerwise.opendata.readers import BadRecord, Note, Row
from partnerwise.organisations.identifiers import IdentifierError, make_org_id, parse_org_id

# Organisation kinds (organisations.models.Kind's values; this module imports no Django).
FUNDER, CHARITY, GOVERNMENT, OTHER = "funder", "charity", "government", "other"

# Schemes that name a registered body, tried before a publisher's own ids.
_AUTHORITATIVE = ("GB-CHC", "GB-COH", "GB-SC", "GB-NIC", "GB-GOR", "GB-LAE", "GB-LAS", "GB-NHS")


class Warns(Protocol):
    def warn(self, message: str) -> None: ...


@dataclass
class Warnings:
    """Warnings gathered for one record ("kind\\x00example", as `ImportReport.warn` takes)."""

    messages: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.messages.append(message)


def org_id(value: object, report: Warns, file: str, position: str) -> str | None:
    """The normalised org-id, or None (with a warning) if it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    parsed, error = _parsed(value)
    if error:
        report.warn(f"{file}: identifier not usable, ignored\x00{position}: {error}")
    return parsed


# Sources repeat the same few hundred thousand identifiers: each is parsed once.
@lru_cache(maxsize=200_000)
def _parsed(value: str) -> tuple[str | None, str]:
    try:
        return str(parse_org_id(value)), ""
    except IdentifierError as error:
        return None, str(error)


@lru_cache(maxsize=200_000)
def _made(scheme: str, text: str) -> tuple[str | None, str]:
    try:
        return str(make_org_id(scheme, text)), ""
    except IdentifierError as error:
        return None, str(error)


def _number_org_id(
    scheme: str, number: object, report: Warns, file: str, position: str
) -> str | None:
    """The org-id for a number given in a scheme's own column (`charityNumber`), by the same
    rules as a whole org-id (organisations/identifiers.py)."""
    if number in (None, ""):
        return None
    text = str(number).strip()
    # Some publishers put the whole org-id in the number column.
    text = text[len(scheme) + 1 :] if text.upper().startswith(scheme + "-") else text
    made, error = _made(scheme, text)
    if error:
        report.warn(f"{file}: identifier not usable, ignored\x00{position}: {error}")
    return made


def charity_org_id(number: object, report: Warns, file: str, position: str) -> str | None:
    """A charity number column's org-id: Scottish (SC...) and Northern Irish (NIC...)
    numbers appear in the same column as English and Welsh ones."""
    text = "".join(str(number or "").split()).upper()
    if text.startswith("SC") and text[2:].isdigit():
        return _number_org_id("GB-SC", text, report, file, position)
    if text.startswith("NIC") and text[3:].isdigit():
        return _number_org_id("GB-NIC", text[3:], report, file, position)
    return _number_org_id("GB-CHC", number, report, file, position)


def company_org_id(number: object, report: Warns, file: str, position: str) -> str | None:
    return _number_org_id("GB-COH", number, report, file, position)


def name_key(name: str) -> str | None:
    """The key for an organisation a source names but does not identify."""
    normalised = normalise_name(name)
    return f"name:{normalised}"[:320] if normalised else None


@dataclass(frozen=True)
class OrgRef:
    name: str
    identifiers: tuple[str, ...] = ()
    kind: str = OTHER
    is_vcse: bool | None = None
    source_key: str | None = None  # when the source gives no identifier at all

    def ordered(self) -> list[str]:
        unique = list(dict.fromkeys(self.identifiers))
        return sorted(unique, key=lambda v: (not v.startswith(_AUTHORITATIVE), unique.index(v)))


# ------------------------------------------------------------ what crosses to the loader


@dataclass(frozen=True)
class NewRef:
    """An organisation records name from here on by `handle`."""

    handle: int
    ref: OrgRef


@dataclass(frozen=True)
class Forget:
    """The handles sent so far will not be used again (the reader's memory was full)."""


@dataclass(frozen=True)
class Warned:
    """Warnings about the record that follows (or about one left out)."""

    messages: tuple[str, ...]


# (key, the organisations' handles, the values before them, the values after them)
Record = tuple[str, tuple[int, ...], tuple[Any, ...], tuple[Any, ...]]
Shaped = Record | NewRef | Forget | Warned | BadRecord | Note


@dataclass(slots=True)
class Party:
    """What a record's raw organisation fields come to: its ref (None if it has neither an
    id nor a name), the warnings its identifiers give, whether it is UK central government
    (buyers), and its handle once a record has used it."""

    ref: OrgRef | None
    warnings: tuple[str, ...] = ()
    central: bool = False
    handle: int | None = None


class Handles:
    """Remembers what each distinct organisation's raw fields came to (`Party`) and gives
    it a handle when a record first uses it, sending it (`NewRef`) then. Remembers at most
    `LIMIT`; when full it starts again and sends `Forget`."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self._memo: dict[Any, Party] = {}
        self._next = 0
        self.out: list[Shaped] = []  # NewRef and Forget items to send before the record

    def begin(self) -> None:
        """Before each record: start again if full (never within a record, whose handles
        must all be valid together)."""
        if len(self._memo) >= self.LIMIT:
            self._memo.clear()
            self.out.append(Forget())

    def known(self, key: Any) -> Party | None:
        """The `Party` remembered for `key` (a record's raw organisation fields), or None."""
        try:
            return self._memo.get(key)
        except TypeError:  # a publisher's list or object where text was expected
            return None

    def keep(self, key: Any, party: Party) -> Party:
        with contextlib.suppress(TypeError):  # unhashable: not remembered
            self._memo[key] = party
        return party

    def handle(self, party: Party) -> int:
        if party.handle is None:
            assert party.ref is not None
            party.handle = self._next
            self._next += 1
            self.out.append(NewRef(party.handle, party.ref))
        return party.handle

    def take(self) -> Iterator[Shaped]:
        """The `NewRef`s and `Forget`s to send now."""
        out, self.out = self.out, []
        return iter(out)


def as_text(amount: Decimal | None) -> str | None:
    """An amount as it crosses to the loader: `Decimal` pickles and unpickles several
    times slower than its exact text (the loader revives it before hashing: `amount_at`)."""
    return None if amount is None else str(amount)


def amount_at(index: int) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Revives the amount at `index` of a record's values (see `as_text`)."""

    def revive(values: tuple[Any, ...]) -> tuple[Any, ...]:
        text = values[index]
        if text is None:
            return values
        return (*values[:index], Decimal(text), *values[index + 1 :])

    return revive


def passing(item: Row | BadRecord | Note) -> Iterator[Shaped]:
    """A reader's item that is not a record to shape: as it is (a `Row`'s own warnings
    as `Warned`)."""
    if isinstance(item, Row):
        if item.warnings:
            yield Warned(tuple(item.warnings))
    else:
        yield item
