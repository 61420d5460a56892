from __future__ import annotations

from collections.abc import Iterator

import pytest

from partnerwise.hosting import outbox


@pytest.fixture(autouse=True)
def mail_after_the_response_settles() -> Iterator[None]:
    # A reset's mail goes on the outbox thread: let it finish before the next test begins.
    yield
    outbox.wait_until_empty()
