"""Load relationships between org-ids (data/charity-lookups/relationships).

Each CSV row links `org_id_a` and `org_id_b`. Two kinds are acted on:

* **Same organisation** (`sameas`: a charity and its company number, a CIO's pseudo company
  number, a dual registration, a re-registration): the two identifiers are joined. An
  organisation known by one gains the other, and two organisations holding one each are
  merged.
* **Mergers** (the Charity Commission's register of mergers, which the lookup publishes as
  `sameas` too, with transferor and transferee columns): a `Merger` between two distinct
  organisations, dated, transferor (a) to transferee (b). Never merged: Wrexham Women's Aid
  transferring to Welsh Women's Aid does not make them one charity.

Other relationships (federation parents) link different bodies and are only counted.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

from partnerwise.opendata.loaders import ImportReport, progress, row_hash
from partnerwise.opendata.loaders.shaping import org_id
from partnerwise.opendata.matches import merge_organisations, survivor_first
from partnerwise.opendata.models import Merger
from partnerwise.opendata.readers import BadRecord, FieldError, Row, SourceError, to_iso_date
from partnerwise.organisations.identifiers import parse_org_id
from partnerwise.organisations.models import Identifier, Organisation

BATCH = 2000
_MERGER_COLUMNS = {"transferor_regno", "transferee_regno"}
_MERGER_DATES = {
    "transferred_on": "date_property_transferred",
    "vesting_declared_on": "date_vesting_declaration",
    "registered_on": "valid_from",
}


def _is_merger(record: dict[str, str], columns: set[str]) -> bool:
    source = (record.get("source") or "").lower()
    relationship = (record.get("relationship") or "").strip().lower()
    return (
        bool(_MERGER_COLUMNS & columns)
        or "register of mergers" in source
        or relationship in {"merger", "mergedinto", "merged_into", "transferred_to"}
    )


def read_links(path: Path) -> Iterator[Row | BadRecord]:
    file = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as text:
            reader = csv.DictReader(text)
            columns = set(reader.fieldnames or [])
            missing = [c for c in ("org_id_a", "org_id_b") if c not in columns]
            if missing:
                raise SourceError(f"{file}, line 1: missing column {', '.join(missing)}")
            for record in reader:
                position = f"line {reader.line_num}"
                data = {key: (value or "").strip() for key, value in record.items() if key}
                if _is_merger(data, columns):
                    yield _merger_row(data, file, position)
                    continue
                if not data.get("org_id_a") or not data.get("org_id_b"):
                    field = "org_id_a" if not data.get("org_id_a") else "org_id_b"
                    yield BadRecord(file, position, field, "is empty")
                    continue
                yield Row(file, position, data)
    except UnicodeDecodeError as error:
        raise SourceError(f"{file}: not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise SourceError(f"{file}: {error}") from None


def _merger_row(data: dict[str, str], file: str, position: str) -> Row | BadRecord:
    """A merger names each side by org-id or, for an unregistered body, by name only (the
    real register has a few transferors with neither: still a merger into the transferee)."""
    if not data.get("org_id_b") and not data.get("org_name_b"):
        return BadRecord(file, position, "org_id_b", "is empty, and so is the name")
    if not data.get("org_id_a") and not data.get("org_name_a"):
        data["org_name_a"] = "a body the register does not name"
    for target, column in _MERGER_DATES.items():
        try:
            data[target] = to_iso_date(data.get(column)) or ""
        except FieldError as error:
            return BadRecord(file, position, column, str(error))
    data["kind"] = "merger"
    return Row(file, position, data)


def load(paths: Iterable[Path], report: ImportReport) -> None:
    moved: dict[int, int] = {}  # organisation merged away -> the one it became
    for path in paths:
        if path.suffix.lower() != ".csv":
            raise SourceError(f"{path.name}: expected a relationships .csv file")
        rows = report.good_rows(progress(read_links(path), label=path.name))
        while batch := list(itertools.islice(rows, BATCH)):
            _load_mergers([row for row in batch if row.data.get("kind") == "merger"], report)
            _load_batch([row for row in batch if row.data.get("kind") != "merger"], report, moved)


def _load_mergers(batch: list[Row], report: ImportReport) -> None:
    if not batch:
        return
    mergers: dict[str, Merger] = {}
    for row in batch:
        data = row.data
        a = org_id(data.get("org_id_a"), report, row.file, row.position) or ""
        b = org_id(data.get("org_id_b"), report, row.file, row.position) or ""
        name_a, name_b = data.get("org_name_a", "")[:300], data.get("org_name_b", "")[:300]
        if not a:
            report.add("mergers: transferor with no org-id (unregistered, kept by name)")
        merger = Merger(
            key=f"{a or 'name:' + name_a}>{b or 'name:' + name_b}|{data['transferred_on']}"[:400],
            transferor=a,
            transferor_name=name_a,
            transferee=b,
            transferee_name=name_b,
            transferred_on=data["transferred_on"] or None,
            vesting_declared_on=data["vesting_declared_on"] or None,
            registered_on=data["registered_on"] or None,
            source=data.get("source", "")[:200],
            source_file=row.file,
        )
        merger.row_hash = row_hash(
            [getattr(merger, f) for f in _MERGER_FIELDS if f not in {"row_hash", "source_file"}]
        )
        mergers[merger.key] = merger
    stored = dict(Merger.objects.filter(key__in=mergers).values_list("key", "row_hash"))
    write = [m for m in mergers.values() if stored.get(m.key) != m.row_hash]
    if write:
        Merger.objects.bulk_create(
            write, update_conflicts=True, unique_fields=["key"], update_fields=_MERGER_FIELDS
        )
    new = sum(1 for m in write if m.key not in stored)
    report.add("mergers: new", new)
    report.add("mergers: changed", len(write) - new)
    report.add("mergers: unchanged", len(mergers) - len(write))


_MERGER_FIELDS = [
    "transferor",
    "transferor_name",
    "transferee",
    "transferee_name",
    "transferred_on",
    "vesting_declared_on",
    "registered_on",
    "source",
    "source_file",
    "row_hash",
]


def _load_batch(batch: list[Row], report: ImportReport, moved: dict[int, int]) -> None:
    pairs: list[tuple[str, str]] = []
    for row in batch:
        relationship = (row.data.get("relationship") or "").strip().lower()
        if relationship != "sameas":
            report.add("links: other relationships (not merged)")
            continue
        a = org_id(row.data["org_id_a"], report, row.file, row.position)
        b = org_id(row.data["org_id_b"], report, row.file, row.position)
        if a and b and a != b:
            pairs.append((a, b))
    if not pairs:
        return
    values = {v for pair in pairs for v in pair}
    held = dict(
        Identifier.objects.filter(workspace__isnull=True, value__in=values).values_list(
            "value", "organisation_id"
        )
    )

    def current(pk: int | None) -> int | None:
        # An organisation merged away earlier in the run lives on as the one it became.
        while pk is not None and pk in moved:
            pk = moved[pk]
        return pk

    for a, b in pairs:
        first, second = current(held.get(a)), current(held.get(b))
        if first is None and second is None:
            report.add("links: neither organisation known")
        elif first is not None and second is not None:
            if first == second:
                report.add("links: already joined")
                continue
            keep, drop = survivor_first(
                Organisation.objects.get(pk=first), Organisation.objects.get(pk=second)
            )
            gone = drop.pk  # Django clears a deleted object's pk
            merge_organisations(keep, drop)
            moved[gone] = keep.pk
            report.add("links: organisations merged")
        else:
            owner = first if first is not None else second
            assert owner is not None
            value = b if first is not None else a
            parsed = parse_org_id(value)
            Identifier.objects.create(
                organisation_id=owner,
                workspace=None,
                scheme=parsed.scheme,
                value=value,
                warning=(parsed.warning or "")[:200],
            )
            held[value] = owner
            report.add("links: identifier added")
