"""Loaders: write what the readers yield into the database, atomically and idempotently.

A loader runs inside the import command's single transaction; it never commits. It counts
what it did in an `ImportReport`, which also holds the records skipped under `--skip-bad`.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from tqdm import tqdm

from partnerwise.opendata.readers import BadRecord, Row


class ImportFailed(Exception):
    """Stops an import; the command turns it into a one-line error and rolls back."""


@dataclass
class ImportReport:
    skip_bad: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0

    def bad(self, record: BadRecord) -> None:
        if not self.skip_bad:
            raise ImportFailed(f"{record} (use --skip-bad to import the rest without it)")
        self.skipped.append(str(record))

    def warn(self, message: str) -> None:
        self.warning_count += 1
        # Keep the first few hundred for the summary; the count says how many there were.
        if len(self.warnings) < 200:
            self.warnings.append(message)

    def add(self, key: str, amount: int = 1) -> None:
        if amount:
            self.counts[key] += amount

    def good_rows(self, items: Iterable[Row | BadRecord]) -> Iterator[Row]:
        """Rows to load: bad records fail the import or are skipped; warnings are kept."""
        for item in items:
            if isinstance(item, BadRecord):
                self.bad(item)
                continue
            for warning in item.warnings:
                self.warn(warning)
            if item.data:
                yield item


def progress[T](items: Iterable[T], *, label: str, stream: TextIO | None = None) -> Iterator[T]:
    """A progress bar on a terminal; nothing at all when output goes to a file or a pipe."""
    out = stream or sys.stderr
    enabled = hasattr(out, "isatty") and out.isatty()
    if not enabled:
        yield from items
        return
    yield from tqdm(items, desc=label, unit=" rows", unit_scale=True, file=out, leave=False)


def row_hash(values: Iterable[Any]) -> int:
    """A signed 64-bit digest of a row's content (fits a BIGINT column on every database)."""
    digest = hashlib.blake2b(repr(tuple(values)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
