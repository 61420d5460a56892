"""Two people saving a rating of the same partner at the same moment, on PostgreSQL (where
transactions run side by side; SQLite writes one at a time): both ratings count."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from partnerwise.assessments import stored
from partnerwise.assessments.models import StoredProfile
from partnerwise.conftest import Cast, rate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_two_ratings_saved_at_once_both_count(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    # The first rating pauses just before it writes the profile; the second runs meanwhile.
    # Without a lock the second computes the profile without the first's answers, and the
    # first then writes one without the second's (or both insert it: a 500 under load).
    paused, resume = threading.Event(), threading.Event()
    write = stored._write

    def pausing_write(*args: Any) -> None:
        if not paused.is_set():
            paused.set()
            resume.wait(timeout=30)
        write(*args)

    monkeypatch.setattr(stored, "_write", pausing_write)
    failures: list[BaseException] = []

    def rater(name: str, rating: int) -> None:
        try:
            rate(
                cast.workspace,
                cast.partnership,
                cast.prime,
                None,
                {"power": rating},
                rater_name=name,
            )
        except BaseException as error:  # reported by the test below
            failures.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=rater, args=("First", 5))
    second = threading.Thread(target=rater, args=("Second", 1))
    first.start()
    assert paused.wait(timeout=30)
    second.start()
    # With the lock the second waits for the first's transaction; without it, it finishes.
    second.join(timeout=3)
    resume.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert failures == []
    profile = StoredProfile.objects.get(
        partnership=cast.partnership, subject=cast.prime, typology__key="default"
    )
    assert sorted(profile.raters) == ["First", "Second"]
