"""`partnerwise opendata_synth --charities 400000 OUTDIR`: a synthetic register extract,
every table the importer reads (`--charity-only`: the charity table alone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.opendata.synth import load_child_seed, load_seed, write_register


class Command(BaseCommand):
    help = (
        "Write a full-size synthetic Charity Commission register extract (every table the "
        "importer reads, JSON zips) for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path, metavar="OUTDIR")
        parser.add_argument("--charities", type=int, default=400_000)
        parser.add_argument("--seed", type=int, default=20240910)
        parser.add_argument(
            "--charity-only", action="store_true", help="write the charity table alone"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["charities"] < 1:
            raise CommandError("--charities must be at least 1")
        data_dir = Path(settings.DATA_DIR)
        if not data_dir.is_dir():
            raise CommandError(f"{data_dir}: open-data samples not found (PARTNERWISE_DATA_DIR)")
        seed = load_seed(data_dir)
        children = None if options["charity_only"] else load_child_seed(data_dir)
        written = write_register(
            options["out_dir"],
            options["charities"],
            seed,
            rng_seed=options["seed"],
            children=children,
        )
        for table, rows in written.items():
            self.stdout.write(f"Wrote {rows} rows of {table} to {options['out_dir']}")
        self.stdout.write(f"{sum(written.values())} rows in all")
