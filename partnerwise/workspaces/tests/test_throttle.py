"""Throttling as an attacker and a crowd behind a proxy meet it: counts in a shared store,
per account and per client address separately, the forwarded address believed only from a
trusted proxy; password resets limited and never revealing whether an account exists."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerwise.conftest import PASSWORD, Cast
from partnerwise.hosting import outbox

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def fresh_cache(db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def sign_in(username: str, password: str, *, client: str, via_proxy: bool = True) -> int:
    headers: dict[str, Any] = {"REMOTE_ADDR": PROXY if via_proxy else client}
    if via_proxy:
        headers["HTTP_X_FORWARDED_FOR"] = f"203.0.113.9, {client}"
    response = Client().post(
        reverse("login"), {"username": username, "password": password}, **headers
    )
    return response.status_code


def test_the_default_store_is_the_database_so_every_worker_shares_it() -> None:
    assert isinstance(caches["default"], DatabaseCache)
    cache.set("seen-by-all", 1)
    # Another handle on the store (as another worker process has) sees the same count.
    assert caches.create_connection("default").get("seen-by-all") == 1


def test_behind_a_trusted_proxy_one_clients_spray_does_not_lock_out_the_others(
    cast: Cast, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SIGNIN_FAILURES_PER_ADDRESS = 10
    for n in range(10):
        assert sign_in(f"guess{n}@example.org", "wrong", client="198.51.100.7") == 200
    assert sign_in("editor@hope.org", PASSWORD, client="198.51.100.7") == 429
    assert sign_in("editor@hope.org", PASSWORD, client="198.51.100.8") == 302


def test_without_trusting_the_proxy_a_forged_forwarded_header_is_ignored(
    cast: Cast, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = []
    settings.SIGNIN_FAILURES_PER_ADDRESS = 10
    for n in range(10):
        # Each attempt claims a different client address; the direct peer is the same.
        assert sign_in(f"guess{n}@example.org", "wrong", client=f"198.51.100.{n}") == 200
    assert sign_in("editor@hope.org", PASSWORD, client="198.51.100.99") == 429


def test_an_account_is_throttled_whatever_address_the_guesses_come_from(
    cast: Cast, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(settings.SIGNIN_FAILURES_PER_ACCOUNT):
        assert sign_in("editor@hope.org", "wrong", client=f"192.0.2.{n}") == 200
    assert sign_in("editor@hope.org", PASSWORD, client="192.0.2.200") == 429
    assert sign_in("viewer@hope.org", PASSWORD, client="192.0.2.200") == 302


def ask_for_reset(email: str, address: str = "192.0.2.1") -> Any:
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_a_reset_answers_the_same_whether_or_not_the_account_exists(cast: Cast) -> None:
    known, unknown = ask_for_reset("viewer@hope.org"), ask_for_reset("nobody@hope.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    outbox.wait_until_empty()
    assert [message.to for message in mail.outbox] == [["viewer@hope.org"]]


class GatedBackend(EmailBackend):
    """A mail server that answers only when the test opens the gate (or after 10 s)."""

    gate = threading.Event()

    def send_messages(self, messages: Any) -> int:
        GatedBackend.gate.wait(timeout=10)
        return int(super().send_messages(messages))


def test_a_reset_answers_without_waiting_for_the_mail_server(cast: Cast, settings: Any) -> None:
    # Were the mail sent in the request, an existing account's reset would take as long as
    # the mail server does, and an unknown address's would not: the time would tell.
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.GatedBackend"}}
    GatedBackend.gate.clear()
    answer = ask_for_reset("viewer@hope.org")
    sent_before_the_answer = len(mail.outbox)
    GatedBackend.gate.set()
    outbox.wait_until_empty()
    assert answer.status_code == 302
    assert sent_before_the_answer == 0
    assert [message.to for message in mail.outbox] == [["viewer@hope.org"]]


def test_a_reset_does_the_same_work_for_any_address(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[str] = []
    monkeypatch.setattr(outbox, "later", lambda job: queued.append("job"))
    # From two client addresses, so each counts against fresh throttle counts.
    with CaptureQueriesContext(connection) as known:
        ask_for_reset("viewer@hope.org", "192.0.2.1")
    with CaptureQueriesContext(connection) as unknown:
        ask_for_reset("nobody@hope.org", "192.0.2.2")
    # One job after the response each, and the same queries (only the address differs).
    assert queued == ["job", "job"]
    assert len(known.captured_queries) == len(unknown.captured_queries)
    assert mail.outbox == []


def test_resets_are_limited_per_account_and_per_address(cast: Cast, settings: Any) -> None:
    for email in ["viewer@hope.org", "nobody@hope.org"]:
        for n in range(settings.RESETS_PER_ACCOUNT):
            assert ask_for_reset(email, f"192.0.2.{n}").status_code == 302
        # Refused the same way for an account that exists and one that does not.
        refused = ask_for_reset(email, "192.0.2.100")
        assert refused.status_code == 429
        assert "Too many reset requests" in refused.content.decode()
    outbox.wait_until_empty()
    assert len(mail.outbox) == settings.RESETS_PER_ACCOUNT
    cache.clear()
    for n in range(settings.RESETS_PER_ADDRESS):
        assert ask_for_reset(f"person{n}@example.org", "198.51.100.1").status_code == 302
    assert ask_for_reset("viewer@hope.org", "198.51.100.1").status_code == 429


def test_a_reset_whose_mail_fails_looks_the_same_and_is_no_500(cast: Cast, settings: Any) -> None:
    settings.MAILERS = unreachable_mail_server()
    settings.EMAIL_RETRY_PAUSE = 0
    known, unknown = ask_for_reset("viewer@hope.org"), ask_for_reset("nobody@hope.org")
    assert known.status_code == unknown.status_code == 302
    outbox.wait_until_empty()
    assert mail.outbox == []


def unreachable_mail_server() -> dict[str, Any]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe is closed: connections are refused.
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis at 127.0.0.1:6379")
def test_cache_url_puts_the_counts_in_redis() -> None:
    code = (
        "import django; django.setup(); from django.core.cache import cache;"
        "from django.core.cache import caches; cache.set('throttle-probe', 7, 30);"
        "print(type(caches['default']).__name__, cache.get('throttle-probe'))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnerwise.settings",
        "CACHE_URL": "redis://127.0.0.1:6379/5",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["RedisCache", "7"], result.stderr
