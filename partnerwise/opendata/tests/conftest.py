"""Shared helpers for the open-data tests: real sample paths, running the import command,
and a snapshot of everything an import may write (to prove "nothing changed")."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

DATA: Path = Path(settings.DATA_DIR)
SAMPLE = DATA / "ccew-register-extract-anonymised-sample"
REAL_CCEW = DATA / "ccew-register-extract-2024-09-10"
GRANTS = DATA / "360giving"
OCDS = DATA / "contracts-finder-ocds"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot() -> dict[str, Any]:
    """Every row of the tables imports write, as a digest per table (timestamps included)."""
    result: dict[str, Any] = {}
    for label in ("organisations", "opendata"):
        for model in apps.get_app_config(label).get_models():
            rows = list(model._base_manager.order_by("pk").values_list())
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            result[model._meta.label] = (len(rows), digest)
    return result


def txt_table(name: str) -> tuple[list[str], list[list[str]]]:
    """A TXT sample table read with the csv module directly (the tests' own reading)."""
    with zipfile.ZipFile(SAMPLE / f"publicextract.{name}.zip") as archive:
        text = archive.read(f"publicextract.{name}.txt").decode("utf-8-sig")
    rows = list(
        csv.reader(
            io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"
        )
    )
    return rows[0], [row for row in rows[1:] if row]


def write_txt_zip(path: Path, name: str, header: list[str], rows: list[list[str]]) -> Path:
    body = "\r\n".join("\t".join(row) for row in [header, *rows]) + "\r\n"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"publicextract.{name}.txt", body.encode("utf-8"))
    return path


@pytest.fixture
def sample_charity() -> tuple[list[str], list[list[str]]]:
    return txt_table("charity")


@pytest.fixture
def imported_sample(db: None) -> Callable[[], str]:
    def go() -> str:
        return run("ccew", *[str(p) for p in sorted(SAMPLE.glob("*.zip"))])

    return go
