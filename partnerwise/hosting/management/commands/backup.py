"""`partnerwise backup FILE`: a consistent copy of the whole database, with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.hosting.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database to FILE (see docs/deploy.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["file"]
        if not target.parent.is_dir():
            raise CommandError(f"no folder {target.parent} to write {target.name} in")
        try:
            manifest = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up {sum(manifest.rows.values())} rows in {len(manifest.rows)} tables "
            f"({manifest.engine}, Partnerwise {manifest.version}) to {target}"
        )
