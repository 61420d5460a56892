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


def test_register_and_grants_write_a_company_number_the_same_way(
    db: None, tmp_path: Path, sample_charity: tuple[list[str], list[list[str]]]
) -> None:
    """One normaliser (organisations/identifiers.py): the register's `R012345` and a grant's
    `R012345` are the same company, GB-COH-R0012345 (issue 9, item 6)."""
    import json

    from partnerwise.opendata.models import Grant, RegisterCharity

    header, rows = sample_charity
    company = header.index("charity_company_registration_number")
    linked = header.index("linked_charity_number")
    row = next(r for r in rows if r[linked] == "0")
    row[company] = "R012345"
    odd = next(r for r in rows if r[linked] == "0" and r is not row)
    odd[company] = "not a number"
    path = write_txt_zip(tmp_path / "publicextract.charity.zip", "charity", header, rows)
    output = run("ccew", str(path))
    assert "company number not usable, no GB-COH identifier" in output
    charity = RegisterCharity.objects.get(organisation_number=int(row[1]))
    assert charity.organisation is not None
    assert charity.organisation.identifiers.filter(value="GB-COH-R0012345").exists()
    grant = {
        "id": "360G-r0-1", "title": "Grant", "currency": "GBP", "amountAwarded": 10,
        "awardDate": "2020-01-01", "fundingOrganization": [{"id": "360G-f", "name": "F"}],
        "recipientOrganization": [{"id": "360G-x-r", "name": "R", "companyNumber": "R012345"}],
    }  # fmt: skip
    grants = tmp_path / "grants.json"
    grants.write_text(json.dumps({"grants": [grant]}), encoding="utf-8")
    run("360giving", str(grants))
    assert Grant.objects.get().recipient_id == charity.organisation_id
