"""Read a big grant or OCDS file in a second process while this one loads what it read.

Parsing JSON and checking every grant against the 360Giving schema is CPU-bound Python, as
much work as the loading itself. As for the register (see background.py, whose pipe
framing this reuses), a child interpreter runs the reader, `read_grants` or
`read_releases`, and sends what it yields (`Row`, `BadRecord`, `Note`, in file order) in
pickled batches; a thread in the parent keeps at most `AHEAD` of them, so memory stays flat.
A `SourceError` in the child comes back as the same `SourceError` here. If the parent dies,
the pipe breaks and the child stops at its next write.

Small files are read in this process (starting an interpreter costs more than it saves).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

from partnerwise.opendata.readers import BadRecord, Note, Row, SourceError
from partnerwise.opendata.readers.background import AHEAD, _package_root, _receive, _send

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
    search = os.pathsep.join(filter(None, [_package_root(), os.environ.get("PYTHONPATH")]))
    child = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": search},
    )
    assert child.stdout is not None and child.stderr is not None
    inbox: queue.Queue[bytes | tuple[str, Any]] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    thread = threading.Thread(
        target=_receive, args=(child.stdout, inbox, stop), name="read-ahead", daemon=True
    )
    thread.start()
    try:
        while True:
            message = inbox.get()
            kind, payload = pickle.loads(message) if isinstance(message, bytes) else message
            if kind == "rows":
                yield from payload
            elif kind == "done":
                break
            elif kind == "error":
                raise SourceError(payload)
            else:  # the child crashed or the pipe broke: a bug, not bad input
                child.wait()
                detail = child.stderr.read().decode(errors="replace").strip()
                raise RuntimeError(f"the reader of {path.name} stopped: {payload}\n{detail}")
    finally:
        stop.set()
        if child.poll() is None:
            child.kill()
        with contextlib.suppress(queue.Empty):
            while True:  # unblock the thread if it waits on a full queue
                inbox.get_nowait()
        child.wait()
        thread.join(timeout=5)
        child.stdout.close()
        child.stderr.close()


def main(reader_name: str, path: str) -> int:
    """The child: run the reader, send its items in batches."""
    out = sys.stdout.buffer
    module, _, name = reader_name.partition(":")
    reader: Reader = getattr(import_module(module), name)
    try:
        try:
            items = iter(reader(Path(path)))
            while batch := list(itertools.islice(items, BATCH)):
                _send(out, ("rows", batch))
        except SourceError as error:
            _send(out, ("error", str(error)))
            return 0
        _send(out, ("done", None))
    except BrokenPipeError:
        # The loader stopped reading (it failed, or was killed): nothing more to do.
        with contextlib.suppress(OSError):
            os.close(out.fileno())
        return 1
    return 0


if __name__ == "__main__":
    # Under its own name, so what it pickles unpickles in the loader as the same classes.
    from partnerwise.opendata.readers import read_ahead as module

    sys.exit(module.main(sys.argv[1], sys.argv[2]))
