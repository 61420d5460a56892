"""`partnerwise import_workspace FILE [--slug S]`: a workspace from an export, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from partnerwise.workspaces.transfer import TransferError, import_workspace


class Command(BaseCommand):
    help = "Make a workspace from an export_workspace FILE (in one transaction)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--slug", help="the new workspace's slug (default: the exported one)")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"no file {source}") from None
        except (UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"{source.name} is not JSON: {error}") from None
        try:
            workspace = import_workspace(data, slug=options["slug"])
        except (TransferError, ValidationError, DatabaseError) as error:
            raise CommandError(f"{source.name}: {error}; nothing was imported") from None
        self.stdout.write(
            f"Imported {sum(data['counts'].values())} records into workspace '{workspace.slug}'"
        )
