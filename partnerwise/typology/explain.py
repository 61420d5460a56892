"""Plain words for a profile: what points to the verdict, what points against it, what is
unknown, and a one-line summary that every verdict carries (a verdict never comes alone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from partnerwise.typology.model import Typology
from partnerwise.typology.scoring import MIN_INFORMATIVE, MIN_NET_SUPPORT, Scored, Table, signed

if TYPE_CHECKING:
    from partnerwise.typology.engine import Contribution, Flag, Profile

_LABELS = {
    1: "strongly disagree",
    2: "disagree",
    3: "neither agree nor disagree",
    4: "agree",
    5: "strongly agree",
}
_BASIS = {"document": "founding document", "inference": "our inference"}


def answer_label(value: float) -> str:
    """'agree', or 'between agree and strongly agree' for a median that falls between."""
    if value == int(value):
        return _LABELS[int(value)]
    return f"between {_LABELS[int(value)]} and {_LABELS[int(value) + 1]}"


def join(items: Sequence[str], word: str = "and") -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def said(typology: Typology, indicator_id: str, answer: float) -> str:
    return f"“{typology.indicator(indicator_id).phrase}”: {answer_label(answer)}"


def verdict_words(
    verdict: str, best: str | None, leading: Sequence[str], labels: Mapping[str, str]
) -> str:
    """'a Good guy', 'between a Good guy and a Big beast', or 'not enough evidence'."""
    if verdict == "match" and best:
        return labels.get(best, best)
    if verdict == "mixed":
        return "between " + join([labels.get(key, key) for key in leading])
    return "not enough evidence"


def coverage(typology: Typology, answers: Mapping[str, float]) -> dict[str, float]:
    """Share of each archetype's weighted prototype that has been answered."""
    found = {}
    for archetype in typology.archetypes:
        total = sum(typology.weights[key] for key in archetype.prototype)
        done = sum(typology.weights[key] for key in archetype.prototype if key in answers)
        found[archetype.id] = done / total if total else 0.0
    return found


@dataclass(frozen=True)
class Text:
    summary: str
    points_to: tuple[str, ...]
    points_against: tuple[str, ...]
    unknown: tuple[str, ...]
    reasons: tuple[str, ...]
    contributions: tuple[Contribution, ...]
    next_questions: tuple[str, ...]


def explain(
    typology: Typology,
    table: Table,
    answers: Mapping[str, float],
    *,
    verdict: str,
    best: str | None,
    leading: tuple[str, ...],
    grounds: str,
    scored: Scored,
    own: Mapping[str, Scored],
    flags: Sequence[Flag],
    answered_by: Mapping[str, int],
    n_raters: int,
    about_us: bool,
) -> Text:
    from partnerwise.typology.engine import Contribution

    labels = {a.id: a.label for a in typology.archetypes}
    ranked = [key for key, _ in scored.ranked()]
    if verdict == "match" and best:
        targets: list[str] = [best]
    elif verdict == "mixed":
        targets = list(leading)
    elif scored.informative:
        # Not enough for a verdict, but say what the little evidence there is points to.
        targets = ranked[:2]
    else:
        targets = []
    focus = list(dict.fromkeys(targets + list(leading) + ranked[:2]))

    def phrase(indicator_id: str) -> str:
        indicator = typology.indicator(indicator_id)
        return indicator.self_phrase if about_us else indicator.phrase

    def tagged(archetype_id: str, indicator_id: str) -> str:
        if (archetype_id, indicator_id) in table.implied:
            return f"{labels[archetype_id]} (it defines another sort of partner)"
        basis = typology.archetype(archetype_id).basis(indicator_id)
        return f"{labels[archetype_id]} ({_BASIS[basis]})"

    points_to: list[tuple[float, int, str]] = []
    against: list[tuple[float, int, str]] = []
    for position, key in enumerate(typology.indicator_ids):
        if key not in answers:
            continue
        label = answer_label(answers[key])
        if answered_by.get(key, 0) > 1:
            label += f" (median of {answered_by[key]} raters)"
        elif n_raters > 1:
            label += " (one rater)"
        effects = {t: table.evidence(t, key, answers[key]) for t in targets}
        pro = [t for t in targets if effects[t] > 1e-9]
        con = [t for t in targets if effects[t] < -1e-9]
        if pro:
            strength = max(effects[t] for t in pro)
            names = join([tagged(t, key) for t in pro])
            points_to.append((-strength, position, f"{phrase(key)}: {label} — typical of {names}."))
        if con:
            strength = max(-effects[t] for t in con)
            expected = [
                f"{tagged(t, key)}, who would "
                f"{'agree' if table.directions[t][key] > 0 else 'disagree'}"
                for t in con
            ]
            against.append(
                (-strength, position, f"{phrase(key)}: {label} — unlike {join(expected)}.")
            )
    unknown: list[tuple[float, int, str]] = []
    for position, key in enumerate(typology.indicator_ids):
        if key in answers:
            continue
        expecting = [t for t in targets if key in typology.archetype(t).prototype]
        if not expecting:
            continue
        weight = max(table.weights[key] * abs(table.directions[t][key]) for t in expecting)
        sides = [
            f"{labels[t]} would {'agree' if table.directions[t][key] > 0 else 'disagree'}"
            for t in expecting
        ]
        unknown.append((-weight, position, f"{phrase(key)}: not answered — {join(sides)}."))
    contributions = tuple(
        Contribution(
            key,
            archetype_id,
            answers[key],
            # An implied cell is shown as the rating its direction stands for (2.5 or 3.5).
            3 + 2 * table.directions[archetype_id][key],
            0.5 * table.evidence(archetype_id, key, answers[key]) / table.totals[archetype_id],
            "implied"
            if (archetype_id, key) in table.implied
            else typology.archetype(archetype_id).basis(key),
        )
        for archetype_id in typology.archetype_ids
        if archetype_id in focus
        for key in typology.indicator_ids
        if key in answers and table.directions[archetype_id].get(key)
    )
    summary = _summary(
        typology, verdict, best, leading, grounds, scored, own, flags, answers, labels
    )
    to_lines = tuple(text for *_, text in sorted(points_to))
    against_lines = tuple(text for *_, text in sorted(against))
    flag_lines = tuple(f"{flag.message}." for flag in flags if grounds != "flagged")
    return Text(
        summary=summary,
        points_to=to_lines,
        points_against=against_lines,
        unknown=tuple(text for *_, text in sorted(unknown)),
        reasons=(summary, *flag_lines, *to_lines, *against_lines),
        contributions=contributions,
        next_questions=next_questions(typology, answers, focus),
    )


def _summary(
    typology: Typology,
    verdict: str,
    best: str | None,
    leading: Sequence[str],
    grounds: str,
    scored: Scored,
    own: Mapping[str, Scored],
    flags: Sequence[Flag],
    answers: Mapping[str, float],
    labels: Mapping[str, str],
) -> str:
    if grounds == "disagreement":
        views = []
        for name, mine in own.items():
            if mine.grounds == "flagged":
                views.append(f"{name}'s answers were set aside")
            elif mine.verdict == "match" and mine.best:
                views.append(f"{name} sees {labels[mine.best]}")
            elif mine.verdict == "mixed":
                views.append(f"{name} is between {join([labels[k] for k in mine.leading])}")
            else:
                views.append(f"{name} has not given enough to go on")
        return "Colleagues disagree: " + join(views) + "."
    if grounds == "flagged":
        return "Not enough evidence: " + "; ".join(flag.message for flag in flags) + "."
    if grounds == "no_answers":
        return "Not enough evidence: no statements have been answered yet."
    if grounds == "all_neutral":
        return (
            f"Not enough evidence: none of the {len(answers)} answers takes a side on a"
            " statement that tells the sorts of partner apart. “Neither agree nor disagree”"
            " is not evidence for or against any sort of partner."
        )
    if grounds == "too_few":
        count = scored.informative
        return (
            f"Not enough evidence: {'only ' if count else ''}{count or 'no'}"
            f" answer{'' if count == 1 else 's'} take{'s' if count == 1 else ''} a side"
            " (agree or disagree) on statements that tell the sorts of partner apart;"
            f" at least {MIN_INFORMATIVE} are needed."
        )
    if grounds == "weak":
        top, fit = scored.ranked()[0]
        share = max(0, round((fit - 0.5) * 200))
        return (
            f"Not enough evidence: the answers fit no sort of partner clearly. The closest,"
            f" {labels[top]}, has {share}% of its description confirmed once what goes"
            f" against it is taken off; {round(MIN_NET_SUPPORT * 100)}% is needed."
        )
    if verdict == "mixed":
        return f"Mixed: the answers fit {join([labels[k] for k in leading])} about equally well."
    assert best is not None
    fit = scored.fits[best]
    return (
        f"The answers point to {labels[best]}: {round((fit - 0.5) * 200)}% of its"
        " description is confirmed once what goes against it is taken off."
    )


def next_questions(
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
            a = signed(first.prototype.get(indicator_id, 3.0))
            b = signed(second.prototype.get(indicator_id, 3.0))
            separation += abs(a - b)
        score = typology.weights[indicator_id] * separation / max(1, len(pairs))
        if score > 0:
            scored.append((-score, position, indicator_id))
    return tuple(indicator_id for _, _, indicator_id in sorted(scored))


def confidence_words(profile: Profile) -> str:
    if profile.verdict == "insufficient":
        return "No confidence figure: there is not enough evidence for a verdict."
    n = profile.rater_count
    rater_part = (
        "one rater, so it is scaled down by a fifth: one person's view is one view"
        if n == 1
        else f"{n} raters, so it is scaled by {n}/({n} + ¼)"
    )
    return (
        f"{round(profile.confidence * 100)}%: {round(profile.stability * 100)}% of small"
        " changes to the answers (leaving one out, moving one a point either way"
        + (", leaving out one rater" if n > 1 else "")
        + f") give the same verdict; from {rater_part}."
    )


def profile_dict(profile: Profile) -> dict[str, Any]:
    """The JSON form of a profile (the classify command's and the API's keys)."""
    return {
        "typology": profile.typology_id,
        "verdict": profile.verdict,
        "best": profile.best,
        "leading": list(profile.leading),
        "confidence": round(profile.confidence, 3),
        "stability": round(profile.stability, 3),
        "confidence_meaning": profile.confidence_meaning,
        "summary": profile.summary,
        "fits": {key: round(value, 3) for key, value in profile.fits.items()},
        "coverage": {key: round(value, 3) for key, value in profile.coverage.items()},
        "answered": profile.answered,
        "rater_count": profile.rater_count,
        "set_aside": list(profile.set_aside),
        "answered_by": dict(profile.answered_by),
        "answers": dict(profile.answers),
        "reasons": list(profile.reasons),
        "points_to": list(profile.points_to),
        "points_against": list(profile.points_against),
        "unknown": list(profile.unknown),
        "flags": [
            {
                "kind": flag.kind,
                "rater": flag.rater,
                "message": flag.message,
                "indicators": list(flag.indicators),
            }
            for flag in profile.flags
        ],
        "next_questions": list(profile.next_questions),
        "contributions": [
            {
                "indicator": item.indicator,
                "archetype": item.archetype,
                "answer": item.answer,
                "prototype": item.prototype,
                "effect": round(item.effect, 4),
                "basis": item.basis,
            }
            for item in profile.contributions
        ],
        "raters": list(profile.raters),
        "raters_disagree": profile.raters_disagree,
        "spread": dict(profile.spread),
        "disagreements": [
            {
                "indicator": item.indicator,
                "spread": item.spread,
                "answers": {name: answer for name, answer in item.answers},
            }
            for item in profile.disagreements
        ],
        "rater_profiles": {
            name: {
                "verdict": own.verdict,
                "best": own.best,
                "leading": list(own.leading),
                "summary": own.summary,
                "confidence": round(own.confidence, 3),
                "fits": {key: round(value, 3) for key, value in own.fits.items()},
            }
            for name, own in profile.rater_profiles.items()
        },
    }
