"""`partnerwise import ccew|360giving|ocds|links PATH... [--skip-bad] [--dry-run]`.

One transaction per run: an error, a bad record (without --skip-bad), Ctrl-C or a kill
leaves the database exactly as it was. Output: a progress bar on a terminal, then a
summary of what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from partnerwise.opendata.loaders import ImportFailed, ImportReport
from partnerwise.opendata.models import ImportRun
from partnerwise.opendata.readers import SourceError
from partnerwise.workspaces.planner import refresh_planner_statistics

SOURCES = {
    "ccew": "Charity Commission register extract zips (JSON or TXT, any of the tables)",
    "360giving": "360Giving grant files (JSON packages, CSV or XLSX spreadsheets)",
    "ocds": "OCDS 1.0 or 1.1 release or record packages, releases, JSON Lines, .zip files "
    "(Contracts Finder, Find a Tender)",
    "links": "org-id relationship CSVs (data/charity-lookups/relationships)",
}


LOADERS = {"ccew": "ccew", "360giving": "giving", "ocds": "ocds", "links": "links"}
# What a directory given as a PATH stands for: its files with these endings, by name.
DIRECTORY_FILES = {
    "ccew": (".zip",),
    "360giving": (".json", ".csv", ".xlsx", ".xlsm"),
    "ocds": (".json", ".jsonl", ".zip"),
    "links": (".csv",),
}


def expand(source: str, paths: list[Path]) -> list[Path]:
    """The files to import: each file given, and the files of each directory given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in DIRECTORY_FILES[source]
            )
            if not found:
                endings = ", ".join(DIRECTORY_FILES[source])
                raise CommandError(f"{path}: a directory with no {endings} files in it")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{path}: no such file or directory")
    return files


class _DryRun(Exception):
    pass


def _loader(source: str) -> Callable[[list[Path], ImportReport], None]:
    module = import_module(f"partnerwise.opendata.loaders.{LOADERS[source]}")
    load: Callable[[list[Path], ImportReport], None] = module.load
    return load


class Command(BaseCommand):
    help = "Import open data into the shared organisation directory."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        for name, description in SOURCES.items():
            sub = subparsers.add_parser(name, help=description, description=description)
            sub.add_argument("paths", nargs="+", type=Path, metavar="PATH")
            sub.add_argument(
                "--skip-bad",
                action="store_true",
                help="skip malformed records (listed at the end) instead of failing",
            )
            sub.add_argument(
                "--dry-run", action="store_true", help="read and compare, then roll back"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["source"]
        paths = expand(source, options["paths"])
        report = ImportReport(skip_bad=options["skip_bad"])
        load = _loader(source)
        try:
            with transaction.atomic():
                load(paths, report)
                ImportRun.objects.create(
                    source=source,
                    files=[str(path) for path in paths],
                    summary=dict(report.counts),
                    skipped=report.skipped,
                    warnings=report.warning_lines(),
                )
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            self.stdout.write("Dry run: nothing was written.")
        except (ImportFailed, SourceError) as error:
            raise CommandError(f"{error}. Nothing was imported.") from None
        except KeyboardInterrupt:
            raise CommandError("Interrupted. Nothing was imported.") from None
        # New rows change which index suits a query; SQLite learns it only from ANALYZE.
        refresh_planner_statistics()
        self._summary(source, report, dry_run=options["dry_run"])

    def _summary(self, source: str, report: ImportReport, *, dry_run: bool = False) -> None:
        if dry_run:
            self.stdout.write(f"Would import {source} (dry run, rolled back):")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {source}:"))
        for key, value in sorted(report.counts.items()):
            self.stdout.write(f"  {key}: {value}")
        if report.warning_count:
            self.stdout.write(f"{report.warning_count} warnings:")
            lines = report.warning_lines()
            for line in lines[:30]:
                self.stdout.write(f"  {line}")
            if len(lines) > 30:
                self.stdout.write(f"  ... and {len(lines) - 30} more kinds")
        if report.skipped:
            self.stdout.write(self.style.WARNING(f"Skipped {len(report.skipped)} bad records:"))
            for line in report.skipped:
                self.stdout.write(f"  {line}")
