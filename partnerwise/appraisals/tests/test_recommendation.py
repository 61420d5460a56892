"""The recommendation rules, on plain data."""

from __future__ import annotations

import random

import pytest

from partnerwise.appraisals.playbook import Entry, Partner, Situation, shipped_playbook
from partnerwise.appraisals.recommendation import Rated, override_required, recommend

NEIGHBOUR = Partner("Neighbours Trust", "member", ("good_guy",), "match", 0.8)
REFERRAL = Situation(form="referral", our_roles=("member",), partners=(NEIGHBOUR,))
PRIME_BIG_BEAST = Partner("Big Prime Ltd", "prime", ("big_beast",), "match", 0.8)
PRIME_GOOD_GUY = Partner("Kind Prime", "prime", ("good_guy",), "match", 0.8)
SUB_CHAIN = Situation(
    form="supply_chain",
    our_roles=("subcontractor",),
    partners=(PRIME_BIG_BEAST,),
    archetype_names={"big_beast": "Big beasts", "good_guy": "Good guys"},
)
SAFEGUARDING = "Safeguarding"


def good(name: str = "Client choice", kind: str = "commitment") -> Rated:
    return Rated(name=name, kind=kind, is_red_line=False, score=1)  # type: ignore[arg-type]


def red_line(score: int | None, evidence: str = "") -> Rated:
    return Rated(SAFEGUARDING, "commitment", is_red_line=True, score=score, evidence=evidence)


# A playbook with nothing severe, so that the ratings alone decide.
MILD = [Entry("note", "A note", "term", "low", "Text.")]


def test_all_well_is_go() -> None:
    result = recommend(
        situation=REFERRAL, ratings=[good(), good("Openness", "value"), red_line(1)], playbook=MILD
    )
    assert result.outcome == "go"
    assert result.conditions == ()
    assert result.terms[0].entry.id == "note"


def test_red_line_in_conflict_is_dont_go_and_named() -> None:
    result = recommend(
        situation=REFERRAL,
        ratings=[good(), good("Openness", "value"), red_line(-2, "they share no incidents")],
        playbook=MILD,
    )
    assert result.outcome == "dont_go"
    assert result.red_line_conflicts == (SAFEGUARDING,)
    assert "they share no incidents" in result.reasons[0]


def test_red_line_under_strain_or_unrated_gives_conditions() -> None:
    strained = recommend(situation=REFERRAL, ratings=[good(), red_line(-1)], playbook=MILD)
    assert strained.outcome == "go_with_conditions"
    assert strained.red_line_conflicts == ()
    assert any(SAFEGUARDING in c for c in strained.conditions)
    unrated = recommend(situation=REFERRAL, ratings=[good(), red_line(None)], playbook=MILD)
    assert unrated.outcome == "not_enough"
    assert any("Check the red line" in c for c in unrated.conditions)


def test_harm_to_service_users_on_average_is_dont_go_without_red_lines() -> None:
    ratings = [
        Rated("Continuity of support", "commitment", False, -1),
        Rated("Client choice", "commitment", False, -1),
        good("Openness", "value"),
    ]
    result = recommend(situation=REFERRAL, ratings=ratings, playbook=MILD)
    assert result.outcome == "dont_go"
    assert result.red_line_conflicts == ()
    assert "Service users would be worse off" in result.reasons[0]


def test_nothing_rated_is_not_go() -> None:
    result = recommend(situation=REFERRAL, ratings=[], playbook=MILD)
    assert result.outcome == "not_enough"
    assert "Rate the partnership against our values and commitments." in result.conditions


def test_without_partners_or_ratings_there_is_not_enough_to_recommend() -> None:
    alone = Situation(form="referral", our_roles=("member",), partners=())
    result = recommend(
        situation=alone, ratings=[good(), Rated("Openness", "value", False, None)], playbook=MILD
    )
    assert result.outcome == "not_enough"
    assert result.label == "Not enough to recommend yet"
    assert result.reasons[:2] == (
        "Nobody else is recorded in this partnership yet: add its partners.",
        "Not rated yet against 'Openness': rate the partnership against each value and commitment.",
    )
    nothing = recommend(situation=REFERRAL, ratings=[], playbook=MILD)
    assert "We have not set out our values" in nothing.reasons[0]
    # Evidence that already says no is enough to say no.
    conflict = recommend(situation=alone, ratings=[red_line(-2)], playbook=MILD)
    assert conflict.outcome == "dont_go"


def test_archetype_drives_risks_terms_and_conditions() -> None:
    ratings = [good(), red_line(2)]
    beast = recommend(situation=SUB_CHAIN, ratings=ratings, playbook=shipped_playbook())
    kind = Situation(
        form="supply_chain",
        our_roles=("subcontractor",),
        partners=(PRIME_GOOD_GUY,),
        archetype_names=SUB_CHAIN.archetype_names,
    )
    guy = recommend(situation=kind, ratings=ratings, playbook=shipped_playbook())
    beast_ids = {hit.entry.id for hit in beast.risks + beast.terms}
    guy_ids = {hit.entry.id for hit in guy.risks + guy.terms}
    assert {"big_beast_payment_by_results", "big_beast_prime_exit"} <= beast_ids
    assert not beast_ids & {"good_guy_capacity", "good_guy_dependency"}
    assert {"good_guy_capacity", "good_guy_dependency"} <= guy_ids
    assert "What happens if the prime loses or hands back its contract." in beast.conditions
    assert not any("prime loses" in c for c in guy.conditions)
    # The form and our role bring the Merlin Standard and full cost recovery either way.
    assert {"merlin_standard", "full_cost_recovery"} <= beast_ids & guy_ids
    hit = next(h for h in beast.risks if h.entry.id == "big_beast_price_first")
    assert hit.because == ("Big Prime Ltd (prime or lead) reads as Big beasts",)


def test_mixed_profile_hits_are_tentative_and_unassessed_partners_are_a_condition() -> None:
    mixed = Partner("Maybe Ltd", "prime", ("big_beast", "megalomaniac"), "mixed", 0.3)
    unknown = Partner("DWP", "commissioner")
    situation = Situation("supply_chain", ("subcontractor",), (mixed, unknown))
    result = recommend(situation=situation, ratings=[good()], playbook=shipped_playbook())
    tentative = {hit.entry.id for hit in result.risks + result.terms if hit.tentative}
    assert {"big_beast_price_first", "megalomaniac_no_slack"} <= tentative
    assert "Assess DWP on the partner instrument." in result.conditions
    assert result.outcome == "go_with_conditions"


def test_insufficient_profile_brings_no_archetype_entries() -> None:
    vague = Partner("Vague Ltd", "prime", (), "insufficient", 0.1)
    situation = Situation("referral", ("member",), (vague,))
    result = recommend(situation=situation, ratings=[good()], playbook=shipped_playbook())
    assert not [hit for hit in result.risks + result.terms if hit.entry.archetypes]
    assert "Assess Vague Ltd on the partner instrument." in result.conditions


def test_disabled_entries_do_not_apply() -> None:
    entry = Entry("x", "X", "risk", "high", "Text.", forms=("referral",))
    on = recommend(situation=REFERRAL, ratings=[good()], playbook=[entry])
    off = recommend(
        situation=REFERRAL,
        ratings=[good()],
        playbook=[Entry("x", "X", "risk", "high", "Text.", forms=("referral",), enabled=False)],
    )
    assert on.outcome == "go_with_conditions" and [h.entry.id for h in on.risks] == ["x"]
    assert off.outcome == "go" and off.risks == ()


def test_override_required_only_when_going_in_against_a_red_line() -> None:
    assert override_required("go", [SAFEGUARDING])
    assert override_required("go_with_conditions", [SAFEGUARDING])
    assert not override_required("dont_go", [SAFEGUARDING])
    assert not override_required("go", [])


def test_out_of_range_score_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="'Safeguarding': score 3"):
        recommend(situation=REFERRAL, ratings=[red_line(3)], playbook=MILD)


def test_deterministic_whatever_the_order_of_the_playbook() -> None:
    ratings = [good(), red_line(-1, "two policies"), good("Openness", "value")]
    entries = list(shipped_playbook())
    first = recommend(situation=SUB_CHAIN, ratings=ratings, playbook=entries).to_dict()
    assert first == recommend(situation=SUB_CHAIN, ratings=ratings, playbook=entries).to_dict()
    shuffled = entries[:]
    random.Random(7).shuffle(shuffled)
    again = recommend(situation=SUB_CHAIN, ratings=ratings, playbook=shuffled)
    assert again.outcome == first["recommendation"]
    assert sorted(again.conditions) == sorted(first["conditions"])
    # Most severe first, whatever the file order.
    severities = [hit["severity"] for hit in first["risks"]]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)
