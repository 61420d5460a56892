from datetime import date

import pytest

from partnerwise.assessments.models import Archetype, Indicator, Typology
from partnerwise.assessments.profiles import profile_for, profile_history
from partnerwise.assessments.typologies import (
    default_typology,
    engine_typology,
    sync_shipped_typologies,
)
from partnerwise.conftest import Cast, rate
from partnerwise.typology import get_shipped

BIG_BEAST = {"power": 5, "gov_prime": 5, "price_first": 5, "performance": 4, "slack": 2}
GOOD_GUY = {"respects_expertise": 5, "builds_capacity": 5, "performance": 4, "slack": 4}


def test_shipped_typologies_are_in_the_database_after_migrate(db: None) -> None:
    default = default_typology()
    shipped = get_shipped("default")
    assert list(default.indicators.values_list("key", flat=True)) == list(shipped.indicator_ids)
    assert set(default.archetypes.values_list("key", flat=True)) == {
        "transactional",
        "megalomaniac",
        "big_beast",
        "good_guy",
        "wide_eyed",
    }
    assert Typology.objects.filter(workspace=None, key="himmelman").exists()


def test_sync_is_idempotent_and_round_trips_to_the_engine(db: None) -> None:
    sync_shipped_typologies()
    sync_shipped_typologies()
    assert Typology.objects.filter(workspace=None).count() == 2
    assert Indicator.objects.filter(typology=default_typology()).count() == 19
    rebuilt = engine_typology(default_typology(), None)
    shipped = get_shipped("default")
    assert rebuilt.weights == shipped.weights
    assert {a.id: dict(a.prototype) for a in rebuilt.archetypes} == {
        a.id: dict(a.prototype) for a in shipped.archetypes
    }


def test_profile_uses_each_raters_latest_assessment(cast: Cast) -> None:
    ws, p = cast.workspace, cast.partnership
    rate(ws, p, cast.prime, cast.editor, GOOD_GUY, on=date(2025, 1, 1))
    rate(ws, p, cast.prime, cast.editor, BIG_BEAST, on=date(2026, 1, 1))
    result = profile_for(ws, p, cast.prime)
    assert result.raters == ("editor@hope.org",)
    assert result.best == "big_beast"


def test_two_colleagues_disagreeing_show_up(cast: Cast) -> None:
    ws, p = cast.workspace, cast.partnership
    rate(ws, p, cast.prime, cast.editor, BIG_BEAST)
    rate(ws, p, cast.prime, cast.admin, {**BIG_BEAST, "slack": 5})
    result = profile_for(ws, p, cast.prime)
    assert len(result.raters) == 2
    assert [d.indicator for d in result.disagreements] == ["slack"]


def test_history_shows_drift(cast: Cast) -> None:
    ws, p = cast.workspace, cast.partnership
    rate(ws, p, cast.prime, cast.editor, GOOD_GUY, on=date(2025, 1, 1))
    rate(ws, p, cast.prime, cast.editor, BIG_BEAST, on=date(2026, 1, 1))
    history = profile_history(ws, p, cast.prime)
    assert [point.profile.best for point in history] == ["good_guy", "big_beast"]


def test_another_workspaces_ratings_never_count(cast: Cast) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST)
    # The outsider's workspace sees no ratings of the same organisation in our partnership.
    result = profile_for(cast.other_workspace, cast.partnership, cast.prime)
    assert result.verdict == "insufficient"
    assert result.raters == ()


def test_a_workspace_archetype_is_seen_only_by_that_workspace(cast: Cast) -> None:
    typology = default_typology()
    Archetype.objects.create(
        typology=typology,
        workspace=cast.workspace,
        key="gatekeeper",
        name="Gatekeeper",
        prototype={"power": 5, "sets_terms": 4, "exchange": 5, "user_focus": 1},
    )
    ours = engine_typology(typology, cast.workspace)
    theirs = engine_typology(typology, cast.other_workspace)
    assert "gatekeeper" in ours.archetype_ids
    assert "gatekeeper" not in theirs.archetype_ids
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5})
    assert "gatekeeper" in profile_for(cast.workspace, cast.partnership, cast.prime).fits


@pytest.mark.parametrize("answers", [{"power": 5}, {"power": 5, "slack": 1}])
def test_one_or_two_answers_are_not_enough(cast: Cast, answers: dict[str, int]) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, dict(answers))
    assert profile_for(cast.workspace, cast.partnership, cast.prime).verdict == "insufficient"
