"""A date typed as day, month and year in three boxes, the GOV.UK way, for every form.

A browser's date picker is hard to use with a keyboard or a screen reader and shows dates in
the browser's locale; three numeric boxes are what people find easiest (GOV.UK Design System,
"Date input"). What someone typed stays in the boxes when it is refused, and the error says
what was typed and why it is not a date.

The JSON API and the demo fill the same forms with one ISO date ("2026-11-20") under the
field's own name; the field accepts that too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

PARTS = ("day", "month", "year")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def not_in_future(value: date, what: str) -> None:
    """Refuse a date after today: `what` ("The date of the rating") names it in the error."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            f"{what} cannot be in the future: {value:%-d %B %Y} is after today ({today:%-d %B %Y})."
        )


class DayMonthYearWidget(forms.MultiWidget):
    template_name = "workspaces/widgets/day_month_year.html"
    # Read by _field.html to show the boxes in a fieldset whose legend is the label.
    is_day_month_year = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        box = {"inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={**box, "maxlength": "2", "class": "date-input--2"}),
            "month": forms.TextInput(attrs={**box, "maxlength": "2", "class": "date-input--2"}),
            "year": forms.TextInput(attrs={**box, "maxlength": "4", "class": "date-input--4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value:
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                return ["", "", ""]
            return [str(parsed.day), str(parsed.month), str(parsed.year)]
        return ["", "", ""]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data:
            # One ISO date, from the API or the demo.
            return data[name]
        return [data.get(f"{name}_{part}", "") for part in PARTS]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and all(f"{name}_{part}" not in data for part in PARTS)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for part, subwidget in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            subwidget["part_label"] = part.capitalize()
        return context


class DayMonthYearField(forms.Field):
    """A date from day, month and year boxes (or one ISO date), naming what is wrong."""

    widget = DayMonthYearWidget

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            return self._from_iso(value.strip())
        parts = [str(item).strip() for item in (value or ["", "", ""])]
        if not any(parts):
            return None
        return self._from_parts(*parts)

    def _from_iso(self, value: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                f"'{value}' is not a date: write it as YYYY-MM-DD, for example 2026-11-20"
            ) from None

    def _from_parts(self, day: str, month: str, year: str) -> date:
        typed = "/".join(part or "?" for part in (day, month, year))
        label = "The date"
        missing = [name for name, part in zip(PARTS, (day, month, year), strict=True) if not part]
        if missing:
            raise ValidationError(f"{label} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(
                f"{label} must be in numbers, for example 27 3 2026 (you typed {typed})"
            )
        if len(year) != 4:
            raise ValidationError(f"{label}: the year must have 4 numbers (you typed {typed})")
        if not 1 <= int(month) <= 12:
            raise ValidationError(
                f"{label} must be a real date: there is no month {int(month)} (you typed {typed})"
            )
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                f"{label} must be a real date: {MONTHS[int(month) - 1]} {year} has no day "
                f"{int(day)} (you typed {typed})"
            ) from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True
