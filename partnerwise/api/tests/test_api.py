"""The JSON API as a program uses it: bearer tokens, JSON in and out, clear errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from partnerwise.api.models import ApiToken
from partnerwise.conftest import PASSWORD, Api, Cast, rate
from partnerwise.workspaces.models import ChangeRecord

BIG_BEAST = {"power": 5, "gov_prime": 5, "price_first": 5, "performance": 4, "slack": 2}


@pytest.fixture
def editor(cast: Cast) -> Api:
    return Api(cast.editor)


def test_no_credentials_no_entry(cast: Cast) -> None:
    assert Client().get("/api/w/hope/partnerships").status_code == 401
    response = Client().get("/api/w/hope/partnerships", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401


def test_revoked_token_is_refused(cast: Cast) -> None:
    api = Api(cast.editor)
    ApiToken.objects.update(revoked="2026-01-01T00:00:00Z")
    assert api.call("GET", "/w/hope/partnerships")[0] == 401


def test_tokens_are_stored_hashed(cast: Cast) -> None:
    api = Api(cast.editor)
    row = ApiToken.objects.get()
    assert api.token not in (row.key_hash, row.prefix)
    assert row.prefix == api.token[:8]


def test_outsider_sees_404_everywhere(cast: Cast) -> None:
    outsider = Api(cast.outsider)
    pk = cast.partnership.pk
    for method, path, body in [
        ("GET", "/w/hope/partnerships", None),
        ("GET", f"/w/hope/partnerships/{pk}", None),
        ("PATCH", f"/w/hope/partnerships/{pk}", {"version": 1, "name": "Mine now"}),
        ("POST", "/w/hope/partnerships", {"name": "x", "form": "referral"}),
        ("GET", f"/w/hope/partnerships/{pk}/profiles/{cast.prime.pk}", None),
        ("GET", "/w/hope/organisations?q=Big", None),
    ]:
        assert outsider.call(method, path, body)[0] == 404, (method, path)
    # And from its own workspace it cannot reach our partnership by id.
    assert outsider.call("GET", f"/w/elsewhere/partnerships/{pk}")[0] == 404


def test_viewer_reads_but_cannot_write(cast: Cast) -> None:
    viewer = Api(cast.viewer)
    assert viewer.call("GET", "/w/hope/partnerships")[0] == 200
    status, _ = viewer.call("POST", "/w/hope/partnerships", {"name": "x", "form": "referral"})
    assert status == 403


def test_editor_records_a_partnership_and_its_participants(cast: Cast, editor: Api) -> None:
    status, body = editor.call(
        "POST",
        "/w/hope/partnerships",
        {"name": "Housing First consortium", "form": "consortium", "value": "125000.00"},
    )
    assert status == 201, body
    assert body["version"] == 1
    status, added = editor.call(
        "POST",
        f"/w/hope/partnerships/{body['id']}/participants",
        {"organisation_id": cast.prime.pk, "role": "prime", "share": "60"},
    )
    assert status == 201, added
    _, listed = editor.call("GET", "/w/hope/partnerships")
    names = {p["name"]: p for p in listed["results"]}
    assert names["Housing First consortium"]["participants"][0]["organisation"] == "Big Prime Ltd"
    assert ChangeRecord.objects.filter(workspace=cast.workspace, action="created").exists()


def test_bad_input_names_the_field(cast: Cast, editor: Api) -> None:
    status, body = editor.call("POST", "/w/hope/partnerships", {"name": "x", "form": "nonsense"})
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "form"]
    status, body = editor.call(
        "POST",
        "/w/hope/partnerships",
        {"name": "x", "form": "referral", "start_date": "2026-05-01", "end_date": "2026-01-01"},
    )
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "end_date"]


def test_a_stale_edit_is_refused_and_nothing_changes(cast: Cast, editor: Api) -> None:
    pk = cast.partnership.pk
    status, first = editor.call("PATCH", f"/w/hope/partnerships/{pk}", {"version": 1, "area": "N"})
    assert status == 200, first
    assert first["version"] == 2
    status, second = editor.call(
        "PATCH", f"/w/hope/partnerships/{pk}", {"version": 1, "area": "Somewhere else"}
    )
    assert status == 409
    assert second["current"]["area"] == "N"
    assert second["current"]["version"] == 2
    cast.partnership.refresh_from_db()
    assert cast.partnership.area == "N"


def test_rating_returns_the_updated_profile(cast: Cast, editor: Api) -> None:
    pk = cast.partnership.pk
    answers = {key: {"rating": value} for key, value in BIG_BEAST.items()}
    status, body = editor.call(
        "POST",
        f"/w/hope/partnerships/{pk}/assessments",
        {"subject_id": cast.prime.pk, "answers": answers},
    )
    assert status == 201, body
    assert body["profile"]["best"] == "big_beast"
    status, profile = editor.call("GET", f"/w/hope/partnerships/{pk}/profiles/{cast.prime.pk}")
    assert status == 200
    assert profile["verdict"] == "match"


def test_bad_ratings_are_refused_with_the_indicator_named(cast: Cast, editor: Api) -> None:
    pk = cast.partnership.pk
    status, body = editor.call(
        "POST",
        f"/w/hope/partnerships/{pk}/assessments",
        {"subject_id": cast.prime.pk, "answers": {"power": {"rating": 9}}},
    )
    assert status == 422
    assert "power" in body["detail"][0]["msg"]
    status, body = editor.call(
        "POST",
        f"/w/hope/partnerships/{pk}/assessments",
        {"subject_id": cast.prime.pk, "answers": {"powr": {"rating": 3}}},
    )
    assert status == 422
    assert "powr" in body["detail"][0]["msg"]
    assert not cast.workspace.assessments.exists()


def test_cannot_rate_an_organisation_outside_the_partnership(cast: Cast, editor: Api) -> None:
    other = cast.other_workspace
    stranger = type(cast.prime).objects.create(name="Stranger", workspace=other)
    status, _ = editor.call(
        "POST",
        f"/w/hope/partnerships/{cast.partnership.pk}/assessments",
        {"subject_id": stranger.pk, "answers": {"power": {"rating": 3}}},
    )
    assert status == 422


def test_classify_endpoint_matches_the_engine(cast: Cast, editor: Api) -> None:
    status, body = editor.call(
        "POST", "/w/hope/typologies/default/classify", {"answers": BIG_BEAST}
    )
    assert status == 200
    assert body["best"] == "big_beast"
    status, body = editor.call("POST", "/w/hope/typologies/nope/classify", {"answers": {}})
    assert status == 422


def test_typologies_include_both_shipped(cast: Cast, editor: Api) -> None:
    status, body = editor.call("GET", "/w/hope/typologies")
    assert status == 200
    assert {t["id"] for t in body} == {"default", "himmelman"}


def test_search_finds_by_name_and_number_but_not_others_private_records(
    cast: Cast, editor: Api
) -> None:
    type(cast.prime).objects.create(name="Big Secret Partner", workspace=cast.other_workspace)
    _, found = editor.call("GET", "/w/hope/organisations?q=big")
    assert [o["name"] for o in found["results"]] == ["Big Prime Ltd"]
    _, by_number = editor.call("GET", "/w/hope/organisations?q=1082947")
    assert [o["name"] for o in by_number["results"]] == ["Hope Housing"]
    _, by_company = editor.call("GET", "/w/hope/organisations?q=GB-COH-3911478")
    assert [o["name"] for o in by_company["results"]] == ["Big Prime Ltd"]


def test_search_is_paginated_with_a_count_and_refuses_a_page_past_the_end(
    cast: Cast, editor: Api
) -> None:
    for n in range(23):
        type(cast.prime).objects.create(
            name=f"Quillfeather Group {n:02d}", workspace=cast.workspace
        )
    status, first = editor.call("GET", "/w/hope/organisations?q=llfeath&size=10")
    assert status == 200
    assert (first["count"], first["page"], first["pages"], first["size"], first["more"]) == (
        23,
        1,
        3,
        10,
        False,
    )
    assert len(first["results"]) == 10
    _, last = editor.call("GET", "/w/hope/organisations?q=llfeath&size=10&page=3")
    assert [o["name"] for o in last["results"]] == [f"Quillfeather Group {n}" for n in (20, 21, 22)]
    everyone = {
        o["id"]
        for page in (1, 2, 3)
        for o in editor.call("GET", f"/w/hope/organisations?q=llfeath&size=10&page={page}")[1][
            "results"
        ]
    }
    assert len(everyone) == 23
    status, body = editor.call("GET", "/w/hope/organisations?q=llfeath&size=10&page=4")
    assert status == 422 and body["detail"][0]["loc"] == ["query", "page"], body
    status, body = editor.call("GET", "/w/hope/organisations?q=llfeath&size=7")
    assert status == 422 and body["detail"][0]["loc"] == ["query", "size"], body


def test_private_organisation_with_a_bad_identifier_is_refused(cast: Cast, editor: Api) -> None:
    status, body = editor.call(
        "POST", "/w/hope/organisations", {"name": "New prime", "identifiers": ["GB-CHC-12"]}
    )
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "identifiers", 0]
    assert not type(cast.prime).objects.filter(name="New prime").exists()
    status, body = editor.call(
        "POST", "/w/hope/organisations", {"name": "New prime", "identifiers": ["GB-COH-123"]}
    )
    assert status == 201
    assert body["identifiers"][0]["value"] == "GB-COH-00000123"
    assert body["is_reference"] is False


def test_session_callers_need_the_csrf_token(cast: Cast) -> None:
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=cast.editor.username, password=PASSWORD)
    assert browser.get("/api/w/hope/partnerships").status_code == 200
    response = browser.post(
        "/api/w/hope/partnerships",
        data=json.dumps({"name": "x", "form": "referral"}),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_openapi_description_is_published(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert "/api/w/{slug}/partnerships" in schema["paths"]
    search = schema["paths"]["/api/w/{slug}/organisations"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "page", "size"}
    page = search["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][page.rsplit("/", 1)[1]]["properties"]
    assert set(fields) == {"count", "page", "pages", "size", "more", "results"}


def test_list_query_count_does_not_grow_with_rows(
    cast: Cast, editor: Api, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert editor.call("GET", "/w/hope/partnerships")[0] == 200
        return len(ctx.captured_queries)

    count()  # the token's first use records its last-used time, once a minute at most
    few = count()
    for n in range(8):
        p = cast.workspace.partnerships.create(name=f"P{n}", form="referral")
        p.participations.create(workspace=cast.workspace, organisation=cast.prime, role="prime")
        rate(cast.workspace, p, cast.prime, cast.editor, BIG_BEAST)
    assert count() == few


def test_admin_adds_an_archetype_that_only_this_workspace_sees(cast: Cast) -> None:
    gatekeeper = {
        "id": "gatekeeper",
        "name": "Gatekeeper",
        "prototype": {"power": 5, "exchange": 5, "user_focus": 1},
    }
    editor = Api(cast.editor)
    assert editor.call("POST", "/w/hope/typologies/default/archetypes", gatekeeper)[0] == 403
    admin = Api(cast.admin)
    status, body = admin.call("POST", "/w/hope/typologies/default/archetypes", gatekeeper)
    assert status == 201, body
    assert "gatekeeper" in {a["id"] for a in body["archetypes"]}
    _, theirs = Api(cast.outsider).call("GET", "/w/elsewhere/typologies")
    default = next(t for t in theirs if t["id"] == "default")
    assert "gatekeeper" not in {a["id"] for a in default["archetypes"]}
    bad = {**gatekeeper, "id": "other", "prototype": {"powr": 5, "exchange": 5, "x": 1}}
    status, body = admin.call("POST", "/w/hope/typologies/default/archetypes", bad)
    assert status == 422
    assert "powr" in body["detail"][0]["msg"]
