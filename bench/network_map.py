"""Benchmark: the map of who works with whom as a workspace grows.

In one fresh SQLite database it builds workspaces of P partnerships, each with us and five
organisations drawn (with a fixed seed) from a pool of O, so partners recur across
partnerships, and one grant between two of the pool per partnership (open data), then times
GET /w/<slug>/network/ (and the workspace's portfolio, /w/<slug>/) through Django's test
client:

* cold - the first view after the cache is cleared (records read, networkx measures and
  layout computed, the page finished and kept);
* warm - the median of --runs later views (the finished page read from the cache under the
  workspace's version stamp);

and the portfolio's median of --runs views after one warm-up, and prints the organisations on
the map, the queries of a repeat view (which must be the same
for every size), the page's size in bytes, and each size's times over the smallest's.
Figures are only comparable within one run.

    .venv/bin/python bench/network_map.py [--sizes 10:30,1000:5000,10000:20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "var" / "bench" / "network.sqlite3"


def setup_django() -> None:
    DB.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerwise.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(partnerships: int, pool: int, label: str) -> object:
    from partnerwise.opendata.models import Grant
    from partnerwise.organisations.models import Organisation, set_our_organisation
    from partnerwise.partnerships.models import Participation, Partnership
    from partnerwise.workspaces.models import Membership, Role, User, Workspace

    us = Organisation.objects.create(name=f"Us {label}")
    workspace = Workspace.objects.create(name=label, slug=label)
    set_our_organisation(workspace, us)
    user = User.objects.create_user(username=f"{label}@example.org", password="x" * 20)
    Membership.objects.create(workspace=workspace, user=user, role=Role.VIEWER)
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"{label} partner {n}") for n in range(pool)
    )
    rows = Partnership.objects.bulk_create(
        Partnership(workspace=workspace, name=f"{label} {n}", form="consortium",
                    status="active", value=10_000 * (n % 50 + 1))
        for n in range(partnerships)
    )  # fmt: skip
    draw = random.Random(partnerships)
    Participation.objects.bulk_create(
        Participation(workspace=workspace, partnership=p, organisation=org, role="member")
        for p in rows
        for org in [us, *draw.sample(orgs, min(5, pool))]
    )
    Grant.objects.bulk_create(
        Grant(grant_id=f"360G-{label}-{n}", funder=funder, recipient=recipient,
              amount=1_000 * (n % 20 + 1), currency="GBP", source_file=f"{label}.json",
              row_hash=n)
        for n in range(partnerships)
        for funder, recipient in [draw.sample(orgs, 2)]
        if pool >= 2
    )  # fmt: skip
    return user


def measure(partnerships: int, pool: int, runs: int) -> dict[str, float]:
    from django.core.cache import cache
    from django.test import Client

    label = f"p{partnerships}"
    user = build(partnerships, pool, label)
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    path = f"/w/{label}/network/"
    cache.clear()
    start = time.perf_counter()
    page = client.get(path)
    cold = (time.perf_counter() - start) * 1000
    assert page.status_code == 200
    repeat, map_queries = _counted(client, path)
    warm = _median_ms(client, path, runs)
    drawn = re.search(r"([\d,]+) organisations? and", page.content.decode())
    # The portfolio of the same workspace, timed the same way (issue 12 asks for both).
    portfolio = f"/w/{label}/"
    assert client.get(portfolio).status_code == 200
    _, portfolio_queries = _counted(client, portfolio)
    portfolio_ms = _median_ms(client, portfolio, runs)
    return {
        "portfolio queries": portfolio_queries,
        "portfolio ms": portfolio_ms,
        "organisations": float(drawn.group(1).replace(",", "")) if drawn else 0.0,
        "queries": map_queries,
        "bytes": len(repeat.content),
        "cold ms": cold,
        "warm ms": warm,
    }


def _counted(client: Any, path: str) -> tuple[Any, int]:
    """One view of `path` and the queries it made."""
    from django.db import connection

    queries: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        page = client.get(path)
    return page, len(queries)


def _median_ms(client: Any, path: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10:30,1000:5000,10000:20000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    settings.DEBUG = False
    sizes = [tuple(int(n) for n in size.split(":")) for size in args.sizes.split(",")]
    measure(3, 6, 1)  # warm up: imports, templates, the first connection
    results = [(p, o, measure(p, o, args.runs)) for p, o in sizes]
    base = results[0][2]
    print(f"{'partnerships':>12}{'pool':>7}{'orgs':>7}{'queries':>9}{'bytes':>9}{'cold ms':>9}"
          f"{'warm ms':>9}{'cold x':>8}{'warm x':>8}{'bytes x':>9}"
          f"{'portfolio q':>12}{'portfolio ms':>13}{'portfolio x':>12}")  # fmt: skip
    for p, o, r in results:
        print(
            f"{p:>12}{o:>7}{r['organisations']:>7.0f}{r['queries']:>9.0f}{r['bytes']:>9.0f}"
            f"{r['cold ms']:>9.0f}{r['warm ms']:>9.1f}{r['cold ms'] / base['cold ms']:>8.2f}"
            f"{r['warm ms'] / base['warm ms']:>8.2f}{r['bytes'] / base['bytes']:>9.2f}"
            f"{r['portfolio queries']:>12.0f}{r['portfolio ms']:>13.1f}"
            f"{r['portfolio ms'] / base['portfolio ms']:>12.2f}"
        )
    print("x: over the first size, in this run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
