"""The typology engine: from raters' answers to a profile of archetype fits.

The method is written out, with its reasons, in docs/typology.md. In short: every answer is
signed evidence for or against each archetype, in the direction its prototype expects
(neutral answers are not evidence); an archetype's fit is the net share of its whole
description that the answers confirm. Colleagues' answers are pooled by median, but when
their own profiles point to different archetypes the verdict is "mixed" and says who sees
what. Confidence is how often the verdict survives changing one answer (or leaving out one
colleague), scaled down for few raters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from partnerwise.typology import explain
from partnerwise.typology.model import RATING_MAX, RATING_MIN, Basis, Typology
from partnerwise.typology.scoring import (
    CONTRADICTION_STRENGTH,
    STRAIGHT_LINE_MIN,
    Grounds,
    Scored,
    Table,
    Verdict,
    pooled_answers,
    score,
    signed,
)

# A rater difference of this many points on one indicator is a disagreement.
DISAGREEMENT_POINTS = 2
# Confidence = stability x n / (n + RATER_K) for n raters: one rater's view is one view, so
# one rater gives at most 80%, two 89%, three 92%, five 95%.
RATER_K = 0.25

answer_label = explain.answer_label

__all__ = [
    "AnswerError",
    "Contribution",
    "Disagreement",
    "Flag",
    "Profile",
    "Rater",
    "Verdict",
    "answer_label",
    "profile",
    "rater_key",
]


class AnswerError(ValueError):
    """An answer is invalid. The message names the rater and the indicator."""


@dataclass(frozen=True)
class Rater:
    """One person's answers: indicator id → rating 1 to 5, or None (or absent) for don't know."""

    name: str
    answers: Mapping[str, int | None]


@dataclass(frozen=True)
class Contribution:
    """How one answered indicator moved one archetype's fit (the effects sum to fit - 0.5).

    `basis` says whether the prototype value comes from the founding document's words
    ("document"), is the team's inference ("inference"), or is implied because another
    archetype is defined by the statement ("implied")."""

    indicator: str
    archetype: str
    answer: float
    prototype: float
    effect: float
    basis: Basis | Literal["implied"] = "document"


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
class Flag:
    """A rater's answers that cannot be taken at face value; that rater's answers are not used.

    kind is "straight_line" (the same answer to every statement) or "contradiction" (two
    answers that cannot both be true)."""

    kind: Literal["straight_line", "contradiction"]
    rater: str
    message: str
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Decision:
    """The verdict for a set of raters, before it is explained."""

    pooled: Mapping[str, float]
    scored: Scored
    verdict: Verdict
    best: str | None
    leading: tuple[str, ...]
    grounds: Grounds
    own: Mapping[str, Scored]
    flags: tuple[Flag, ...]
    used: tuple[str, ...]

    @property
    def key(self) -> tuple[str, frozenset[str]]:
        named = (self.best,) if self.best else self.leading
        return (self.verdict, frozenset(named) if self.verdict != "insufficient" else frozenset())


@dataclass(frozen=True)
class Profile:
    """What the engine makes of one or more raters' answers. Treat the mappings as read-only.

    See docs/typology.md ("Reading a profile") for every field."""

    typology_id: str
    verdict: Verdict
    best: str | None
    leading: tuple[str, ...]
    fits: Mapping[str, float]
    coverage: Mapping[str, float]
    answers: Mapping[str, float]
    contributions: tuple[Contribution, ...]
    reasons: tuple[str, ...]
    next_questions: tuple[str, ...]
    raters: tuple[str, ...] = ()
    spread: Mapping[str, int] = field(default_factory=dict)
    disagreements: tuple[Disagreement, ...] = ()
    rater_profiles: Mapping[str, Profile] = field(default_factory=dict)
    summary: str = ""
    points_to: tuple[str, ...] = ()
    points_against: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()
    answered_by: Mapping[str, int] = field(default_factory=dict)
    raters_disagree: bool = False
    grounds: Grounds = "evidence"
    set_aside: tuple[str, ...] = ()
    _stability: Any = field(default=None, repr=False, compare=False)

    @property
    def answered(self) -> int:
        """How many statements have at least one rating (not don't know)."""
        return len(self.answers)

    @property
    def rater_count(self) -> int:
        """How many raters' answers the verdict rests on (flagged raters set aside)."""
        return len(self.raters) - len(self.set_aside)

    @property
    def rater_verdicts(self) -> Mapping[str, str]:
        """Each rater's own verdict in plain words (empty for one rater)."""
        return {
            name: explain.verdict_words(own.verdict, own.best, own.leading, self._labels)
            for name, own in self.rater_profiles.items()
        }

    @cached_property
    def _labels(self) -> Mapping[str, str]:
        return dict(self._stability.labels) if self._stability else {}

    @cached_property
    def stability(self) -> float:
        """Share of one-answer changes (drop one answer, move one a point either way, or
        leave out one rater) after which the verdict names the same archetype(s)."""
        return self._stability() if self._stability else 0.0

    def with_confidence(self, confidence: float) -> Profile:
        """This profile, told its confidence as worked out before for the same answers (a
        stored profile), so that its stability need not be rescored; the confidence given
        is ignored when this profile has none (insufficient, or no raters)."""
        n = self.rater_count
        if self.verdict != "insufficient" and n >= 1:
            self.__dict__["stability"] = confidence * (n + RATER_K) / n
        return self

    @property
    def confidence(self) -> float:
        """stability x n/(n + 0.25) for n raters; 0 when the verdict is insufficient."""
        n = len(self.raters) - len(self.set_aside)
        if self.verdict == "insufficient" or n < 1:
            return 0.0
        return self.stability * n / (n + RATER_K)

    @property
    def confidence_meaning(self) -> str:
        return explain.confidence_words(self)

    def ranked(self) -> list[tuple[str, float]]:
        """Archetype ids with fits, best first; ties broken on id."""
        return sorted(self.fits.items(), key=lambda item: (-item[1], item[0]))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return explain.profile_dict(self)


# --- validation ------------------------------------------------------------------------------


def rater_key(name: str) -> str:
    """Rater names are the same person when equal trimmed and ignoring case."""
    return name.strip().casefold()


def _validate(typology: Typology, raters: Sequence[Rater]) -> list[Rater]:
    known = set(typology.indicator_ids)
    names: set[str] = set()
    cleaned: list[Rater] = []
    for rater in raters:
        if not isinstance(rater.name, str) or not rater.name.strip():
            raise AnswerError(f"rater {rater.name!r}: a rater needs a name")
        if rater_key(rater.name) in names:
            raise AnswerError(f"rater {rater.name.strip()!r}: two raters have this name")
        names.add(rater_key(rater.name))
        answers: dict[str, int] = {}
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
            answers[indicator_id] = value
        cleaned.append(Rater(rater.name.strip(), answers))
    return sorted(cleaned, key=lambda rater: (rater_key(rater.name), rater.name))


# --- flags -----------------------------------------------------------------------------------


def _flags(typology: Typology, name: str, answers: Mapping[str, int]) -> list[Flag]:
    found: list[Flag] = []
    values = set(answers.values())
    # All neutral is reported as "no evidence", which says more than "never varies".
    if len(answers) >= STRAIGHT_LINE_MIN and len(values) == 1 and values != {3}:
        label = explain.answer_label(next(iter(values)))
        found.append(
            Flag(
                "straight_line",
                name,
                f"{name} gave the same answer, “{label}”, to all {len(answers)} statements,"
                " so the answers do not tell the statements apart",
            )
        )
    for item in typology.contradictions:
        if item.first not in answers or item.second not in answers:
            continue
        first = signed(answers[item.first]) * (1 if item.first_side == "agree" else -1)
        second = signed(answers[item.second]) * (1 if item.second_side == "agree" else -1)
        if first >= 0.5 and second >= 0.5 and first + second >= CONTRADICTION_STRENGTH:
            found.append(
                Flag(
                    "contradiction",
                    name,
                    f"{name}'s answers contradict each other: "
                    f"{explain.said(typology, item.first, answers[item.first])} and "
                    f"{explain.said(typology, item.second, answers[item.second])}"
                    + (f" ({item.reason})" if item.reason else ""),
                    (item.first, item.second),
                )
            )
    return found


# --- deciding --------------------------------------------------------------------------------


_Own = tuple[list[Flag], Scored]


def _alone(typology: Typology, table: Table, rater: Rater) -> _Own:
    answers: dict[str, int] = {k: v for k, v in rater.answers.items() if v is not None}
    rater_flags = _flags(typology, rater.name, answers)
    scored = score(table, answers)
    if rater_flags:
        scored = Scored(scored.fits, "insufficient", None, scored.leading, "flagged", 0)
    return rater_flags, scored


def _decide(
    typology: Typology,
    table: Table,
    raters: Sequence[Rater],
    cache: dict[tuple[str, frozenset[tuple[str, int | None]]], _Own] | None = None,
) -> _Decision:
    flags: list[Flag] = []
    own: dict[str, Scored] = {}
    used: list[Rater] = []
    for rater in raters:
        # Perturbations change one rater at a time: the others' own verdicts are reused.
        key = (rater.name, frozenset(rater.answers.items()))
        if cache is None:
            found = _alone(typology, table, rater)
        elif key in cache:
            found = cache[key]
        else:
            found = cache[key] = _alone(typology, table, rater)
        rater_flags, scored = found
        flags += rater_flags
        if not rater_flags:
            used.append(rater)
        own[rater.name] = scored
    pooled = pooled_answers(
        [{k: v for k, v in r.answers.items() if v is not None} for r in used],
        typology.indicator_ids,
    )
    scored = score(table, pooled)
    verdict, best, leading, grounds = scored.verdict, scored.best, scored.leading, scored.grounds
    if not used and flags:
        verdict, best, grounds = "insufficient", None, "flagged"
    views = [own[r.name].points_to for r in used if own[r.name].points_to]
    split = any(a.isdisjoint(b) for i, a in enumerate(views) for b in views[i + 1 :])
    named = frozenset().union(*views) if views else frozenset()
    pooled_named = scored.points_to
    order = [key for key, _ in scored.ranked()]
    if split:
        # Colleagues' own profiles point to different archetypes: say so, and name only
        # archetypes somebody sees, never a third one the pooled answers happen to favour.
        verdict, best, grounds = "mixed", None, "disagreement"
        leading = tuple(sorted(named, key=order.index))
    elif len(named) == 1 and verdict != "insufficient" and named <= set(scored.leading):
        # Everyone with a view sees the same archetype, and the pooled answers have it among
        # the contenders: medians of slightly different answers must not blur that to mixed.
        best = next(iter(named))
        verdict, grounds = "match", "evidence"
        leading = (best, *(key for key in scored.leading if key != best))
    elif named and pooled_named and not pooled_named <= named:
        # The pooled answers favour an archetype beyond what colleagues see on their own:
        # show both rather than pick.
        verdict, best = "mixed", None
        leading = tuple(sorted(named | pooled_named, key=order.index))[:3]
    return _Decision(
        pooled,
        scored,
        verdict,
        best,
        leading,
        grounds,
        own,
        tuple(flags),
        tuple(r.name for r in used),
    )


def _perturbations(raters: Sequence[Rater]) -> list[list[Rater]]:
    """Every answer set one small change away: one answer dropped or moved a point either
    way, or (with several raters) one rater left out."""
    variants: list[list[Rater]] = []
    for index, rater in enumerate(raters):
        others = list(raters[:index]), list(raters[index + 1 :])
        if len(raters) > 1:
            variants.append(others[0] + others[1])
        for key, value in rater.answers.items():
            if value is None:
                continue
            changes: list[int | None] = [None, value - 1, value + 1]
            for change in changes:
                if change is not None and not RATING_MIN <= change <= RATING_MAX:
                    continue
                answers = dict(rater.answers)
                if change is None:
                    del answers[key]
                else:
                    answers[key] = change
                variants.append(others[0] + [Rater(rater.name, answers)] + others[1])
    return variants


class _Stability:
    """Computes stability on first use: it rescored every nearby answer set."""

    def __init__(self, typology: Typology, table: Table, raters: list[Rater], key: Any) -> None:
        self.typology, self.table, self.raters, self.key = typology, table, raters, key
        self.labels = {a.id: a.label for a in typology.archetypes}

    def __call__(self) -> float:
        variants = _perturbations(self.raters)
        if not variants:
            return 0.0
        cache: dict[tuple[str, frozenset[tuple[str, int | None]]], _Own] = {}
        same = sum(
            1
            for raters in variants
            if _decide(self.typology, self.table, raters, cache).key == self.key
        )
        return same / len(variants)


# --- the profile -----------------------------------------------------------------------------


def profile(typology: Typology, raters: Sequence[Rater], *, about_us: bool = False) -> Profile:
    """Profile a partner (or, with `about_us`, our own organisation, worded "We …") from one
    or more raters' answers on `typology`'s instrument."""
    ordered = _validate(typology, raters)
    table = Table.of(typology)
    decision = _decide(typology, table, ordered)
    rater_profiles: dict[str, Profile] = {}
    if len(ordered) > 1:
        for rater in ordered:
            alone = _decide(typology, table, [rater])
            rater_profiles[rater.name] = _build(typology, table, [rater], alone, about_us)
    return _build(typology, table, ordered, decision, about_us, rater_profiles)


def _build(
    typology: Typology,
    table: Table,
    raters: list[Rater],
    decision: _Decision,
    about_us: bool,
    rater_profiles: Mapping[str, Profile] | None = None,
) -> Profile:
    used = [r for r in raters if r.name in decision.used]
    answered_by: dict[str, int] = {}
    spread: dict[str, int] = {}
    disagreements: list[Disagreement] = []
    for indicator_id in typology.indicator_ids:
        given = [
            (r.name, value) for r in used if (value := r.answers.get(indicator_id)) is not None
        ]
        if not given:
            continue
        values = [value for _, value in given]
        answered_by[indicator_id] = len(values)
        spread[indicator_id] = max(values) - min(values)
        if spread[indicator_id] >= DISAGREEMENT_POINTS:
            disagreements.append(Disagreement(indicator_id, tuple(given)))
    disagreements.sort(
        key=lambda item: (-item.spread, typology.indicator_ids.index(item.indicator))
    )
    text = explain.explain(
        typology,
        table,
        decision.pooled,
        verdict=decision.verdict,
        best=decision.best,
        leading=decision.leading,
        grounds=decision.grounds,
        scored=decision.scored,
        own={name: decision.own[name] for name in decision.own} if len(raters) > 1 else {},
        flags=decision.flags,
        answered_by=answered_by,
        n_raters=len(used),
        about_us=about_us,
    )
    return Profile(
        typology_id=typology.id,
        verdict=decision.verdict,
        best=decision.best,
        leading=decision.leading,
        fits=decision.scored.fits,
        coverage=explain.coverage(typology, decision.pooled),
        answers=dict(decision.pooled),
        contributions=text.contributions,
        reasons=text.reasons,
        next_questions=text.next_questions,
        raters=tuple(r.name for r in raters),
        spread=spread,
        disagreements=tuple(disagreements),
        rater_profiles=rater_profiles or {},
        summary=text.summary,
        points_to=text.points_to,
        points_against=text.points_against,
        unknown=text.unknown,
        flags=decision.flags,
        answered_by=answered_by,
        raters_disagree=decision.grounds == "disagreement",
        grounds=decision.grounds,
        set_aside=tuple(r.name for r in raters if r.name not in decision.used),
        _stability=_Stability(typology, table, raters, decision.key),
    )
