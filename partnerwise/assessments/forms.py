"""The instrument as a form: each indicator on the 1-5 scale or "don't know", with evidence."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django import forms
from django.utils import timezone

from partnerwise import typology as engine
from partnerwise.assessments.typologies import statement_for
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.dates import DayMonthYearField

DONT_KNOW = "dk"
SCALE = [
    ("1", "Strongly disagree"),
    ("2", "Disagree"),
    ("3", "Neither agree nor disagree"),
    ("4", "Agree"),
    ("5", "Strongly agree"),
    (DONT_KNOW, "Don't know"),
]


class AssessmentForm(forms.Form):
    rater_name = forms.CharField(
        label="Your name", max_length=200, help_text="Shown beside your answers."
    )
    on_behalf = forms.BooleanField(
        label="I am entering a colleague's answers on their behalf (for example from paper)",
        required=False,
        help_text="Then write their name above. Their answers are kept as theirs, not yours.",
    )
    assessed_on = DayMonthYearField(label="Date of this rating")
    notes = forms.CharField(
        label="Anything else (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        indicators: Sequence[engine.Indicator],
        ask_date: bool = True,
        suggestions: Mapping[str, str] | None = None,
        about_us: bool = False,
        ask_on_behalf: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not ask_on_behalf:
            del self.fields["on_behalf"]
        else:
            self.fields["rater_name"].label = "Whose answers are these?"
            self.fields[
                "rater_name"
            ].help_text = "Your name, or the name of the colleague whose answers you are entering."
        self.indicators = list(indicators)
        self.suggestions = dict(suggestions or {})
        if not ask_date:
            del self.fields["assessed_on"]
        else:
            self.fields["assessed_on"].initial = timezone.localdate()
        for indicator in self.indicators:
            self.fields[f"rating_{indicator.id}"] = forms.ChoiceField(
                label=statement_for(indicator, about_us=about_us),
                choices=SCALE,
                initial=DONT_KNOW,
                # Left unanswered counts as "don't know". The indicator's `help` is a note for
                # the typology's maintainers (where an answer can come from), not for raters:
                # raters see the open-data suggestion itself, with its source.
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"evidence_{indicator.id}"] = forms.CharField(
                label="Evidence (optional)",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="What you have seen that makes you say so.",
            )

    def questions(
        self,
    ) -> Iterator[tuple[engine.Indicator, forms.BoundField, forms.BoundField, str]]:
        """Each indicator with its rating and evidence fields and any open-data suggestion."""
        for indicator in self.indicators:
            yield (
                indicator,
                self[f"rating_{indicator.id}"],
                self[f"evidence_{indicator.id}"],
                self.suggestions.get(indicator.id, ""),
            )

    def answers(self) -> dict[str, tuple[int | None, str]]:
        """{indicator id: (rating or None for don't know, evidence)}."""
        result = {}
        for indicator in self.indicators:
            raw = self.cleaned_data[f"rating_{indicator.id}"]
            rating = None if raw in ("", DONT_KNOW) else int(raw)
            result[indicator.id] = (rating, self.cleaned_data[f"evidence_{indicator.id}"].strip())
        return result


class RatingInvitationForm(forms.Form):
    rater_name = forms.CharField(label="Name of the person you are asking", max_length=200)
    rater_email = forms.EmailField(
        label="Their email address (optional)",
        required=False,
        help_text="If given, we email them the link. You can also copy the link yourself.",
    )
    rater_organisation = forms.ModelChoiceField(
        label="Which partner organisation are they from?",
        queryset=Organisation.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, partners: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rater_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[p.pk for p in partners])


class AskPartnersForm(forms.Form):
    """One row per partner organisation: ask it or not, whom, and their email address."""

    def __init__(self, *args: Any, partners: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partners = list(partners)
        for org in self.partners:
            self.fields[f"ask_{org.pk}"] = forms.BooleanField(
                label=f"Ask {org.name}", required=False, initial=True
            )
            self.fields[f"name_{org.pk}"] = forms.CharField(
                label=f"Name of the person at {org.name}", max_length=200, required=False
            )
            self.fields[f"email_{org.pk}"] = forms.EmailField(
                label="Their email address (optional)", required=False
            )

    def rows(self) -> list[tuple[Organisation, Any, Any, Any]]:
        return [
            (org, self[f"ask_{org.pk}"], self[f"name_{org.pk}"], self[f"email_{org.pk}"])
            for org in self.partners
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [org for org in self.partners if data.get(f"ask_{org.pk}")]
        if not chosen:
            raise forms.ValidationError("Tick at least one partner to ask.")
        for org in chosen:
            if not (data.get(f"name_{org.pk}") or "").strip():
                self.add_error(f"name_{org.pk}", f"Give the name of the person at {org.name}.")
        return data

    def asked(self) -> list[tuple[int, str, str]]:
        """(organisation id, name, email) for each partner ticked."""
        data = self.cleaned_data
        return [
            (org.pk, data[f"name_{org.pk}"], data.get(f"email_{org.pk}") or "")
            for org in self.partners
            if data.get(f"ask_{org.pk}")
        ]
