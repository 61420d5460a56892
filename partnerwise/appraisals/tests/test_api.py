"""The appraisal endpoints of the JSON API, as a program uses them."""

from __future__ import annotations

import pytest

from partnerwise.appraisals.models import Decision, Principle, Rating
from partnerwise.conftest import Api, Cast


@pytest.fixture
def red(cast: Cast) -> Principle:
    return Principle.objects.create(
        workspace=cast.workspace, kind="commitment", name="Safeguarding", is_red_line=True
    )


def path(cast: Cast, tail: str = "appraisal") -> str:
    return f"/w/hope/partnerships/{cast.partnership.pk}/{tail}"


DECISION = {
    "outcome": "go",
    "reasons": "Worth it.",
    "approved_by": "Chief executive",
    "decided_on": "2026-11-20",
    "appraisal_version": 1,
}


def test_outsider_gets_404_and_viewer_403(cast: Cast, red: Principle) -> None:
    outsider, viewer = Api(cast.outsider), Api(cast.viewer)
    for tail in ("appraisal", "decisions"):
        assert outsider.call("GET", path(cast, tail))[0] == 404
    assert outsider.call("GET", "/w/hope/principles")[0] == 404
    assert viewer.call("GET", path(cast))[0] == 200
    assert viewer.call("PUT", path(cast), {"version": 0})[0] == 403
    assert viewer.call("POST", path(cast, "decisions"), DECISION)[0] == 403


def test_rate_then_decide_with_override(cast: Cast, red: Principle) -> None:
    api = Api(cast.editor)
    status, body = api.call(
        "PUT",
        path(cast),
        {"version": 0, "ratings": [{"principle_id": red.pk, "score": -2, "evidence": "x"}]},
    )
    assert status == 200
    assert body["version"] == 1
    assert body["recommendation"] == "dont_go"
    assert body["red_line_conflicts"] == ["Safeguarding"]
    assert any(hit["id"] == "merlin_standard" for hit in body["terms"])

    status, body = api.call("POST", path(cast, "decisions"), DECISION)
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "override_reason"]
    assert not Decision.objects.exists()

    status, body = api.call(
        "POST", path(cast, "decisions"), {**DECISION, "override_reason": "Board accepts it."}
    )
    assert status == 201
    assert body["recommendation"] == "dont_go" and body["outcome"] == "go"
    assert api.call("GET", path(cast))[1]["decision"]["id"] == body["id"]


def test_stale_version_is_409_and_nothing_changes(cast: Cast, red: Principle) -> None:
    api = Api(cast.editor)
    body = {"version": 0, "ratings": [{"principle_id": red.pk, "score": 1}]}
    assert api.call("PUT", path(cast), body)[0] == 200
    stale = {"version": 0, "ratings": [{"principle_id": red.pk, "score": -2}]}
    status, answer = api.call("PUT", path(cast), stale)
    assert status == 409
    assert answer["current"]["version"] == 1
    assert Rating.objects.get().score == 1


def test_bad_ratings_are_422_naming_the_problem(cast: Cast, red: Principle) -> None:
    api = Api(cast.editor)
    status, body = api.call(
        "PUT", path(cast), {"version": 0, "ratings": [{"principle_id": red.pk, "score": 5}]}
    )
    assert status == 422
    assert "'Safeguarding': score 5 is outside -2 to +2" in body["detail"][0]["msg"]
    theirs = Principle.objects.create(workspace=cast.other_workspace, kind="value", name="X")
    status, body = api.call(
        "PUT", path(cast), {"version": 0, "ratings": [{"principle_id": theirs.pk, "score": 1}]}
    )
    assert status == 422
    assert not Rating.objects.exists()


def test_playbook_and_principles_are_listed(cast: Cast, red: Principle) -> None:
    api = Api(cast.viewer)
    status, entries = api.call("GET", "/w/hope/playbook")
    assert status == 200
    assert {"compact_notice", "tupe"} <= {entry["id"] for entry in entries}
    status, principles = api.call("GET", "/w/hope/principles")
    assert [p["name"] for p in principles] == ["Safeguarding"]
