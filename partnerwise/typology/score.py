"""Strict scores of the engine on vignette files: `python -m partnerwise.typology.score FILE...`

A vignette file is TOML with `[[vignette]]` tables, each with `id`, `expect` (an archetype
id, "insufficient" or "mixed"), optional `leading = [...]` (the archetypes an expected
"mixed" is between), and either `answers = { indicator = 1..5 }` (one rater) or
`raters = [{ name = "...", answers = {...} }]`. Scoring is strict: an archetype is right
only as a `match` for it; "mixed" only where "mixed" is expected (and, when `leading` is
given, between exactly those archetypes); "insufficient" only where expected.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partnerwise.typology.engine import AnswerError, Profile, Rater, profile
from partnerwise.typology.model import Typology, TypologyError, get_shipped


class VignetteError(ValueError):
    """A vignette file is malformed; the message names the file and the vignette."""


@dataclass(frozen=True)
class Outcome:
    id: str
    expect: str
    got: str
    multi: bool
    right: bool


def _raters(item: Mapping[str, Any], where: str) -> list[Rater]:
    if ("answers" in item) == ("raters" in item):
        raise VignetteError(f"{where}: needs exactly one of 'answers' or 'raters'")
    if "answers" in item:
        if not isinstance(item["answers"], dict):
            raise VignetteError(f"{where}: 'answers' must be a table")
        return [Rater("rater", item["answers"])]
    raters = item["raters"]
    if not isinstance(raters, list) or not raters:
        raise VignetteError(f"{where}: 'raters' must be a non-empty list")
    found = []
    for position, rater in enumerate(raters):
        if not isinstance(rater, dict) or not isinstance(rater.get("answers"), dict):
            raise VignetteError(f"{where}: raters[{position}] needs 'name' and 'answers'")
        found.append(Rater(str(rater.get("name", "")), rater["answers"]))
    return found


def verdict_of(result: Profile) -> str:
    """The archetype id for a match, else the verdict."""
    return result.best if result.verdict == "match" and result.best else result.verdict


def judge(item: Mapping[str, Any], result: Profile) -> bool:
    """Strict: match for an archetype; mixed (between `leading`, if given) for mixed."""
    expect = item["expect"]
    if verdict_of(result) != expect:
        return False
    if expect == "mixed" and "leading" in item:
        return set(item["leading"]) == set(result.leading)
    return True


def score_file(path: Path, typology: Typology) -> list[Outcome]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise VignetteError(f"{path}: {error}") from error
    items = data.get("vignette")
    if not isinstance(items, list) or not items:
        raise VignetteError(f"{path}: no [[vignette]] tables")
    outcomes = []
    for position, item in enumerate(items):
        where = f"{path}: vignette {item.get('id', position)!r}"
        expect = item.get("expect")
        if expect not in (*typology.archetype_ids, "insufficient", "mixed"):
            raise VignetteError(f"{where}: unknown expect {expect!r}")
        raters = _raters(item, where)
        try:
            result = profile(typology, raters)
        except AnswerError as error:
            raise VignetteError(f"{where}: {error}") from error
        got = verdict_of(result)
        if result.verdict == "mixed":
            got += " (" + ", ".join(result.leading) + ")"
        outcomes.append(
            Outcome(
                str(item.get("id", position)), expect, got, len(raters) > 1, judge(item, result)
            )
        )
    return outcomes


def _line(label: str, outcomes: Sequence[Outcome]) -> str:
    if not outcomes:
        return f"  {label}: no cases"
    right = sum(outcome.right for outcome in outcomes)
    return f"  {label}: {right}/{len(outcomes)} = {right / len(outcomes):.0%}"


def report(path: Path, outcomes: Sequence[Outcome]) -> str:
    lines = [f"{path} (strict)"]
    lines.append(_line("single rater", [o for o in outcomes if not o.multi]))
    lines.append(_line("several raters", [o for o in outcomes if o.multi]))
    lines.append(_line("all", outcomes))
    for outcome in outcomes:
        if not outcome.right:
            lines.append(f"  miss {outcome.id}: expected {outcome.expect}, got {outcome.got}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m partnerwise.typology.score", description=__doc__.splitlines()[0]
    )
    parser.add_argument("files", nargs="+", type=Path, help="vignette TOML files")
    parser.add_argument("--typology", default="default", help="shipped typology id")
    args = parser.parse_args(argv)
    try:
        typology = get_shipped(args.typology)
        for path in args.files:
            print(report(path, score_file(path, typology)))
    except (VignetteError, TypologyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
