"""OCDS releases in every shape publishers use, OCDS 1.0 and 1.1.

A file may be a release package (`releases`), a record package (`records`, each record
read as its `compiledRelease`, or as its embedded releases when it has none), a bare
release (compiled or not), JSON Lines holding one package or release per line, or a `.zip`
of such files. Packages are streamed a release at a time; JSON Lines a line at a time.

Each release is checked before it reaches the loader: it needs an `ocid`, an `id` and a
real `date`; award and contract-period dates must be real dates and award amounts must be
numbers that fit the database. Amounts written as text ("300,000") are read as numbers with
a warning, as 360Giving amounts are; text that is no number is a warning and no amount.

Anything else (a 360Giving file, a JSON list, a schema, an HTML page) is refused with a
message that says what the file looks like.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import ijson

from partnerwise.opendata.readers import (
    BadRecord,
    FieldError,
    Note,
    Row,
    SourceError,
    json_error,
    to_decimal,
    to_iso_date,
)

VERSIONS = ("1.0", "1.1")
SUFFIXES = (".json", ".jsonl", ".zip")
_BOM = b"\xef\xbb\xbf"
# Top-level keys read before deciding what a JSON object is; packages name their array early.
_SNIFF_EVENTS = 20_000


def read_releases(path: Path) -> Iterator[Row | BadRecord | Note]:
    """Every release in `path` (see the module docstring for the shapes read)."""
    try:
        if path.suffix.lower() == ".zip":
            yield from _zip_releases(path)
        else:
            yield from _stream_releases(lambda: path.open("rb"), path.name, "")
    except OSError as error:
        raise SourceError(f"{path.name}: cannot be read ({error})") from None


def _zip_releases(path: Path) -> Iterator[Row | BadRecord | Note]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                name
                for name in archive.namelist()
                if name.lower().endswith((".json", ".jsonl")) and not name.endswith("/")
            )
            if not members:
                raise SourceError(f"{path.name}: no .json or .jsonl file inside the zip")
            for member in members:
                yield from _stream_releases(
                    functools.partial(archive.open, member), path.name, f"{member}, "
                )
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise SourceError(f"{path.name}: not a readable zip file ({error})") from None


class _SkipBom:
    """A byte stream without its UTF-8 byte-order mark (the JSON parser would reject it)."""

    def __init__(self, raw: IO[bytes]) -> None:
        head = raw.read(3)
        self._inner = _Replay(b"" if head == _BOM else head, raw)

    def read(self, size: int = -1) -> bytes:
        return self._inner.read(size)


class _Replay:
    """A byte stream that gives back `head` before the rest of `raw` (for sniffing)."""

    def __init__(self, head: bytes, raw: IO[bytes]) -> None:
        self._head, self._raw = head, raw

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                head, self._head = self._head, b""
                return head + self._raw.read()
            head, self._head = self._head[:size], self._head[size:]
            return head
        return self._raw.read(size)


def _stream_releases(
    opener: Callable[[], IO[bytes]], file: str, member: str
) -> Iterator[Row | BadRecord | Note]:
    with opener() as raw:
        yield from _read_stream(raw, opener, file, member)


def _read_stream(
    raw: IO[bytes], opener: Callable[[], IO[bytes]], file: str, member: str
) -> Iterator[Row | BadRecord | Note]:
    head = raw.read(1 << 20)
    if head.startswith(_BOM):
        head = head[3:]
    text = head.lstrip()
    if not text:
        raise SourceError(f"{file}: {member}empty file")
    first = text[:1]
    if first not in (b"{", b"["):
        what = "an HTML or XML page" if first == b"<" else "not JSON"
        raise SourceError(f"{file}: {member}{what} (starts with {text[:20]!r}), not OCDS JSON")
    if _is_json_lines(head):
        yield from _lines_releases(_Replay(head, raw), file, member)
        return
    if first == b"[":
        raise SourceError(
            f"{file}: {member}a JSON list, not an OCDS release package, record package or "
            "release (an object)"
        )
    kind, version = _sniff(head, file, member)
    if kind != "bare" and version is None:
        # The version comes after the releases (it may): one more pass, at the parser's
        # C speed, finds it before anything is loaded.
        with opener() as again:
            try:
                version = next(ijson.items(_SkipBom(again), "version"), None)
            except ijson.JSONError:
                version = None  # the main pass reports where the JSON breaks
    stream = _Replay(head, raw)
    if kind == "bare":
        release = next(ijson.items(stream, ""), None)
        yield Note(f"files: OCDS {_release_version(release)} release")
        yield _checked(release, file, f"{member}release 1")
        return
    version = _version(version, file, member.removesuffix(", ") or "package")
    yield Note(f"files: OCDS {version} {kind} package")
    yield from _package_items(stream, kind, file, member)


def _is_json_lines(head: bytes) -> bool:
    """A whole JSON object on the first line and more after it."""
    end = head.find(b"\n")
    if end < 0 or not head[end:].strip():
        return False
    try:
        return isinstance(json.loads(head[:end]), dict)
    except ValueError:
        return False


def _lines_releases(stream: _Replay, file: str, member: str) -> Iterator[Row | BadRecord | Note]:
    yield Note("files: JSON Lines")
    for number, line in enumerate(_lines(stream), start=1):
        if not line.strip():
            continue
        where = f"{member}line {number}"
        try:
            value = json.loads(line.decode("utf-8-sig"), parse_float=Decimal)
        except UnicodeDecodeError as error:
            raise SourceError(f"{file}: {where}: not UTF-8 text ({error.reason})") from None
        except ValueError as error:
            raise SourceError(f"{file}: {where}: not JSON ({error})") from None
        if not isinstance(value, dict):
            yield BadRecord(file, where, "", "is not a JSON object")
            continue
        kind = _kind(value.keys())
        if kind == "bare":
            yield _checked(value, file, f"{where}, release 1")
        elif kind in ("release", "record"):
            version = _version(value.get("version"), file, where)
            yield Note(f"files: OCDS {version} {kind} package")
            key = f"{kind}s"
            items = value.get(key)
            yield from _items(items if isinstance(items, list) else [], kind, file, f"{where}, ")
        else:
            raise SourceError(f"{file}: {where}: {_not_ocds(value.keys())}")


def _lines(stream: _Replay) -> Iterator[bytes]:
    """The stream's lines, read a megabyte at a time."""
    rest = b""
    while chunk := stream.read(1 << 20):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


def _kind(keys: Any) -> str | None:
    keys = set(keys)
    if "releases" in keys:
        return "release"
    if "records" in keys:
        return "record"
    if "ocid" in keys:
        return "bare"
    return None


def _sniff(head: bytes, file: str, member: str) -> tuple[str, Any]:
    """("release" or "record" package, or "release" for a bare release; version).

    Reads top-level keys from the start of the file until one decides; nested values are
    skipped event by event, and packages name their array within the first few keys.
    """
    keys: list[str] = []
    version: Any = None
    depth = 0
    current = ""
    events = ijson.parse(io.BytesIO(head))
    try:
        for count, (_prefix, event, value) in enumerate(events):
            if count > _SNIFF_EVENTS:
                break
            if event in ("start_map", "start_array"):
                depth += 1
                if depth == 2 and current in ("releases", "records"):
                    break
            elif event in ("end_map", "end_array"):
                depth -= 1
            elif event == "map_key" and depth == 1:
                current = value
                keys.append(value)
                if value == "ocid":
                    return "bare", None
            elif depth == 1 and current == "version":
                version = value
    except ijson.JSONError:
        pass  # the first megabyte ends mid-value: decide on the keys read so far
    if "releases" in keys or "records" in keys:
        return ("release" if "releases" in keys else "record"), version
    raise SourceError(f"{file}: {member}{_not_ocds(keys)}")


def _not_ocds(keys: Any) -> str:
    keys = list(keys)
    if "grants" in keys:
        return "a 360Giving grants file, not OCDS: import it with `partnerwise import 360giving`"
    if "$schema" in keys or "properties" in keys:
        return "a JSON Schema, not OCDS data"
    shown = ", ".join(repr(k) for k in keys[:8]) or "none"
    return (
        f"a JSON object with keys {shown}: not an OCDS release package ('releases'), record "
        "package ('records') or release ('ocid')"
    )


def _version(value: Any, file: str, where: str) -> str:
    """The package's OCDS version ("1.0" when absent, as the standard says)."""
    if value in (None, ""):
        return "1.0"
    text = str(value).strip()
    if text not in VERSIONS:
        raise SourceError(
            f"{file}: {where}: OCDS version {text!r} is not read here (1.0 and 1.1 are)"
        )
    return text


def _release_version(release: Any) -> str:
    """A bare release says no version: one with `parties` is 1.1, one without is 1.0."""
    return "1.1" if isinstance(release, dict) and "parties" in release else "1.0"


def _package_items(
    stream: _Replay, kind: str, file: str, member: str
) -> Iterator[Row | BadRecord | Note]:
    count = 0
    key = f"{kind}s"
    try:
        items = ijson.items(stream, f"{key}.item")
        for count, item in enumerate(items, start=1):
            if kind == "release":  # (most packages: checked here, without a generator each)
                yield _checked(item, file, f"{member}release {count}")
            else:
                yield from _items([item], kind, file, member, start=count)
    except ijson.JSONError as error:
        raise SourceError(f"{file}: {member}{json_error(error, f'{kind} {count}')}") from None
    if count == 0:
        raise SourceError(f"{file}: {member}no {key} in the package")


def _items(
    items: list[Any], kind: str, file: str, where: str, *, start: int = 1
) -> Iterator[Row | BadRecord]:
    for number, item in enumerate(items, start=start):
        position = f"{where}{kind} {number}"
        if kind == "release":
            yield _checked(item, file, position)
            continue
        if not isinstance(item, dict):
            yield BadRecord(file, position, "", "is not a JSON object")
            continue
        compiled = item.get("compiledRelease")
        if isinstance(compiled, dict):
            yield _checked(compiled, file, f"{position}, compiledRelease")
            continue
        embedded = [r for r in item.get("releases") or [] if isinstance(r, dict) and "ocid" in r]
        if not embedded:
            yield BadRecord(
                file,
                position,
                "releases",
                "only links to releases and no compiledRelease: nothing to read",
            )
        for index, release in enumerate(embedded, start=1):
            yield _checked(release, file, f"{position}, release {index}")


def _checked(release: Any, file: str, position: str) -> Row | BadRecord:
    if not isinstance(release, dict):
        return BadRecord(file, position, "", "is not a JSON object")
    for field in ("ocid", "id"):
        value = release.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            release[field] = str(value)
        elif not isinstance(value, str) or not value.strip():
            return BadRecord(file, position, field, "missing; every release needs one")
    try:
        release["date"] = release_datetime(release.get("date"))
    except FieldError as error:
        return BadRecord(file, position, "date", str(error))
    row = Row(file, position, release)
    awards = release.get("awards")
    for index, award in enumerate(awards if isinstance(awards, list) else []):
        if not isinstance(award, dict):
            continue
        field = "date"  # (the field's full path is spelt out only for an error)
        try:
            award["date"] = _date(award.get("date"))
            period = award.get("contractPeriod")
            if isinstance(period, dict):
                for key in ("startDate", "endDate"):
                    field = f"contractPeriod/{key}"
                    period[key] = _date(period.get(key))
            value = award.get("value")
            if isinstance(value, dict) and "amount" in value:
                field = "value/amount"
                value["amount"] = _amount(value["amount"], row, f"awards/{index}/{field}")
        except FieldError as error:
            return BadRecord(file, position, f"awards/{index}/{field}", str(error))
    return row


def _date(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return to_iso_date(value)


def _amount(value: Any, row: Row, field: str) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    text = value.strip() if isinstance(value, str) else None
    try:
        amount = to_decimal(value)
    except FieldError as error:
        if text is None or "too large" in str(error):
            raise
        row.warnings.append(
            f"{row.file}: amount written as text that is not a number, stored as no amount"
            f"\x00{row.position}, {field}: {text[:40]!r}"
        )
        return None
    if text:
        row.warnings.append(
            f"{row.file}: amount written as text, read as a number\x00{row.position}, {field}: "
            f"{text[:40]!r}"
        )
    return amount


def release_datetime(value: Any) -> dt.datetime:
    """A release date as an aware datetime (a date or a datetime without a zone is UTC)."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError("missing; every release needs one")
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise FieldError(
            f"expected a date-time like 2024-09-10T12:00:00Z, got {text[:40]!r}"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
