"""Benchmark: every page and API list at a prime's scale, against the demo in the same run.

In a fresh database (SQLite, then PostgreSQL) it imports the synthetic Charity Commission
register (`partnerwise opendata_synth`), loads the demo, and builds beside it, reproducibly
from --seed, a large workspace (1,000 partnerships, 3,000 participations, 20,000 ratings, 200
decisions) and the growth workspaces (100 and 10,000 partnerships; 1,000 is the large one).
Then it times, through Django's test client (p50 and p95 of --runs requests, after two
warm-up requests), every page and API list for the demo and the large workspace, with the
queries each makes; the portfolio and the organisation page of the partner in most
partnerships at each growth size; and search by charity number over the full register
through the one search the page and the API share. Figures compare only within one run.

    .venv/bin/python bench/scale.py [--runs 20] [--charities 400000] [--no-postgres]
        [--growth 100,1000,10000] [--growth-ratings 30000]

--growth-ratings is the number of ratings of the largest growth workspace (20 a partnership
would be 200,000; fewer keeps the run short, and the table says how many were used).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
# A fresh database, Django set up and migrated: the same steps as the import benchmarks.
sys.path.insert(0, str(ROOT / "bench"))
from import_register import _setup  # noqa: E402

PG_URL = os.environ.get(
    "BENCH_SCALE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/h_scale_bench"
)
PASSWORD = "bench-password-long-enough"


# ------------------------------------------------------------------ child process side


def build(label: str, partnerships: int, ratings: int, decisions: int, seed: int) -> dict[str, Any]:
    """A workspace of `partnerships` partnerships (three organisations each: us, a payer and
    a member; the payer is one big funder in a third of them), `ratings` ratings of partners
    (and a tenth of partners' ratings of us) and `decisions` decisions, stored in bulk, then
    its profiles built by `rebuild_profiles` as the command does."""
    from partnerwise.appraisals.models import Decision, Outcome
    from partnerwise.assessments.models import Answer, Assessment, RaterKind
    from partnerwise.assessments.stored import rebuild_profiles
    from partnerwise.assessments.typologies import default_typology
    from partnerwise.organisations.models import Kind, Organisation, set_our_organisation
    from partnerwise.partnerships.models import Form, Participation, Partnership, Role, Status
    from partnerwise.workspaces.models import Membership, User, Workspace
    from partnerwise.workspaces.models import Role as MemberRole

    rng = random.Random(f"{seed}-{label}")
    start = time.perf_counter()
    typology = default_typology()
    indicators = list(typology.indicators.values_list("key", flat=True))
    us = Organisation.objects.create(name=f"Bench {label} us", kind=Kind.CHARITY)
    workspace = Workspace.objects.create(name=f"Bench {label}", slug=label)
    set_our_organisation(workspace, us)
    user = User.objects.get(username="bench@example.org")
    Membership.objects.create(workspace=workspace, user=user, role=MemberRole.ADMIN)
    reference = list(
        Organisation.objects.filter(workspace__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:20000]
    )
    if len(reference) < 400:
        reference += [Organisation.objects.create(name=f"Bench partner {n}").pk for n in range(400)]
    pool = rng.sample(reference, 300)
    big = pool[0]
    today = date.today()
    made = Partnership.objects.bulk_create(
        Partnership(
            workspace=workspace,
            name=f"{label} partnership {n:05d}",
            form=rng.choice(Form.values),
            status=rng.choice(Status.values),
            value=Decimal(rng.randint(10, 5000) * 1000),
            renewal_date=today + timedelta(days=rng.randint(-400, 700)),
        )
        for n in range(partnerships)
    )
    participations = []
    pairs = []
    for partnership in made:
        payer = big if rng.random() < 0.33 else rng.choice(pool[1:])
        member = rng.choice([pk for pk in pool[1:] if pk != payer][:50])
        payer_role = rng.choice([Role.COMMISSIONER, Role.PRIME, Role.ACCOUNTABLE_BODY])
        for organisation_id, role in [
            (us.pk, Role.SUBCONTRACTOR),
            (payer, payer_role),
            (member, Role.MEMBER),
        ]:
            participations.append(
                Participation(
                    workspace=workspace,
                    partnership=partnership,
                    organisation_id=organisation_id,
                    role=role,
                )
            )
        pairs += [(partnership.pk, payer), (partnership.pk, member)]
    Participation.objects.bulk_create(participations, batch_size=2000)
    assessments = []
    for _ in range(ratings):
        if rng.random() < 0.1:
            partnership_id, subject_id = rng.choice(made).pk, us.pk
            kind, rater = RaterKind.PARTNER, f"Partner rater {rng.randint(1, 3)}"
        else:
            partnership_id, subject_id = rng.choice(pairs)
            kind, rater = RaterKind.COLLEAGUE, f"Colleague {rng.randint(1, 8)}"
        assessments.append(
            Assessment(
                workspace=workspace,
                partnership_id=partnership_id,
                subject_id=subject_id,
                typology=typology,
                rater_name=rater,
                rater_kind=kind,
                assessed_on=today - timedelta(days=rng.randint(0, 1000)),
            )
        )
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    answers = []
    for assessment in assessments:
        for key in rng.sample(indicators, rng.randint(5, 9)):
            answers.append(
                Answer(
                    workspace=workspace,
                    assessment=assessment,
                    indicator=key,
                    rating=rng.randint(1, 5),
                )
            )
    Answer.objects.bulk_create(answers, batch_size=5000)
    Decision.objects.bulk_create(
        Decision(
            workspace=workspace,
            partnership=rng.choice(made),
            outcome=rng.choice(Outcome.values),
            recommendation=rng.choice(Outcome.values),
            reasons="Benchmark decision.",
            approved_by="Board",
        )
        for _ in range(decisions)
    )
    profiles = rebuild_profiles(workspace=workspace)
    sample = next(pk for pk, organisation_id in pairs if organisation_id == big)
    return {
        "slug": label,
        "big": big,
        "us": us.pk,
        "partnership": sample,
        "partnerships": partnerships,
        "ratings": ratings,
        "profiles": profiles,
        "build_s": time.perf_counter() - start,
    }


def demo_subjects() -> dict[str, Any]:
    from django.db.models import Count

    from partnerwise.workspaces.models import Membership, User, Workspace
    from partnerwise.workspaces.models import Role as MemberRole

    workspace = Workspace.objects.get(is_demo=True)
    user = User.objects.get(username="bench@example.org")
    Membership.objects.create(workspace=workspace, user=user, role=MemberRole.ADMIN)
    us = workspace.organisation_id
    busiest = (
        workspace.participations.exclude(organisation_id=us)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation_id")
        .first()
    )
    assert busiest is not None
    big = busiest["organisation_id"]
    sample = workspace.participations.filter(organisation_id=big).order_by("pk").first()
    assert sample is not None
    return {"slug": workspace.slug, "big": big, "us": us, "partnership": sample.partnership_id}


def pages(subject: dict[str, Any], number: str) -> list[tuple[str, str]]:
    s, p, big, us = subject["slug"], subject["partnership"], subject["big"], subject["us"]
    return [
        ("portfolio", f"/w/{s}/"),
        ("partnerships list", f"/w/{s}/partnerships/"),
        ("partnerships list, by partner", f"/w/{s}/partnerships/?partner={big}"),
        ("partnership page", f"/w/{s}/partnerships/{p}/"),
        ("profile page", f"/w/{s}/partnerships/{p}/profile/{big}/"),
        ("appraisal page", f"/w/{s}/partnerships/{p}/appraisal/"),
        ("board paper", f"/w/{s}/partnerships/{p}/board-paper/"),
        ("organisation page, busiest partner", f"/w/{s}/organisations/{big}/"),
        ("organisation page, us", f"/w/{s}/organisations/{us}/"),
        ("organisation grants", f"/w/{s}/organisations/{big}/grants/"),
        ("organisation directory", f"/w/{s}/organisations/"),
        ("search page, by number", f"/w/{s}/organisations/?q={number}"),
        ("network", f"/w/{s}/network/"),
        ("members", f"/w/{s}/members/"),
        ("settings", f"/w/{s}/settings/"),
        ("API partnerships list", f"/api/w/{s}/partnerships"),
        ("API partnership", f"/api/w/{s}/partnerships/{p}"),
        ("API profile", f"/api/w/{s}/partnerships/{p}/profiles/{big}"),
        ("API organisation search, name", f"/api/w/{s}/organisations?q=community"),
        ("API organisation search, page 3", f"/api/w/{s}/organisations?q=community&page=3"),
        ("API organisation search, number", f"/api/w/{s}/organisations?q={number}"),
    ]


def time_get(client: Any, url: str, runs: int) -> dict[str, Any]:
    from django.db import connection

    for _ in range(2):
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: status {response.status_code}")
    # Counted by a wrapper: Django empties its own query log when each request starts.
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
        "queries": len(queries),
        "kb": len(response.content) / 1024,
        "timings": timings,
    }


def merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    timings = sorted(t for part in parts for t in part["timings"])
    return {
        **parts[0],
        "p50": statistics.median(timings),
        "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
        "timings": [],
    }


def search_by_number(queries: int) -> dict[str, Any]:
    """The one search pages and API share, by charity number, over the whole register."""
    from partnerwise.opendata.finding import search
    from partnerwise.opendata.models import RegisterCharity
    from partnerwise.workspaces.models import Workspace

    workspace = Workspace.objects.get(is_demo=True)
    rng = random.Random(15)
    numbers = list(
        RegisterCharity.objects.filter(linked_number=0).values_list("registered_number", flat=True)
    )
    probes = [str(n) for n in rng.sample(numbers, min(queries, len(numbers)))]
    for probe in probes[:20]:
        search(workspace, probe)
    timings = []
    for probe in probes:
        started = time.perf_counter()
        search(workspace, probe)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "register": len(numbers),
        "queries": len(timings),
        "p50": statistics.median(timings),
        "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
    }


def search_by_name(queries: int) -> dict[str, Any]:
    """The one search by name over the whole register: the most common words of its names
    (many matches, a page found by prefix), and rare words from inside names (a few matches,
    found only by "contains": the name index of migration 0013)."""
    import re
    from collections import Counter

    from partnerwise.opendata.finding import search
    from partnerwise.organisations.models import Organisation
    from partnerwise.workspaces.models import Workspace

    workspace = Workspace.objects.get(is_demo=True)
    words: Counter[str] = Counter()
    inner: Counter[str] = Counter()
    for name in Organisation.objects.reference().values_list("name", flat=True).iterator():
        split = re.findall(r"[a-z]{5,}", name.lower())
        words.update(split)
        inner.update(split[1:])
    common = [word for word, _ in words.most_common(20)]
    rare = sorted(word for word, n in inner.items() if n == 1 and words[word] == 1)
    rng = random.Random(15)
    probes = {"common": common, "rare": rng.sample(rare, min(queries, len(rare)))}
    out: dict[str, Any] = {}
    for kind, chosen in probes.items():
        for probe in chosen[:10]:
            search(workspace, probe)
        timings = []
        found = 0
        for probe in chosen:
            started = time.perf_counter()
            found += len(search(workspace, probe))
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        out[kind] = {
            "queries": len(timings),
            "found": found / max(1, len(timings)),
            "p50": statistics.median(timings),
            "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
        }
    return out


def child(args: argparse.Namespace) -> None:
    _setup(args.db)
    from django.core.management import call_command
    from django.test import Client

    from partnerwise.opendata.models import RegisterCharity
    from partnerwise.workspaces.models import User
    from partnerwise.workspaces.planner import refresh_planner_statistics

    out: dict[str, Any] = {}
    started = time.perf_counter()
    if args.zip:
        with open(os.devnull, "w") as quiet:
            call_command("import", "ccew", args.zip, stdout=quiet)
    out["register_s"] = time.perf_counter() - started
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)
    User.objects.create_user(username="bench@example.org", password=PASSWORD)
    demo = demo_subjects()
    sizes = [int(n) for n in args.growth.split(",") if n]
    built = {}
    for size in sorted({*sizes, args.partnerships}):
        per = args.ratings / args.partnerships
        ratings = round(size * per) if size <= args.partnerships else args.growth_ratings
        built[size] = build(f"bench{size}", size, ratings, args.decisions, args.seed)
    refresh_planner_statistics()
    number = (
        str(
            RegisterCharity.objects.filter(linked_number=0)
            .order_by("pk")
            .values_list("registered_number", flat=True)[:1]
            .get()
        )
        if RegisterCharity.objects.exists()
        else "1000001"
    )
    client = Client()
    client.force_login(User.objects.get(username="bench@example.org"))
    large = built[args.partnerships]
    out["built"] = {str(k): {n: v for n, v in b.items() if n != "slug"} for k, b in built.items()}
    out["pages"] = []
    for (name, demo_url), (_, large_url) in zip(
        pages(demo, number), pages(large, number), strict=True
    ):
        # Alternate the two, a few requests at a time, so a burst of load on the shared
        # machine falls on both rather than on one.
        demo_runs: list[dict[str, Any]] = []
        large_runs: list[dict[str, Any]] = []
        for _ in range(3):
            demo_runs.append(time_get(client, demo_url, max(1, args.runs // 3)))
            large_runs.append(time_get(client, large_url, max(1, args.runs // 3)))
        out["pages"].append({"page": name, "demo": merged(demo_runs), "large": merged(large_runs)})
        print(f"  {name}", file=sys.stderr, flush=True)
    out["growth"] = []
    for size in sizes:
        subject = built[size]
        growth_pages = pages(subject, number)
        for name in ("portfolio", "organisation page, busiest partner"):
            url = dict(growth_pages)[name]
            out["growth"].append(
                {
                    "page": name,
                    "partnerships": size,
                    "ratings": subject["ratings"],
                    **{**time_get(client, url, args.runs), "timings": []},
                }
            )
    out["search"] = search_by_number(500) if args.zip else None
    out["names"] = search_by_name(200) if args.zip else None
    print("RESULT " + json.dumps(out), flush=True)


# ----------------------------------------------------------------- parent process side


def ensure_extract(charities: int) -> Path:
    out = VAR / f"synth-{charities}"
    path = out / "publicextract.charity.zip"
    if not path.exists():
        # The pages read the charity table only; the other tables are the import benchmark's.
        print(f"Writing a synthetic register of {charities} charities to {out} ...", flush=True)
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "partnerwise"), "opendata_synth", "--charities",
             str(charities), "--charity-only", str(out)],
            check=True,
        )  # fmt: skip
    return path


def report(label: str, result: dict[str, Any]) -> list[str]:
    lines = [f"\n## {label}", ""]
    built = result["built"]
    for size, info in built.items():
        lines.append(
            f"built {size} partnerships, {info['ratings']} ratings, {info['profiles']} stored "
            f"profiles in {info['build_s']:.1f} s"
        )
    lines += [
        "",
        "| page | demo p50 / p95 ms | large p50 / p95 ms | ratio p50 | queries demo / large "
        "| KB demo / large |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["pages"]:
        demo, large = row["demo"], row["large"]
        lines.append(
            f"| {row['page']} | {demo['p50']:.1f} / {demo['p95']:.1f} | "
            f"{large['p50']:.1f} / {large['p95']:.1f} | {large['p50'] / demo['p50']:.2f}x | "
            f"{demo['queries']} / {large['queries']} | {demo['kb']:.0f} / {large['kb']:.0f} |"
        )
    lines += [
        "",
        "| growth | partnerships | ratings | p50 ms | p95 ms | ratio to smallest | queries |",
        "|---|---|---|---|---|---|---|",
    ]
    first: dict[str, float] = {}
    for row in result["growth"]:
        base = first.setdefault(row["page"], row["p50"])
        lines.append(
            f"| {row['page']} | {row['partnerships']} | {row['ratings']} | {row['p50']:.1f} | "
            f"{row['p95']:.1f} | {row['p50'] / base:.2f}x | {row['queries']} |"
        )
    search = result.get("search")
    if search:
        lines.append(
            f"\nsearch by charity number over {search['register']} charities: p50 "
            f"{search['p50']:.2f} ms, p95 {search['p95']:.2f} ms ({search['queries']} queries)"
        )
    for kind, row in (result.get("names") or {}).items():
        lines.append(
            f"search by name, {kind} words: p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms "
            f"({row['queries']} queries, {row['found']:.1f} found each)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=1000)
    parser.add_argument("--ratings", type=int, default=20000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--growth", default="100,1000,10000")
    parser.add_argument("--growth-ratings", type=int, default=30000)
    parser.add_argument("--charities", type=int, default=400_000, help="0: no register")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--zip", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    VAR.mkdir(parents=True, exist_ok=True)
    zip_path = ensure_extract(args.charities) if args.charities else None
    databases = []
    if not args.no_sqlite:
        databases.append(("SQLite", f"sqlite:///{VAR / 'scale.sqlite3'}"))
    if not args.no_postgres:
        databases.append(("PostgreSQL", PG_URL))
    passed = [a for a in sys.argv[1:] if a not in ("--no-postgres", "--no-sqlite")]
    for label, url in databases:
        print(f"{label}: building and timing (a few minutes) ...", flush=True)
        command = [sys.executable, __file__, "--child", "--db", url, *passed]
        if zip_path:
            command += ["--zip", str(zip_path)]
        output = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        result = None
        for line in output.stdout.splitlines():
            if line.startswith("RESULT "):
                result = json.loads(line.removeprefix("RESULT "))
        if result is None:
            raise SystemExit(f"{label} failed:\n{output.stdout}\n{output.stderr[-4000:]}")
        print("\n".join(report(label, result)), flush=True)


if __name__ == "__main__":
    main()
