"""An import killed mid-write leaves the database exactly as it was.

Runs real processes against their own SQLite file: `partnerwise import ccew` of a synthetic
register is killed with SIGKILL once it has started writing to the real tables (its
PARTNERWISE_SQL_TIMING lines say so), and the database is compared with its state before;
the background reader process it started must stop by itself.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

PARTNERWISE = [sys.executable, "-m", "partnerwise"]
TABLES = ["organisations_organisation", "organisations_identifier", "opendata_registercharity"]


def _env(database: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONWARNINGS": "ignore"}


def _run(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [*PARTNERWISE, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":  # exited, waiting for someone to reap it
            return True
        time.sleep(0.05)
    return False


def _counts(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as conn:
        return {name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in TABLES}


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_killed_import_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    database = tmp_path / "kill.sqlite3"
    env = _env(database)
    _run("migrate", "-v0", env=env)
    for name, count in (("small", "2000"), ("big", "150000")):
        _run(
            "opendata_synth", "--charity-only", "--charities", count, str(tmp_path / name), env=env
        )
    _run("import", "ccew", str(tmp_path / "small" / "publicextract.charity.zip"), env=env)
    before = _counts(database)
    assert before["organisations_organisation"] > 0

    with subprocess.Popen(
        [*PARTNERWISE, "import", "ccew", str(tmp_path / "big" / "publicextract.charity.zip")],
        env={**env, "PARTNERWISE_SQL_TIMING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stderr is not None
        deadline = time.monotonic() + 240
        started_writing = False
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            if "INSERT" in line or "UPDATE" in line:
                started_writing = True
                break
        assert started_writing, "the import never reached its writes"
        # A table this big is read by a background reader process (a child of the import).
        readers = _children(process.pid)
        assert readers, "the import has no background reader"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the import finished before it was killed"
    # Its reader notices that nobody reads any more and stops: no orphan keeps parsing.
    assert all(_gone(pid, 30) for pid in readers), "the background reader outlived the import"

    assert _counts(database) == before
    # And the database still works: the interrupted import can simply be run again.
    _run("import", "ccew", str(tmp_path / "big" / "publicextract.charity.zip"), env=env)
    assert _counts(database)["opendata_registercharity"] > before["opendata_registercharity"]
