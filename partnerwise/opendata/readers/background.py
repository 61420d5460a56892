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

For PostgreSQL the child can also do the last step of staging: with `copy=True` it numbers
the good rows from 1 in file order and sends each batch of them as one `CopyRows`, already
in the text format of COPY, so the loader hands it to the database as it is instead of
unpickling and formatting every value again (bad records still come one by one).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class CopyRows:
    """Good rows numbered `first` to `first + rows - 1`, as COPY text: one line per row,
    the row number first, then the shaped values."""

    first: int
    rows: int
    text: str


# One batch: shaped rows (or bad records, in file order; or, in copy mode, one CopyRows and
# the batch's bad records) and the warnings met on the way.
Batch = tuple[list[tuple[Any, ...] | CopyRows | BadRecord], list[str]]

# COPY's text format: these characters must be escaped; NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value: Any) -> str:
    """One value in COPY's text format (as psycopg's `write_row` would send it)."""
    kind = type(value)
    if kind is str:
        text: str = value
        if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
            return text.translate(_COPY_ESCAPES)
        return text
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is dt.date:
        day: dt.date = value
        return day.isoformat()
    raise TypeError(f"no COPY text format for {kind.__name__} value {value!r}")


def copy_text(rows: Sequence[tuple[Any, ...]], first: int) -> str:
    """Rows in COPY's text format, each preceded by its number (`first`, `first + 1`, ...)."""
    return "".join(
        f"{number}\t{'\t'.join(map(copy_value, row))}\n" for number, row in enumerate(rows, first)
    )


def _shaper(table: str) -> Shaper:
    shaper: Shaper = import_module(SHAPERS).shaper(table)
    return shaper


def batches(extract: ExtractFile, size: int = BATCH) -> Iterator[Batch]:
    """The table's rows, shaped for staging, in batches (runs in either process)."""
    shape = _shaper(extract.table)
    items: list[tuple[Any, ...] | CopyRows | BadRecord] = []
    warnings: list[str] = []
    for item in extract.rows():
        if isinstance(item, BadRecord):
            items.append(item)
        else:
            if item.data:
                items.append(shape(item))  # shaping may add a warning
            warnings.extend(item.warnings)
        if len(items) >= size:
            yield items, warnings
            items, warnings = [], []
    if items or warnings:
        yield items, warnings


def uncompressed_size(extract: ExtractFile) -> int:
    with zipfile.ZipFile(extract.path) as archive:
        return archive.getinfo(extract.member).file_size


def copy_batches(source: Iterator[Batch]) -> Iterator[Batch]:
    """`source` with each batch's good rows turned into one `CopyRows`, numbered on from
    the batch before."""
    seen = 0
    for items, warnings in source:
        rows = [item for item in items if type(item) is tuple]
        out: list[tuple[Any, ...] | CopyRows | BadRecord] = [
            item for item in items if isinstance(item, BadRecord)
        ]
        if rows:
            out.append(CopyRows(seen + 1, len(rows), copy_text(rows, seen + 1)))
            seen += len(rows)
        yield out, warnings


def read_batches(
    extract: ExtractFile, *, background: bool | None = None, copy: bool = False, size: int = BATCH
) -> Iterator[Batch]:
    """Batches of staged rows, read in a child process for big tables; with `copy`, a big
    table's good rows come as `CopyRows` (see the module's docstring).

    Raises `SourceError` as the in-process reader would (the child sends its message).
    """
    if background is None:
        background = uncompressed_size(extract) >= BACKGROUND_FROM_BYTES
    if not background:
        yield from batches(extract, size)
        return
    yield from _from_child(extract, copy, size)


# ----------------------------------------------------------------------- parent side


def _from_child(extract: ExtractFile, copy: bool, size: int) -> Iterator[Batch]:
    command = [sys.executable, "-m", __name__, str(extract.path), str(size)]
    if copy:
        command.append("--copy")
    yield from from_child(command, name=f"the background reader of {extract.path.name}")


def from_child(command: list[str], *, name: str, ahead: int = AHEAD) -> Iterator[Any]:
    """What a child process started with `command` sends with `send_all`, one payload at
    a time (read ahead by a thread into a queue of at most `ahead` payloads). Raises
    `SourceError` as the child's reader did; `name` names the child if it breaks."""
    path = os.pathsep.join(filter(None, [_package_root(), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    child = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert child.stdout is not None and child.stderr is not None
    inbox: queue.Queue[bytes | tuple[str, Any]] = queue.Queue(maxsize=ahead)
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
                raise RuntimeError(f"{name} stopped: {payload}\n{detail}")
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


def main(path: str, size: int = BATCH, copy: bool = False) -> int:
    def source() -> Iterator[Batch]:
        batches_ = batches(open_extract(Path(path)), size)
        return copy_batches(batches_) if copy else batches_

    return send_all(source)


def send_all(source: Callable[[], Iterable[Any]]) -> int:
    """The child's side of `from_child`: send each payload `source()` yields to the parent,
    then "done"; a `SourceError` is sent as the error it is."""
    out = sys.stdout.buffer
    try:
        try:
            for payload in source():
                _send(out, ("rows", payload))
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
    # Run the module under its own name, so what it pickles (CopyRows) unpickles in the
    # loader as partnerwise.opendata.readers.background.CopyRows, not __main__.CopyRows.
    from partnerwise.opendata.readers import background

    sys.exit(background.main(sys.argv[1], int(sys.argv[2]), copy="--copy" in sys.argv[3:]))
