"""Signed evidence: how each answer counts for or against each archetype, and the verdict.

Pure functions on plain mappings, used by `engine.profile` for the real answers and again,
many times, for the perturbed answer sets that measure confidence. The method and the
reasons for every constant are in docs/typology.md.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from partnerwise.typology.model import Typology

Verdict = Literal["match", "mixed", "insufficient"]
# Why a verdict is "insufficient" (or that it is not): shown to readers in plain words.
Grounds = Literal[
    "evidence", "disagreement", "no_answers", "too_few", "all_neutral", "weak", "flagged"
]

# A neutral answer on a statement an archetype expects a view on costs it this share of
# the statement's weight x strength: "neither agree nor disagree" on a defining feature is
# not the feature. Small, so that it never outweighs one real answer.
NEUTRAL_COST = 0.25
# At least this many answers with a view (not 3, not don't know) on statements some
# archetype uses, or the engine names no archetype.
MIN_INFORMATIVE = 3
# The top archetype must have at least this share of its whole description confirmed, net
# of what goes against it (fit 0.5 + this / 2), or the answers fit nothing clearly.
MIN_NET_SUPPORT = 0.1
# An archetype whose prototype leaves out a statement that another archetype is defined by
# (a 5 or 1 quoting the founding document, all such cells agreeing in direction) is taken to
# lean the other way by this much (a quarter of a defining feature): so "they hold a big
# central-government contract" counts a little against every archetype but Big beasts.
IMPLIED = 0.25
# Top two fits closer than this: "mixed".
MIXED_MARGIN = 0.05
# After a match, archetypes within this of the best are named as runners-up in `leading`.
LEAD_BAND = 0.1
# A rater who gives the same answer to at least this many statements has not varied at all.
STRAIGHT_LINE_MIN = 8
# Both sides of a contradiction must be taken, and at least one strongly: answers' signed
# strengths (agree = 0.5, strongly agree = 1) must add up to this.
CONTRADICTION_STRENGTH = 1.5


def signed(answer: float) -> float:
    """An answer as signed strength: -1 strongly disagree … 0 neutral … +1 strongly agree."""
    return (answer - 3) / 2


@dataclass(frozen=True)
class Table:
    """A typology's prototypes as signed directions, with each archetype's full strength."""

    weights: Mapping[str, float]
    directions: Mapping[str, Mapping[str, float]]
    totals: Mapping[str, float]
    used: frozenset[str]
    order: tuple[str, ...]
    implied: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, typology: Typology) -> Table:
        """The table for `typology`, reused while the same typology object is in use."""
        hit = _TABLES.get(id(typology))
        if hit is not None and hit[0] is typology:
            return hit[1]
        table = cls._build(typology)
        if len(_TABLES) >= _TABLES_KEPT:
            _TABLES.pop(next(iter(_TABLES)))
        _TABLES[id(typology)] = (typology, table)
        return table

    @classmethod
    def _build(cls, typology: Typology) -> Table:
        directions = {
            archetype.id: {key: signed(value) for key, value in archetype.prototype.items()}
            for archetype in typology.archetypes
        }
        implied: set[tuple[str, str]] = set()
        for key in typology.indicator_ids:
            signs = {
                1 if archetype.prototype[key] > 3 else -1
                for archetype in typology.archetypes
                if abs(signed(archetype.prototype.get(key, 3))) == 1
                and archetype.basis(key) == "document"
            }
            if len(signs) != 1:
                continue
            sign = signs.pop()
            for archetype in typology.archetypes:
                if key not in archetype.prototype:
                    directions[archetype.id][key] = -sign * IMPLIED
                    implied.add((archetype.id, key))
        totals = {
            archetype_id: sum(typology.weights[key] * abs(d) for key, d in cells.items())
            for archetype_id, cells in directions.items()
        }
        used = frozenset(key for cells in directions.values() for key, d in cells.items() if d)
        order = tuple(a.id for a in typology.archetypes)
        return cls(typology.weights, directions, totals, used, order, frozenset(implied))

    @cached_property
    def _rows(self) -> dict[tuple[str, float], tuple[float, ...]]:
        """Each archetype's points for every indicator and every whole or half answer."""
        return {
            (key, half / 2): tuple(self.evidence(a, key, half / 2) for a in self.order)
            for key in self.weights
            for half in range(2, 11)
        }

    def points(self, answers: Mapping[str, float]) -> list[float]:
        """Summed points per archetype, in `order`."""
        totals = [0.0] * len(self.order)
        rows = self._rows
        for key, value in answers.items():
            for index, points in enumerate(rows[key, value]):
                totals[index] += points
        return totals

    def evidence(self, archetype_id: str, indicator_id: str, answer: float) -> float:
        """Signed points one answer gives one archetype: + for, - against, 0 if unrelated."""
        direction = self.directions[archetype_id].get(indicator_id, 0.0)
        if not direction:
            return 0.0
        strength = signed(answer)
        weight = self.weights[indicator_id]
        return weight * (strength * direction - NEUTRAL_COST * abs(direction) * (1 - abs(strength)))


# Tables for the typologies most recently profiled (a page profiles many partners on one).
_TABLES: dict[int, tuple[Typology, Table]] = {}
_TABLES_KEPT = 8


@dataclass(frozen=True)
class Scored:
    """One answer set's fits and verdict."""

    fits: Mapping[str, float]
    verdict: Verdict
    best: str | None
    leading: tuple[str, ...]
    grounds: Grounds
    informative: int

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.fits.items(), key=lambda item: (-item[1], item[0]))

    @property
    def points_to(self) -> frozenset[str]:
        """The archetypes this verdict names (none when insufficient)."""
        if self.verdict == "insufficient":
            return frozenset()
        return frozenset((self.best,) if self.best else self.leading)

    @property
    def key(self) -> tuple[str, frozenset[str]]:
        """What must stay the same for a verdict to count as unchanged."""
        return (self.verdict, self.points_to)


def score(table: Table, answers: Mapping[str, float]) -> Scored:
    """Fits from summed signed evidence, and the verdict they support."""
    fits: dict[str, float] = {}
    for archetype_id, points in zip(table.order, table.points(answers), strict=True):
        total = table.totals[archetype_id]
        # 0.5 is no evidence either way; 1 is every statement of the description confirmed
        # as strongly as it can be; 0 is every one contradicted.
        fits[archetype_id] = 0.5 + 0.5 * points / total if total else 0.5
    ranked = sorted(fits.items(), key=lambda item: (-item[1], item[0]))
    informative = sum(1 for key, value in answers.items() if key in table.used and value != 3)
    top_id, top_fit = ranked[0]
    second_fit = ranked[1][1] if len(ranked) > 1 else 0.5
    near = tuple(key for key, fit in ranked if fit >= top_fit - LEAD_BAND - 1e-12)
    grounds: Grounds = "evidence"
    if not answers:
        grounds = "no_answers"
    elif informative == 0 and len(answers) >= MIN_INFORMATIVE:
        grounds = "all_neutral"
    elif informative < MIN_INFORMATIVE:
        grounds = "too_few"
    elif top_fit - 0.5 < MIN_NET_SUPPORT / 2 - 1e-12:
        grounds = "weak"
    if grounds != "evidence":
        return Scored(fits, "insufficient", None, near[:3], grounds, informative)
    if top_fit - second_fit < MIXED_MARGIN - 1e-12:
        close = tuple(key for key, fit in ranked if fit >= top_fit - MIXED_MARGIN + 1e-12)
        return Scored(
            fits, "mixed", None, (close if len(close) > 1 else near)[:3], grounds, informative
        )
    return Scored(fits, "match", top_id, near[:3], grounds, informative)


def pooled_answers(
    answer_sets: Sequence[Mapping[str, int]], order: Sequence[str]
) -> dict[str, float]:
    """Median per statement of the raters who answered it (one outlier moves it less)."""
    pooled: dict[str, float] = {}
    for key in order:
        values = [answers[key] for answers in answer_sets if key in answers]
        if values:
            pooled[key] = float(statistics.median(values))
    return pooled
