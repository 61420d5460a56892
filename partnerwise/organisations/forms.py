from __future__ import annotations

from typing import Any

from django import forms

from partnerwise.organisations.models import Organisation


class OrganisationForm(forms.ModelForm[Organisation]):
    """A workspace's own record of an organisation that is not in the public registers."""

    identifier = forms.CharField(
        label="Identifier (optional)",
        required=False,
        help_text="An org-id such as GB-CHC-1082947 (charity) or GB-COH-03911478 (company).",
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "website", "description"]
        labels = {
            "name": "Name of the organisation",
            "kind": "What sort of body is it?",
            "website": "Website (optional)",
            "description": "Notes (optional)",
        }
        widgets = {"kind": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3})}

    def clean_identifier(self) -> str:
        value: str = self.cleaned_data.get("identifier", "").strip()
        if not value:
            return ""
        from partnerwise.organisations.identifiers import IdentifierError, parse_org_id

        try:
            return str(parse_org_id(value))
        except IdentifierError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        return super().clean() or {}
