"""Properties of the recommendation that must hold for any ratings and any situation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from partnerwise.appraisals.playbook import FORM_LABELS, ROLE_LABELS, Partner, Situation
from partnerwise.appraisals.playbook import shipped_playbook as playbook
from partnerwise.appraisals.recommendation import Rated, recommend

# "Not enough to recommend yet" depends on what is rated, not how well: between the two.
RANK = {"go": 0, "go_with_conditions": 1, "not_enough": 1.5, "dont_go": 2}
ARCHETYPES = ["transactional", "megalomaniac", "big_beast", "good_guy", "wide_eyed"]

scores = st.one_of(st.none(), st.integers(min_value=-2, max_value=2))
ratings = st.lists(
    st.builds(
        Rated,
        name=st.sampled_from(["A", "B", "C", "D", "E", "F"]),
        kind=st.sampled_from(["value", "commitment"]),
        is_red_line=st.booleans(),
        score=scores,
        evidence=st.sampled_from(["", "some evidence"]),
    ),
    max_size=8,
    unique_by=lambda rated: rated.name,
)
partners = st.lists(
    st.builds(
        Partner,
        name=st.sampled_from(["P1", "P2", "P3"]),
        role=st.sampled_from(sorted(ROLE_LABELS)),
        archetypes=st.lists(st.sampled_from(ARCHETYPES), max_size=2, unique=True).map(tuple),
        verdict=st.sampled_from(["match", "mixed", "insufficient", "unassessed"]),
        confidence=st.floats(min_value=0, max_value=1),
    ),
    max_size=3,
)
situations = st.builds(
    Situation,
    form=st.sampled_from(sorted(FORM_LABELS)),
    our_roles=st.lists(st.sampled_from(sorted(ROLE_LABELS)), max_size=2, unique=True).map(tuple),
    partners=partners.map(tuple),
)


@given(situations, ratings)
def test_a_red_line_in_conflict_is_always_dont_go_and_named(
    situation: Situation, rated: list[Rated]
) -> None:
    result = recommend(situation=situation, ratings=rated, playbook=playbook())
    conflicts = [r.name for r in rated if r.is_red_line and r.score == -2]
    assert list(result.red_line_conflicts) == conflicts
    if conflicts:
        assert result.outcome == "dont_go"
    assert result.reasons  # always explained


@given(situations, ratings)
def test_same_inputs_same_answer(situation: Situation, rated: list[Rated]) -> None:
    first = recommend(situation=situation, ratings=rated, playbook=playbook())
    again = recommend(situation=situation, ratings=list(rated), playbook=list(playbook()))
    assert first.to_dict() == again.to_dict()


@given(situations, ratings, st.data())
def test_a_better_rating_never_makes_the_recommendation_worse(
    situation: Situation, rated: list[Rated], data: st.DataObject
) -> None:
    scored = [i for i, r in enumerate(rated) if r.score is not None and r.score < 2]
    if not scored:
        return
    index = data.draw(st.sampled_from(scored))
    old = rated[index]
    assert old.score is not None
    better = list(rated)
    better[index] = Rated(
        old.name, old.kind, old.is_red_line, data.draw(st.integers(old.score + 1, 2))
    )
    before = recommend(situation=situation, ratings=rated, playbook=playbook()).outcome
    after = recommend(situation=situation, ratings=better, playbook=playbook()).outcome
    assert RANK[after] <= RANK[before]


@given(situations, ratings)
def test_go_only_when_nothing_is_left_to_settle(situation: Situation, rated: list[Rated]) -> None:
    result = recommend(situation=situation, ratings=rated, playbook=playbook())
    if result.outcome == "go":
        assert result.conditions == ()
        assert not any(hit.entry.severity == "high" for hit in result.risks + result.terms)
        assert all(p.verdict in ("match", "mixed") for p in situation.partners)
        assert all(r.score is not None for r in rated if r.is_red_line)


@given(situations, ratings)
def test_no_recommendation_without_partners_and_rated_values(
    situation: Situation, rated: list[Rated]
) -> None:
    result = recommend(situation=situation, ratings=rated, playbook=playbook())
    if result.outcome in ("go", "go_with_conditions"):
        assert situation.partners
        assert rated and all(r.score is not None for r in rated)
