"""`partnerwise load_demo`: the demo workspace a newcomer sees first (safe to run again)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.demo.appraisals import load_demo_appraisals
from partnerwise.demo.workspace import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo workspace built from real open data (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=None,
            help="password for new demo users (required with DJANGO_ENV=production)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password is None:
            if settings.PRODUCTION:
                raise CommandError("in production give the demo users a --password")
            password = DEMO_PASSWORD
        result = load_demo(password=password)
        load_demo_appraisals(result.workspace)
        made = ", ".join(f"{n} {what}" for what, n in result.created.items())
        self.stdout.write(f"Demo workspace '{result.workspace.slug}' ready (new: {made}).")
        self.stdout.write(
            f"Sign in as {result.users[0]} with the password '{password}'"
            if password == DEMO_PASSWORD
            else f"Sign in as {result.users[0]}."
        )
