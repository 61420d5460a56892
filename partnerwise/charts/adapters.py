"""From the typology engine's results to the charts' plain inputs, so a view wires a chart in
one line. Pure: engine objects in, chart data out; no queries.

    fits, best = fits_of(profile, names); fit_bars(fits, best=best)
    answer_dots(answers_of(profile, statements))
    drift_lines(drift_of([(a.assessed_on, p) for a, p in history]), names)
    self_vs_partners(gaps_of(ourselves, partners, statements))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from partnerwise.charts.timelines import DriftPoint
from partnerwise.typology import Profile


def fits_of(
    profile: Profile, names: Mapping[str, str]
) -> tuple[list[tuple[str, float]], str | None]:
    """Arguments for `fit_bars`: the archetypes in the typology's order with their fits, and
    the best match (when the profile names one) to draw bold."""
    fits = [(names.get(key, key), profile.fits.get(key, 0.0)) for key in names]
    best = names.get(profile.best) if profile.verdict == "match" and profile.best else None
    return fits, best


def _by_rater(profile: Profile) -> dict[str, Mapping[str, float]]:
    if profile.rater_profiles:
        return {name: p.answers for name, p in profile.rater_profiles.items()}
    # One rater: the profile's answers are theirs.
    return {name: profile.answers for name in profile.raters[:1]}


def answers_of(
    profile: Profile, statements: Mapping[str, str]
) -> list[tuple[str, list[tuple[str, int | None]]]]:
    """Input for `answer_dots`: for each statement (indicator id -> text, in order) that at
    least one rater answered, each rater's answer (None for don't know)."""
    return answer_rows(list(_by_rater(profile).items()), statements)


def answer_rows(
    by_rater: Sequence[Sequence[Any]], statements: Mapping[str, str]
) -> list[tuple[str, list[tuple[str, int | None]]]]:
    """`answers_of` from each rater's answers as the engine read them, `[(name, {indicator:
    answer}), ...]` in its order of raters (a stored profile keeps them so)."""
    rows = []
    for key, text in statements.items():
        answers = [
            (str(name), None if key not in given else round(given[key])) for name, given in by_rater
        ]
        if any(value is not None for _, value in answers):
            rows.append((text, answers))
    return rows


def drift_of(history: Sequence[tuple[date, Profile]]) -> list[DriftPoint]:
    """Input for `drift_lines`: one point per rating date (the profile as it stood at the end
    of that day), the best match only where the profile is a clear match."""
    by_day: dict[date, Profile] = {}
    for day, profile in sorted(history, key=lambda item: item[0]):
        by_day[day] = profile
    return [
        DriftPoint(day, dict(p.fits), p.best if p.verdict == "match" else None)
        for day, p in by_day.items()
    ]


class StoredPoint(Protocol):
    """A profile as stored after one rating: its date, verdict, best match and fits (the
    engine's `to_dict()["fits"]`, kept beside it), which the drift chart draws."""

    @property
    def assessed_on(self) -> date: ...
    @property
    def verdict(self) -> str: ...
    @property
    def best(self) -> str: ...
    @property
    def fits(self) -> Any: ...


def drift_of_stored(points: Iterable[StoredPoint]) -> list[DriftPoint]:
    """Input for `drift_lines` from stored profile points, oldest first: one point per rating
    date (the profile as it stood after that day's last rating)."""
    by_day: dict[date, StoredPoint] = {}
    for point in points:
        by_day[point.assessed_on] = point
    return [
        DriftPoint(
            day,
            {key: float(value) for key, value in dict(point.fits).items()},
            point.best if point.verdict == "match" and point.best else None,
        )
        for day, point in sorted(by_day.items())
    ]


class HasAnswers(Protocol):
    """An engine profile, or a stored one: each statement's answer (the median of raters)."""

    @property
    def answers(self) -> Mapping[str, float]: ...


def gaps_of(
    ourselves: HasAnswers | None, partners: HasAnswers | None, statements: Mapping[str, str]
) -> list[tuple[str, float | None, float | None]]:
    """Input for `self_vs_partners`: each statement either side answered, with our answer and
    partners' middle answer (the engine combines raters by the median)."""
    ours = ourselves.answers if ourselves else {}
    theirs = partners.answers if partners else {}
    return [
        (text, ours.get(key), theirs.get(key))
        for key, text in statements.items()
        if key in ours or key in theirs
    ]
