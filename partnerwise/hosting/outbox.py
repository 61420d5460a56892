"""Work done after the response: one sender thread per server process, fed by a queue.

A password reset must answer in the same time whether or not the address has an account,
so its page hands the slow part (making the link, rendering and sending the mail, with
`mail.deliver`'s retries) to this queue for every address and answers at once; the page
never waits for a mail server. The queue lives in memory: a mail still queued when the
process stops is sent before it exits (up to `DRAIN_SECONDS`), and lost if the process is
killed, which for a reset only means the person asks again.

Invitations do not come here: their page must say whether the mail went (see `mail`).
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from collections.abc import Callable

from django.db import connections

log = logging.getLogger(__name__)

# How long a stopping process keeps sending what is queued (gunicorn's graceful timeout is 30).
DRAIN_SECONDS = 20.0

Job = Callable[[], object]

_jobs: queue.Queue[Job | None] = queue.Queue()
_started: list[threading.Thread] = []
_lock = threading.Lock()


def later(job: Job) -> None:
    """Run `job` on this process's sender thread, after the current response."""
    with _lock:
        if not any(thread.is_alive() for thread in _started):
            thread = threading.Thread(target=_work, name="partnerwise-outbox", daemon=True)
            thread.start()
            _started[:] = [thread]
    _jobs.put(job)


def wait_until_empty() -> None:
    """Block until every queued job has run (tests; a process about to stop)."""
    _jobs.join()


def _work() -> None:
    while True:
        job = _jobs.get()
        try:
            if job is None:
                return
            job()
        except Exception:  # one bad job must not stop the mail behind it
            log.exception("a job after the response failed")
        finally:
            # A job that read the database used this thread's own connection: let it go.
            connections.close_all()
            _jobs.task_done()


@atexit.register
def _drain() -> None:
    with _lock:
        running = [thread for thread in _started if thread.is_alive()]
    if running:
        _jobs.put(None)
        running[0].join(timeout=DRAIN_SECONDS)
