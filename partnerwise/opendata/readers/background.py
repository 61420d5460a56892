"""Read a register table in a second process while this one writes to the database.

Parsing a 400,000-row register table is CPU-bound Python; loading it is mostly database
work. With the reader in a child process the two use two cores: the child reads the zip,
converts each record and shapes it into the tuple the loader stages (see
`partnerwise.opendata.loaders.register_rows`), and sends batches of them, pickled, down a
pipe. In the parent a thread reads them into a bounded queue, still pickled (a pickled
batch takes a fifth of the memory of the tuples it holds), so the child runs ahead by at
most `AHEAD` batches and memory stays flat whatever the file size.

The child is a fresh interpreter (`python -m partnerwise.opendata.readers.background`), not
a fork: the parent holds an open database connection a forked child must not touch. It
imports no Django. If the parent dies, even by SIGKILL, the pipe breaks and the child
stops at its next write.

Small files are read in this process instead (starting an interpreter costs more than it
saves); both ways run the same `batches` generator, so they yield the same thing.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import IO, Any

from partnerwise.opendata.readers import BadRecord, Row, SourceError
from partnerwise.opendata.readers.ccew import ExtractFile, open_extract

BATCH = 5000
AHEAD = 40  # batches the child may run ahead of the loader (about 1 MB each, pickled)
# Tables whose uncompressed member is smaller than this are read in-process.
BACKGROUND_FROM_BYTES = 8_000_000

SHAPERS = "partnerwise.opendata.loaders.register_rows"
_FRAME = struct.Struct("!I?")  # length of the pickle; is it the child's last message

Shaper = Callable[[Row], tuple[Any, ...]]
# One batch: shaped rows (or bad records, in file order) and the warnings met on the way.
Batch = tuple[list[tuple[Any, ...] | BadRecord], list[str]]


def _shaper(table: str) -> Shaper:
    shaper: Shaper = import_module(SHAPERS).shaper(table)
    return shaper


def batches(extract: ExtractFile, size: int = BATCH) -> Iterator[Batch]:
    """The table's rows, shaped for staging, in batches (runs in either process)."""
    shape = _shaper(extract.table)
    items: list[tuple[Any, ...] | BadRecord] = []
    warnings: list[str] = []
    for item in extract.rows():
        if isinstance(item, BadRecord):
            items.append(item)
        else:
            warnings.extend(item.warnings)
            if item.data:
                items.append(shape(item))
        if len(items) >= size:
            yield items, warnings
            items, warnings = [], []
    if items or warnings:
        yield items, warnings


def uncompressed_size(extract: ExtractFile) -> int:
    with zipfile.ZipFile(extract.path) as archive:
        return archive.getinfo(extract.member).file_size


def read_batches(extract: ExtractFile, *, background: bool | None = None) -> Iterator[Batch]:
    """Batches of staged rows, read in a child process for big tables.

    Raises `SourceError` as the in-process reader would (the child sends its message).
    """
    if background is None:
        background = uncompressed_size(extract) >= BACKGROUND_FROM_BYTES
    if not background:
        yield from batches(extract)
        return
    yield from _from_child(extract)


# ----------------------------------------------------------------------- parent side


def _from_child(extract: ExtractFile) -> Iterator[Batch]:
    command = [sys.executable, "-m", __name__, str(extract.path)]
    path = os.pathsep.join(filter(None, [_package_root(), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    child = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert child.stdout is not None and child.stderr is not None
    inbox: queue.Queue[bytes | tuple[str, Any]] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    reader = threading.Thread(
        target=_receive, args=(child.stdout, inbox, stop), name="register-reader", daemon=True
    )
    reader.start()
    try:
        while True:
            message = inbox.get()
            kind, payload = pickle.loads(message) if isinstance(message, bytes) else message
            if kind == "rows":
                yield payload
            elif kind == "done":
                break
            elif kind == "error":
                raise SourceError(payload)
            else:  # the child crashed or the pipe broke: a bug, not bad input
                child.wait()
                detail = child.stderr.read().decode(errors="replace").strip()
                raise RuntimeError(
                    f"the background reader of {extract.path.name} stopped: {payload}\n{detail}"
                )
    finally:
        stop.set()
        if child.poll() is None:
            child.kill()
        with contextlib.suppress(queue.Empty):
            while True:  # unblock the thread if it waits on a full queue
                inbox.get_nowait()
        child.wait()
        reader.join(timeout=5)
        child.stdout.close()
        child.stderr.close()


def _receive(
    stream: IO[bytes], inbox: queue.Queue[bytes | tuple[str, Any]], stop: threading.Event
) -> None:
    """Move frames from the pipe to the queue until the child's last one (or a break)."""
    problem: tuple[str, Any]
    try:
        while not stop.is_set():
            head = stream.read(_FRAME.size)
            if len(head) < _FRAME.size:
                problem = ("broken", "its output ended early")
                break
            (length, last) = _FRAME.unpack(head)
            body = stream.read(length)
            if len(body) < length:
                problem = ("broken", "its output was cut off")
                break
            _put(inbox, body, stop)
            if last:
                return
    except Exception as error:  # reported to the loader, which raises it
        problem = ("broken", repr(error))
    _put(inbox, problem, stop)


def _put(
    inbox: queue.Queue[bytes | tuple[str, Any]],
    message: bytes | tuple[str, Any],
    stop: threading.Event,
) -> None:
    while not stop.is_set():
        with contextlib.suppress(queue.Full):
            inbox.put(message, timeout=0.2)
            return


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[3])


# ------------------------------------------------------------------------ child side


def _send(out: IO[bytes], message: tuple[str, Any]) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_FRAME.pack(len(body), message[0] != "rows"))
    out.write(body)
    out.flush()


def main(path: str) -> int:
    out = sys.stdout.buffer
    try:
        try:
            extract = open_extract(Path(path))
            for batch in batches(extract):
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
    sys.exit(main(sys.argv[1]))
