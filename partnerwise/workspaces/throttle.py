"""Throttling repeated failed sign-ins, with Django's cache.

Why not a library such as django-axes: this needs about thirty lines, no new tables and no
new runtime dependency. Failures are counted per username and per client address for a
window; after `MAX_FAILURES` for a username (or `MAX_FAILURES_PER_ADDRESS` from one address)
further attempts are refused until the window passes. In
production set CACHES to a shared backend (database or Redis) so all processes count together.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

MAX_FAILURES = 5
# An address may be shared (an office, a proxy), so it gets more room than one username before
# everyone behind it is refused.
MAX_FAILURES_PER_ADDRESS = 50
WINDOW_SECONDS = 15 * 60


def _keys(request: HttpRequest, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"signin-fail:user:{name}", f"signin-fail:addr:{address}"]


def is_throttled(request: HttpRequest, username: str) -> bool:
    user_key, address_key = _keys(request, username)
    counts = cache.get_many([user_key, address_key])
    return (
        int(counts.get(user_key, 0)) >= MAX_FAILURES
        or int(counts.get(address_key, 0)) >= MAX_FAILURES_PER_ADDRESS
    )


def record_failure(request: HttpRequest, username: str) -> None:
    for key in _keys(request, username):
        if cache.add(key, 1, WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)


def clear_failures(request: HttpRequest, username: str) -> None:
    # Only the username's count: one person's success must not unlock an address under attack.
    cache.delete(_keys(request, username)[0])
