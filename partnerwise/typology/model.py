"""Typologies as data: indicators, archetypes and their loading from TOML or dicts.

A typology is read from a data file so that a sector expert can change it without touching
Python. `typology_from_dict` builds one from plain data (for example rows from a database),
with the same validation as the file loader.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

Basis = Literal["document", "inference"]
Side = Literal["agree", "disagree"]

RATING_MIN = 1
RATING_MAX = 5
# An archetype needs this many prototype indicators to be matchable: the engine will not
# give a verdict on fewer than three answers.
MIN_PROTOTYPE_INDICATORS = 3

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_QUOTE_RE = re.compile(r'"([^"]+)"')
_ELLIPSIS_RE = re.compile(r"\[…\]|\.\.\.|…")


def _normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces: for finding a quote in a source."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").casefold()
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


class TypologyError(ValueError):
    """A typology's data is invalid. The message names the source and the field."""


@dataclass(frozen=True)
class Indicator:
    """One observable statement about a partner, rated 1 to 5 or "don't know"."""

    id: str
    statement: str
    help: str = ""
    # A short clause for reasons ("They set the terms with little discussion").
    short: str = ""
    # The same statement about ourselves ("We set the terms …"), for profiles of our own
    # organisation; empty means the statement reads the same either way.
    self_text: str = ""
    self_short: str = ""

    @property
    def phrase(self) -> str:
        return self.short or self.statement.rstrip(".")

    @property
    def self_statement(self) -> str:
        """The statement about ourselves (falls back to the partner wording)."""
        return self.self_text or self.statement

    @property
    def self_phrase(self) -> str:
        if self.self_short:
            return self.self_short
        return self.self_text.rstrip(".") if self.self_text else self.phrase


@dataclass(frozen=True)
class Archetype:
    """A sort of partner, described by the rating it would be expected to get on indicators."""

    id: str
    name: str
    summary: str
    prototype: Mapping[str, float]
    # How reasons refer to it: "typical of a Megalomaniac".
    singular: str = ""
    # The passage of the source text the archetype comes from.
    source: str = ""
    # Why each prototype value is what it is, per indicator id.
    reasons: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.singular or self.name

    def basis(self, indicator_id: str) -> Basis:
        """Where a prototype value comes from: "document" when its reason quotes words
        found in the archetype's source passage, otherwise "inference" (the team's)."""
        return self._bases.get(indicator_id, "inference")

    @cached_property
    def _bases(self) -> dict[str, Basis]:
        source = _normalise(self.source)
        found: dict[str, Basis] = {}
        for indicator_id in self.prototype:
            quotes = _QUOTE_RE.findall(self.reasons.get(indicator_id, ""))
            parts = [_normalise(piece) for quote in quotes for piece in _ELLIPSIS_RE.split(quote)]
            cited = bool(quotes) and all(part in source for part in parts if part)
            found[indicator_id] = "document" if cited else "inference"
        return found


@dataclass(frozen=True)
class Contradiction:
    """Two answers that cannot both be true of one partner, e.g. agreeing that they "reach
    decisions promptly" and that their meetings "produce few decisions"."""

    first: str
    first_side: Side
    second: str
    second_side: Side
    reason: str = ""


@dataclass(frozen=True)
class Typology:
    """A named set of archetypes with its indicator instrument and indicator weights."""

    id: str
    name: str
    version: int
    description: str
    indicators: tuple[Indicator, ...]
    archetypes: tuple[Archetype, ...]
    weights: Mapping[str, float]
    weight_reasons: Mapping[str, str] = field(default_factory=dict)
    contradictions: tuple[Contradiction, ...] = ()

    def indicator(self, indicator_id: str) -> Indicator:
        return self._indicators[indicator_id]

    def archetype(self, archetype_id: str) -> Archetype:
        return self._archetypes[archetype_id]

    @cached_property
    def _indicators(self) -> dict[str, Indicator]:
        return {indicator.id: indicator for indicator in self.indicators}

    @cached_property
    def _archetypes(self) -> dict[str, Archetype]:
        return {archetype.id: archetype for archetype in self.archetypes}

    @cached_property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(indicator.id for indicator in self.indicators)

    @cached_property
    def archetype_ids(self) -> tuple[str, ...]:
        return tuple(archetype.id for archetype in self.archetypes)


# --- building from data -------------------------------------------------------------------


def _require(data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in data:
        raise TypologyError(f"{where}: missing '{key}'")
    value = data[key]
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypologyError(f"{where} '{key}': expected a number, got {value!r}")
        return float(value)
    if kind is int and isinstance(value, bool):
        raise TypologyError(f"{where} '{key}': expected a whole number, got {value!r}")
    if not isinstance(value, kind):
        raise TypologyError(f"{where} '{key}': expected {kind.__name__}, got {value!r}")
    if isinstance(value, str) and not value.strip():
        raise TypologyError(f"{where} '{key}': must not be empty")
    return value


def _optional_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise TypologyError(f"{where} '{key}': expected str, got {value!r}")
    return value


def _check_id(value: str, where: str) -> None:
    if not _ID_RE.match(value):
        raise TypologyError(
            f"{where}: id {value!r} must be lower case letters, digits and underscores"
        )


def _table_list(data: Mapping[str, Any], key: str, where: str) -> Sequence[Mapping[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise TypologyError(f"{where}: '{key}' must be a non-empty list of tables")
    for position, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise TypologyError(f"{where}: {key}[{position}] must be a table")
    return items


def typology_from_dict(data: Mapping[str, Any], *, source: str = "<data>") -> Typology:
    """Build and validate a typology from plain data shaped like the TOML files.

    `source` names where the data came from, for error messages. Each indicator carries its
    `weight` (and optional `weight_reason`); each archetype its `prototype` table.
    """
    if not isinstance(data, Mapping):
        raise TypologyError(f"{source}: expected a table at the top level")
    typology_id = _require(data, "id", str, source)
    _check_id(typology_id, source)
    name = _require(data, "name", str, source)
    version = _require(data, "version", int, source)
    description = _optional_str(data, "description", source)

    indicators: list[Indicator] = []
    weights: dict[str, float] = {}
    weight_reasons: dict[str, str] = {}
    for position, item in enumerate(_table_list(data, "indicators", source)):
        where = f"{source}: indicators[{position}]"
        indicator_id = _require(item, "id", str, where)
        _check_id(indicator_id, where)
        where = f"{source}: indicator '{indicator_id}'"
        if indicator_id in weights:
            raise TypologyError(f"{where}: duplicate indicator id")
        weight = _require(item, "weight", float, where) if "weight" in item else 1.0
        if not 0 < weight <= 10:
            raise TypologyError(f"{where} 'weight': must be above 0 and at most 10, got {weight}")
        indicators.append(
            Indicator(
                id=indicator_id,
                statement=_require(item, "statement", str, where),
                help=_optional_str(item, "help", where),
                short=_optional_str(item, "short", where),
                self_text=_optional_str(item, "self_text", where),
                self_short=_optional_str(item, "self_short", where),
            )
        )
        weights[indicator_id] = weight
        weight_reasons[indicator_id] = _optional_str(item, "weight_reason", where)

    archetypes: list[Archetype] = []
    seen: set[str] = set()
    for position, item in enumerate(_table_list(data, "archetypes", source)):
        where = f"{source}: archetypes[{position}]"
        archetype_id = _require(item, "id", str, where)
        _check_id(archetype_id, where)
        where = f"{source}: archetype '{archetype_id}'"
        if archetype_id in seen:
            raise TypologyError(f"{where}: duplicate archetype id")
        seen.add(archetype_id)
        raw_prototype = item.get("prototype")
        if not isinstance(raw_prototype, Mapping):
            raise TypologyError(f"{where}: missing 'prototype' table")
        prototype: dict[str, float] = {}
        for indicator_id, value in raw_prototype.items():
            if indicator_id not in weights:
                raise TypologyError(f"{where} prototype '{indicator_id}': unknown indicator")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypologyError(
                    f"{where} prototype '{indicator_id}':"
                    f" expected a number from 1 to 5, got {value!r}"
                )
            if not RATING_MIN <= value <= RATING_MAX:
                raise TypologyError(
                    f"{where} prototype '{indicator_id}': must be between 1 and 5, got {value}"
                )
            prototype[indicator_id] = float(value)
        if len(prototype) < MIN_PROTOTYPE_INDICATORS:
            raise TypologyError(
                f"{where}: prototype needs at least {MIN_PROTOTYPE_INDICATORS} indicators,"
                f" has {len(prototype)}"
            )
        raw_reasons = item.get("reasons", {})
        if not isinstance(raw_reasons, Mapping):
            raise TypologyError(f"{where}: 'reasons' must be a table")
        reasons: dict[str, str] = {}
        for indicator_id, reason in raw_reasons.items():
            if indicator_id not in prototype:
                raise TypologyError(
                    f"{where} reasons '{indicator_id}': not in the archetype's prototype"
                )
            if not isinstance(reason, str):
                raise TypologyError(f"{where} reasons '{indicator_id}': expected str")
            reasons[indicator_id] = reason
        archetypes.append(
            Archetype(
                id=archetype_id,
                name=_require(item, "name", str, where),
                summary=_optional_str(item, "summary", where),
                prototype=prototype,
                singular=_optional_str(item, "singular", where),
                source=_optional_str(item, "source", where),
                reasons=reasons,
            )
        )
    if len(archetypes) < 2:
        raise TypologyError(f"{source}: a typology needs at least two archetypes")
    contradictions = _contradictions(data, weights, source)

    return Typology(
        id=typology_id,
        name=name,
        version=version,
        description=description,
        indicators=tuple(indicators),
        archetypes=tuple(archetypes),
        weights=weights,
        weight_reasons=weight_reasons,
        contradictions=contradictions,
    )


def _contradictions(
    data: Mapping[str, Any], known: Mapping[str, float], source: str
) -> tuple[Contradiction, ...]:
    if "contradictions" not in data:
        return ()
    found = []
    for position, item in enumerate(_table_list(data, "contradictions", source)):
        where = f"{source}: contradictions[{position}]"
        sides: dict[str, Any] = {}
        for key in ("first", "second"):
            indicator_id = _require(item, key, str, where)
            if indicator_id not in known:
                raise TypologyError(f"{where} '{key}': unknown indicator {indicator_id!r}")
            side = _require(item, f"{key}_side", str, where)
            if side not in ("agree", "disagree"):
                raise TypologyError(f"{where} '{key}_side': must be agree or disagree")
            sides[key], sides[f"{key}_side"] = indicator_id, side
        found.append(Contradiction(**sides, reason=_optional_str(item, "reason", where)))
    return tuple(found)


def load_typology(path: str | Path) -> Typology:
    """Read and validate a typology TOML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TypologyError(f"{path.name}: cannot read: {error.strerror}") from error
    return _parse_toml(text, path.name)


def _parse_toml(text: str, source: str) -> Typology:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TypologyError(f"{source}: {error}") from error
    return typology_from_dict(data, source=source)


@cache
def shipped_typologies() -> tuple[Typology, ...]:
    """The typologies shipped in `partnerwise/typology/data/`, ordered by id."""
    data_dir = resources.files("partnerwise.typology") / "data"
    found = [
        _parse_toml(entry.read_text(encoding="utf-8"), entry.name)
        for entry in data_dir.iterdir()
        if entry.name.endswith(".toml")
    ]
    return tuple(sorted(found, key=lambda typology: typology.id))


def get_shipped(typology_id: str) -> Typology:
    """A shipped typology by id; raises `TypologyError` naming the available ones."""
    typologies = shipped_typologies()
    for typology in typologies:
        if typology.id == typology_id:
            return typology
    available = ", ".join(typology.id for typology in typologies)
    raise TypologyError(f"unknown typology {typology_id!r} (available: {available})")
