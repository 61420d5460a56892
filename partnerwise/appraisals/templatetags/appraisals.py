"""Filters the appraisal templates use to show scores."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def signed(value: int | float | None) -> str:
    """+2, 0, -1; an em dash when there is no value."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:+.1f}"
    return f"{value:+d}" if value else "0"
