"""Classify a partner from a JSON file of answers: the engine behind the `classify` command.

The input is either `{"answers": {"power": 5, "slack": 1, ...}}` or
`{"raters": [{"name": "Sam", "answers": {...}}, ...]}`; a missing or null answer means
don't know. Bad input raises `ClassifyError` with one line naming the problem and where.
"""

from __future__ import annotations

import json
from typing import Any

from partnerwise.typology.engine import Rater, profile, rater_key
from partnerwise.typology.model import RATING_MAX, RATING_MIN, Typology, TypologyError, get_shipped
from partnerwise.typology.render import render_profile

SINGLE_RATER_NAME = "rater"


class ClassifyError(ValueError):
    """The input cannot be classified; the message is one line naming the problem and where."""


def classify(text: str, *, source: str, typology_id: str = "default", as_json: bool = False) -> str:
    """Profile the answers in `text` (JSON) and return a text report or one JSON object."""
    try:
        typology = get_shipped(typology_id)
    except TypologyError as error:
        raise ClassifyError(str(error)) from error
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as error:
        raise ClassifyError(
            f"{source} line {error.lineno} column {error.colno}: invalid JSON: {error.msg}"
        ) from error
    except _DuplicateKey as error:
        raise ClassifyError(
            f"{source}: duplicate key {error.key!r}: each key may appear once in an object,"
            " so it is not clear which answer was meant"
        ) from error
    raters = _raters(data, typology, source)
    result = profile(typology, raters)
    if as_json:
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    return render_profile(typology, result)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON objects as dicts, refusing a key given twice (json keeps the last silently)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def _raters(data: Any, typology: Typology, source: str) -> list[Rater]:
    if not isinstance(data, dict):
        raise ClassifyError(
            f"{source}: expected a JSON object with 'answers' or 'raters',"
            f" got {type(data).__name__ if data is not None else 'null'}"
        )
    keys = {"answers", "raters"} & data.keys()
    if len(keys) != 1:
        raise ClassifyError(
            f"{source}: expected exactly one of 'answers' or 'raters' at the top level"
        )
    if "answers" in data:
        return [Rater(SINGLE_RATER_NAME, _answers(data["answers"], typology, f"{source}: "))]
    raw_raters = data["raters"]
    if not isinstance(raw_raters, list) or not raw_raters:
        raise ClassifyError(f"{source}: raters: expected a non-empty list")
    raters: list[Rater] = []
    seen: set[str] = set()
    for position, item in enumerate(raw_raters):
        where = f"{source}: raters[{position}]"
        if not isinstance(item, dict):
            raise ClassifyError(f"{where}: expected an object with 'name' and 'answers'")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ClassifyError(f"{where}: name: expected a non-empty string")
        # " Sam" and "sam" are the same colleague rating twice.
        if rater_key(name) in seen:
            raise ClassifyError(f"{where} ({name!r}): name: another rater has this name")
        seen.add(rater_key(name))
        if "answers" not in item:
            raise ClassifyError(f"{where} ({name!r}): missing 'answers'")
        raters.append(Rater(name, _answers(item["answers"], typology, f"{where} ({name!r}) ")))
    return raters


def _answers(raw: Any, typology: Typology, where: str) -> dict[str, int | None]:
    place = where
    if not isinstance(raw, dict):
        raise ClassifyError(f"{place}answers: expected an object of indicator ids to ratings")
    known = typology.indicator_ids
    answers: dict[str, int | None] = {}
    for key, value in raw.items():
        if key not in known:
            raise ClassifyError(
                f"{place}answers.{key}: unknown indicator {key!r} (known: {', '.join(known)})"
            )
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not RATING_MIN <= value <= RATING_MAX
        ):
            raise ClassifyError(
                f"{place}answers.{key}: rating must be a whole number from {RATING_MIN} to"
                f" {RATING_MAX}, or null for don't know; got {json.dumps(value)}"
            )
        answers[key] = value
    return answers
