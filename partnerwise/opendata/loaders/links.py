"""Load "same organisation" links between org-ids (data/charity-lookups/relationships).

Each CSV row links `org_id_a` and `org_id_b`. Rows whose relationship is `sameas` (a
charity and its company number, a CIO's pseudo company number, a dual registration, a
re-registration) join the two identifiers: an organisation known by one gains the other,
and two organisations holding one each are merged. Other relationships (federation
parents, mergers between charities) link different bodies and are only counted.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

from partnerwise.opendata.loaders import ImportReport, progress
from partnerwise.opendata.loaders.orgs import org_id
from partnerwise.opendata.matches import merge_organisations, survivor_first
from partnerwise.opendata.readers import BadRecord, Row, SourceError
from partnerwise.organisations.identifiers import parse_org_id
from partnerwise.organisations.models import Identifier, Organisation

BATCH = 2000


def read_links(path: Path) -> Iterator[Row | BadRecord]:
    file = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as text:
            reader = csv.DictReader(text)
            missing = [c for c in ("org_id_a", "org_id_b") if c not in (reader.fieldnames or [])]
            if missing:
                raise SourceError(f"{file}, line 1: missing column {', '.join(missing)}")
            for record in reader:
                position = f"line {reader.line_num}"
                if not record.get("org_id_a") or not record.get("org_id_b"):
                    field = "org_id_a" if not record.get("org_id_a") else "org_id_b"
                    yield BadRecord(file, position, field, "is empty")
                    continue
                yield Row(file, position, dict(record))
    except UnicodeDecodeError as error:
        raise SourceError(f"{file}: not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise SourceError(f"{file}: {error}") from None


def load(paths: Iterable[Path], report: ImportReport) -> None:
    for path in paths:
        if path.suffix.lower() != ".csv":
            raise SourceError(f"{path.name}: expected a relationships .csv file")
        rows = report.good_rows(progress(read_links(path), label=path.name))
        while batch := list(itertools.islice(rows, BATCH)):
            _load_batch(batch, report)


def _load_batch(batch: list[Row], report: ImportReport) -> None:
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
    values = {v for pair in pairs for v in pair}
    held = dict(
        Identifier.objects.filter(workspace__isnull=True, value__in=values).values_list(
            "value", "organisation_id"
        )
    )
    for a, b in pairs:
        first, second = held.get(a), held.get(b)
        if first is None and second is None:
            report.add("links: neither organisation known")
        elif first is not None and second is not None:
            if first == second:
                report.add("links: already joined")
                continue
            keep, drop = survivor_first(
                Organisation.objects.get(pk=first), Organisation.objects.get(pk=second)
            )
            merge_organisations(keep, drop)
            for value, holder in held.items():
                if holder == drop.pk:
                    held[value] = keep.pk
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
