"""`partnerwise classify FILE`: profile a partner from a JSON file of answers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.typology.cli import ClassifyError, classify


class Command(BaseCommand):
    help = (
        'Profile a partner from answers: FILE holds {"answers": {"power": 5, ...}} or '
        '{"raters": [{"name": "...", "answers": {...}}, ...]}; "-" reads standard input.'
    )

    # It reads a file and prints; the project's URL and model checks have nothing to say here.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON file of answers, or - for standard input")
        parser.add_argument(
            "--typology", default="default", help="typology id (default: the founding five)"
        )
        parser.add_argument(
            "--json", action="store_true", help="print exactly one JSON object for programs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["file"]
        try:
            if name == "-":
                text, source = sys.stdin.read(), "<stdin>"
            else:
                path = Path(name)
                text, source = path.read_text(encoding="utf-8-sig"), path.name
        except FileNotFoundError as error:
            raise CommandError(f"{name}: no such file") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{name}: not UTF-8 text ({error.reason})") from error
        except OSError as error:
            raise CommandError(f"{name}: cannot read: {error.strerror}") from error
        try:
            output = classify(
                text, source=source, typology_id=options["typology"], as_json=options["json"]
            )
        except ClassifyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(output)
