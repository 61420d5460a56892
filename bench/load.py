"""Load test: the production server under 50 signed-in clients, on SQLite (WAL) and PostgreSQL.

Not part of `make test` or `make bench` (about two and a half minutes per database). For each
database it makes a fresh one with the demo workspace, starts `partnerwise serve` (gunicorn,
as production runs it) on a free 127.0.0.1 port, warms it up for 8 s (12 clients, not
measured: each worker loads its code and opens its connections), and runs three phases:

1. One client, back to back for `--single-seconds`: a page's time on an idle server.
2. Fifty people: they sign in through the sign-in form one after another over `--ramp`
   seconds (before the clock starts; a generous timeout, but a failed sign-in still counts as
   a failure), then for `--seconds` each loops over a mix of page views (portfolio,
   partnership, profile, appraisal, organisation search) and writes through the JSON API with
   the session (a rating; a partnership edit that reads the version, then saves with it), and
   after each step **pauses 1-5 s (uniform, seeded per client) as a person reads the page**.
   With no pause, 50 clients on 2 cores would wait for each other by construction (p95 of at
   least 50 x CPU per request / 2, i.e. 25x one client's), which is not what 50 signed-in
   people do.
3. Saturation, for transparency: `--saturation-clients` clients with no pause at all; the
   requests a second the server then sustains is its capacity on this machine.

It reports requests, errors (5xx or no answer), failed sign-ins, stale-edit refusals (409,
expected when two clients edit one partnership at once) and the p50/p95/p99 latency of each
phase, the ratio of the 50 clients' p95 to the single client's, the "database is locked"
lines in the server's log, and whether the goals (0 errors, 0 locked, p95 within 10x) are met.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--single-seconds 15]
        [--think-min 1] [--think-max 5] [--ramp 20] [--saturation-clients 12]
        [--saturation-seconds 15] [--no-sqlite] [--no-postgres]

PostgreSQL: BENCH_LOAD_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/h_hosting_load)
names a database that is dropped and made again.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PW = [sys.executable, "-m", "partnerwise"]
PASSWORD = "partnerwise-demo-load"
# A sign-in hashes the password with Argon2 (memory-hard, deliberately slow): a generous
# timeout, as the people are signed in before the measured window starts.
SIGN_IN_TIMEOUT = 120.0
REQUEST_TIMEOUT = 30.0
# Enough to reach every worker thread (3 workers x 4 threads on 2 CPUs) while warming up.
WARM_UP_CLIENTS = 12
# Seconds a person spends reading a page before the next click (uniform between the two).
THINK = (1.0, 5.0)
SEARCHES = ["crisis", "trust", "croydon", "council", "st giles", "mind", "nacro", "housing"]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    sign_in_failures: list[str] = field(default_factory=list)
    lock = threading.Lock()

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def all(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]


class Client:
    """One person's browser: a keep-alive connection, a session and a CSRF cookie."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closes idle keep-alive connections; one fresh try, as browsers do.
                self.reconnect()
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def sign_in(self, email: str) -> None:
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the sign-in page"
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": email,
                "password": PASSWORD,
            }
        ).encode()
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302, f"sign-in answered {status}"

    def api(self, method: str, path: str, payload: object | None = None) -> tuple[int, bytes]:
        headers = {"X-CSRFToken": self.cookies.get("csrftoken", "")}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        return self.request(method, "/api" + path, body, headers)


@dataclass
class Site:
    partnerships: list[int]
    subjects: dict[int, list[int]]
    indicators: list[str]


def discover(port: int) -> Site:
    client = Client(port)
    client.sign_in("demo@example.org")
    _, body = client.api("GET", "/w/demo/partnerships?size=200")
    rows = json.loads(body)["results"]
    _, body = client.api("GET", "/w/demo/typologies")
    default = next(t for t in json.loads(body) if t["id"] == "default")
    return Site(
        partnerships=[row["id"] for row in rows],
        subjects={row["id"]: [p["organisation_id"] for p in row["participants"]] for row in rows},
        indicators=[indicator["id"] for indicator in default["indicators"]],
    )


def one_step(client: Client, site: Site, tally: Tally, rng: random.Random) -> None:
    pk = rng.choice(site.partnerships)
    org = rng.choice(site.subjects[pk] or [0])
    kind = rng.choices(
        ["portfolio", "partnership", "profile", "appraisal", "search", "rating", "edit"],
        weights=[20, 20, 15, 15, 10, 10, 10],
    )[0]
    started = time.perf_counter()
    try:
        if kind == "portfolio":
            status, _ = client.request("GET", "/w/demo/")
        elif kind == "partnership":
            status, _ = client.request("GET", f"/w/demo/partnerships/{pk}/")
        elif kind == "profile":
            status, _ = client.request("GET", f"/w/demo/partnerships/{pk}/profile/{org}/")
        elif kind == "appraisal":
            status, _ = client.request("GET", f"/w/demo/partnerships/{pk}/appraisal/")
        elif kind == "search":
            query = urllib.parse.urlencode({"q": rng.choice(SEARCHES)})
            status, _ = client.request("GET", f"/w/demo/organisations/?{query}")
        elif kind == "rating":
            answers = {key: {"rating": rng.randint(1, 5)} for key in site.indicators}
            status, _ = client.api(
                "POST",
                f"/w/demo/partnerships/{pk}/assessments",
                {"subject_id": org, "answers": answers, "rater_name": "Load test"},
            )
        else:
            status, body = client.api("GET", f"/w/demo/partnerships/{pk}")
            if status == 200:
                version = json.loads(body)["version"]
                status, _ = client.api(
                    "PATCH",
                    f"/w/demo/partnerships/{pk}",
                    {"version": version, "description": f"Edited under load {rng.random()}"},
                )
    except (OSError, http.client.HTTPException) as error:
        tally.errors.append(f"{kind}: {error.__class__.__name__}: {error}")
        # A timed-out connection is unusable: start a fresh one, as a browser would.
        client.reconnect()
        return
    tally.add(kind, time.perf_counter() - started)
    if status == 409:
        with tally.lock:
            tally.conflicts += 1
    elif status >= 400:
        tally.errors.append(f"{kind}: HTTP {status}")


def run_clients(
    port: int,
    site: Site,
    clients: int,
    seconds: float,
    seed: int,
    *,
    think: tuple[float, float] | None,
    ramp: float,
) -> Tally:
    """`clients` people sign in one after another over `ramp` seconds (before the clock
    starts), then each loops until `seconds` are up: one step, then a pause to read the page
    drawn from `think` (uniform, seeded per client; None: no pause, a closed loop)."""
    tally = Tally()
    ready = threading.Barrier(clients + 1)
    deadline: list[float] = [0.0]

    def person(number: int) -> None:
        rng = random.Random(seed + number)
        client = Client(port, timeout=SIGN_IN_TIMEOUT)
        signed_in = False
        time.sleep(ramp * number / max(1, clients))
        for _ in range(3):
            try:
                client.sign_in("demo@example.org")
                signed_in = True
                break
            except (OSError, AssertionError, http.client.HTTPException) as error:
                with tally.lock:
                    tally.sign_in_failures.append(f"{error.__class__.__name__}: {error}")
                client.reconnect()
        client.timeout = REQUEST_TIMEOUT
        client.reconnect()
        ready.wait()
        if not signed_in:
            return
        if think is not None:
            # People do not all click at the same instant the test starts.
            time.sleep(rng.uniform(0, think[1]))
        while time.monotonic() < deadline[0]:
            one_step(client, site, tally, rng)
            if think is not None:
                time.sleep(max(0.0, min(rng.uniform(*think), deadline[0] - time.monotonic())))
        client.connection.close()

    threads = [threading.Thread(target=person, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + 3600
    ready.wait()
    deadline[0] = time.monotonic() + seconds
    for thread in threads:
        # Bounded: a request in flight at the deadline has its own timeout.
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 30)
    return tally


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def describe(name: str, tally: Tally, seconds: float) -> dict[str, float]:
    values = tally.all()
    figures = {
        "requests": len(values),
        "per_second": len(values) / seconds,
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
    }
    print(
        f"  {name:14} {figures['requests']:6} requests ({figures['per_second']:.1f}/s), "
        f"{len(tally.errors)} errors, {tally.conflicts} stale-edit 409s, "
        f"{len(tally.sign_in_failures)} failed sign-ins; "
        f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, p99 {figures['p99']:.0f} ms"
    )
    for kind, kind_values in sorted(tally.latencies.items()):
        print(
            f"    {kind:12} {len(kind_values):6}  p50 {percentile(kind_values, 0.5):6.0f} ms"
            f"  p95 {percentile(kind_values, 0.95):6.0f} ms"
        )
    for error in sorted(set(tally.errors))[:10]:
        print(f"    error: {error} (x{tally.errors.count(error)})")
    for error in sorted(set(tally.sign_in_failures))[:5]:
        print(f"    sign-in failed: {error} (x{tally.sign_in_failures.count(error)})")
    figures["failures"] = len(tally.errors) + len(tally.sign_in_failures)
    return figures


def server_cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by the gunicorn master and its live workers: a
    page's cost that does not depend on what else the machine is running."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == master or int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(var: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL"}}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="load-test-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        PARTNERWISE_VAR_DIR=str(var),
        DATABASE_URL=database_url,
        REQUEST_LOG="0",
        PYTHONPATH=str(ROOT),
    )
    return env


def wait_until_up(port: int, server: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped with code {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def bench(label: str, database_url: str, args: argparse.Namespace) -> None:
    print(f"== {label}", flush=True)
    with tempfile.TemporaryDirectory() as work:
        var = Path(work)
        env = environment(var, database_url)
        subprocess.run([*PW, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*PW, "load_demo", "--password", PASSWORD],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        log = var / "server.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                [*PW, "serve", "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                wait_until_up(port, server)
                site = discover(port)
                # Not measured: every worker process and thread loads its code, compiles
                # its templates and opens its database connection before the clock runs.
                run_clients(port, site, WARM_UP_CLIENTS, 8, 9000, think=None, ramp=2)
                # One client, back to back: the time a page takes on an idle server.
                cpu = server_cpu_seconds(server.pid)
                single_tally = run_clients(
                    port, site, 1, args.single_seconds, 1, think=None, ramp=0
                )
                cpu = server_cpu_seconds(server.pid) - cpu
                single = describe("1 client", single_tally, args.single_seconds)
                print(
                    f"    server CPU {cpu * 1000 / max(1, len(single_tally.all())):.1f} ms "
                    "a request (gunicorn processes only; PostgreSQL's own not counted)"
                )
                think = (args.think_min, args.think_max)
                many = describe(
                    f"{args.clients} clients",
                    run_clients(
                        port, site, args.clients, args.seconds, 1000, think=think, ramp=args.ramp
                    ),
                    args.seconds,
                )
                # For transparency: what the server sustains when nobody pauses at all.
                saturated = describe(
                    f"{args.saturation_clients} no-pause",
                    run_clients(
                        port,
                        site,
                        args.saturation_clients,
                        args.saturation_seconds,
                        5000,
                        think=None,
                        ramp=args.ramp * args.saturation_clients / max(1, args.clients),
                    ),
                    args.saturation_seconds,
                )
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=60)
        text = log.read_text(errors="replace")
        # The server's own words for any 500: the last lines of each traceback.
        for block in text.split("Traceback (most recent call last):")[1:4]:
            lines = [line for line in block.splitlines() if line.strip()]
            print("  server traceback:\n    " + "\n    ".join(lines[-12:]))
        ratio = many["p95"] / single["p95"]
        locked = text.count("database is locked")
        met = ratio <= 10 and locked == 0 and many["failures"] == 0
        print(
            f"  p95 under load / single client: {ratio:.1f}x; "
            f"'database is locked' in the server log: {locked}; "
            f"tracebacks: {text.count('Traceback')}; "
            f"saturation (no pauses, {args.saturation_clients} clients): "
            f"{saturated['per_second']:.1f} requests/s; "
            f"goals (0 errors, 0 locked, p95 within 10x): {'met' if met else 'NOT met'}",
            flush=True,
        )


def reset_postgres(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    for statement in (
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}"',
    ):
        subprocess.run(["psql", admin, "-qc", statement], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--single-seconds", type=float, default=15)
    parser.add_argument("--think-min", type=float, default=THINK[0])
    parser.add_argument("--think-max", type=float, default=THINK[1])
    parser.add_argument("--ramp", type=float, default=20, help="seconds over which to sign in")
    parser.add_argument("--saturation-clients", type=int, default=12)
    parser.add_argument("--saturation-seconds", type=float, default=15)
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start; the "
        "clients run on the same machine as the server.\n"
        f"Each of the {args.clients} clients pauses {args.think_min:g}-{args.think_max:g} s "
        "(uniform, seeded) between requests, as a person reads a page; they sign in one "
        f"after another over {args.ramp:g} s before the measured window. The single client and "
        "the saturation run do not pause.",
        flush=True,
    )
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as work:
            bench("SQLite (WAL)", f"sqlite:///{work}/load.sqlite3", args)
    if not args.no_postgres:
        url = os.environ.get(
            "BENCH_LOAD_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/h_hosting_load"
        )
        reset_postgres(url)
        bench("PostgreSQL", url, args)


if __name__ == "__main__":
    main()
