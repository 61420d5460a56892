"""Benchmark: import the full-size synthetic register into SQLite and PostgreSQL.

For each database it measures, each in a fresh process and a fresh database:

* importer  - `partnerwise import ccew` on the synthetic charity table (all of it);
* raw floor - the same parsing plus one bare `executemany` (SQLite) or `COPY`
              (PostgreSQL) of the parsed rows into the register table, nothing else;
* raw floor, two processes - the same, but reading in the importer's background reader
              process, so that it uses two cores as the importer does (the stricter floor);
* ORM loop  - the obvious loop, one `save()` per object (organisation, identifier,
              search name, register row: what the importer writes) in one
              transaction, on the first --orm-rows rows only; its rows/s is
              extrapolated to the full file (say so when quoting it);
* parse     - the reader alone, for reference.

It prints rows per second and peak memory (the maximum resident set size of the process,
Django and all, plus that of its background reader process when it has one) for each, the
ratios the issue asks about, and the p95 of name search over the imported register.
Figures are only comparable within one run on one machine.

Every measure runs `--repeat` times, taking turns, and the fastest run of each counts
(as `timeit` does): on a shared machine a single run of the same code varies by a quarter
or more, and a neighbour's load only ever slows a run down. Every run's time is printed too.

    .venv/bin/python bench/import_register.py [--charities 400000] [--repeat 3]
        [--no-postgres | --no-sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/h_opendata_bench")


def _peak_mb() -> float:
    """Peak resident memory of this process plus that of its largest child (the importer's
    background reader), which together bound what the import needs at once."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 1024


# ------------------------------------------------------------------ child process side


def _fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerwise.settings")
    sys.path.insert(0, str(ROOT))
    _fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _rows(zip_path: Path, limit: int | None = None) -> Any:
    from partnerwise.opendata.readers import Row
    from partnerwise.opendata.readers.ccew import open_extract

    count = 0
    for item in open_extract(zip_path).rows():
        if isinstance(item, Row):
            yield item.data
            count += 1
            if limit and count >= limit:
                return


def measure_importer(zip_path: Path) -> dict[str, Any]:
    from django.core.management import call_command

    from partnerwise.opendata.models import RegisterCharity

    with open(os.devnull, "w") as quiet:
        start = time.perf_counter()
        call_command("import", "ccew", str(zip_path), stdout=quiet)
        seconds = time.perf_counter() - start
    rows = RegisterCharity.objects.count()
    peak = _peak_mb()
    return {"rows": rows, "seconds": seconds, "peak_mb": peak, "search": measure_search()}


def measure_search(queries: int = 500) -> dict[str, float]:
    from partnerwise.opendata.directory import search_organisations
    from partnerwise.opendata.models import RegisterCharity

    rng = random.Random(7)
    total = RegisterCharity.objects.count()
    names = []
    for _ in range(queries):
        row = RegisterCharity.objects.filter(pk__gte=rng.randint(1, total)).order_by("pk").first()
        if row:
            names.append(row)
    probes = []
    for row in names:
        words = row.name.split()
        kind = rng.random()
        if kind < 0.15:
            probes.append(str(row.registered_number))
        elif kind < 0.55 or len(words) < 2:
            probes.append(words[0][: max(3, len(words[0]))])
        else:
            probes.append(" ".join(words[:2])[: rng.randint(5, 14)])
    for probe in probes[:20]:
        search_organisations(probe, None, 20)
    timings = []
    for probe in probes:
        start = time.perf_counter()
        search_organisations(probe, None, 20)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "queries": len(timings),
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "max_ms": timings[-1],
    }


def measure_parse(zip_path: Path) -> dict[str, Any]:
    start = time.perf_counter()
    rows = sum(1 for _ in _rows(zip_path))
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


RAW_COLUMNS = [
    "organisation_number", "registered_number", "linked_number", "name", "normalised",
    "charity_type", "status", "registered_on", "removed_on", "reporting_status",
    "fin_period_end", "latest_income", "latest_expenditure", "company_number", "website",
    "is_cio", "activities", "extract_date",
]  # fmt: skip


def measure_raw(zip_path: Path) -> dict[str, Any]:
    from django.db import connection, transaction

    from partnerwise.opendata.loaders import row_hash

    columns = [*RAW_COLUMNS, "row_hash", "in_latest_extract", "source_file"]
    table = "opendata_registercharity"
    start = time.perf_counter()
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for data in _rows(zip_path):
                    values = [data[c] for c in RAW_COLUMNS]
                    copy.write_row([*values, row_hash(values), True, zip_path.name])
                    rows += 1
        else:
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            batch: list[list[Any]] = []
            for data in _rows(zip_path):
                values = [data[c] for c in RAW_COLUMNS]
                batch.append([*values, row_hash(values), True, zip_path.name])
                rows += 1
                if len(batch) >= 2000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def measure_raw_background(zip_path: Path) -> dict[str, Any]:
    from django.db import connection, transaction

    from partnerwise.opendata.readers.background import read_batches
    from partnerwise.opendata.readers.ccew import open_extract

    columns = [*RAW_COLUMNS, "row_hash", "in_latest_extract", "source_file"]
    table = "opendata_registercharity"
    width = len(RAW_COLUMNS)
    start = time.perf_counter()
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        batches = read_batches(open_extract(zip_path), background=True)
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for items, _ in batches:
                    for item in items:
                        if isinstance(item, tuple):
                            copy.write_row([*item[1 : width + 2], True, zip_path.name])
                            rows += 1
        else:
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            for items, _ in batches:
                good = [
                    [*item[1 : width + 2], True, zip_path.name]
                    for item in items
                    if isinstance(item, tuple)
                ]
                cursor.executemany(sql, good)
                rows += len(good)
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def measure_orm(zip_path: Path, limit: int) -> dict[str, Any]:
    from django.db import transaction

    from partnerwise.opendata.loaders import row_hash
    from partnerwise.opendata.models import RegisterCharity, SearchName
    from partnerwise.organisations.models import Identifier, Organisation

    start = time.perf_counter()
    rows = 0
    with transaction.atomic():
        for data in _rows(zip_path, limit):
            organisation = None
            if data["linked_number"] == 0:
                organisation = Organisation(
                    name=data["name"],
                    kind="cio" if data["is_cio"] else "charity",
                    is_removed=data["status"] == "Removed",
                    registered_on=data["registered_on"],
                    removed_on=data["removed_on"],
                    latest_income=data["latest_income"],
                    latest_income_year_end=data["fin_period_end"],
                    description=data["activities"],
                    is_vcse=True,
                )
                organisation.save()
                Identifier(
                    organisation=organisation,
                    scheme="GB-CHC",
                    value=f"GB-CHC-{data['registered_number']}",
                    is_primary=True,
                ).save()
                SearchName(
                    organisation=organisation,
                    normalised=data["normalised"],
                    name=data["name"],
                    source="ccew",
                ).save()
            else:
                main = RegisterCharity.objects.filter(
                    registered_number=data["registered_number"], linked_number=0
                ).first()
                organisation = main.organisation if main else None
            values = [data[c] for c in RAW_COLUMNS]
            RegisterCharity(
                **{c: data[c] for c in RAW_COLUMNS},
                organisation=organisation,
                row_hash=row_hash(values),
                source_file=zip_path.name,
            ).save()
            rows += 1
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def child(args: argparse.Namespace) -> None:
    zip_path = Path(args.zip)
    _setup(args.db)
    if args.measure == "importer":
        result = measure_importer(zip_path)
    elif args.measure == "raw":
        result = measure_raw(zip_path)
    elif args.measure == "raw2":
        result = measure_raw_background(zip_path)
    elif args.measure == "orm":
        result = measure_orm(zip_path, args.orm_rows)
    else:
        result = measure_parse(zip_path)
    print("RESULT " + json.dumps(result), flush=True)


# ----------------------------------------------------------------- parent process side


def run_child(measure: str, db: str, zip_path: Path, orm_rows: int) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--measure", measure, "--db", db, "--zip", str(zip_path),
        "--orm-rows", str(orm_rows),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    raise SystemExit(f"{measure} on {db} failed:\n{output.stdout}\n{output.stderr}")


def ensure_extract(charities: int) -> Path:
    out = VAR / f"synth-{charities}"
    path = out / "publicextract.charity.zip"
    if not path.exists():
        print(f"Writing a synthetic register of {charities} charities to {out} ...", flush=True)
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "partnerwise"), "opendata_synth", "--charities",
             str(charities), str(out)],
            check=True,
        )  # fmt: skip
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charities", type=int, default=400_000)
    parser.add_argument("--orm-rows", type=int, default=20_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed measure")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--zip", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        child(args)
        return
    VAR.mkdir(parents=True, exist_ok=True)
    zip_path = ensure_extract(args.charities)
    databases = []
    if not args.no_sqlite:
        databases.append(("SQLite", f"sqlite:///{VAR / 'bench.sqlite3'}"))
    if not args.no_postgres:
        databases.append(("PostgreSQL", PG_URL))
    print(f"Synthetic register: {args.charities} rows ({zip_path.stat().st_size / 1e6:.1f} MB zip)")
    if not databases:
        raise SystemExit("nothing to measure: both databases left out")
    parse = run_child("parse", databases[0][1], zip_path, args.orm_rows)
    rate = parse["rows"] / parse["seconds"]
    print(f"parse only: {rate:,.0f} rows/s, peak {parse['peak_mb']:.0f} MB\n")
    header = (
        f"{'database':<11} {'measure':<36} {'rows':>8} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    summary = []
    for label, url in databases:
        runs: dict[str, list[dict[str, Any]]] = {"importer": [], "raw": [], "raw2": [], "orm": []}
        for _ in range(max(1, args.repeat)):
            for measure, done in runs.items():
                done.append(run_child(measure, url, zip_path, args.orm_rows))
        results = {m: min(done, key=lambda r: r["seconds"]) for m, done in runs.items()}
        for measure, done in runs.items():
            times = ", ".join(f"{r['seconds']:.1f}" for r in done)
            print(f"{label:<11} {measure:<8} runs (s): {times}")
        names = {
            "importer": "partnerwise import ccew",
            "raw": "raw floor (parse + " + ("COPY)" if label == "PostgreSQL" else "executemany)"),
            "raw2": "raw floor, reading in 2nd process",
            "orm": f"ORM loop ({args.orm_rows} rows, extrapolated)",
        }
        for measure, result in results.items():
            rate = result["rows"] / result["seconds"]
            print(
                f"{label:<11} {names[measure]:<36} {result['rows']:>8} "
                f"{result['seconds']:>8.1f} {rate:>9,.0f} {result['peak_mb']:>8.0f}"
            )
        ours = results["importer"]["rows"] / results["importer"]["seconds"]
        raw = results["raw"]["rows"] / results["raw"]["seconds"]
        raw2 = results["raw2"]["rows"] / results["raw2"]["seconds"]
        orm = results["orm"]["rows"] / results["orm"]["seconds"]
        search = results["importer"]["search"]
        summary.append(
            f"{label}: importer is {raw / ours:.2f}x the raw floor's time ({raw2 / ours:.2f}x "
            f"that of the floor reading in a second process), {ours / orm:.0f}x the "
            f"ORM loop's speed; full register in {results['importer']['seconds']:.1f} s; peak "
            f"{results['importer']['peak_mb']:.0f} MB; name search over "
            f"{results['importer']['rows']} charities p50 {search['p50_ms']:.1f} ms, "
            f"p95 {search['p95_ms']:.1f} ms ({search['queries']} queries)"
        )
    print()
    for line in summary:
        print(line)


if __name__ == "__main__":
    main()
