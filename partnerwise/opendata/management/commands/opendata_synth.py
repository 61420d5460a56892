"""`partnerwise opendata_synth --charities 400000 OUTDIR`: a synthetic register extract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.opendata.synth import load_seed, write_extract


class Command(BaseCommand):
    help = "Write a full-size synthetic Charity Commission charity table (JSON zip) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path, metavar="OUTDIR")
        parser.add_argument("--charities", type=int, default=400_000)
        parser.add_argument("--seed", type=int, default=20240910)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["charities"] < 1:
            raise CommandError("--charities must be at least 1")
        data_dir = Path(settings.DATA_DIR)
        if not data_dir.is_dir():
            raise CommandError(f"{data_dir}: open-data samples not found (PARTNERWISE_DATA_DIR)")
        seed = load_seed(data_dir)
        path = write_extract(
            options["out_dir"], options["charities"], seed, rng_seed=options["seed"]
        )
        self.stdout.write(f"Wrote {options['charities']} charities to {path}")
