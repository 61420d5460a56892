"""`partnerwise rebuild_profiles [--workspace SLUG] [--check]`: recompute every stored profile
and its history from the ratings (after an engine upgrade, or to repair), with a progress bar;
with --check, report the profiles that differ from a fresh computation instead."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from partnerwise.assessments.stored import rebuild_profiles, stored_equals_fresh
from partnerwise.workspaces.models import Workspace
from partnerwise.workspaces.planner import refresh_planner_statistics


class Command(BaseCommand):
    help = "Recompute the stored profiles of every workspace (or of one) from its ratings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", metavar="SLUG", help="only this workspace")
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; list profiles that differ from a fresh computation",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("slug")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"no workspace '{options['workspace']}'")
        quiet = options["verbosity"] == 0
        if options["check"]:
            wrong = 0
            for workspace in workspaces:
                for group in stored_equals_fresh(workspace):
                    wrong += 1
                    self.stdout.write(
                        f"{workspace.slug}: partnership {group[0]}, organisation {group[1]}, "
                        f"typology {group[2]}, {group[3]} raters: stored profile is out of date"
                    )
            if wrong:
                raise CommandError(f"{wrong} stored profile(s) out of date; run rebuild_profiles")
            self.stdout.write("Every stored profile matches its ratings.")
            return
        total = 0
        for workspace in workspaces:
            groups = workspace.assessments.values(
                "partnership_id", "subject_id", "typology_id", "rater_kind"
            ).distinct()
            with tqdm(
                total=groups.count(), desc=workspace.slug, unit="profile", disable=quiet
            ) as bar:
                total += rebuild_profiles(workspace=workspace, progress=bar.update)
        refresh_planner_statistics()
        self.stdout.write(f"Rebuilt {total} profile(s).")
