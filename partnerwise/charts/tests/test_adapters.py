"""Engine results turned into chart inputs: the charts show what the engine found."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from partnerwise import charts
from partnerwise.charts.adapters import answers_of, drift_of, fits_of, gaps_of
from partnerwise.typology import Rater, get_shipped, profile

MODEL = get_shipped("default")
NAMES = {a.id: a.name for a in MODEL.archetypes}
STATEMENTS = {i.id: i.statement for i in MODEL.indicators}
BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}


def test_fit_bars_from_a_profile_follow_the_typology_and_bold_the_match() -> None:
    result = profile(MODEL, [Rater("Sam", BIG_BEAST)])
    fits, best = fits_of(result, NAMES)
    assert [name for name, _ in fits] == list(NAMES.values())
    assert dict(fits)[NAMES["big_beast"]] == result.fits["big_beast"]
    assert best == (NAMES[result.best] if result.verdict == "match" and result.best else None)
    chart = charts.fit_bars(fits, best=best)
    root = ET.fromstring(str(chart.svg))
    bars = [e for e in root.iter() if e.get("class") == "bar"]
    assert len(bars) == len(NAMES)


def test_answers_per_rater_with_dont_know_and_only_answered_statements() -> None:
    result = profile(
        MODEL,
        [Rater("Ann", {"power": 5, "slack": None}), Rater("Bob", {"power": 1, "slack": 2})],
    )
    rows = answers_of(result, STATEMENTS)
    assert rows == [
        (STATEMENTS["power"], [("Ann", 5), ("Bob", 1)]),
        (STATEMENTS["slack"], [("Ann", None), ("Bob", 2)]),
    ]
    single = answers_of(profile(MODEL, [Rater("Cy", {"decisive": 3})]), STATEMENTS)
    assert single == [(STATEMENTS["decisive"], [("Cy", 3)])]


def test_drift_keeps_the_last_profile_of_each_day_and_matches_only() -> None:
    first = profile(MODEL, [Rater("Sam", BIG_BEAST)])
    mixed = profile(MODEL, [Rater("Sam", {"power": 3})])
    points = drift_of(
        [(date(2026, 3, 1), mixed), (date(2026, 1, 1), mixed), (date(2026, 1, 1), first)]
    )
    assert [p.on for p in points] == [date(2026, 1, 1), date(2026, 3, 1)]
    assert points[0].fits == dict(first.fits)
    assert points[0].best == (first.best if first.verdict == "match" else None)
    assert points[1].best == (mixed.best if mixed.verdict == "match" else None)


def test_gaps_pair_our_answer_with_partners_middle_answer() -> None:
    ours = profile(MODEL, [Rater("Us", {"power": 2, "decisive": 4})])
    theirs = profile(
        MODEL, [Rater("P1", {"power": 5}), Rater("P2", {"power": 4}), Rater("P3", {"power": 1})]
    )
    assert gaps_of(ours, theirs, STATEMENTS) == [
        (STATEMENTS["power"], 2.0, 4.0),
        (STATEMENTS["decisive"], 4.0, None),
    ]
    assert gaps_of(None, None, STATEMENTS) == []
