"""Name normalisation shared by search, importers and candidate matching."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
_LEADING_THE = re.compile(r"^the ")
# Endings that say what legal form a body has, not which body it is.


def normalise_name(name: str) -> str:
    """Lower case ASCII words separated by single spaces, without a leading "the".

    "The St. Giles' Trust" and "ST GILES TRUST" both become "st giles trust", so an index on
    this form serves prefix search whatever the source's capitals and punctuation.
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("&", " and ").replace("'", "")
    text = _NON_WORD.sub(" ", text).strip()
    return _LEADING_THE.sub("", text)
