"""`make bench`: run every benchmark and print its figures. Not a test: nothing is asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "import_register.py",
    "import_grants.py",
    "appraisal_scale.py",
    "network_map.py",
    "scale.py",
]


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name), *sys.argv[1:]])
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
