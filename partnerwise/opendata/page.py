"""What the organisation page shows from open data, built in one place.

The organisation view calls `open_data_context(organisation, us=...)` and includes
`opendata/_organisation_facts.html` with that context; the page's template then runs no
query of its own.
"""

from __future__ import annotations

from typing import Any

from partnerwise.opendata.directory import (
    buyers_of,
    co_suppliers,
    funders_of,
    register_facts,
    suggested_facts,
)
from partnerwise.opendata.mergers import mergers_of
from partnerwise.opendata.signs import register_signs
from partnerwise.organisations.models import Organisation


def open_data_context(
    organisation: Organisation, us: Organisation | None = None, limit: int = 10
) -> dict[str, Any]:
    """Register facts and warning signs, mergers, suggestions and money for one
    organisation; `us` is the workspace's own organisation (for the size comparison)."""
    return {
        "organisation": organisation,
        "facts": register_facts(organisation),
        "register_signs": register_signs(organisation),
        "mergers": mergers_of(organisation),
        "suggestions": suggested_facts(organisation, relative_to=us),
        "funders": funders_of(organisation, limit=limit),
        "buyers": buyers_of(organisation, limit=limit),
        "co_suppliers": co_suppliers(organisation, limit=limit),
    }
