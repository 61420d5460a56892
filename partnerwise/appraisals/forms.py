"""Forms for values and commitments, the appraisal's ratings, decisions and the playbook."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from partnerwise.appraisals import playbook as pb
from partnerwise.appraisals.models import (
    IMPACT_SCORES,
    VALUE_SCORES,
    Decision,
    Outcome,
    PlaybookEntry,
    Principle,
    TermState,
)
from partnerwise.appraisals.recommendation import override_required
from partnerwise.workspaces.dates import DayMonthYearField


def _without_blank(field: forms.Field) -> None:
    """Radio buttons for a required choice need no "select an option" entry."""
    assert isinstance(field, forms.ChoiceField)
    choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
    field.choices = [(value, label) for value, label in choices if value != ""]


class PrincipleForm(forms.ModelForm[Principle]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_blank(self.fields["kind"])

    class Meta:
        model = Principle
        fields = ["kind", "name", "description", "is_red_line", "position"]
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"position": "Lower numbers come first."}


def score_field_name(principle: Principle) -> str:
    return f"score_{principle.pk}"


def evidence_field_name(principle: Principle) -> str:
    return f"evidence_{principle.pk}"


class AppraisalForm(forms.Form):
    """One score and one evidence box per value and commitment, plus notes."""

    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything else the people deciding should know.",
    )

    def __init__(self, *args: Any, principles: Sequence[Principle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.principles = list(principles)
        for principle in self.principles:
            scores = VALUE_SCORES if principle.kind == "value" else IMPACT_SCORES
            label = principle.name + (" (red line)" if principle.is_red_line else "")
            self.fields[score_field_name(principle)] = forms.TypedChoiceField(
                label=label,
                choices=[("", "Not rated yet"), *scores],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=principle.description,
            )
            self.fields[evidence_field_name(principle)] = forms.CharField(
                label=f"Evidence for '{principle.name}'",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def pairs(self) -> list[tuple[Principle, forms.BoundField, forms.BoundField]]:
        return [
            (p, self[score_field_name(p)], self[evidence_field_name(p)]) for p in self.principles
        ]


class DecisionForm(forms.ModelForm[Decision]):
    """A decision; going in against a red line is refused without a written override."""

    class Meta:
        model = Decision
        fields = [
            "outcome",
            "reasons",
            "conditions",
            "override_reason",
            "approved_by",
            "decided_on",
        ]
        widgets = {
            "outcome": forms.RadioSelect,
            "reasons": forms.Textarea(attrs={"rows": 4}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
            "override_reason": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"decided_on": DayMonthYearField}
        labels = {
            "override_reason": "Override reason",
            "decided_on": "Date of the decision",
        }

    def __init__(self, *args: Any, red_line_conflicts: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.red_line_conflicts = list(red_line_conflicts)
        _without_blank(self.fields["outcome"])
        if self.red_line_conflicts:
            self.fields["override_reason"].help_text = (
                "Required to go ahead: the appraisal finds a conflict with the red line"
                f"{'s' if len(self.red_line_conflicts) > 1 else ''} "
                + ", ".join(f"'{name}'" for name in self.red_line_conflicts)
                + ". Say why the partnership should go ahead anyway."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome", "")
        if (
            override_required(outcome, self.red_line_conflicts)
            and not (data.get("override_reason") or "").strip()
        ):
            names = ", ".join(f"'{name}'" for name in self.red_line_conflicts)
            self.add_error(
                "override_reason",
                f"This partnership conflicts with the red line {names}. To record "
                f"'{Outcome(outcome).label}', write why it should go ahead anyway; "
                "otherwise record 'Don't go'.",
            )
        if outcome == Outcome.GO_WITH_CONDITIONS and not (data.get("conditions") or "").strip():
            self.add_error("conditions", "Write the conditions the partnership goes ahead on.")
        return data


def _multiple(choices: Sequence[tuple[str, str]], label: str, help_text: str) -> Any:
    return forms.MultipleChoiceField(
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label,
        help_text=help_text,
    )


class PlaybookEntryForm(forms.ModelForm[PlaybookEntry]):
    """Edit a shipped entry (its id is fixed) or add one of the workspace's own."""

    class Meta:
        model = PlaybookEntry
        fields = ["key", "title", "kind", "severity", "text", "source", "enabled"]
        widgets = {
            "kind": forms.RadioSelect,
            "severity": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {"key": "Id", "enabled": "Use this entry in appraisals"}
        help_texts = {"key": "Lower case letters, digits and underscores; it cannot change."}

    def __init__(
        self, *args: Any, archetypes: Sequence[tuple[str, str]], fixed_key: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["archetypes"] = _multiple(
            archetypes,
            "Partner archetypes",
            "Applies when a partner reads as one of these. None ticked: any partner.",
        )
        self.fields["partner_roles"] = _multiple(
            list(pb.ROLE_LABELS.items()),
            "That partner's role",
            "Applies only when such a partner plays one of these roles. None ticked: any role.",
        )
        self.fields["forms"] = _multiple(
            list(pb.FORM_LABELS.items()),
            "Partnership forms",
            "Applies to these forms of partnership. None ticked: any form.",
        )
        self.fields["our_roles"] = _multiple(
            list(pb.ROLE_LABELS.items()),
            "Our role",
            "Applies when we play one of these roles. None ticked: any role.",
        )
        _without_blank(self.fields["kind"])
        _without_blank(self.fields["severity"])
        if fixed_key:
            self.fields["key"].disabled = True
        for name in ("archetypes", "partner_roles", "forms", "our_roles"):
            if self.instance.pk or self.initial.get(name) is None:
                self.initial.setdefault(name, list(getattr(self.instance, name) or []))

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        if key == "new" or not pb.ID_RE.match(key):
            raise forms.ValidationError(
                "Use lower case letters, digits and underscores, starting with a letter."
            )
        return key

    def save(self, commit: bool = True) -> PlaybookEntry:
        entry = super().save(commit=False)
        for name in ("archetypes", "partner_roles", "forms", "our_roles"):
            setattr(entry, name, list(self.cleaned_data.get(name) or []))
        if commit:
            entry.save()
        return entry


class TermForm(forms.Form):
    """Where one suggested term stands in the negotiation."""

    state = forms.ChoiceField(
        label="Where it stands", choices=TermState.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was said, by whom, or why it was dropped.",
    )
