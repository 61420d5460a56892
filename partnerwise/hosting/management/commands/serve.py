"""`partnerwise serve`: what production runs (and `make serve`, and the container).

Collect static files, apply migrations, refuse to start if production is not safe to serve
(see `hosting.checks`), then replace this process with gunicorn so that systemd or the
container runtime signals the server itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.hosting.checks import problems


def default_workers() -> int:
    # gunicorn's advice (2 x cores + 1) is for CPU-light apps; pages here render templates in
    # Python, so one worker per core plus one keeps a small host responsive without swapping.
    return (os.cpu_count() or 1) + 1


class Command(BaseCommand):
    # Some apps' checks read the database, which may not exist until migrate has run; the
    # checks that matter for serving run below, at the right moment.
    requires_system_checks: list[str] = []
    help = "Collect static files, migrate, check, and serve with gunicorn (production server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default=os.environ.get("HOST", "127.0.0.1"),
            help="address to listen on (HOST; default 127.0.0.1, behind a reverse proxy)",
        )
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT") or 8000), help="PORT"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY") or default_workers()),
            help="worker processes (WEB_CONCURRENCY; default CPU count + 1)",
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help="skip migrate (another host ran it)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Refuse before changing anything if the settings themselves are unsafe.
        found = problems(static=False)
        if found:
            raise CommandError("\n".join(problem.msg for problem in found))
        # The embedded database and the collected static files live here.
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=1)
        call_command("createcachetable", verbosity=0)
        found = problems()
        if found:
            raise CommandError("\n".join(problem.msg for problem in found))
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "partnerwise.wsgi:application",
            f"--bind={options['host']}:{options['port']}",
            f"--workers={options['workers']}",
            # A thread pool per worker lets slow clients wait without blocking a process.
            "--threads=4",
            "--worker-class=gthread",
            "--timeout=60",
            "--graceful-timeout=30",
            "--max-requests=2000",
            "--max-requests-jitter=200",
            # Gunicorn's own access log is off: RequestLogMiddleware writes one JSON line
            # per request with its request id.
            "--error-logfile=-",
            # Several servers may share a host (staging beside production): no shared socket.
            "--no-control-socket",
            "--forwarded-allow-ips=" + ",".join(_trusted_proxies()),
        ]
        self.stdout.write(
            f"Serving on http://{options['host']}:{options['port']}/ "
            f"with {options['workers']} workers"
        )
        self.stdout.flush()
        os.execv(sys.executable, argv)


def _trusted_proxies() -> list[str]:
    return list(settings.TRUSTED_PROXIES) or ["127.0.0.1"]
