"""Realistic partner situations (vignettes.toml): the engine must name the right archetype."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from partnerwise.typology import Profile, Rater, get_shipped, profile


def _load(name: str) -> list[dict[str, Any]]:
    data = tomllib.loads((Path(__file__).parent / name).read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["vignette"]
    return cases


VIGNETTES = _load("vignettes.toml")
# Written by another engineer after the engine was finished, never used for tuning.
REVIEW_VIGNETTES = _load("vignettes_review.toml")
REQUIRED_ACCURACY = 0.9


def _classify(vignette: dict[str, Any]) -> Profile:
    return profile(get_shipped("default"), [Rater("rater", vignette["answers"])])


def _correct(vignette: dict[str, Any]) -> bool:
    result = _classify(vignette)
    expected: str = vignette["expect"]
    if expected == "insufficient":
        return result.verdict == "insufficient"
    if result.verdict == "match":
        return result.best == expected
    return result.verdict == "mixed" and expected in result.leading


@pytest.mark.parametrize("holdout", [False, True], ids=["tuned", "held-out"])
def test_vignette_accuracy(holdout: bool) -> None:
    cases = [v for v in VIGNETTES if v.get("holdout", False) == holdout]
    wrong = [v["id"] for v in cases if not _correct(v)]
    accuracy = 1 - len(wrong) / len(cases)
    assert accuracy >= REQUIRED_ACCURACY, f"{accuracy:.0%} correct; wrong: {wrong}"


def test_review_vignette_accuracy() -> None:
    wrong = [v["id"] for v in REVIEW_VIGNETTES if not _correct(v)]
    accuracy = 1 - len(wrong) / len(REVIEW_VIGNETTES)
    assert accuracy >= REQUIRED_ACCURACY, f"{accuracy:.0%} correct; wrong: {wrong}"


def test_vignettes_cover_every_archetype() -> None:
    expected = {v["expect"] for v in VIGNETTES}
    assert set(get_shipped("default").archetype_ids) | {"insufficient"} == expected
    assert len([v for v in VIGNETTES if v["expect"] != "insufficient"]) >= 20


@pytest.mark.parametrize("vignette", VIGNETTES + REVIEW_VIGNETTES, ids=lambda v: v["id"])
def test_one_or_two_answers_from_a_vignette_are_insufficient(vignette: dict[str, Any]) -> None:
    first_two = dict(sorted(vignette["answers"].items())[:2])
    assert profile(get_shipped("default"), [Rater("r", first_two)]).verdict == "insufficient"
