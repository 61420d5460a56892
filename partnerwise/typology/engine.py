"""The typology engine: from raters' answers to a profile of archetype fits.

The method is written out, with its reasons, in docs/typology.md. In short, for each
archetype: a weighted similarity between the answers and the archetype's prototype, over
the indicators both cover, pulled towards a neutral 0.5 until enough of the prototype has
been answered.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from partnerwise.typology.model import RATING_MAX, RATING_MIN, Typology

Verdict = Literal["match", "mixed", "insufficient"]

# Neutral fit: what an archetype scores before there is any evidence about it.
PRIOR = 0.5
# How fast evidence is trusted. With coverage c of an archetype's weighted prototype, the
# similarity's distance from the prior is kept in the proportion c(1 + K)/(c + K): a third
# when a fifth is covered, 0.6 at a third, 0.75 at half, all of it at full coverage.
COVERAGE_K = 0.5
# Fewer answers than this, or less than this share of the best archetype's weighted
# prototype answered, and the engine will not name an archetype.
MIN_ANSWERED = 3
MIN_EVIDENCE = 0.25
# Top two fits closer than this: "mixed".
MIXED_MARGIN = 0.08
# Archetypes within this of the top fit are named as contenders.
LEAD_BAND = 0.1
# A margin this wide (with full coverage) gives full confidence.
CONFIDENT_MARGIN = 0.2
# Coverage of the best archetype's weighted prototype that counts as full evidence.
FULL_EVIDENCE = 0.5
# Confidence never exceeds this when the verdict is "insufficient".
INSUFFICIENT_CONFIDENCE = 0.25
# A rater difference of this many points on one indicator is a disagreement.
DISAGREEMENT_POINTS = 2

_SCALE = RATING_MAX - RATING_MIN
_LABELS = {
    1: "strongly disagree",
    2: "disagree",
    3: "neither agree nor disagree",
    4: "agree",
    5: "strongly agree",
}


class AnswerError(ValueError):
    """An answer is invalid. The message names the rater and the indicator."""


@dataclass(frozen=True)
class Rater:
    """One person's answers: indicator id → rating 1 to 5, or None (or absent) for don't know."""

    name: str
    answers: Mapping[str, int | None]


@dataclass(frozen=True)
class Contribution:
    """How one answered indicator moved one archetype's fit (the effects sum to fit - 0.5)."""

    indicator: str
    archetype: str
    answer: float
    prototype: float
    effect: float


@dataclass(frozen=True)
class Disagreement:
    """An indicator on which raters differ by `DISAGREEMENT_POINTS` or more."""

    indicator: str
    answers: tuple[tuple[str, int], ...]

    @property
    def spread(self) -> int:
        values = [answer for _, answer in self.answers]
        return max(values) - min(values)


@dataclass(frozen=True)
class Profile:
    """What the engine makes of one or more raters' answers. Treat the mappings as read-only."""

    typology_id: str
    verdict: Verdict
    best: str | None
    leading: tuple[str, ...]
    fits: Mapping[str, float]
    coverage: Mapping[str, float]
    confidence: float
    answers: Mapping[str, float]
    contributions: tuple[Contribution, ...]
    reasons: tuple[str, ...]
    next_questions: tuple[str, ...]
    raters: tuple[str, ...] = ()
    spread: Mapping[str, int] = field(default_factory=dict)
    disagreements: tuple[Disagreement, ...] = ()
    rater_profiles: Mapping[str, Profile] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return len(self.answers)

    def ranked(self) -> list[tuple[str, float]]:
        """Archetype ids with fits, best first; ties broken on id."""
        return sorted(self.fits.items(), key=lambda item: (-item[1], item[0]))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "typology": self.typology_id,
            "verdict": self.verdict,
            "best": self.best,
            "leading": list(self.leading),
            "confidence": round(self.confidence, 3),
            "fits": {key: round(value, 3) for key, value in self.fits.items()},
            "coverage": {key: round(value, 3) for key, value in self.coverage.items()},
            "answered": self.answered,
            "answers": dict(self.answers),
            "reasons": list(self.reasons),
            "next_questions": list(self.next_questions),
            "contributions": [
                {
                    "indicator": item.indicator,
                    "archetype": item.archetype,
                    "answer": item.answer,
                    "prototype": item.prototype,
                    "effect": round(item.effect, 4),
                }
                for item in self.contributions
            ],
            "raters": list(self.raters),
            "spread": dict(self.spread),
            "disagreements": [
                {
                    "indicator": item.indicator,
                    "spread": item.spread,
                    "answers": {name: answer for name, answer in item.answers},
                }
                for item in self.disagreements
            ],
            "rater_profiles": {
                name: {
                    "verdict": rater_profile.verdict,
                    "best": rater_profile.best,
                    "confidence": round(rater_profile.confidence, 3),
                    "fits": {key: round(value, 3) for key, value in rater_profile.fits.items()},
                }
                for name, rater_profile in self.rater_profiles.items()
            },
        }


def answer_label(value: float) -> str:
    """'agree', or 'between agree and strongly agree' for a median that falls between."""
    if value == int(value):
        return _LABELS[int(value)]
    return f"between {_LABELS[int(value)]} and {_LABELS[int(value) + 1]}"


# --- validation and combination -------------------------------------------------------------


def _validate(typology: Typology, raters: Sequence[Rater]) -> list[Rater]:
    known = set(typology.indicator_ids)
    names: set[str] = set()
    for rater in raters:
        if not isinstance(rater.name, str) or not rater.name.strip():
            raise AnswerError(f"rater {rater.name!r}: a rater needs a name")
        if rater.name in names:
            raise AnswerError(f"rater {rater.name!r}: two raters have this name")
        names.add(rater.name)
        for indicator_id, value in rater.answers.items():
            if indicator_id not in known:
                raise AnswerError(
                    f"rater {rater.name!r}: unknown indicator {indicator_id!r}"
                    f" (known: {', '.join(typology.indicator_ids)})"
                )
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not RATING_MIN <= value <= RATING_MAX
            ):
                raise AnswerError(
                    f"rater {rater.name!r} indicator {indicator_id!r}: rating must be a whole"
                    f" number from {RATING_MIN} to {RATING_MAX} or don't know, got {value!r}"
                )
    return sorted(raters, key=lambda rater: rater.name)


def _given(rater: Rater, indicator_id: str) -> int | None:
    return rater.answers.get(indicator_id)


# --- scoring ----------------------------------------------------------------------------------


def _shrink(coverage: float) -> float:
    if coverage <= 0:
        return 0.0
    return coverage * (1 + COVERAGE_K) / (coverage + COVERAGE_K)


def _similarity(answer: float, prototype: float) -> float:
    return 1 - abs(answer - prototype) / _SCALE


def profile(typology: Typology, raters: Sequence[Rater]) -> Profile:
    """Profile a partner from one or more raters' answers on `typology`'s instrument."""
    ordered = _validate(typology, raters)
    rater_names = tuple(rater.name for rater in ordered)

    answers: dict[str, float] = {}
    answered_by: dict[str, int] = {}
    spread: dict[str, int] = {}
    disagreements: list[Disagreement] = []
    for indicator_id in typology.indicator_ids:
        given = [
            (rater.name, value)
            for rater in ordered
            if (value := _given(rater, indicator_id)) is not None
        ]
        if not given:
            continue
        values = [value for _, value in given]
        # Median, not mean: one outlying colleague moves the combined answer less.
        answers[indicator_id] = float(statistics.median(values))
        answered_by[indicator_id] = len(values)
        spread[indicator_id] = max(values) - min(values)
        if spread[indicator_id] >= DISAGREEMENT_POINTS:
            disagreements.append(Disagreement(indicator_id, tuple(given)))

    result = _score(typology, answers)
    rater_profiles: dict[str, Profile] = {}
    if len(ordered) > 1:
        for rater in ordered:
            own = {
                key: float(value)
                for key in typology.indicator_ids
                if (value := _given(rater, key)) is not None
            }
            rater_profiles[rater.name] = _score(typology, own, raters=(rater.name,))
    disagreements.sort(
        key=lambda item: (-item.spread, typology.indicator_ids.index(item.indicator))
    )
    return Profile(
        typology_id=result.typology_id,
        verdict=result.verdict,
        best=result.best,
        leading=result.leading,
        fits=result.fits,
        coverage=result.coverage,
        confidence=result.confidence,
        answers=result.answers,
        contributions=result.contributions,
        reasons=_reasons(typology, result, answered_by=answered_by, n_raters=len(ordered)),
        next_questions=result.next_questions,
        raters=rater_names,
        spread=spread,
        disagreements=tuple(disagreements),
        rater_profiles=rater_profiles,
    )


def _score(
    typology: Typology, answers: Mapping[str, float], raters: tuple[str, ...] = ()
) -> Profile:
    fits: dict[str, float] = {}
    coverage: dict[str, float] = {}
    contributions: list[Contribution] = []
    for archetype in typology.archetypes:
        total = sum(typology.weights[key] for key in archetype.prototype)
        covered = [
            key for key in typology.indicator_ids if key in archetype.prototype and key in answers
        ]
        covered_weight = sum(typology.weights[key] for key in covered)
        coverage[archetype.id] = covered_weight / total
        shrink = _shrink(coverage[archetype.id])
        fit = PRIOR
        for key in covered:
            effect = (
                shrink
                * typology.weights[key]
                * (_similarity(answers[key], archetype.prototype[key]) - PRIOR)
                / covered_weight
            )
            fit += effect
            contributions.append(
                Contribution(key, archetype.id, answers[key], archetype.prototype[key], effect)
            )
        fits[archetype.id] = min(1.0, max(0.0, fit))

    ranked = sorted(fits.items(), key=lambda item: (-item[1], item[0]))
    (top_id, top_fit), (_, second_fit) = ranked[0], ranked[1]
    margin = top_fit - second_fit
    contenders = tuple(key for key, value in ranked if value >= top_fit - LEAD_BAND - 1e-12)

    verdict: Verdict
    if len(answers) < MIN_ANSWERED or coverage[top_id] < MIN_EVIDENCE:
        verdict = "insufficient"
        leading = contenders[:3]
    elif margin < MIXED_MARGIN:
        verdict = "mixed"
        leading = tuple(key for key, value in ranked if value >= top_fit - MIXED_MARGIN - 1e-12)[:3]
    else:
        verdict = "match"
        leading = contenders[:3]
    best = top_id if verdict == "match" else None

    # Evidence: half the best archetype's weighted prototype answered counts as enough.
    evidence = min(1.0, coverage[top_id] / FULL_EVIDENCE)
    separation = min(1.0, margin / CONFIDENT_MARGIN)
    confidence = (evidence * separation) ** 0.5
    if verdict == "insufficient":
        confidence = min(confidence, INSUFFICIENT_CONFIDENCE)

    focus = contenders if len(contenders) >= 2 else tuple(key for key, _ in ranked[:2])
    return Profile(
        typology_id=typology.id,
        verdict=verdict,
        best=best,
        leading=leading,
        fits=fits,
        coverage=coverage,
        confidence=confidence,
        answers=dict(answers),
        contributions=tuple(
            item for item in contributions if item.archetype in focus or item.archetype in leading
        ),
        reasons=(),
        next_questions=_next_questions(typology, answers, focus),
        raters=raters,
    )


def _next_questions(
    typology: Typology, answers: Mapping[str, float], focus: Sequence[str]
) -> tuple[str, ...]:
    """Unanswered indicators, ordered by how well they would separate the contenders."""
    archetypes = [typology.archetype(key) for key in focus]
    pairs = [(a, b) for index, a in enumerate(archetypes) for b in archetypes[index + 1 :]]
    scored: list[tuple[float, int, str]] = []
    for position, indicator_id in enumerate(typology.indicator_ids):
        if indicator_id in answers:
            continue
        separation = 0.0
        for first, second in pairs:
            a = first.prototype.get(indicator_id)
            b = second.prototype.get(indicator_id)
            if a is not None and b is not None:
                separation += abs(a - b)
            elif a is not None or b is not None:
                # Known for only one of the two: an answer moves that fit alone, over the
                # same range as a two-sided difference of |prototype - 3|.
                known = a if a is not None else b
                separation += abs((known or 3.0) - 3.0)
        score = typology.weights[indicator_id] * separation / max(1, len(pairs))
        if score > 0:
            scored.append((-score, position, indicator_id))
    return tuple(indicator_id for _, _, indicator_id in sorted(scored))


# --- reasons ----------------------------------------------------------------------------------


def _reasons(
    typology: Typology, result: Profile, *, answered_by: Mapping[str, int], n_raters: int
) -> tuple[str, ...]:
    """Plain-English reasons, strongest first: which answers fit or contradict the contenders."""
    ranked = [key for key, _ in result.ranked()]
    named = list(result.leading)
    for key in ranked[:2]:
        if key not in named:
            named.append(key)
    found: list[tuple[float, int, str]] = []
    for position, indicator_id in enumerate(typology.indicator_ids):
        if indicator_id not in result.answers:
            continue
        answer = result.answers[indicator_id]
        typical: list[str] = []
        unlike: list[str] = []
        strength = 0.0
        for archetype_id in named + [key for key in ranked if key not in named]:
            archetype = typology.archetype(archetype_id)
            expected = archetype.prototype.get(indicator_id)
            if expected is None:
                continue
            distance = abs(answer - expected)
            same_side = (answer - 3) * (expected - 3) > 0
            # "Typical of" only for the contenders; "unlike" for any archetype it contradicts.
            if distance <= 1 and same_side and archetype_id in named:
                typical.append(archetype.label)
                strength += typology.weights[indicator_id] * (1 - distance / _SCALE - PRIOR)
            elif distance >= 2.5:
                unlike.append(archetype.label)
                strength += typology.weights[indicator_id] * (PRIOR - 1 + distance / _SCALE)
        if not typical and not unlike:
            continue
        parts = []
        if typical:
            parts.append("typical of " + _join(typical))
        if unlike:
            parts.append("unlike " + _join(unlike))
        label = answer_label(answer)
        if answered_by.get(indicator_id, 0) > 1:
            label += f" (median of {answered_by[indicator_id]} raters)"
        elif n_raters > 1:
            label += " (one rater)"
        text = f"{typology.indicator(indicator_id).phrase}: {label} — {'; '.join(parts)}."
        found.append((-strength, position, text))
    return tuple(text for _, _, text in sorted(found))


def _join(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
