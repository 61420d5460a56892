"""The typology engine: a plain Python package (no Django) that profiles partners.

Typologies are data files in `data/`; see docs/typology.md for the method.
"""

from partnerwise.typology.engine import (
    AnswerError,
    Contribution,
    Disagreement,
    Flag,
    Profile,
    Rater,
    profile,
)
from partnerwise.typology.model import (
    Archetype,
    Indicator,
    Typology,
    TypologyError,
    get_shipped,
    load_typology,
    shipped_typologies,
    typology_from_dict,
)

__all__ = [
    "AnswerError",
    "Archetype",
    "Contribution",
    "Disagreement",
    "Flag",
    "Indicator",
    "Profile",
    "Rater",
    "Typology",
    "TypologyError",
    "get_shipped",
    "load_typology",
    "profile",
    "shipped_typologies",
    "typology_from_dict",
]
