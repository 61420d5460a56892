"""`{% load opendata_tags %}{% organisation_open_data organisation us %}` on a page."""

from __future__ import annotations

from typing import Any

from django import template

from partnerwise.opendata.directory import (
    buyers_of,
    co_suppliers,
    funders_of,
    register_facts,
    suggested_facts,
)
from partnerwise.organisations.models import Organisation

register = template.Library()


@register.inclusion_tag("opendata/_organisation_facts.html")
def organisation_open_data(
    organisation: Organisation, us: Organisation | None = None, limit: int = 10
) -> dict[str, Any]:
    """What open data says about an organisation: register facts, suggestions, money."""
    return {
        "organisation": organisation,
        "facts": register_facts(organisation),
        "suggestions": suggested_facts(organisation, relative_to=us),
        "funders": funders_of(organisation, limit=limit),
        "buyers": buyers_of(organisation, limit=limit),
        "co_suppliers": co_suppliers(organisation, limit=limit),
    }
