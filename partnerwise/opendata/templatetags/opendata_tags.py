"""`{% load opendata_tags %}{% organisation_open_data organisation us %}` on a page.

A view can pass `partnerwise.opendata.page.open_data_context(...)` and include the partial
itself instead; this tag builds the same context."""

from __future__ import annotations

from typing import Any

from django import template

from partnerwise.opendata.page import open_data_context
from partnerwise.organisations.models import Organisation

register = template.Library()


@register.inclusion_tag("opendata/_organisation_facts.html")
def organisation_open_data(
    organisation: Organisation, us: Organisation | None = None, limit: int = 10
) -> dict[str, Any]:
    """What open data says about an organisation: register facts, suggestions, money."""
    return open_data_context(organisation, us, limit)
