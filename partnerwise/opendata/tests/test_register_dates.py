"""Every register table is checked against the extract date already imported (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from partnerwise.opendata.models import CharityRegulator
from partnerwise.opendata.tests.conftest import run, snapshot, write_txt_zip

HEADER = [
    "date_of_extract", "organisation_number", "registered_charity_number", "regulator_order",
    "regulator_name", "regulator_web_url",
]  # fmt: skip


def _regulators(folder: Path, date: str, name: str) -> Path:
    folder.mkdir()
    row = [f"{date} 00:00:00.0000000", "216865", "216865", "1", name, "https://example.org/"]
    return write_txt_zip(
        folder / "publicextract.charity_other_regulators.zip",
        "charity_other_regulators",
        HEADER,
        [row],
    )


def test_an_older_child_table_is_refused(db: None, tmp_path: Path) -> None:
    run("ccew", str(_regulators(tmp_path / "new", "2024-09-10", "Ofsted")))
    before = snapshot()
    older = _regulators(tmp_path / "old", "2023-09-07", "Care Quality Commission")
    with pytest.raises(
        CommandError,
        match=r"charity_other_regulators extract of 2023-09-07 is older than the one "
        r"already imported \(2024-09-10\)",
    ):
        run("ccew", str(older))
    assert snapshot() == before
    assert list(CharityRegulator.objects.values_list("name", flat=True)) == ["Ofsted"]


def test_a_newer_child_table_replaces_the_older(db: None, tmp_path: Path) -> None:
    run("ccew", str(_regulators(tmp_path / "old", "2023-09-07", "Care Quality Commission")))
    run("ccew", str(_regulators(tmp_path / "new", "2024-09-10", "Ofsted")))
    assert list(CharityRegulator.objects.values_list("name", flat=True)) == ["Ofsted"]
