"""Refuse to start a production server that would answer 500 or be unsafe."""

from __future__ import annotations

import sys

from partnerwise.hosting.checks import problems


def refuse_unless_ready() -> None:
    found = problems()
    if found:
        for problem in found:
            print(f"Partnerwise will not start: {problem.msg}", file=sys.stderr)
        # Exit code 3 stops gunicorn's arbiter from restarting workers in a loop.
        raise SystemExit(3)
