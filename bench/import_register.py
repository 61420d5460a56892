"""Benchmark: import the full-size synthetic register into SQLite and PostgreSQL.

The register is every table the importer reads (charity, other names, other regulators,
areas of operation, classifications, annual return history and parts A and B: about 6.7
million rows for 400,000 charities), written by `partnerwise opendata_synth`.

For each database it measures, each in a fresh process and a fresh database:

* importer  - one `partnerwise import ccew DIR` of the whole synthetic register;
* raw floor - the same parsing of every table plus one bare `executemany` (SQLite) or
              `COPY` (PostgreSQL) of each table's parsed rows into its register table,
              nothing else;
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
        [--no-postgres | --no-sqlite] [--measures importer,raw,raw2,orm]
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


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the background readers) so
    far. Unlike the wall-clock time it hardly depends on what else the machine runs (the
    database server's own time is not in it: SQLite's is, it runs in this process)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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


def _zips(register: Path) -> list[Path]:
    """The register's tables, charity first (as the importer takes them)."""
    from partnerwise.opendata.readers.ccew import TABLES, open_extract

    order = list(TABLES)
    return sorted(
        register.glob("publicextract.*.zip"), key=lambda p: order.index(open_extract(p).table)
    )


def _stored_rows() -> int:
    from partnerwise.opendata.loaders.register_tables import CHILD_MODELS
    from partnerwise.opendata.models import RegisterCharity

    return RegisterCharity.objects.count() + sum(m.objects.count() for m in CHILD_MODELS.values())


def measure_importer(register: Path) -> dict[str, Any]:
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        start = time.perf_counter()
        call_command("import", "ccew", str(register), stdout=quiet)
        seconds = time.perf_counter() - start
    peak = _peak_mb()
    rows = _stored_rows()
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


def measure_parse(register: Path) -> dict[str, Any]:
    start = time.perf_counter()
    rows = sum(1 for zip_path in _zips(register) for _ in _rows(zip_path))
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def _charity_fields() -> list[str]:
    """The charity table's stored fields, as the importer's reader shapes them."""
    from partnerwise.opendata.loaders.register_rows import CHARITY_FIELDS

    return CHARITY_FIELDS


def _target(zip_path: Path) -> tuple[str, list[str], list[str], list[Any]]:
    """The table a register zip goes into: its name, the parsed fields written, all the
    columns written and the constant values that follow the fields."""
    from partnerwise.opendata.loaders.register_rows import child_fields
    from partnerwise.opendata.loaders.register_tables import CHILD_MODELS
    from partnerwise.opendata.readers.ccew import open_extract

    name = open_extract(zip_path).table
    if name == "charity":
        fields = _charity_fields()
        columns = [*fields, "row_hash", "in_latest_extract", "source_file"]
        return "opendata_registercharity", fields, columns, [True, zip_path.name]
    fields = child_fields(name)
    return CHILD_MODELS[name]._meta.db_table, fields, [*fields, "row_hash"], []


def _write(cursor: Any, table: str, columns: list[str], rows: Any) -> int:
    """Bulk-write `rows` (lists of values) into `table`: COPY on PostgreSQL, executemany
    in batches of 2,000 on SQLite. Returns how many."""
    from django.db import connection

    count = 0
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for values in rows:
                copy.write_row(values)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch: list[Any] = []
    for values in rows:
        batch.append(values)
        count += 1
        if len(batch) >= 2000:
            cursor.executemany(sql, batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)
    return count


def measure_raw(register: Path) -> dict[str, Any]:
    from django.db import connection, transaction

    from partnerwise.opendata.loaders import row_hash

    start = time.perf_counter()
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for zip_path in _zips(register):
            table, fields, columns, extra = _target(zip_path)

            def shaped(
                zip_path: Path = zip_path, fields: list[str] = fields, extra: list[Any] = extra
            ) -> Any:
                for data in _rows(zip_path):
                    values = [data[c] for c in fields]
                    yield [*values, row_hash(values), *extra]

            rows += _write(cursor, table, columns, shaped())
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def measure_raw_background(register: Path) -> dict[str, Any]:
    from django.db import connection, transaction

    from partnerwise.opendata.readers.background import read_batches
    from partnerwise.opendata.readers.ccew import open_extract

    width = len(_charity_fields())
    start = time.perf_counter()
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for zip_path in _zips(register):
            table, _, columns, extra = _target(zip_path)
            charity = table == "opendata_registercharity"

            def shaped(
                zip_path: Path = zip_path, charity: bool = charity, extra: list[Any] = extra
            ) -> Any:
                for items, _ in read_batches(open_extract(zip_path), background=True):
                    for item in items:
                        if isinstance(item, tuple):
                            # The charity shape starts with the position and ends with the
                            # importer's own identifiers; the other tables' are the values
                            # and their hash.
                            yield [*item[1 : width + 2], *extra] if charity else item

            rows += _write(cursor, table, columns, shaped())
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
            values = [data[c] for c in _charity_fields()]
            RegisterCharity(
                **{c: data[c] for c in _charity_fields()},
                organisation=organisation,
                row_hash=row_hash(values),
                source_file=zip_path.name,
            ).save()
            rows += 1
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def child(args: argparse.Namespace) -> None:
    zip_path = Path(args.zip)
    _setup(args.db)
    cpu = _cpu_seconds()
    if args.measure == "importer":
        result = measure_importer(zip_path)
    elif args.measure == "raw":
        result = measure_raw(zip_path)
    elif args.measure == "raw2":
        result = measure_raw_background(zip_path)
    elif args.measure == "orm":
        result = measure_orm(zip_path / "publicextract.charity.zip", args.orm_rows)
    else:
        result = measure_parse(zip_path)
    # (The importer's result includes its name searches, a few seconds at most.)
    result["cpu"] = _cpu_seconds() - cpu
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


def ensure_register(charities: int) -> Path:
    """The synthetic register's directory, written first if need be (into a scratch
    directory renamed when complete, so an interrupted run is not taken for a register)."""
    out = VAR / f"register-{charities}"
    if not out.is_dir():
        print(f"Writing a synthetic register of {charities} charities to {out} ...", flush=True)
        scratch = VAR / f"register-{charities}.partial"
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "partnerwise"), "opendata_synth", "--charities",
             str(charities), str(scratch)],
            check=True,
        )  # fmt: skip
        scratch.rename(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charities", type=int, default=400_000)
    parser.add_argument("--orm-rows", type=int, default=20_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed measure")
    parser.add_argument(
        "--measures",
        default="importer,raw,raw2,orm",
        help="which to run, comma-separated, of importer, raw, raw2, orm, parse",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--zip", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        child(args)
        return
    VAR.mkdir(parents=True, exist_ok=True)
    zip_path = ensure_register(args.charities)
    databases = []
    if not args.no_sqlite:
        databases.append(("SQLite", f"sqlite:///{VAR / 'bench.sqlite3'}"))
    if not args.no_postgres:
        databases.append(("PostgreSQL", PG_URL))
    size = sum(p.stat().st_size for p in zip_path.glob("*.zip")) / 1e6
    print(f"Synthetic register: {args.charities} charities, every table ({size:.1f} MB of zips)")
    if not databases:
        raise SystemExit("nothing to measure: both databases left out")
    wanted = [m.strip() for m in args.measures.split(",") if m.strip()]
    unknown = set(wanted) - {"importer", "raw", "raw2", "orm", "parse"}
    if unknown:
        raise SystemExit(f"unknown measures: {', '.join(sorted(unknown))}")
    if "parse" in wanted:
        parse = run_child("parse", databases[0][1], zip_path, args.orm_rows)
        rate = parse["rows"] / parse["seconds"]
        print(f"parse only: {parse['rows']} rows, {parse['seconds']:.1f} s, {rate:,.0f} rows/s, "
              f"peak {parse['peak_mb']:.0f} MB\n")  # fmt: skip
        wanted.remove("parse")
    header = (
        f"{'database':<11} {'measure':<36} {'rows':>8} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}"
        f" {'CPU s':>7}"
    )
    print(header)
    print("-" * len(header))
    summary = []
    for label, url in databases:
        runs: dict[str, list[dict[str, Any]]] = {m: [] for m in wanted}
        for _ in range(max(1, args.repeat)):
            for measure, done in runs.items():
                done.append(run_child(measure, url, zip_path, args.orm_rows))
        results = {m: min(done, key=lambda r: r["seconds"]) for m, done in runs.items()}
        for measure, done in runs.items():
            times = ", ".join(f"{r['seconds']:.1f} (CPU {r['cpu']:.1f})" for r in done)
            print(f"{label:<11} {measure:<8} runs (s): {times}")
        names = {
            "importer": "partnerwise import ccew DIR",
            "raw": "raw floor (parse + " + ("COPY)" if label == "PostgreSQL" else "executemany)"),
            "raw2": "raw floor, reading in 2nd process",
            "orm": f"ORM loop ({args.orm_rows} charity rows)",
        }
        for measure, result in results.items():
            rate = result["rows"] / result["seconds"]
            print(
                f"{label:<11} {names[measure]:<36} {result['rows']:>8} "
                f"{result['seconds']:>8.1f} {rate:>9,.0f} {result['peak_mb']:>8.0f}"
                f" {result['cpu']:>7.1f}"
            )
        if "importer" not in results:
            continue
        ours = results["importer"]
        rate = ours["rows"] / ours["seconds"]
        parts = [
            f"{label}: whole register ({ours['rows']} rows) in {ours['seconds']:.1f} s, "
            f"{rate:,.0f} rows/s, peak {ours['peak_mb']:.0f} MB"
        ]
        for floor, what in (("raw", "the raw floor's"), ("raw2", "the two-process floor's")):
            if floor in results:
                parts.append(
                    f"{ours['seconds'] / results[floor]['seconds']:.2f}x {what} time "
                    f"({ours['cpu'] / results[floor]['cpu']:.2f}x its CPU time)"
                )
        if "orm" in results:
            orm = results["orm"]["rows"] / results["orm"]["seconds"]
            parts.append(f"{ours['rows'] / ours['seconds'] / orm:.0f}x the ORM loop's rows/s")
        search = ours["search"]
        parts.append(
            f"name search p50 {search['p50_ms']:.1f} ms, p95 {search['p95_ms']:.1f} ms "
            f"({search['queries']} queries)"
        )
        summary.append("; ".join(parts))
    print()
    for line in summary:
        print(line)


if __name__ == "__main__":
    main()
