from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def pounds(value: object) -> str:
    """£1,234,567 (whole pounds); an empty value shows as a dash."""
    if value is None or value == "":
        return "\u2013"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"£{amount:,.0f}"


@register.filter
def percent(value: object) -> str:
    """A fit between 0 and 1 as a whole percentage."""
    try:
        return f"{round(float(str(value)) * 100)}%"
    except ValueError:
        return "\u2013"


@register.filter
def get(mapping: object, key: object) -> object:
    """mapping[key] in a template, or None."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None
