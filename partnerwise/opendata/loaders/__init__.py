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

from partnerwise.opendata.readers import BadRecord, Note, Row


class ImportFailed(Exception):
    """Stops an import; the command turns it into a one-line error and rolls back."""


@dataclass
class ImportReport:
    skip_bad: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    warnings: dict[str, tuple[int, str]] = field(default_factory=dict)  # kind -> count, e.g.

    def bad(self, record: BadRecord) -> None:
        if not self.skip_bad:
            raise ImportFailed(f"{record} (use --skip-bad to import the rest without it)")
        self.skipped.append(str(record))

    def warn(self, message: str) -> None:
        """Note a warning; "kind\x00example" messages are counted by kind, one example kept."""
        kind, _, example = message.partition("\x00")
        count, first = self.warnings.get(kind, (0, example))
        self.warnings[kind] = (count + 1, first)

    @property
    def warning_count(self) -> int:
        return sum(count for count, _ in self.warnings.values())

    def warning_lines(self) -> list[str]:
        lines = []
        for kind, (count, example) in self.warnings.items():
            times = f" ({count} times" + (f", e.g. {example})" if example else ")")
            lines.append(kind + (times if count > 1 else (f" ({example})" if example else "")))
        return lines

    def add(self, key: str, amount: int = 1) -> None:
        if amount:
            self.counts[key] += amount

    def good_rows(self, items: Iterable[Row | BadRecord | Note]) -> Iterator[Row]:
        """Rows to load: bad records fail the import or are skipped; warnings are kept;
        notes about whole files are counted."""
        for item in items:
            if isinstance(item, BadRecord):
                self.bad(item)
                continue
            if isinstance(item, Note):
                self.add(item.key)
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


def counter(label: str, *, stream: TextIO | None = None) -> tqdm[Any]:
    """A progress bar to `update(n)` by hand (for rows that arrive in batches); silent
    when output goes to a file or a pipe. Use it as a context manager."""
    out = stream or sys.stderr
    enabled = hasattr(out, "isatty") and out.isatty()
    return tqdm(
        desc=label, unit=" rows", unit_scale=True, file=out, leave=False, disable=not enabled
    )


def row_hash(values: Iterable[Any]) -> int:
    """A signed 64-bit digest of a row's content (fits a BIGINT column on every database)."""
    digest = hashlib.blake2b(repr(tuple(values)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
