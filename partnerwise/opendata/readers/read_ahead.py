"""Read a big grant or OCDS file in a second process while this one loads what it read.

Parsing JSON and checking every grant against the 360Giving schema is CPU-bound Python, as
much work as the loading itself. As for the register (background.py's `from_child` and
`send_all` do the piping), a child interpreter runs the reader, `read_grants` or
`read_releases`, and sends what it yields (`Row`, `BadRecord`, `Note`, in file order) in
pickled batches; a thread in the parent keeps at most `AHEAD` of them, so memory stays flat.
A `SourceError` in the child comes back as the same `SourceError` here. If the parent dies,
the pipe breaks and the child stops at its next write.

Small files are read in this process (starting an interpreter costs more than it saves).

A loader that reads only a few fields of each row can pass a `Packing`: the child then sends
each `Row` as the flat tuple `pack` makes of it (pickling a flat tuple of a grant's dozen
fields costs a fifth of pickling its whole nested dict), and this process turns it back into
a `Row` holding just those fields with `unpack`.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from partnerwise.opendata.readers import BadRecord, Note, Row
from partnerwise.opendata.readers.background import from_child, send_all

BATCH = 1000
# Files smaller than this are read in-process.
BACKGROUND_FROM_BYTES = 8_000_000

Item = Row | BadRecord | Note
Reader = Callable[[Path], Iterable[Item]]


@dataclass(frozen=True)
class Packing:
    """How a big file's rows cross the pipe: `pack` (a module-level function, which the
    child imports by name) flattens a `Row` to a tuple of what the loader reads; `unpack`
    rebuilds a `Row` from it that the loader reads the same way."""

    pack: Callable[[Row], tuple[Any, ...]]
    unpack: Callable[[tuple[Any, ...]], Row]


def read_ahead(
    reader: Reader,
    path: Path,
    *,
    background: bool | None = None,
    packing: Packing | None = None,
) -> Iterator[Item]:
    """What `reader(path)` yields, read in a child process when the file is big (or when
    `background` says so). `reader` must be a module-level function (the child imports it
    by name). With `packing`, a row read in the child comes back as `packing.unpack` makes
    it (see the module's docstring)."""
    if background is None:
        background = path.is_file() and path.stat().st_size >= BACKGROUND_FROM_BYTES
    if not background:
        yield from reader(path)
        return
    command = [
        sys.executable, "-m", __name__, f"{reader.__module__}:{reader.__name__}", str(path),
    ]  # fmt: skip
    if packing is None:
        for batch in from_child(command, name=f"the reader of {path.name}"):
            yield from batch
        return
    command.append(f"{packing.pack.__module__}:{packing.pack.__name__}")
    unpack = packing.unpack
    for batch in from_child(command, name=f"the reader of {path.name}"):
        for item in batch:
            yield unpack(item) if type(item) is tuple else item


def _by_name(name: str) -> Any:
    module, _, attribute = name.partition(":")
    return getattr(import_module(module), attribute)


def main(reader_name: str, path: str, pack_name: str | None = None) -> int:
    """The child: run the reader, send its items in batches (rows packed by `pack_name`)."""
    reader: Reader = _by_name(reader_name)
    pack: Callable[[Row], tuple[Any, ...]] | None = _by_name(pack_name) if pack_name else None

    def source() -> Iterator[list[Item] | list[Item | tuple[Any, ...]]]:
        items = iter(reader(Path(path)))
        while batch := list(itertools.islice(items, BATCH)):
            if pack is None:
                yield batch
            else:
                yield [pack(item) if type(item) is Row else item for item in batch]

    return send_all(source)


if __name__ == "__main__":
    # Under its own name, so what it pickles unpickles in the loader as the same classes.
    from partnerwise.opendata.readers import read_ahead as module

    sys.exit(module.main(*sys.argv[1:4]))
