"""`partnerwise add_typology WORKSPACE FILE.toml`: give a workspace its own typology, or
(with --archetype-for TYPOLOGY) add one archetype to a typology it can use."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise import typology as engine
from partnerwise.assessments.custom import add_archetype, add_typology
from partnerwise.assessments.models import Typology
from partnerwise.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Add a typology (a TOML file shaped like partnerwise/typology/data/himmelman.toml) "
        "to a workspace; with --archetype-for, FILE holds one archetype table instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workspace", help="the workspace's slug")
        parser.add_argument("file", help="TOML file")
        parser.add_argument(
            "--archetype-for", metavar="TYPOLOGY", help="add an archetype to this typology"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace '{options['workspace']}'")
        path = Path(options["file"])
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"{path.name}: cannot read: {error.strerror}") from error
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"{path.name}: not valid TOML: {error}") from error
        try:
            if options["archetype_for"]:
                key = options["archetype_for"]
                typology = Typology.objects.visible_to(workspace).filter(key=key).first()
                if typology is None:
                    raise CommandError(f"no typology '{key}' in workspace '{workspace.slug}'")
                archetype = add_archetype(
                    workspace=workspace, typology=typology, data=data, source=path.name
                )
                self.stdout.write(f"Added archetype '{archetype.key}' to '{typology.key}'.")
            else:
                row = add_typology(workspace=workspace, data=data, source=path.name)
                self.stdout.write(f"Added typology '{row.key}' to workspace '{workspace.slug}'.")
        except engine.TypologyError as error:
            raise CommandError(str(error)) from error
