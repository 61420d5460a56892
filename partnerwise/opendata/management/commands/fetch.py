"""`partnerwise fetch ccew|360giving|contracts-finder [options]`: download, then import.

Files go to `var/data/<source>/` (resumable, re-asked only when changed: see
opendata/fetch.py), then `partnerwise import` reads what changed. A file that fails to
download is reported and the others go on; the command exits with an error if any failed.
Sources, URLs and a cron line: docs/opendata.md, "Fresh from source".
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.opendata.fetch import (
    FetchError,
    check_grants_file,
    check_json_object,
    check_register_zip,
    download,
)
from partnerwise.opendata.readers.ccew import TABLES

CCEW_URL = "https://ccewuksprdoneregsadata1.blob.core.windows.net/data/json"
REGISTRY_URL = "https://registry.threesixtygiving.org/data.json"
CONTRACTS_FINDER_URL = "https://www.contractsfinder.service.gov.uk"
CONTRACTS_FINDER_SEARCH = "/Published/Notices/OCDS/Search?publishedFrom={since}T00:00:00&limit=100"
GRANT_SUFFIXES = (".json", ".csv", ".xlsx")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since {text!r}: expected a date like 2025-01-31") from None


class Command(BaseCommand):
    help = "Download open data from its public source into var/data/, then import it."

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        ccew = sources.add_parser("ccew", help="the Charity Commission register extract tables")
        ccew.add_argument("--from", dest="base", default=CCEW_URL, help="mirror of the extract")
        giving = sources.add_parser(
            "360giving", help="360Giving files: the URLs given, or the registry's list"
        )
        giving.add_argument("urls", nargs="*", metavar="URL", help="a publisher's file")
        giving.add_argument("--registry", default=REGISTRY_URL, help="the registry's data.json")
        giving.add_argument("--publisher", help="only publishers whose name or prefix has this")
        giving.add_argument("--since", type=_date, help="only files modified since DATE")
        contracts = sources.add_parser(
            "contracts-finder", help="Contracts Finder OCDS releases published since a date"
        )
        contracts.add_argument("--from", dest="base", default=CONTRACTS_FINDER_URL)
        contracts.add_argument("--since", type=_date, help="published since DATE (default: "
                               "the last fetch, or 30 days ago)")  # fmt: skip
        contracts.add_argument("--max-pages", type=int, default=1000)
        for sub in (ccew, giving, contracts):
            sub.add_argument("--no-import", action="store_true", help="download only")

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["source"]
        folder = Path(settings.VAR_DIR) / "data" / source
        self.failures: list[str] = []
        if source == "ccew":
            changed, files = self._ccew(folder, options["base"].rstrip("/"))
            importer = "ccew"
        elif source == "360giving":
            changed, files = self._giving(folder, options)
            files = changed  # each grant file imports on its own
            importer = "360giving"
        else:
            changed, files = self._contracts(folder, options)
            importer = "ocds"
        if not changed:
            self.stdout.write("Nothing new to import.")
        elif options["no_import"]:
            self.stdout.write(f"Downloaded {len(changed)} file(s); not imported (--no-import).")
        else:
            call_command("import", importer, *map(str, files), stdout=self.stdout)
        if self.failures:
            raise CommandError(
                f"{len(self.failures)} download(s) failed:\n  " + "\n  ".join(self.failures)
            )

    def _get(self, url: str, target: Path, check: Any) -> Path | None:
        """Download one file; None (and the failure noted) when it fails."""
        try:
            result = download(url, target, lambda path: check(path, url))
        except FetchError as error:
            self.failures.append(str(error))
            self.stderr.write(f"Failed: {error}")
            return None
        how = "resumed, " if result.resumed else ""
        state = (
            f"downloaded ({how}{target.stat().st_size:,} bytes)"
            if result.changed
            else ("unchanged")
        )
        self.stdout.write(f"{target.name}: {state}")
        return target if result.changed else None

    # ------------------------------------------------------------------ sources

    def _ccew(self, folder: Path, base: str) -> tuple[list[Path], list[Path]]:
        changed: list[Path] = []
        for table in TABLES:
            name = f"publicextract.{table}.zip"
            got = self._get(f"{base}/{name}", folder / name, check_register_zip)
            if got:
                changed.append(got)
        # A changed table imports with the others present, so the charity table goes first.
        files = sorted(p for p in folder.glob("publicextract.*.zip") if p.is_file())
        if self.failures:
            return [], []  # a partial extract is not imported: tables go together
        return changed, files

    def _giving(self, folder: Path, options: dict[str, Any]) -> tuple[list[Path], list[Path]]:
        urls: list[str] = options["urls"]
        if not urls:
            urls = self._registry(folder, options)
        changed = []
        for url in urls:
            target = folder / _file_name(url)
            check = functools.partial(check_grants_file, suffix=target.suffix.lower())
            got = self._get(url, target, check)
            if got:
                changed.append(got)
        return changed, changed

    def _registry(self, folder: Path, options: dict[str, Any]) -> list[str]:
        url = options["registry"]
        target = folder / "registry.json"
        try:
            download(url, target, lambda path: _check_registry(path, url))
        except FetchError as error:
            raise CommandError(str(error)) from None
        entries = json.loads(target.read_text(encoding="utf-8"))
        wanted = (options.get("publisher") or "").lower()
        since: dt.date | None = options.get("since")
        urls = []
        for entry in entries:
            publisher = entry.get("publisher") or {}
            label = f"{publisher.get('name', '')} {publisher.get('prefix', '')}".lower()
            if wanted and wanted not in label:
                continue
            modified = str(entry.get("modified") or "")[:10]
            if since and modified and modified < since.isoformat():
                continue
            for distribution in entry.get("distribution") or []:
                if distribution.get("downloadURL"):
                    urls.append(distribution["downloadURL"])
        self.stdout.write(f"Registry: {len(urls)} file(s) to fetch.")
        return urls

    def _contracts(self, folder: Path, options: dict[str, Any]) -> tuple[list[Path], list[Path]]:
        state = folder / "last-fetch.txt"
        since: dt.date | None = options.get("since")
        if since is None and state.exists():
            since = dt.date.fromisoformat(state.read_text(encoding="utf-8").strip())
        since = since or dt.date.today() - dt.timedelta(days=30)
        pages = folder / since.isoformat()
        url: str | None = options["base"].rstrip("/") + CONTRACTS_FINDER_SEARCH.format(
            since=since.isoformat()
        )
        changed: list[Path] = []
        number = 0
        while url and number < options["max_pages"]:
            number += 1
            target = pages / f"page-{number:04d}.json"
            got = self._get(url, target, _check_release_package)
            if got:
                changed.append(got)
            if not target.exists() or self.failures:
                break
            url = _next_page(target)
        if not self.failures:
            state.write_text(dt.date.today().isoformat(), encoding="utf-8")
        files = sorted(pages.glob("page-[0-9]*.json")) if changed else []
        return changed, files


def _file_name(url: str) -> str:
    """A safe local name for a publisher's file, keeping its ending for the importer."""
    parts = urlsplit(url)
    name = Path(parts.path).name or "grants"
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    host = re.sub(r"[^a-z0-9]+", "-", (parts.hostname or "").lower()).strip("-")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)[:80]
    return f"{host}-{safe}{suffix if suffix in GRANT_SUFFIXES else '.json'}"


def _check_registry(path: Path, url: str) -> None:
    head = path.read_bytes()[:64].lstrip()
    if not head.startswith(b"["):
        raise FetchError(f"{url}: expected the 360Giving registry (a JSON list)")


def _check_release_package(path: Path, url: str) -> None:
    check_json_object(path, url, "an OCDS release package", ("releases",))


def _next_page(path: Path) -> str | None:
    try:
        page = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    links = page.get("links") if isinstance(page, dict) else None
    following = links.get("next") if isinstance(links, dict) else None
    return following if isinstance(following, str) and following else None
