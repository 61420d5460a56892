from __future__ import annotations

from typing import Any

from django import forms

from partnerwise.partnerships.models import Participation, Partnership
from partnerwise.workspaces.dates import DayMonthYearField

PARTNERSHIP_FIELDS = [
    "name",
    "form",
    "status",
    "start_date",
    "end_date",
    "renewal_date",
    "notice_date",
    "value",
    "services",
    "area",
    "description",
]


class PartnershipForm(forms.ModelForm[Partnership]):
    class Meta:
        model = Partnership
        fields = PARTNERSHIP_FIELDS
        labels = {
            "name": "Name of the partnership",
            "form": "What form does it take?",
            "status": "Where have things got to?",
            "start_date": "Start date",
            "end_date": "End date",
            "renewal_date": "Renewal or re-tender date",
            "notice_date": "Notice deadline",
            "value": "Total value, in pounds",
            "services": "Services delivered",
            "area": "Area covered",
            "description": "Notes",
        }
        help_texts = {
            "value": "The whole partnership's value, if known. Leave empty if not.",
            "area": "For example, Newcastle upon Tyne, or North East England.",
        }
        field_classes = {
            "start_date": DayMonthYearField,
            "end_date": DayMonthYearField,
            "renewal_date": DayMonthYearField,
            "notice_date": DayMonthYearField,
        }
        widgets = {
            "form": forms.RadioSelect,
            "status": forms.RadioSelect,
            "services": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value = data.get("value")
        if value is not None and value < 0:
            self.add_error("value", "The value cannot be negative")
        return data


class ParticipationForm(forms.ModelForm[Participation]):
    class Meta:
        model = Participation
        fields = ["role", "share", "notes"]
        labels = {
            "role": "What is their role in this partnership?",
            "share": "Their share of the value, in per cent",
            "notes": "Notes",
        }
        help_texts = {"share": "A number from 0 to 100. Leave empty if not known."}
        widgets = {"role": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_share(self) -> Any:
        share = self.cleaned_data.get("share")
        if share is not None and not 0 <= share <= 100:
            raise forms.ValidationError("Enter a share from 0 to 100")
        return share
