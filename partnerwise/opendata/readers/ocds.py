"""OCDS 1.1 release packages (Contracts Finder, Find a Tender, and conversions of them).

Releases are streamed one at a time from the package's `releases` array. A release needs an
`ocid`, an `id` and a `date`; anything else is optional in OCDS and read where present.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ijson

from partnerwise.opendata.readers import BadRecord, Row, SourceError


def read_releases(path: Path) -> Iterator[Row | BadRecord]:
    file = path.name
    count = 0
    try:
        with path.open("rb") as raw:
            head = raw.read(3)
            if head != b"\xef\xbb\xbf":
                raw.seek(0)
            for count, release in enumerate(ijson.items(raw, "releases.item"), start=1):
                position = f"release {count}"
                if not isinstance(release, dict):
                    yield BadRecord(file, position, "", "is not a JSON object")
                    continue
                for field in ("ocid", "id", "date"):
                    if not isinstance(release.get(field), str) or not release[field].strip():
                        yield BadRecord(file, position, field, "missing; every release needs one")
                        break
                else:
                    yield Row(file, position, release)
    except ijson.JSONError as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else "invalid JSON"
        raise SourceError(
            f"{file}: broken JSON after release {count} ({detail}); is the file cut off or "
            "not UTF-8?"
        ) from None
    except OSError as error:
        raise SourceError(f"{file}: cannot be read ({error})") from None
    if count == 0:
        raise SourceError(f"{file}: no releases found (expected an OCDS release package)")
