"""Serving in production as a host does it: `make serve` on a fresh var directory, the
startup refusals, health and readiness, request ids and the request log."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

SECRET = "s" * 20 + "-a-production-secret-for-serving-tests-" + "q" * 20


def production(var: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CACHE_URL", "MAKEFLAGS", "MFLAGS"}
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PARTNERWISE_VAR_DIR=str(var),
        # The test speaks plain HTTP to the server, as a reverse proxy on the host would.
        SECURE_SSL_REDIRECT="0",
        WEB_CONCURRENCY="2",
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped with code {server.returncode}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing answered at {url}")


def failed_sign_in(base: str) -> int:
    with urllib.request.urlopen(base + "/accounts/login/", timeout=10) as page:
        cookie = page.headers["Set-Cookie"].split(";")[0]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
    assert token is not None
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": "x@example.org",
            "password": "wrong",
        }
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=form, headers={"Cookie": cookie}
    )
    return get_request(request)


def get_request(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_make_serve_serves_pages_and_static_files_in_production(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=settings.BASE_DIR,
            env=production(tmp_path / "var", PORT=str(port)),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(base + "/healthz", server)
            status, headers, body = get(base + "/accounts/login/")
            assert status == 200, body[:500]
            assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
            # The manifest storage names static files by their content hash.
            stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', body)
            assert stylesheet, body[:500]
            assert b"/static/" in stylesheet.group(1)
            status, _, css = get(base + stylesheet.group(1).decode())
            assert status == 200 and css
            assert get(base + "/healthz")[0] == 200
            status, _, ready = get(base + "/readyz")
            assert (status, json.loads(ready)["status"]) == (200, "ready")
            # Two workers count sign-in failures in one shared store: the sixth is refused.
            answers = [failed_sign_in(base) for _ in range(6)]
            assert answers == [200] * 5 + [429]
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    logged = [json.loads(line) for line in lines]
    assert any(
        entry["path"] == "/accounts/login/"
        and entry["status"] == 200
        and entry["request_id"] == headers["X-Request-ID"]
        for entry in logged
    ), log.read_text()[-2000:]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_deploy_check_refuses_production_without_collected_static_files(
    tmp_path: Path,
) -> None:
    result = run(["-m", "partnerwise", "check", "--deploy"], production(tmp_path))
    assert result.returncode != 0
    assert "collectstatic" in result.stderr


def test_a_server_started_by_hand_refuses_to_serve_without_static_files(tmp_path: Path) -> None:
    result = run(["-c", "import partnerwise.wsgi"], production(tmp_path))
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        f"Partnerwise will not start: Static files are not collected in {tmp_path / 'static'}: "
        "run `partnerwise collectstatic --noinput` (or start with `make serve`)."
    ]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"SECRET_KEY": "dev-only-not-secret-" + "x" * 40}, "SECRET_KEY is the development"),
    ],
)
def test_serve_refuses_unsafe_production_settings_with_one_line(
    tmp_path: Path, change: dict[str, str], says: str
) -> None:
    result = run(["-m", "partnerwise", "serve"], production(tmp_path, **change))
    assert result.returncode != 0
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    # Refused before touching anything: no static files collected, no database made.
    assert not (tmp_path / "static").exists()


def test_production_hashes_passwords_with_argon2(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.contrib.auth.hashers import make_password;"
        "print(make_password('x').split('$')[0])"
    )
    env = production(tmp_path, DJANGO_SETTINGS_MODULE="partnerwise.settings")
    result = run(["-c", code], env)
    assert result.stdout.strip() == "argon2", result.stderr


@pytest.mark.django_db
def test_health_and_readiness_answer_for_a_migrated_database(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_health_says_when_the_database_is_unreachable(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, r.json()['status'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnerwise.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    result = run(["-c", code], env)
    assert result.stdout.strip() == "503 error", result.stderr


@pytest.mark.django_db
def test_a_proxys_request_id_is_kept_and_a_forged_one_replaced(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" ok\n{"user": 1}')["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)


def test_probes_on_the_host_work_whatever_allowed_hosts_and_https_say(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.test import Client;"
        "r = Client(HTTP_HOST='127.0.0.1:8000').get('/healthz'); print(r.status_code)"
    )
    # WhiteNoise warns (an error under PYTHONWARNINGS=error) when the folder is missing.
    (tmp_path / "static").mkdir()
    env = production(
        tmp_path,
        DJANGO_SETTINGS_MODULE="partnerwise.settings",
        ALLOWED_HOSTS="partnerwise.example.org",
        SECURE_SSL_REDIRECT="1",
    )
    result = run(["-c", code], env)
    assert result.stdout.strip() == "200", result.stderr
