"""Read a big grant or OCDS file in a second process while this one loads what it read.

Parsing JSON and checking every grant against the 360Giving schema is CPU-bound Python, as
much work as the loading itself. As for the register (background.py's `from_child` and
`send_all` do the piping), a child interpreter runs the reader, `read_grants` or
`read_releases`, and sends what it yields (`Row`, `BadRecord`, `Note`, in file order) in
pickled batches; a thread in the parent keeps at most `AHEAD` of them, so memory stays flat.
A `SourceError` in the child comes back as the same `SourceError` here. If the parent dies,
the pipe breaks and the child stops at its next write.

Small files are read in this process (starting an interpreter costs more than it saves).

With a `shaper` (a module-level function of the reader's items and the file's name, such
as loaders/grant_rows.py's `shape_grants`), the child also shapes each record into what the
loader stages, so a big file's records cross the pipe as small flat tuples and the loader's
own work per record is small. A small file runs the same shaper in this process.
"""

from __future__ import annotations

import gc
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

from partnerwise.opendata.readers import BadRecord, Note, Row
from partnerwise.opendata.readers.background import from_child, send_all

BATCH = 1000
# Batches the child may read ahead (about 250 KB each, pickled): enough for it to read on
# while the database writes a chunk of 50,000 records (loaders/staged_rows.py).
AHEAD = 120
GC_THRESHOLD = 50_000  # new containers between collections in the child (see `main`)
# Files smaller than this are read in-process.
BACKGROUND_FROM_BYTES = 8_000_000

Item = Row | BadRecord | Note
Reader = Callable[[Path], Iterable[Item]]
Shaper = Callable[[Iterable[Item], str], Iterator[Any]]


def read_ahead(
    reader: Reader,
    path: Path,
    *,
    background: bool | None = None,
    shaper: Shaper | None = None,
) -> Iterator[Any]:
    """What `reader(path)` yields (shaped by `shaper(items, path.name)` if given), read in
    a child process when the file is big (or when `background` says so). `reader` and
    `shaper` must be module-level functions (the child imports them by name)."""
    if background is None:
        background = path.is_file() and path.stat().st_size >= BACKGROUND_FROM_BYTES
    if not background:
        yield from shaper(reader(path), path.name) if shaper else reader(path)
        return
    command = [
        sys.executable, "-m", __name__, f"{reader.__module__}:{reader.__name__}", str(path),
    ]  # fmt: skip
    if shaper is not None:
        command.append(f"{shaper.__module__}:{shaper.__name__}")
    for batch in from_child(command, name=f"the reader of {path.name}", ahead=AHEAD):
        yield from batch


def _by_name(name: str) -> Any:
    module, _, attribute = name.partition(":")
    return getattr(import_module(module), attribute)


def main(reader_name: str, path: str, shaper_name: str | None = None) -> int:
    """The child: run the reader (and the shaper), send what they yield in batches."""
    reader: Reader = _by_name(reader_name)
    shaper: Shaper | None = _by_name(shaper_name) if shaper_name else None
    # Each record is a few dicts and lists made and dropped with no cycles among them;
    # Python's default (a collection every 700 new containers) spends a fifth of the
    # child's time looking for cycles that are not there.
    gc.set_threshold(GC_THRESHOLD, 20, 20)

    def source() -> Iterator[list[Any]]:
        items = reader(Path(path))
        shaped = iter(shaper(items, Path(path).name) if shaper else items)
        while batch := list(itertools.islice(shaped, BATCH)):
            yield batch

    return send_all(source)


if __name__ == "__main__":
    # Under its own name, so what it pickles unpickles in the loader as the same classes.
    from partnerwise.opendata.readers import read_ahead as module

    sys.exit(module.main(*sys.argv[1:4]))
