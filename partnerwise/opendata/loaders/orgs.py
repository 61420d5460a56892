"""Find or create the reference organisation behind a funder, recipient, buyer or supplier.

Organisations are matched on org-id identifiers only (GB-CHC-…, GB-COH-…, 360G-…,
GB-GOR-…), most authoritative first. A record's other identifiers are added to the
organisation it matched when no other organisation holds them. Names never merge two
organisations here: a name match becomes a `CandidateMatch` for a person to confirm.

`Removals` is the other half the grant and award loaders share: rows a newer version of a
file no longer lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model
from django.utils import timezone

from partnerwise.opendata.loaders import ImportReport
from partnerwise.opendata.loaders.shaping import OrgRef
from partnerwise.opendata.loaders.sql import (
    Stage,
    execute,
    insert_rows,
    lock,
    pause_name_index,
    reset_sequence,
    resume_name_index,
    scalar,
    table,
)
from partnerwise.opendata.models import SearchName, SourceKey
from partnerwise.opendata.names import normalise_name
from partnerwise.organisations.identifiers import parse_org_id
from partnerwise.organisations.models import Identifier, Organisation

NAMES_AT_ONCE = 20_000  # search names written together (a statement or three each time)

_ORGANISATION_COLUMNS = [
    "id", "workspace_id", "name", "kind", "is_removed", "website", "description", "is_vcse",
    "facts", "sources", "created", "updated",
]  # fmt: skip


class Directory:
    """Resolves `OrgRef`s to organisation ids, remembering answers for the whole run."""

    def __init__(self, *, source: str, label: str, report: ImportReport) -> None:
        self.source = source
        self.label = label
        self.report = report
        self._ids: dict[str, int] = {}
        self._keys: dict[str, int] = {}
        self._names: set[tuple[int, str]] = set()
        self._raw_names: set[tuple[int, str]] = set()
        self._pending: list[tuple[int, str, str, str]] = []
        self._next_id: int | None = None
        self._first_id: int | None = None  # the first organisation this run created
        self.created = 0

    def prefetch(self, refs: Iterable[OrgRef]) -> None:
        """Look up a batch's organisations in a query or two, and create the ones nobody
        knows yet all at once (one INSERT each for organisations, identifiers and source
        keys, not a few queries per new organisation)."""
        refs = list(refs)
        values: set[str] = set()
        keys: set[str] = set()
        for ref in refs:
            values.update(v for v in ref.identifiers if v not in self._ids)
            if ref.source_key and ref.source_key not in self._keys:
                keys.add(ref.source_key)
        if values:
            found = Identifier.objects.filter(workspace__isnull=True, value__in=values)
            self._ids.update(found.values_list("value", "organisation_id"))
        if keys:
            rows = SourceKey.objects.filter(source=self.source, key__in=keys)
            self._keys.update(rows.values_list("key", "organisation_id"))
        self._create_new(refs)

    def _create_new(self, refs: list[OrgRef]) -> None:
        # Refs sharing an identifier or a source key are one new organisation.
        groups: dict[str, int] = {}
        new: list[tuple[OrgRef, list[str]]] = []
        for ref in refs:
            identifiers = ref.ordered()
            if any(v in self._ids for v in identifiers) or (
                ref.source_key and ref.source_key in self._keys
            ):
                continue
            handles = [*identifiers, *([f"\x00{ref.source_key}"] if ref.source_key else [])]
            if not handles:
                continue
            group = next((groups[h] for h in handles if h in groups), None)
            if group is None:
                group = len(new)
                new.append((ref, identifiers))
            for handle in handles:
                groups.setdefault(handle, group)
        if not new:
            return
        organisation_ids = self._insert_organisations([ref for ref, _ in new])
        rows: list[tuple[int, str, bool]] = []
        source_keys: list[tuple[str, int]] = []
        for (ref, ids), organisation_id in zip(new, organisation_ids, strict=True):
            for value in ids:
                if value in self._ids:
                    continue  # given by an earlier ref of this batch to another group
                rows.append((organisation_id, value, value == ids[0]))
                self._ids[value] = organisation_id
            if ref.source_key and ref.source_key not in self._keys:
                source_keys.append((ref.source_key, organisation_id))
                self._keys[ref.source_key] = organisation_id
        self._insert_identifiers(rows)
        self._insert_source_keys(source_keys)

    # The writes: plain INSERTs through the connection, not model objects (a tenth of
    # the time for tens of thousands of organisations).

    def _insert_organisations(self, refs: list[OrgRef]) -> list[int]:
        """New reference organisations, numbered by this import (see `sql.lock`)."""
        with connection.cursor() as cursor:
            if self._next_id is None:
                lock(cursor, Organisation, Identifier)
                last = scalar(cursor, f"SELECT MAX(id) FROM {table(Organisation)}")
                self._next_id = self._first_id = int(last or 0) + 1
                pause_name_index(cursor)
            first = self._next_id
            self._next_id += len(refs)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            sources = json.dumps([self.label])
            rows = [
                (
                    first + number,
                    None,
                    ref.name[:300]
                    or (ref.ordered()[0] if ref.identifiers else "Unnamed organisation"),
                    ref.kind,
                    False,
                    "",
                    "",
                    ref.is_vcse,
                    "{}",
                    sources,
                    now,
                    now,
                )
                for number, ref in enumerate(refs)
            ]
            insert_rows(cursor, table(Organisation), _ORGANISATION_COLUMNS, rows)
            reset_sequence(cursor, Organisation)
        self.created += len(refs)
        return [first + number for number in range(len(refs))]

    def _insert_identifiers(self, rows: list[tuple[int, str, bool]]) -> None:
        if not rows:
            return
        values = []
        for organisation_id, value, primary in rows:
            parsed = parse_org_id(value)
            values.append(
                (organisation_id, None, parsed.scheme, value, primary, (parsed.warning or "")[:200])
            )
        with connection.cursor() as cursor:
            insert_rows(
                cursor,
                table(Identifier),
                ["organisation_id", "workspace_id", "scheme", "value", "is_primary", "warning"],
                values,
            )

    def _insert_source_keys(self, rows: list[tuple[str, int]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            insert_rows(
                cursor,
                table(SourceKey),
                ["source", connection.ops.quote_name("key"), "organisation_id"],
                [(self.source, source_key, organisation) for source_key, organisation in rows],
            )

    def resolve(self, ref: OrgRef) -> int:
        identifiers = ref.ordered()
        organisation_id = next((self._ids[v] for v in identifiers if v in self._ids), None)
        if organisation_id is None and ref.source_key:
            organisation_id = self._keys.get(ref.source_key)
        if organisation_id is None:
            organisation_id = self._create(ref, identifiers)
        else:
            self._add_identifiers(organisation_id, identifiers)
        self._add_name(organisation_id, ref.name)
        return organisation_id

    def _create(self, ref: OrgRef, identifiers: list[str]) -> int:
        (organisation_id,) = self._insert_organisations([ref])
        self._add_identifiers(organisation_id, identifiers, first_is_primary=True)
        if ref.source_key:
            self._insert_source_keys([(ref.source_key, organisation_id)])
            self._keys[ref.source_key] = organisation_id
        return organisation_id

    def _add_identifiers(
        self, organisation_id: int, identifiers: list[str], *, first_is_primary: bool = False
    ) -> None:
        new = [v for v in identifiers if v not in self._ids]
        if not new:
            return
        for value in new:
            self._ids[value] = organisation_id
        self._insert_identifiers(
            [(organisation_id, v, first_is_primary and v == identifiers[0]) for v in new]
        )

    def _add_name(self, organisation_id: int, name: str) -> None:
        if (organisation_id, name) in self._raw_names:
            return  # seen as given: no need to normalise it again
        self._raw_names.add((organisation_id, name))
        normalised = normalise_name(name)
        if not normalised or (organisation_id, normalised) in self._names:
            return
        self._names.add((organisation_id, normalised))
        self._pending.append((organisation_id, normalised[:300], name[:300], self.source))

    def close(self) -> None:
        """Write what is still to write; index the new organisations' names (see
        `pause_name_index`)."""
        self.flush()
        if self._first_id is not None:
            with connection.cursor() as cursor:
                resume_name_index(cursor, first_id=self._first_id)
            self._first_id = None

    @property
    def names_due(self) -> bool:
        """Whether enough search names wait to be written together (`NAMES_AT_ONCE`)."""
        return len(self._pending) >= NAMES_AT_ONCE

    def flush(self) -> None:
        """Write the search names gathered since the last flush (one statement)."""
        if self._pending:
            with connection.cursor() as cursor:
                insert_rows(
                    cursor,
                    table(SearchName),
                    ["organisation_id", "normalised", "name", "source"],
                    self._pending,
                    skip_conflicts=True,
                )
            self._pending = []


class Removals:
    """Grants or awards that a newer version of their file no longer lists: kept, marked
    `in_latest_file=False` with `removed_on`, so they stop counting as current relationships.

    Keyed on the file's name (what rows keep in `source_file`). The key of every row read in
    this run goes to a temporary table, not Python memory, whatever the file size; at the end
    `mark()` runs one UPDATE per file name for that file's stored rows that were not read.
    A row read again, in any file, is un-marked by the loader as it writes it. A file with a
    record skipped under --skip-bad is left alone (with a warning): the skipped record's key
    is unknown, so nothing in that file can be called gone.
    """

    def __init__(
        self,
        cursor: CursorWrapper,
        stage: Stage,
        column: str,
        *,
        model: type[Model],
        key: str,
        noun: str,
        report: ImportReport,
    ) -> None:
        self.cursor = cursor
        self.stage, self.column = stage, column  # the keys this run read (staged_rows.py)
        self.model = model
        self.key = key  # the unique column: grant_id, key
        self.noun = noun
        self.report = report
        self._files: dict[str, int] = {}  # file name -> records skipped as bad
        self._stored_before: dict[str, bool] = {}  # file name -> had current rows stored

    def file_started(self, name: str) -> None:
        """Note, before any of its records is written, whether an earlier import stored
        current rows of file `name`."""
        if name not in self._stored_before:
            self._stored_before[name] = bool(
                scalar(
                    self.cursor,
                    f"SELECT 1 FROM {table(self.model)} WHERE source_file = %s AND "
                    "in_latest_file LIMIT 1",
                    [name],
                )
            )

    def file_read(self, name: str, *, skipped: int) -> None:
        """Note a file read, and how many of its records were skipped as bad."""
        self._files[name] = self._files.get(name, 0) + skipped

    def marking(self) -> list[str]:
        """The files whose rows not read this run are to be marked: those an earlier
        import stored (the first import of a file has nothing gone), none skipped."""
        return [
            name
            for name, skipped in self._files.items()
            if self._stored_before[name] and not skipped
        ]

    def mark(self) -> None:
        self.stage.flush()
        marking = self.marking()
        if marking:
            self.stage.index(self.column)  # one probe per stored row of each file
        stored, today = table(self.model), timezone.localdate()
        key = connection.ops.quote_name(self.key)
        for name, skipped in self._files.items():
            if skipped:
                self.report.warn(
                    f"{name}: {skipped} bad record(s) skipped, so none of its {self.noun} "
                    "were marked removed (a skipped record's id is unknown)"
                )
                continue
            if name not in marking:
                continue
            gone = execute(
                self.cursor,
                f"UPDATE {stored} SET in_latest_file = %s, removed_on = %s "
                f"WHERE source_file = %s AND in_latest_file AND NOT EXISTS "
                f"(SELECT 1 FROM {self.stage.name} s WHERE s.{self.column} = {stored}.{key})",
                [False, today, name],
            )
            self.report.add(f"{self.noun}: no longer in the file (marked removed)", gone)
        self.stage.drop()
