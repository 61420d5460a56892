"""A full-size synthetic Charity Commission register extract, for benchmarks.

Writes `publicextract.charity.zip` in the real JSON encoding (UTF-8 with a byte-order mark,
the Commission's column names, `YYYY-MM-DDT00:00:00` dates) with as many charities as asked.
Real data seeds it: names come from the real `charity_other_names` table (2024-09-10), and
statuses, types, registration and removal dates, reporting status, incomes and the share of
linked charities are drawn from the rows of the anonymised `charity` sample. The same seed
gives the same file.
"""

from __future__ import annotations

import io
import json
import random
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
            yield row
            organisation_number += 1
            made += 1


def write_extract(out_dir: Path, count: int, seed: Seed, *, rng_seed: int = 20240910) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "publicextract.charity.zip"
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("publicextract.charity.json", "w", force_zip64=True) as raw,
    ):
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        text.write("[")
        for index, row in enumerate(charities(count, seed, rng_seed=rng_seed)):
            text.write("\n," if index else "")
            text.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        text.write("]")
        text.flush()
        text.detach()
    return path
