"""`partnerwise restore FILE`: replace the whole database with a backup, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.hosting.backups import BackupError, restore


class Command(BaseCommand):
    help = "Replace the whole database with the backup in FILE (see docs/deploy.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {sum(manifest.rows.values())} rows in {len(manifest.rows)} tables from "
            f"{options['file']} (made {manifest.created}); row counts match the manifest"
        )
