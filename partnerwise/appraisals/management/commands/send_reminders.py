"""`partnerwise send_reminders [--workspace SLUG] [--site URL]`: email the day's reminders.

Run daily (docs/reminders.md has a cron line and a systemd timer); running it again the same
day sends nothing twice. A mail server failure is one line on standard error and exit code 1;
the reminders it could not send are tried again on the next run."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from partnerwise.appraisals.reminders import send_reminders
from partnerwise.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Email renewals, notice deadlines and re-ratings due; each reminder is sent once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Only this workspace (its slug)")
        parser.add_argument(
            "--site",
            default=os.environ.get("PARTNERWISE_SITE_URL", "http://127.0.0.1:8000"),
            help="The site's address, for the links in the emails "
            "(default: PARTNERWISE_SITE_URL, else http://127.0.0.1:8000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site: str = options["site"]
        if not site.startswith(("http://", "https://")):
            raise CommandError(f"--site: '{site}' must start with http:// or https://")
        workspaces = Workspace.objects.filter(is_demo=False).order_by("slug")
        if options["workspace"]:
            workspaces = Workspace.objects.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace with the slug '{options['workspace']}'")
        report = send_reminders(today=timezone.localdate(), site=site, workspaces=workspaces)
        self.stdout.write(
            f"Sent {report.reminders} reminder{'s' if report.reminders != 1 else ''} in "
            f"{report.emails} email{'s' if report.emails != 1 else ''}; "
            f"{report.already_sent} already sent before."
        )
        if report.failures:
            for line in report.failures:
                self.stderr.write(line)
            raise CommandError(f"{len(report.failures)} email(s) could not be sent")
