"""Benchmark: how the appraisal page and the recommendation scale with a workspace's size.

In one fresh SQLite database it builds a partnership whose workspace has N values and
commitments, all rated, and W playbook entries of its own, then times (median of --runs):

* page    - GET of the appraisal page and of the board paper, through Django's test client;
* engine  - `recommend()` alone on the same inputs;

for a small and a large workspace, and prints the times, the queries per page (which must be
the same for both) and the large/small ratios. Figures are only comparable within one run.

    .venv/bin/python bench/appraisal_scale.py [--small 10] [--large 200] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "var" / "bench" / "appraisal.sqlite3"


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


def build(size: int, label: str) -> tuple[object, object, object]:
    from partnerwise.appraisals.models import Appraisal, PlaybookEntry, Principle, Rating
    from partnerwise.organisations.models import Kind, Organisation
    from partnerwise.partnerships.models import Participation, Partnership
    from partnerwise.workspaces.models import Membership, Role, User, Workspace

    us = Organisation.objects.create(name=f"Us {label}", kind=Kind.CHARITY)
    prime = Organisation.objects.create(name=f"Prime {label}", kind=Kind.COMPANY)
    workspace = Workspace.objects.create(name=label, slug=label, organisation=us)
    user = User.objects.create_user(username=f"{label}@example.org", password="x" * 20)
    Membership.objects.create(workspace=workspace, user=user, role=Role.EDITOR)
    partnership = Partnership.objects.create(workspace=workspace, name=label, form="supply_chain")
    for org, role in [(prime, "prime"), (us, "subcontractor")]:
        Participation.objects.create(
            workspace=workspace, partnership=partnership, organisation=org, role=role
        )
    principles = Principle.objects.bulk_create(
        Principle(
            workspace=workspace,
            kind="value" if i % 2 else "commitment",
            name=f"Principle {i}",
            is_red_line=i % 7 == 0,
        )
        for i in range(size)
    )
    appraisal = Appraisal.objects.create(workspace=workspace, partnership=partnership)
    Rating.objects.bulk_create(
        Rating(
            workspace=workspace,
            appraisal=appraisal,
            principle=p,
            score=(i % 4) - 1,
            evidence="e" * 80,
            rated_by=user,
        )
        for i, p in enumerate(principles)
    )
    PlaybookEntry.objects.bulk_create(
        PlaybookEntry(
            workspace=workspace,
            key=f"own_{i}",
            title=f"Own {i}",
            kind="term",
            severity="medium",
            text="t",
            forms=["supply_chain"],
        )
        for i in range(size // 4)
    )
    return workspace, partnership, user


def median_ms(action: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(size: int, label: str, runs: int) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from partnerwise.appraisals.appraising import appraise, workspace_playbook
    from partnerwise.appraisals.recommendation import Rated, recommend

    workspace, partnership, user = build(size, label)
    client = Client()
    client.force_login(user)
    figures: dict[str, float] = {}
    for page in ("appraisal", "board-paper"):
        path = f"/w/{label}/partnerships/{partnership.pk}/{page}/"  # type: ignore[attr-defined]
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        figures[f"{page} queries"] = len(queries)
        figures[f"{page} ms"] = median_ms(lambda path=path: client.get(path), runs)
    picture = appraise(workspace=workspace, partnership=partnership)  # type: ignore[arg-type]
    rated = [
        Rated(row.principle.name, row.principle.kind, row.principle.is_red_line, row.score)  # type: ignore[arg-type]
        for row in picture.values + picture.commitments
    ]
    entries = workspace_playbook(workspace)  # type: ignore[arg-type]
    figures["engine ms"] = median_ms(
        lambda: recommend(situation=picture.situation, ratings=rated, playbook=entries), runs
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    settings.DEBUG = False  # the query log is captured explicitly above
    small = measure(args.small, "small", args.runs)
    large = measure(args.large, "large", args.runs)
    print(f"values and commitments rated: small {args.small}, large {args.large}")
    print(f"{'figure':<22}{'small':>10}{'large':>10}{'large/small':>13}")
    for key in small:
        ratio = large[key] / small[key] if small[key] else float("nan")
        print(f"{key:<22}{small[key]:>10.1f}{large[key]:>10.1f}{ratio:>13.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
