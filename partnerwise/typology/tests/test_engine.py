"""Properties of the engine that must hold for any answers, on both shipped typologies."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerwise.typology import AnswerError, Rater, Typology, get_shipped, profile

TYPOLOGIES = [get_shipped("default"), get_shipped("himmelman")]


def answer_sets(typology: Typology) -> st.SearchStrategy[dict[str, int | None]]:
    return st.dictionaries(
        st.sampled_from(typology.indicator_ids),
        st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
    )


typologies = st.sampled_from(TYPOLOGIES)


@given(st.data())
def test_fits_and_confidence_stay_in_range(data: st.DataObject) -> None:
    typology = data.draw(typologies)
    result = profile(typology, [Rater("a", data.draw(answer_sets(typology)))])
    assert set(result.fits) == set(typology.archetype_ids)
    assert all(0.0 <= fit <= 1.0 for fit in result.fits.values())
    assert 0.0 <= result.confidence <= 1.0
    assert result.verdict in ("match", "mixed", "insufficient")
    assert (result.best is not None) == (result.verdict == "match")
    if result.best is not None:
        assert result.leading[0] == result.best
    json.dumps(result.to_dict())


@pytest.mark.parametrize("typology", TYPOLOGIES, ids=lambda typology: typology.id)
def test_each_prototype_matches_its_own_archetype(typology: Typology) -> None:
    for archetype in typology.archetypes:
        answers = {key: round(value) for key, value in archetype.prototype.items()}
        result = profile(typology, [Rater("a", answers)])
        assert (result.verdict, result.best) == ("match", archetype.id), result.ranked()


@pytest.mark.parametrize("typology", TYPOLOGIES, ids=lambda typology: typology.id)
def test_no_answers_is_insufficient(typology: Typology) -> None:
    result = profile(typology, [Rater("a", {})])
    assert result.verdict == "insufficient"
    assert result.best is None
    assert result.answered == 0
    assert result.reasons == (result.summary,)
    assert "no statements have been answered" in result.summary
    assert result.next_questions  # something to ask first


@given(st.data())
def test_one_or_two_answers_are_insufficient(data: st.DataObject) -> None:
    typology = data.draw(typologies)
    keys = data.draw(
        st.lists(st.sampled_from(typology.indicator_ids), min_size=1, max_size=2, unique=True)
    )
    answers = {key: data.draw(st.integers(1, 5)) for key in keys}
    assert profile(typology, [Rater("a", answers)]).verdict == "insufficient"


@settings(max_examples=50)
@given(st.data())
def test_order_of_raters_and_answer_keys_does_not_matter(data: st.DataObject) -> None:
    typology = data.draw(typologies)
    raters = [
        Rater(name, data.draw(answer_sets(typology)))
        for name in data.draw(st.lists(st.sampled_from("ABCDE"), min_size=1, unique=True))
    ]
    shuffled = [
        Rater(rater.name, dict(data.draw(st.permutations(list(rater.answers.items())))))
        for rater in data.draw(st.permutations(raters))
    ]
    assert profile(typology, raters).to_dict() == profile(typology, shuffled).to_dict()


@settings(max_examples=50)
@given(st.data())
def test_identical_raters_agree_with_one_rater(data: st.DataObject) -> None:
    typology = data.draw(typologies)
    answers = data.draw(answer_sets(typology))
    alone = profile(typology, [Rater("a", answers)])
    together = profile(typology, [Rater("a", answers), Rater("b", dict(answers))])
    assert all(value == 0 for value in together.spread.values())
    assert together.disagreements == ()
    assert together.fits == alone.fits
    assert (together.verdict, together.best) == (alone.verdict, alone.best)
    # A second rater who sees the same thing makes the verdict more, never less, certain.
    assert together.confidence >= alone.confidence


def test_raters_combine_by_median_and_disagreements_are_named() -> None:
    typology = get_shipped("default")
    result = profile(
        typology,
        [
            Rater("Sam", {"power": 5, "sets_terms": 5}),
            Rater("Ali", {"power": 4, "sets_terms": 2}),
            Rater("Jo", {"power": 4, "slack": None}),
        ],
    )
    assert result.answers == {"power": 4.0, "sets_terms": 3.5}
    assert result.spread == {"power": 1, "sets_terms": 3}
    assert [item.indicator for item in result.disagreements] == ["sets_terms"]
    assert result.disagreements[0].answers == (("Ali", 2), ("Sam", 5))
    assert set(result.rater_profiles) == {"Ali", "Jo", "Sam"}
    assert result.raters == ("Ali", "Jo", "Sam")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"foo": 3}, "rater 'Sam': unknown indicator 'foo'"),
        ({"power": 6}, "rater 'Sam' indicator 'power': rating must be a whole number"),
        ({"power": 0}, "rater 'Sam' indicator 'power'"),
        ({"power": True}, "rater 'Sam' indicator 'power'"),
        ({"power": 3.5}, "rater 'Sam' indicator 'power'"),
        ({"power": "5"}, "rater 'Sam' indicator 'power'"),
    ],
)
def test_bad_answers_raise_answer_error(answers: dict[str, object], message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        profile(get_shipped("default"), [Rater("Sam", answers)])  # type: ignore[arg-type]


@pytest.mark.parametrize("second", ["Sam", " sam", "SAM "])
def test_duplicate_rater_names_are_refused_trimmed_and_ignoring_case(second: str) -> None:
    with pytest.raises(AnswerError, match="two raters have this name"):
        profile(get_shipped("default"), [Rater("Sam", {}), Rater(second, {})])


def test_why_is_split_into_points_to_against_and_unknown() -> None:
    typology = get_shipped("default")
    answers = {
        "sets_terms": 5,
        "reluctant": 5,
        "power": 5,
        "slack": 1,
        "builds_capacity": 4,
        "size_gap": 4,
    }
    result = profile(typology, [Rater("a", answers)])
    assert result.best == "megalomaniac"
    assert result.summary.startswith("The answers point to a Megalomaniac")
    assert result.points_to[0].startswith(
        "They set the terms with little discussion: strongly agree — typical of a"
        " Megalomaniac (founding document)."
    ) or result.points_to[0].startswith("They work with partners because they have to")
    assert any(
        line.startswith("They share systems, training or resources to build partners' capacity:")
        and "unlike a Megalomaniac (our inference), who would disagree" in line
        for line in result.points_against
    )
    assert (
        "They partner mainly because working together is good in itself: not answered —"
        " a Megalomaniac would disagree."
    ) in result.unknown
    assert result.reasons == (result.summary, *result.points_to, *result.points_against)
    contributions = {(item.indicator, item.archetype): item for item in result.contributions}
    assert contributions["sets_terms", "megalomaniac"].effect > 0
    assert contributions["builds_capacity", "megalomaniac"].effect < 0
    assert contributions["builds_capacity", "megalomaniac"].basis == "inference"
    assert contributions["sets_terms", "megalomaniac"].basis == "document"
    total = sum(
        i.effect for (_, archetype), i in contributions.items() if archetype == "megalomaniac"
    )
    assert total == pytest.approx(result.fits["megalomaniac"] - 0.5)


def test_next_questions_separate_the_leading_archetypes() -> None:
    typology = get_shipped("default")
    # Big and powerful, sets the terms: a Megalomaniac or a Big beast?
    result = profile(typology, [Rater("a", {"power": 5, "size_gap": 5, "sets_terms": 5})])
    assert {"megalomaniac", "big_beast"} <= set(result.leading)
    top = result.next_questions[:4]
    assert "reluctant" in top or "price_first" in top or "gov_prime" in top
    assert not set(result.next_questions) & {"power", "size_gap", "sets_terms"}
    # Indicators no archetype uses never help separate them.
    assert "user_focus" not in result.next_questions


def test_next_questions_empty_when_everything_answered() -> None:
    typology = get_shipped("himmelman")
    answers = {key: 3 for key in typology.indicator_ids}
    assert profile(typology, [Rater("a", answers)]).next_questions == ()


def test_reasons_say_how_many_raters_answered_each_indicator() -> None:
    raters = [
        Rater("Sam", {"power": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}),
        Rater("Alex", {"power": 5, "gov_prime": 4, "price_first": 4}),
    ]
    reasons = profile(get_shipped("default"), raters).reasons
    terms = next(r for r in reasons if r.startswith("They set the terms"))
    power = next(r for r in reasons if r.startswith("They hold more power"))
    assert "(one rater)" in terms
    assert "(median of 2 raters)" in power


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_profile_told_its_earlier_confidence_has_the_fresh_one(data: st.DataObject) -> None:
    typology = data.draw(typologies)
    raters = [Rater(name, data.draw(answer_sets(typology))) for name in ("a", "b", "c")]
    fresh = profile(typology, raters)
    told = profile(typology, raters).with_confidence(fresh.confidence)
    assert told.confidence == pytest.approx(fresh.confidence)
    assert told.stability == pytest.approx(fresh.stability)
    # A profile with no confidence (not enough evidence) keeps none, whatever it is told.
    empty = profile(typology, [Rater("a", {})]).with_confidence(0.9)
    assert empty.confidence == 0.0
