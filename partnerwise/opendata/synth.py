"""A full-size synthetic Charity Commission register extract, for benchmarks.

Writes `publicextract.charity.zip` and every other table the importer reads (other names,
other regulators, areas of operation, classifications, annual return history and parts A
and B), each in the real JSON encoding (UTF-8 with a byte-order mark,
the Commission's column names, `YYYY-MM-DDT00:00:00` dates) with as many charities as asked.
Real data seeds it: names come from the real `charity_other_names` table (2024-09-10), and
statuses, types, registration and removal dates, reporting status, incomes and the share of
linked charities are drawn from the rows of the anonymised `charity` sample. The same seed
gives the same file. The other tables follow the charity rows: each main charity has the
areas, classifications and annual returns of the sample charity it is modelled on (the
Commission's own columns, money scaled to its income); other names (real ones, from the
2024-09-10 table) and other regulators come at the real tables' rates.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partnerwise.opendata.readers import BadRecord
from partnerwise.opendata.readers.ccew import open_extract

COLUMNS = [
    "date_of_extract", "organisation_number", "registered_charity_number",
    "linked_charity_number", "charity_name", "charity_type", "charity_registration_status",
    "date_of_registration", "date_of_removal", "charity_reporting_status",
    "latest_acc_fin_period_start_date", "latest_acc_fin_period_end_date", "latest_income",
    "latest_expenditure", "charity_contact_address1", "charity_contact_address2",
    "charity_contact_address3", "charity_contact_address4", "charity_contact_address5",
    "charity_contact_postcode", "charity_contact_phone", "charity_contact_email",
    "charity_contact_web", "charity_company_registration_number", "charity_insolvent",
    "charity_in_administration", "charity_previously_excepted", "charity_is_cdf_or_cif",
    "charity_is_cio", "cio_is_dissolved", "date_cio_dissolution_notice", "charity_activities",
    "charity_gift_aid", "charity_has_land",
]  # fmt: skip


@dataclass(frozen=True)
class Seed:
    names: list[str]
    mains: list[dict[str, Any]]  # sample rows of main charities (linked number 0)
    linked_share: float


def load_seed(data_dir: Path, *, names_zip: Path | None = None) -> Seed:
    """Names from the real other-names table (or `names_zip`); the rest from the sample."""
    names_zip = names_zip or (
        data_dir / "ccew-register-extract-2024-09-10" / "publicextract.charity_other_names.zip"
    )
    names: list[str] = []
    seen: set[str] = set()
    for row in open_extract(names_zip).rows():
        if isinstance(row, BadRecord) or not row.data:
            continue
        name = row.data["name"]
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    sample_zip = data_dir / "ccew-register-extract-anonymised-sample" / "publicextract.charity.zip"
    mains, linked = [], 0
    for row in open_extract(sample_zip).rows():
        if isinstance(row, BadRecord):
            continue
        if row.data["linked_number"]:
            linked += 1
        else:
            mains.append(row.data)
    total = len(mains) + linked
    return Seed(sorted(names), mains, linked / total if total else 0.0)


def _when(iso: str | None) -> str | None:
    return f"{iso}T00:00:00" if iso else None


def charities(count: int, seed: Seed, *, rng_seed: int = 20240910) -> Iterator[dict[str, Any]]:
    for row, _ in _charities(count, seed, rng_seed=rng_seed):
        yield row


def _charities(
    count: int, seed: Seed, *, rng_seed: int
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each charity row with the sample row it is modelled on."""
    rng = random.Random(rng_seed)
    names = seed.names
    extract = "2024-09-10T00:00:00"
    number = 200000
    organisation_number = 1
    made = 0
    while made < count:
        number += rng.randint(1, 3)
        template = rng.choice(seed.mains)
        base_name = names[rng.randrange(len(names))]
        # Linked charities follow their main charity, as in the register. The sample picks
        # linked charities on purpose (372 of 572 rows), so their share is scaled down to
        # about one row in ten.
        group = 1 + (rng.randint(1, 3) if rng.random() < seed.linked_share / 12 else 0)
        for linked in range(group):
            if made >= count:
                break
            row = dict.fromkeys(COLUMNS)
            income = template["latest_income"]
            if income is not None:
                income = round(float(income) * rng.lognormvariate(0, 0.5), 2)
            row.update(
                date_of_extract=extract,
                organisation_number=organisation_number,
                registered_charity_number=number if number < 1200000 else 1000000 + made,
                linked_charity_number=linked,
                charity_name=base_name if linked == 0 else f"{base_name} ({linked})",
                charity_type=template["charity_type"] or None if linked == 0 else None,
                charity_registration_status=template["status"] or "Registered",
                date_of_registration=_when(template["registered_on"]),
                date_of_removal=_when(template["removed_on"]),
                charity_reporting_status=template["reporting_status"] or None,
                latest_acc_fin_period_end_date=_when(template["fin_period_end"]),
                latest_income=income if linked == 0 else None,
                latest_expenditure=(
                    round(income * rng.uniform(0.6, 1.1), 2) if income and linked == 0 else None
                ),
                charity_contact_web=f"www.charity{number}.org.uk" if rng.random() < 0.4 else None,
                charity_company_registration_number=(
                    f"{rng.randint(1000000, 13999999):08d}" if rng.random() < 0.15 else None
                ),
                charity_insolvent=False,
                charity_in_administration=False,
                charity_is_cio=bool(template["is_cio"]),
                charity_activities=(
                    "The charity works to relieve need and advance education in its area."
                    if linked == 0
                    else None
                ),
            )
            yield row, template
            organisation_number += 1
            made += 1


def write_extract(out_dir: Path, count: int, seed: Seed, *, rng_seed: int = 20240910) -> Path:
    """Write the charity table alone; returns its path."""
    write_register(out_dir, count, seed, rng_seed=rng_seed)
    return out_dir / "publicextract.charity.zip"


def write_register(
    out_dir: Path,
    count: int,
    seed: Seed,
    *,
    rng_seed: int = 20240910,
    children: ChildSeed | None = None,
) -> dict[str, int]:
    """Write the charity table and, given `children`, every other table the importer reads,
    one zip each; returns the rows written per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {"charity": _JsonTable(out_dir, "charity")}
    if children:
        tables |= {table: _JsonTable(out_dir, table) for table in CHILD_TABLES}
    rng = random.Random(rng_seed + 1)  # its own, so the charity table is the same either way
    try:
        for row, template in _charities(count, seed, rng_seed=rng_seed):
            tables["charity"].write(row)
            if children:
                for table, child in _child_rows(row, template, seed, children, rng):
                    tables[table].write(child)
    finally:
        for writer in tables.values():
            writer.close()
    return {table: writer.rows for table, writer in tables.items()}


# ------------------------------------------------------------------ the other tables

# Rows per charity row of the real complete 2024-09-10 tables (168,348 other names and
# 12,702 other regulators against about 400,000 charity rows).
OTHER_NAMES_PER_CHARITY = 168_348 / 400_000
REGULATORS_PER_CHARITY = 12_702 / 400_000
# Tables copied from a main charity's rows in the anonymised sample (so each synthetic charity
# has the returns, areas and classifications of the sample charity it is modelled on: about
# 3.7 history rows, 2.7 part A, 1.9 part B, 2.1 areas and 6.4 classifications per main charity).
TEMPLATE_TABLES = [
    "charity_area_of_operation",
    "charity_classification",
    "charity_annual_return_parta",
    "charity_annual_return_partb",
    "charity_annual_return_history",
]
CHILD_TABLES = ["charity_other_names", "charity_other_regulators", *TEMPLATE_TABLES]

_SAMPLE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}) 00:00:00(?:\.0+)?$")
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_MONEY = re.compile(r"income|expenditure|reserves|assets|funds|gain_loss|creditors")


def _json_value(text: str) -> Any:
    """A value of the sample's TXT tables as the JSON extract writes it."""
    if text == "":
        return None
    if text in ("True", "False"):
        return text == "True"
    date = _SAMPLE_DATE.match(text)
    if date:
        return f"{date.group(1)}T00:00:00"
    if _INTEGER.match(text):
        return int(text)
    if _DECIMAL.match(text):
        return float(text)
    return text


@dataclass(frozen=True)
class ChildSeed:
    headers: dict[str, list[str]]  # table -> the Commission's columns, in order
    rows: dict[str, dict[int, list[dict[str, Any]]]]  # table -> sample number -> its rows
    regulators: list[dict[str, Any]]  # sample rows of other regulators
    name_types: list[str]  # name types of the sample's other names (drawn from)


def load_child_seed(data_dir: Path) -> ChildSeed:
    """The real headers and rows of the anonymised sample's other tables (TXT zips)."""
    sample = data_dir / "ccew-register-extract-anonymised-sample"
    headers: dict[str, list[str]] = {}
    rows: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for table in CHILD_TABLES:
        with zipfile.ZipFile(sample / f"publicextract.{table}.zip") as archive:
            member = next(n for n in archive.namelist() if n.endswith(".txt"))
            with archive.open(member) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                reader = csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
                header = [column.strip() for column in next(reader)]
                by_number: dict[int, list[dict[str, Any]]] = {}
                for values in reader:
                    if len(values) != len(header):
                        continue
                    record = {
                        c: _json_value(v.strip()) for c, v in zip(header, values, strict=True)
                    }
                    by_number.setdefault(record["registered_charity_number"], []).append(record)
        headers[table] = header
        rows[table] = by_number
    regulators = [r for rs in rows["charity_other_regulators"].values() for r in rs]
    name_types = [r["charity_name_type"] for rs in rows["charity_other_names"].values() for r in rs]
    return ChildSeed(headers, rows, regulators, name_types)


class _JsonTable:
    """One `publicextract.<table>.zip` being written, in the Commission's JSON encoding."""

    def __init__(self, out_dir: Path, table: str) -> None:
        self.path = out_dir / f"publicextract.{table}.zip"
        self.archive = zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_DEFLATED)
        self.raw = self.archive.open(f"publicextract.{table}.json", "w", force_zip64=True)
        self.text = io.TextIOWrapper(self.raw, encoding="utf-8-sig", newline="")
        self.text.write("[")
        self.rows = 0

    def write(self, row: dict[str, Any]) -> None:
        self.text.write("\n," if self.rows else "")
        self.text.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        self.rows += 1

    def close(self) -> None:
        self.text.write("]")
        self.text.flush()
        self.text.detach()
        self.raw.close()
        self.archive.close()


def _child_rows(
    charity: dict[str, Any],
    template: dict[str, Any],
    seed: Seed,
    children: ChildSeed,
    rng: random.Random,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The other tables' rows for one synthetic charity row."""
    ids = {
        "date_of_extract": charity["date_of_extract"],
        "organisation_number": charity["organisation_number"],
        "registered_charity_number": charity["registered_charity_number"],
    }
    linked = charity["linked_charity_number"]
    if rng.random() < OTHER_NAMES_PER_CHARITY:
        yield (
            "charity_other_names",
            {
                **ids,
                "linked_charity_number": linked,
                "charity_name_id": charity["organisation_number"],
                "charity_name_type": rng.choice(children.name_types),
                "charity_name": seed.names[rng.randrange(len(seed.names))],
            },
        )
    if linked:
        return  # the sample's returns, areas and classifications hang off main charities
    if rng.random() < REGULATORS_PER_CHARITY:
        yield "charity_other_regulators", {**rng.choice(children.regulators), **ids}
    number = template["registered_number"]
    scale = (
        float(charity["latest_income"]) / float(template["latest_income"])
        if (charity["latest_income"] and template["latest_income"])
        else 1.0
    )
    for table in TEMPLATE_TABLES:
        for row in children.rows[table].get(number, ()):
            copy = {**row, **ids}
            if table.startswith("charity_annual_return"):
                # The template's money, scaled as the charity's latest income was.
                for column, value in copy.items():
                    if type(value) in (int, float) and _MONEY.search(column):
                        copy[column] = round(value * scale, 2)
            yield table, copy
