"""Throttling attempts (sign-in failures, password resets, sign-ups) in a shared store.

Why not a library such as django-axes: this needs about sixty lines, no new tables and no
new runtime dependency. Counts live in Django's cache, which settings make shared by every
worker process (the database cache by default, Redis with CACHE_URL), so two workers do not
double the limit. Each action is counted per account and per client address separately: a
password spray over many accounts from one address is refused by the address count, and
many people behind one proxy are not locked out by one person's mistakes, because the
address is the client's own when TRUSTED_PROXIES names the proxy (see hosting/addresses.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from partnerwise.hosting.addresses import client_address


@dataclass(frozen=True)
class Limit:
    action: str
    # Names of settings, read at each call so a host (or a test) can change them.
    per_account_setting: str
    per_address_setting: str
    window_setting: str

    @property
    def per_account(self) -> int:
        return int(getattr(settings, self.per_account_setting))

    @property
    def per_address(self) -> int:
        return int(getattr(settings, self.per_address_setting))

    @property
    def window(self) -> int:
        return int(getattr(settings, self.window_setting))


SIGN_IN = Limit(
    "signin", "SIGNIN_FAILURES_PER_ACCOUNT", "SIGNIN_FAILURES_PER_ADDRESS", "SIGNIN_WINDOW"
)
PASSWORD_RESET = Limit("reset", "RESETS_PER_ACCOUNT", "RESETS_PER_ADDRESS", "RESET_WINDOW")
# For sign-up, when it exists: `allow(SIGN_UP, request, email)` before making the account.
SIGN_UP = Limit("signup", "RESETS_PER_ACCOUNT", "RESETS_PER_ADDRESS", "RESET_WINDOW")


def _keys(limit: Limit, request: HttpRequest, account: str) -> tuple[str, str]:
    name = hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]
    return (
        f"throttle:{limit.action}:account:{name}",
        f"throttle:{limit.action}:address:{client_address(request)}",
    )


def is_over(limit: Limit, request: HttpRequest, account: str) -> bool:
    account_key, address_key = _keys(limit, request, account)
    counts = cache.get_many([account_key, address_key])
    return (
        int(counts.get(account_key, 0)) >= limit.per_account
        or int(counts.get(address_key, 0)) >= limit.per_address
    )


def count(limit: Limit, request: HttpRequest, account: str) -> None:
    for key in _keys(limit, request, account):
        if cache.add(key, 1, limit.window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, limit.window)


def allow(limit: Limit, request: HttpRequest, account: str) -> bool:
    """Count one attempt at `limit.action` for `account`; False if it must be refused."""
    if is_over(limit, request, account):
        return False
    count(limit, request, account)
    return True


# Sign-in counts failures only; these three are what the sign-in view calls.
def is_throttled(request: HttpRequest, username: str) -> bool:
    return is_over(SIGN_IN, request, username)


def record_failure(request: HttpRequest, username: str) -> None:
    count(SIGN_IN, request, username)


def clear_failures(request: HttpRequest, username: str) -> None:
    # Only the account's count: one person's success must not unlock an address under attack.
    cache.delete(_keys(SIGN_IN, request, username)[0])
