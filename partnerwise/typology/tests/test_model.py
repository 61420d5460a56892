"""Loading and validating typology data."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from partnerwise.typology import (
    TypologyError,
    get_shipped,
    load_typology,
    shipped_typologies,
    typology_from_dict,
)

DEFAULT_IDS = ["transactional", "megalomaniac", "big_beast", "good_guy", "wide_eyed"]
V1_INDICATORS = [
    "power",
    "size_gap",
    "gov_prime",
    "sets_terms",
    "slack",
    "reluctant",
    "price_first",
    "quick_start",
    "exchange",
    "long_term",
    "values_shared",
    "respects_expertise",
    "builds_capacity",
    "performance",
    "decisive",
    "togetherness",
    "sociable",
    "pleasant",
    "user_focus",
]


def _default_data() -> dict[str, Any]:
    path = resources.files("partnerwise.typology") / "data" / "default.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_shipped_typologies() -> None:
    assert [typology.id for typology in shipped_typologies()] == ["default", "himmelman"]
    default = get_shipped("default")
    assert list(default.archetype_ids) == DEFAULT_IDS
    assert list(default.indicator_ids) == V1_INDICATORS
    assert default.archetype("wide_eyed").name == "Worthy, willing & wide-eyed"
    assert default.version == 1
    assert all(default.weight_reasons[key] for key in default.indicator_ids)
    himmelman = get_shipped("himmelman")
    assert list(himmelman.archetype_ids) == [
        "networking",
        "coordinating",
        "cooperating",
        "collaborating",
    ]


def test_every_default_prototype_value_has_a_reason() -> None:
    for archetype in get_shipped("default").archetypes:
        assert set(archetype.reasons) == set(archetype.prototype), archetype.id


def test_unknown_typology() -> None:
    with pytest.raises(
        TypologyError, match=r"unknown typology 'x' \(available: default, himmelman\)"
    ):
        get_shipped("x")


def test_load_typology_from_a_file(tmp_path: Path) -> None:
    source = resources.files("partnerwise.typology") / "data" / "himmelman.toml"
    path = tmp_path / "mine.toml"
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_typology(path) == get_shipped("himmelman")


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("id = \n", encoding="utf-8")
    with pytest.raises(TypologyError, match=r"^broken\.toml: "):
        load_typology(path)


def _break(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(_default_data())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["archetypes"][1]["prototype"].update(foo=3),
            "default.toml: archetype 'megalomaniac' prototype 'foo': unknown indicator",
        ),
        (
            lambda d: d["archetypes"][0]["prototype"].update(power=6),
            "default.toml: archetype 'transactional' prototype 'power': must be between 1 and 5",
        ),
        (
            lambda d: d["archetypes"][0]["prototype"].update(power=True),
            "archetype 'transactional' prototype 'power': expected a number",
        ),
        (lambda d: d["indicators"][0].update(weight=0), "indicator 'power' 'weight'"),
        (lambda d: d["indicators"][1].update(id="power"), "indicator 'power': duplicate"),
        (lambda d: d["archetypes"][1].update(id="transactional"), "duplicate archetype id"),
        (lambda d: d["archetypes"][0].pop("name"), "archetype 'transactional': missing 'name'"),
        (lambda d: d.pop("version"), "default.toml: missing 'version'"),
        (lambda d: d["archetypes"][2].pop("prototype"), "missing 'prototype' table"),
        (lambda d: d["archetypes"][0].update(id="Big Beast"), "must be lower case"),
        (
            lambda d: d["archetypes"][0].update(prototype={"power": 3}),
            "prototype needs at least 3 indicators",
        ),
    ],
)
def test_validation_names_file_and_field(change: Any, message: str) -> None:
    with pytest.raises(TypologyError, match=message.replace("(", r"\(")):
        typology_from_dict(_break(change), source="default.toml")


def test_a_workspace_can_add_an_archetype() -> None:
    data = _default_data()
    data["archetypes"].append(
        {
            "id": "gatekeeper",
            "name": "Gatekeeper",
            "summary": "Controls referrals and access to users.",
            "prototype": {"power": 5, "sets_terms": 4, "user_focus": 2, "exchange": 4},
        }
    )
    typology = typology_from_dict(data, source="workspace 12")
    assert typology.archetype_ids[-1] == "gatekeeper"
