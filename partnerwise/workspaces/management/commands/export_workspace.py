"""`partnerwise export_workspace SLUG FILE`: one workspace's data as a JSON file."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from partnerwise.workspaces.models import Workspace
from partnerwise.workspaces.transfer import TransferError, export_workspace


class Command(BaseCommand):
    help = (
        "Write workspace SLUG's data to FILE as JSON (see docs/workspace-export.md); - is stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["slug"]).first()
        if workspace is None:
            raise CommandError(f"no workspace '{options['slug']}'")
        try:
            data = export_workspace(workspace)
        except TransferError as error:
            raise CommandError(str(error)) from None
        text = json.dumps(data, cls=DjangoJSONEncoder, indent=1, ensure_ascii=False)
        if options["file"] == "-":
            sys.stdout.write(text + "\n")
            return
        target = Path(options["file"])
        if not target.parent.is_dir():
            raise CommandError(f"no folder {target.parent} to write {target.name} in")
        partial = target.with_name(target.name + ".partial")
        partial.write_text(text + "\n", encoding="utf-8")
        os.replace(partial, target)
        total = sum(data["counts"].values())
        self.stdout.write(f"Exported {total} records of '{workspace.slug}' to {target}")
