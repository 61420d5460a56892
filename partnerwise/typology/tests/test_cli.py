"""The classify command's input handling, errors and output."""

from __future__ import annotations

import json

import pytest

from partnerwise.typology.cli import ClassifyError, classify

MEGA = {"power": 5, "size_gap": 5, "sets_terms": 5, "reluctant": 5, "slack": 1, "togetherness": 1}


def test_text_output_for_one_rater() -> None:
    output = classify(json.dumps({"answers": MEGA}), source="input.json")
    assert "Best match: Megalomaniac" in output
    assert "Fit with each archetype:" in output
    assert "#" in output
    assert "Points to it:" in output
    assert "6 of 19 statements answered, by 1 rater." in output
    assert "(founding document)" in output
    assert "Questions that would settle it:" in output
    # Next questions are shown as full statements.
    assert (
        "The relationship is mainly a trade: each side wants something specific from the other."
        in output
    )


def test_json_output_is_one_object_with_the_documented_keys() -> None:
    raters = {
        "raters": [
            {"name": "Sam", "answers": MEGA},
            {"name": "Ali", "answers": {**MEGA, "sets_terms": 2, "slack": None}},
        ]
    }
    data = json.loads(classify(json.dumps(raters), source="input.json", as_json=True))
    for key in (
        "verdict",
        "best",
        "fits",
        "confidence",
        "reasons",
        "next_questions",
        "leading",
        "spread",
        "disagreements",
        "answered",
        "typology",
    ):
        assert key in data
    assert data["typology"] == "default"
    assert data["answered"] == 6
    assert data["disagreements"] == [
        {"indicator": "sets_terms", "spread": 3, "answers": {"Ali": 2, "Sam": 5}}
    ]


def test_text_output_shows_disagreements() -> None:
    raters = {
        "raters": [
            {"name": "Sam", "answers": MEGA},
            {"name": "Ali", "answers": {**MEGA, "sets_terms": 2}},
        ]
    }
    output = classify(json.dumps(raters), source="input.json")
    assert "Where raters disagree:" in output
    assert "Ali: disagree, Sam: strongly agree" in output


def test_json_keeps_its_keys_and_adds_the_evidence_split() -> None:
    neutral = {"answers": dict.fromkeys(["power", "size_gap", "gov_prime", "sets_terms"], 3)}
    data = json.loads(classify(json.dumps(neutral), source="in.json", as_json=True))
    assert data["verdict"] == "insufficient"
    assert data["reasons"] and "not evidence" in data["summary"]
    for key in ("points_to", "points_against", "unknown", "flags", "rater_count", "stability"):
        assert key in data
    assert data["confidence"] == 0


def test_other_typology() -> None:
    answers = {
        "answers": {"info_exchange": 5, "alter_activities": 1, "share_resources": 1, "trust": 2}
    }
    data = json.loads(
        classify(json.dumps(answers), source="in.json", typology_id="himmelman", as_json=True)
    )
    assert data["typology"] == "himmelman"
    assert data["best"] == "networking"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n  "answers": {\n    "power": 5,,\n', "input.json line 3 column 16: invalid JSON: "),
        ("[1, 2]", "input.json: expected a JSON object with 'answers' or 'raters', got list"),
        ("null", "input.json: expected a JSON object with 'answers' or 'raters', got null"),
        ("{}", "input.json: expected exactly one of 'answers' or 'raters'"),
        ('{"answers": [5]}', "input.json: answers: expected an object"),
        (
            '{"answers": {"foo": 3}}',
            "input.json: answers.foo: unknown indicator 'foo' (known: power, size_gap,",
        ),
        (
            '{"raters": [{"name": "Al", "answers": {}}, {"name": "Sam", "answers": {"foo": 1}}]}',
            "input.json: raters[1] ('Sam') answers.foo: unknown indicator 'foo' (known: ",
        ),
        (
            '{"answers": {"power": 7}}',
            "input.json: answers.power: rating must be a whole number from 1 to 5,"
            " or null for don't know; got 7",
        ),
        ('{"answers": {"power": 4.5}}', "input.json: answers.power: rating must be"),
        ('{"answers": {"power": true}}', "got true"),
        ('{"answers": {"power": "5"}}', 'got "5"'),
        ('{"raters": []}', "input.json: raters: expected a non-empty list"),
        (
            '{"raters": [{"answers": {}}]}',
            "input.json: raters[0]: name: expected a non-empty string",
        ),
        (
            '{"raters": [{"name": "A", "answers": {}}, {"name": "A", "answers": {}}]}',
            "input.json: raters[1] ('A'): name: another rater has this name",
        ),
        (
            '{"raters": [{"name": "Sam", "answers": {}}, {"name": " sam ", "answers": {}}]}',
            "input.json: raters[1] (' sam '): name: another rater has this name",
        ),
        (
            '{"answers": {"power": 5, "slack": 1, "power": 2}}',
            "input.json: duplicate key 'power': each key may appear once in an object",
        ),
        (
            '{"answers": {"power": 5}, "answers": {"power": 1}}',
            "input.json: duplicate key 'answers'",
        ),
        ('{"raters": [{"name": "A"}]}', "input.json: raters[0] ('A'): missing 'answers'"),
    ],
)
def test_bad_input_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ClassifyError) as caught:
        classify(text, source="input.json")
    assert str(caught.value).startswith("input.json")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_typology() -> None:
    with pytest.raises(
        ClassifyError, match=r"^unknown typology 'x' \(available: default, himmelman\)$"
    ):
        classify("{}", source="input.json", typology_id="x")
