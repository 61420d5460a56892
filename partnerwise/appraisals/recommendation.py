"""The appraisal's recommendation: go, go with conditions, or don't go, with its reasons.

Plain, deterministic Python (no Django). The rules, in the order they are checked:

1. A red line rated -2 (in conflict) means "don't go"; a decision to go needs a written
   override (`override_required`).
2. Service users come first: if the commitments to service users are rated as harmed on
   average (-1 or below), or our values clash on average (-1 or below): "don't go".
3. Otherwise the partnership can go ahead, but with conditions if anything is unsettled: a
   red line under strain (-1) or not yet rated, any value or commitment rated -2, a
   high-severity risk or term from the playbook, a partner nobody has assessed yet, or
   nothing rated at all. Each becomes a condition to meet before going in.
4. With none of these: "go". Medium and low terms are still listed to negotiate.

No recommendation without evidence: unless a red line or the ratings already say "don't go",
a partnership with no partner recorded, or with a value or commitment not yet rated, gets
"not enough to recommend yet", and the reasons say what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from partnerwise.appraisals.playbook import FORM_LABELS, ROLE_LABELS, Entry, Hit, Situation, hits

Outcome = Literal["go", "go_with_conditions", "dont_go", "not_enough"]
PrincipleKind = Literal["value", "commitment"]

OUTCOME_LABELS: dict[str, str] = {
    "go": "Go",
    "go_with_conditions": "Go with conditions",
    "dont_go": "Don't go",
    "not_enough": "Not enough to recommend yet",
}
SCORE_MIN = -2
SCORE_MAX = 2
CONFLICT = -2
STRAIN = -1
# An average at or below this is harm to service users (commitments) or a clash (values).
HARM_AVERAGE = -1.0


@dataclass(frozen=True)
class Rated:
    """A value or commitment and how this partnership is rated against it (None: not yet)."""

    name: str
    kind: PrincipleKind
    is_red_line: bool
    score: int | None
    evidence: str = ""


@dataclass(frozen=True)
class Recommendation:
    outcome: Outcome
    reasons: tuple[str, ...]
    conditions: tuple[str, ...]
    red_line_conflicts: tuple[str, ...]
    risks: tuple[Hit, ...]
    terms: tuple[Hit, ...]
    values_average: float | None
    impact_average: float | None

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def to_dict(self) -> dict[str, Any]:
        return {
            "recommendation": self.outcome,
            "label": self.label,
            "reasons": list(self.reasons),
            "conditions": list(self.conditions),
            "red_line_conflicts": list(self.red_line_conflicts),
            "values_average": _rounded(self.values_average),
            "impact_average": _rounded(self.impact_average),
            "risks": [hit.to_dict() for hit in self.risks],
            "terms": [hit.to_dict() for hit in self.terms],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _average(ratings: Sequence[Rated]) -> float | None:
    scores = [r.score for r in ratings if r.score is not None]
    return sum(scores) / len(scores) if scores else None


def _signed(value: float) -> str:
    return f"{value:+.1f}"


def _sentence(start: str, rated: Rated) -> str:
    """`start`, then the evidence after a colon if there is any, as one sentence."""
    evidence = rated.evidence.strip().rstrip(".")
    return f"{start}: {evidence}." if evidence else f"{start}."


def override_required(outcome: str, red_line_conflicts: Sequence[str]) -> bool:
    """Going in (with or without conditions) against a red line needs a written reason."""
    return outcome != "dont_go" and bool(red_line_conflicts)


def _rating_findings(
    ratings: Sequence[Rated], stoppers: list[str], concerns: list[str], conditions: list[str]
) -> None:
    for rated in ratings:
        if rated.score is None:
            if rated.is_red_line:
                concerns.append(f"Red line '{rated.name}' has not been rated yet.")
                conditions.append(f"Check the red line '{rated.name}' before going in.")
        elif rated.is_red_line and rated.score <= CONFLICT:
            stoppers.append(_sentence(f"Red line '{rated.name}' is rated as in conflict", rated))
        elif rated.is_red_line and rated.score == STRAIN:
            concerns.append(_sentence(f"Red line '{rated.name}' is under strain", rated))
            conditions.append(f"Written safeguards for the red line '{rated.name}'.")
        elif rated.score <= CONFLICT:
            what = "value" if rated.kind == "value" else "commitment to service users"
            concerns.append(_sentence(f"The {what} '{rated.name}' is rated as in conflict", rated))
            conditions.append(f"Resolve the conflict with '{rated.name}'.")
    if not [r for r in ratings if r.score is not None]:
        concerns.append("No value or commitment to service users has been rated yet.")
        conditions.append("Rate the partnership against our values and commitments.")


def _playbook_findings(
    situation: Situation, applying: Sequence[Hit], concerns: list[str], conditions: list[str]
) -> None:
    """Each high-severity hit becomes a condition; the reasons say which facts brought them:
    one line per partner archetype, and one for the partnership's form and our role."""
    by_partner: dict[tuple[str, ...], list[Hit]] = {}
    by_situation: list[Hit] = []
    for hit in applying:
        if hit.entry.severity != "high":
            continue
        if hit.entry.archetypes:
            by_partner.setdefault(hit.because, []).append(hit)
        else:
            by_situation.append(hit)
        maybe = " (if the mixed profile is right)" if hit.tentative else ""
        if hit.entry.kind == "term":
            conditions.append(f"{hit.entry.title}{maybe}.")
        else:
            conditions.append(f"A plan for the risk '{hit.entry.title}'{maybe}.")

    def items(group: Sequence[Hit]) -> str:
        count = f"{len(group)} high-severity {'item' if len(group) == 1 else 'items'}"
        return f"{count}: " + "; ".join(hit.entry.title for hit in group)

    for because, group in by_partner.items():
        concerns.append(f"Because {' and '.join(because)}, the playbook raises {items(group)}.")
    if by_situation:
        form = FORM_LABELS.get(situation.form, situation.form).lower()
        roles = " and ".join(ROLE_LABELS.get(r, r).lower() for r in situation.our_roles)
        where = f"a {form}" + (f" in which we are {roles}" if roles else "")
        concerns.append(f"For {where}, the playbook raises {items(by_situation)}.")


def missing_evidence(situation: Situation, ratings: Sequence[Rated]) -> list[str]:
    """What must be known before a recommendation can be made, in plain words."""
    missing = []
    if not situation.partners:
        missing.append("Nobody else is recorded in this partnership yet: add its partners.")
    if not ratings:
        missing.append(
            "We have not set out our values and commitments to service users yet "
            "(workspace settings), so the partnership cannot be rated against them."
        )
    unrated = [r.name for r in ratings if r.score is None]
    if unrated:
        missing.append(
            "Not rated yet against "
            + ", ".join(f"'{name}'" for name in unrated)
            + ": rate the partnership against each value and commitment."
        )
    return missing


def recommend(
    *, situation: Situation, ratings: Sequence[Rated], playbook: Sequence[Entry]
) -> Recommendation:
    """The recommendation for a partnership, with reasons in plain words."""
    for rated in ratings:
        if rated.score is not None and not SCORE_MIN <= rated.score <= SCORE_MAX:
            raise ValueError(f"'{rated.name}': score {rated.score} is outside -2 to +2")
    values_average = _average([r for r in ratings if r.kind == "value"])
    impact_average = _average([r for r in ratings if r.kind == "commitment"])
    applying = hits(playbook, situation)

    stoppers: list[str] = []
    concerns: list[str] = []
    conditions: list[str] = []
    _rating_findings(ratings, stoppers, concerns, conditions)
    if impact_average is not None and impact_average <= HARM_AVERAGE:
        stoppers.append(
            f"Service users would be worse off: the commitments to them average "
            f"{_signed(impact_average)} on a scale of -2 to +2."
        )
    if values_average is not None and values_average <= HARM_AVERAGE:
        stoppers.append(
            f"It clashes with our values: they average {_signed(values_average)} "
            f"on a scale of -2 to +2."
        )
    for partner in situation.partners:
        if partner.verdict in ("unassessed", "insufficient"):
            state = (
                "nobody has assessed them"
                if partner.verdict == "unassessed"
                else ("the assessments so far are not enough to tell")
            )
            concerns.append(f"We don't yet know what sort of partner {partner.name} is: {state}.")
            conditions.append(f"Assess {partner.name} on the partner instrument.")
    _playbook_findings(situation, applying, concerns, conditions)
    missing = missing_evidence(situation, ratings)

    outcome: Outcome
    if stoppers:
        outcome = "dont_go"
        reasons = stoppers + concerns
    elif missing:
        outcome = "not_enough"
        reasons = missing
    elif concerns:
        outcome = "go_with_conditions"
        reasons = concerns
    else:
        outcome = "go"
        reasons = ["No red line or commitment to service users is at risk."]
    if values_average is not None and values_average > HARM_AVERAGE:
        reasons.append(f"Values fit averages {_signed(values_average)} (scale -2 to +2).")
    if impact_average is not None and impact_average > HARM_AVERAGE:
        reasons.append(
            f"Impact on service users averages {_signed(impact_average)} (scale -2 to +2)."
        )
    return Recommendation(
        outcome=outcome,
        reasons=tuple(reasons),
        conditions=tuple(dict.fromkeys(conditions)),
        red_line_conflicts=tuple(
            r.name for r in ratings if r.is_red_line and r.score is not None and r.score <= CONFLICT
        ),
        risks=tuple(hit for hit in applying if hit.entry.kind == "risk"),
        terms=tuple(hit for hit in applying if hit.entry.kind == "term"),
        values_average=values_average,
        impact_average=impact_average,
    )
