"""Read a big grant or OCDS file in a second process while this one loads what it read.

Parsing JSON and checking every grant against the 360Giving schema is CPU-bound Python, as
much work as the loading itself. As for the register (background.py's `from_child` and
`send_all` do the piping), a child interpreter runs the reader, `read_grants` or
`read_releases`, and sends what it yields (`Row`, `BadRecord`, `Note`, in file order) in
pickled batches; a thread in the parent keeps at most `AHEAD` of them, so memory stays flat.
A `SourceError` in the child comes back as the same `SourceError` here. If the parent dies,
the pipe breaks and the child stops at its next write.

Small files are read in this process (starting an interpreter costs more than it saves).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from pathlib import Path

from partnerwise.opendata.readers import BadRecord, Note, Row
from partnerwise.opendata.readers.background import from_child, send_all

BATCH = 1000
# Files smaller than this are read in-process.
BACKGROUND_FROM_BYTES = 8_000_000

Item = Row | BadRecord | Note
Reader = Callable[[Path], Iterable[Item]]


def read_ahead(reader: Reader, path: Path, *, background: bool | None = None) -> Iterator[Item]:
    """What `reader(path)` yields, read in a child process when the file is big (or when
    `background` says so). `reader` must be a module-level function (the child imports it
    by name)."""
    if background is None:
        background = path.is_file() and path.stat().st_size >= BACKGROUND_FROM_BYTES
    if not background:
        yield from reader(path)
        return
    command = [
        sys.executable, "-m", __name__, f"{reader.__module__}:{reader.__name__}", str(path),
    ]  # fmt: skip
    for batch in from_child(command, name=f"the reader of {path.name}"):
        yield from batch


def main(reader_name: str, path: str) -> int:
    """The child: run the reader, send its items in batches."""
    module, _, name = reader_name.partition(":")
    reader: Reader = getattr(import_module(module), name)

    def source() -> Iterator[list[Item]]:
        items = iter(reader(Path(path)))
        while batch := list(itertools.islice(items, BATCH)):
            yield batch

    return send_all(source)


if __name__ == "__main__":
    # Under its own name, so what it pickles unpickles in the loader as the same classes.
    from partnerwise.opendata.readers import read_ahead as module

    sys.exit(module.main(sys.argv[1], sys.argv[2]))
