"""Benchmark: import synthetic 360Giving grants and OCDS awards into SQLite and PostgreSQL.

Writes (once, fixed seed) a GrantNav-sized 360Giving JSON package (`--grants`, default
1,000,000 grants from 200 funders to 60,000 recipients) and an OCDS release package
(`--awards`, default 200,000 awards from 500 buyers to 20,000 suppliers), then, each in a
fresh process and a fresh database:

* importer  - `partnerwise import 360giving` / `partnerwise import ocds` on the whole file;
* raw floor - the same JSON streaming (ijson) plus one bare `executemany` (SQLite) or `COPY`
              (PostgreSQL) of every grant / award into its table, each pointing at its
              own organisations, created before the clock starts and found by a dict
              lookup of the identifier: parsing and writing the same rows, nothing else
              (no validation, no identifiers, no comparison with what is stored);
* ORM loop  - the obvious loop: per grant, find or create the funder and recipient by
              identifier, then `Grant.objects.create`; on the first --orm-rows only, its
              rate extrapolated (say so when quoting it).

It prints rows per second, peak memory (maximum resident set size of the measuring
process, or of its reader process if larger) and the ratios the issue asks about: importer
time / floor time, importer speed / ORM speed. Figures compare only within one run on one machine.

    .venv/bin/python bench/import_grants.py [--grants 1000000] [--awards 200000]
        [--orm-rows 5000] [--repeat 1] [--no-postgres | --no-sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/h_opendata_bench")
sys.path.insert(0, str(ROOT / "bench"))

from import_register import _setup  # noqa: E402


def _peak_mb() -> float:
    """The larger of this process's peak and its reader process's (the importer reads a
    big file in a child: readers/read_ahead.py)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


# ------------------------------------------------------------------ synthetic files

WORDS = [
    "community", "youth", "housing", "advice", "refuge", "food", "bank", "training",
    "employment", "recovery", "arts", "health", "wellbeing", "carers", "older", "people",
    "families", "outreach", "mentoring", "digital", "skills", "volunteering", "sport",
    "heritage", "environment", "climate", "transport", "rural", "urban", "support",
]  # fmt: skip


def _charity_id(rng: random.Random, number: int) -> str:
    return f"GB-CHC-{1_000_000 + number}" if number % 4 else f"GB-COH-{number:08d}"


def write_grants(path: Path, count: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write('{"grants": [\n')
        for number in range(count):
            funder = rng.randrange(200)
            recipient = rng.randrange(60_000)
            words = rng.sample(WORDS, 6)
            grant = {
                "id": f"360G-bench-{number}",
                "title": " ".join(words[:3]).capitalize(),
                "description": " ".join(words * 3).capitalize() + ".",
                "currency": "GBP",
                "amountAwarded": rng.randrange(500, 250_000),
                "awardDate": f"20{rng.randrange(10, 25)}-{rng.randrange(1, 13):02d}-"
                f"{rng.randrange(1, 29):02d}",
                "recipientOrganization": [
                    {"id": _charity_id(rng, recipient), "name": f"Recipient {recipient} Trust"}
                ],
                "fundingOrganization": [
                    {"id": f"360G-funder{funder}", "name": f"Funder {funder} Foundation"}
                ],
                "grantProgramme": [{"title": f"Programme {funder % 7}"}],
                "plannedDates": [{"startDate": "2020-01-01", "endDate": "2021-01-01"}],
                "dateModified": "2024-01-01T00:00:00+00:00",
            }
            out.write(("," if number else "") + json.dumps(grant) + "\n")
        out.write("]}\n")


def write_awards(path: Path, count: int, seed: int = 17) -> None:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write('{"version": "1.1", "releases": [\n')
        for number in range(count):
            buyer, supplier = rng.randrange(500), rng.randrange(20_000)
            supplier_id = _charity_id(rng, supplier)
            release = {
                "ocid": f"ocds-b5fd17-bench-{number}",
                "id": f"bench-{number}-award",
                "date": f"20{rng.randrange(17, 25)}-{rng.randrange(1, 13):02d}-01T09:00:00Z",
                "tag": ["award"],
                "buyer": {"id": f"GB-GOR-B{buyer}", "name": f"Council {buyer}"},
                "parties": [
                    {"id": f"GB-GOR-B{buyer}", "name": f"Council {buyer}", "roles": ["buyer"]},
                    {
                        "id": supplier_id,
                        "name": f"Supplier {supplier} Ltd",
                        "roles": ["supplier"],
                        "identifier": {"scheme": supplier_id[:6], "id": supplier_id[7:]},
                        "details": {"scale": "sme", "vcse": bool(supplier % 3)},
                    },
                ],
                "tender": {"title": " ".join(rng.sample(WORDS, 4)), "suitability": {"sme": True}},
                "awards": [
                    {
                        "id": f"award-{number}",
                        "status": "active",
                        "date": f"20{rng.randrange(17, 25)}-03-01",
                        "title": " ".join(rng.sample(WORDS, 4)),
                        "value": {"amount": rng.randrange(5_000, 5_000_000), "currency": "GBP"},
                        "suppliers": [{"id": supplier_id, "name": f"Supplier {supplier} Ltd"}],
                        "contractPeriod": {"startDate": "2020-04-01", "endDate": "2022-03-31"},
                    }
                ],
            }
            out.write(("," if number else "") + json.dumps(release) + "\n")
        out.write("]}\n")


# ------------------------------------------------------------------ child process side


def _items(path: Path, prefix: str, limit: int | None = None) -> Iterator[dict[str, Any]]:
    import ijson

    with path.open("rb") as raw:
        for count, item in enumerate(ijson.items(raw, prefix), start=1):
            yield item
            if limit and count >= limit:
                return


def measure_importer(kind: str, path: Path) -> dict[str, Any]:
    from django.core.management import call_command

    from partnerwise.opendata.models import Award, Grant

    with open(os.devnull, "w") as quiet:
        start = time.perf_counter()
        call_command("import", "360giving" if kind == "grants" else "ocds", str(path), stdout=quiet)
        seconds = time.perf_counter() - start
    rows = (Grant if kind == "grants" else Award).objects.count()
    return {"rows": rows, "seconds": seconds, "peak_mb": _peak_mb()}


GRANT_COLUMNS = [
    "grant_id", "funder_id", "recipient_id", "title", "description", "amount", "currency",
    "award_date", "programme", "source_file", "in_latest_file", "row_hash",
]  # fmt: skip
AWARD_COLUMNS = [
    "key", "ocid", "release_id", "award_id", "buyer_id", "supplier_id", "title", "status",
    "value", "currency", "award_date", "release_date", "buyer_is_central_government",
    "source_file", "in_latest_file", "row_hash",
]  # fmt: skip


def _grant_row(grant: dict[str, Any], orgs: dict[str, int], name: str) -> list[Any]:
    funder = orgs[grant["fundingOrganization"][0]["id"]]
    recipient = orgs[grant["recipientOrganization"][0]["id"]]
    return [
        grant["id"], funder, recipient, grant["title"], grant["description"],
        grant["amountAwarded"],
        grant["currency"], grant["awardDate"][:10],
        grant["grantProgramme"][0]["title"], name, True, 0,
    ]  # fmt: skip


def _award_row(release: dict[str, Any], orgs: dict[str, int], name: str) -> list[Any]:
    award = release["awards"][0]
    buyer, supplier = orgs[release["buyer"]["id"]], orgs[award["suppliers"][0]["id"]]
    return [
        f"{release['ocid']}/{award['id']}/{award['suppliers'][0]['id']}", release["ocid"],
        release["id"], award["id"], buyer, supplier, award["title"], award["status"],
        award["value"]["amount"], award["value"]["currency"], award["date"], release["date"],
        False, name, True, 0,
    ]  # fmt: skip


def _organisations(kind: str, path: Path) -> dict[str, int]:
    """Every organisation the file names, created before the floor's clock starts (so the
    floor writes the same rows the importer must, each grant or award pointing at its own
    funder and recipient or buyer and supplier): identifier -> id."""
    from partnerwise.organisations.models import Organisation

    ids: set[str] = set()
    if kind == "grants":
        for grant in _items(path, "grants.item"):
            ids.add(grant["fundingOrganization"][0]["id"])
            ids.add(grant["recipientOrganization"][0]["id"])
    else:
        for release in _items(path, "releases.item"):
            ids.add(release["buyer"]["id"])
            ids.add(release["awards"][0]["suppliers"][0]["id"])
    made = Organisation.objects.bulk_create(Organisation(name=value) for value in sorted(ids))
    return {value: organisation.pk for value, organisation in zip(sorted(ids), made, strict=True)}


def measure_raw(kind: str, path: Path) -> dict[str, Any]:
    from django.db import connection, transaction

    orgs = _organisations(kind, path)
    table, columns, prefix, shape = (
        ("opendata_grant", GRANT_COLUMNS, "grants.item", _grant_row)
        if kind == "grants"
        else ("opendata_award", AWARD_COLUMNS, "releases.item", _award_row)
    )
    start = time.perf_counter()
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for item in _items(path, prefix):
                    copy.write_row(shape(item, orgs, path.name))
                    rows += 1
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            batch: list[list[Any]] = []
            for item in _items(path, prefix):
                batch.append(shape(item, orgs, path.name))
                rows += 1
                if len(batch) >= 2000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def _find_or_create(value: str, name: str) -> Any:
    from partnerwise.organisations.models import Identifier, Organisation

    found = Identifier.objects.filter(workspace__isnull=True, value=value).first()
    if found:
        return found.organisation
    organisation = Organisation.objects.create(name=name)
    Identifier.objects.create(organisation=organisation, scheme=value[:6], value=value)
    return organisation


def measure_orm(kind: str, path: Path, limit: int) -> dict[str, Any]:
    from django.db import transaction

    from partnerwise.opendata.models import Award, Grant

    start = time.perf_counter()
    rows = 0
    with transaction.atomic():
        if kind == "grants":
            for grant in _items(path, "grants.item", limit):
                funder = grant["fundingOrganization"][0]
                recipient = grant["recipientOrganization"][0]
                Grant.objects.create(
                    grant_id=grant["id"],
                    funder=_find_or_create(funder["id"], funder["name"]),
                    recipient=_find_or_create(recipient["id"], recipient["name"]),
                    title=grant["title"],
                    description=grant["description"],
                    amount=grant["amountAwarded"],
                    currency=grant["currency"],
                    award_date=grant["awardDate"],
                    source_file=path.name,
                    row_hash=0,
                )
                rows += 1
        else:
            for release in _items(path, "releases.item", limit):
                award = release["awards"][0]
                supplier = award["suppliers"][0]
                Award.objects.create(
                    key=f"{release['ocid']}/{award['id']}/{supplier['id']}",
                    ocid=release["ocid"],
                    release_id=release["id"],
                    award_id=award["id"],
                    buyer=_find_or_create(release["buyer"]["id"], release["buyer"]["name"]),
                    supplier=_find_or_create(supplier["id"], supplier["name"]),
                    title=award["title"],
                    value=award["value"]["amount"],
                    currency=award["value"]["currency"],
                    award_date=award["date"],
                    release_date=release["date"],
                    source_file=path.name,
                    row_hash=0,
                )
                rows += 1
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def child(args: argparse.Namespace) -> None:
    path = Path(args.file)
    _setup(args.db)
    if args.measure == "importer":
        result = measure_importer(args.kind, path)
    elif args.measure == "raw":
        result = measure_raw(args.kind, path)
    else:
        result = measure_orm(args.kind, path, args.orm_rows)
    print("RESULT " + json.dumps(result), flush=True)


# ----------------------------------------------------------------- parent process side


def run_child(measure: str, kind: str, db: str, path: Path, orm_rows: int) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--measure", measure, "--kind", kind, "--db", db,
        "--file", str(path), "--orm-rows", str(orm_rows),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    raise SystemExit(f"{measure} {kind} on {db} failed:\n{output.stdout}\n{output.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=1_000_000)
    parser.add_argument("--awards", type=int, default=200_000)
    parser.add_argument("--orm-rows", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each timed measure")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        child(args)
        return
    files = {
        "grants": VAR / f"grants-{args.grants}.json",
        "awards": VAR / f"awards-{args.awards}.json",
    }
    for kind, path in files.items():
        if not path.exists():
            print(f"Writing {path.name} ...", flush=True)
            (write_grants if kind == "grants" else write_awards)(
                path, args.grants if kind == "grants" else args.awards
            )
        print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB", flush=True)
    databases = []
    if not args.no_sqlite:
        databases.append(("SQLite", f"sqlite:///{VAR / 'bench-grants.sqlite3'}"))
    if not args.no_postgres:
        databases.append(("PostgreSQL", PG_URL))
    header = (
        f"{'database':<11} {'measure':<40} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    summary = []
    for label, url in databases:
        for kind, path in files.items():
            runs: dict[str, list[dict[str, Any]]] = {"importer": [], "raw": [], "orm": []}
            for _ in range(max(1, args.repeat)):
                for measure, done in runs.items():
                    done.append(run_child(measure, kind, url, path, args.orm_rows))
            best = {m: min(done, key=lambda r: r["seconds"]) for m, done in runs.items()}
            names = {
                "importer": f"partnerwise import ({kind})",
                "raw": f"raw floor, {kind} (parse + "
                + ("COPY)" if label == "PostgreSQL" else "executemany)"),
                "orm": f"ORM loop, {kind} ({args.orm_rows}, extrapolated)",
            }
            for measure, result in best.items():
                rate = result["rows"] / result["seconds"]
                times = "/".join(f"{r['seconds']:.1f}" for r in runs[measure])
                print(
                    f"{label:<11} {names[measure]:<40} {result['rows']:>9} "
                    f"{result['seconds']:>8.1f} {rate:>9,.0f} {result['peak_mb']:>8.0f}"
                    + (f"  runs {times}" if args.repeat > 1 else ""),
                    flush=True,
                )
            ours = best["importer"]["rows"] / best["importer"]["seconds"]
            raw = best["raw"]["rows"] / best["raw"]["seconds"]
            orm = best["orm"]["rows"] / best["orm"]["seconds"]
            summary.append(
                f"{label} {kind}: importer {ours:,.0f}/s is {raw / ours:.1f}x the raw floor's "
                f"time and {ours / orm:.1f}x the ORM loop's speed; peak "
                f"{best['importer']['peak_mb']:.0f} MB"
            )
    print()
    for line in summary:
        print(line)


if __name__ == "__main__":
    main()
