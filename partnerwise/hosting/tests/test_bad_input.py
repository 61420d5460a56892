"""Input that once answered 500 (each found by fuzzing) now gets a 4xx with a message, on
SQLite and PostgreSQL alike: NUL bytes, over-long strings, ids of 2**63 and more, and
`javascript:` websites."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from partnerwise.conftest import Api, Cast
from partnerwise.organisations.models import Organisation

TOO_BIG = 2**63
HUGE = "99999999999999999999"


@pytest.fixture
def browser(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.editor)
    return client


def test_a_nul_byte_in_a_search_box_is_a_400_naming_the_field(browser: Client) -> None:
    response = browser.get("/w/hope/organisations/", {"q": "St\x00Giles"})
    assert response.status_code == 400
    assert response.content.decode() == "A NUL character (\\0) is not allowed in q."


def test_a_nul_byte_in_a_form_is_a_400(browser: Client) -> None:
    response = browser.post("/w/hope/organisations/new/", {"name": "Bad\x00Name", "kind": "other"})
    assert response.status_code == 400
    assert not Organisation.objects.filter(name__startswith="Bad").exists()


def test_a_nul_byte_in_an_api_parameter_or_body_is_a_400(cast: Cast) -> None:
    api = Api(cast.editor)
    status, body = api.call("GET", "/w/hope/organisations?q=a%00b")
    assert (status, body) == (400, {"detail": "A NUL character (\\0) is not allowed in q."})
    status, body = api.call("POST", "/w/hope/partnerships", {"name": "A\x00B", "form": "referral"})
    assert status == 400 and "NUL" in body["detail"]


def test_over_long_strings_in_api_bodies_are_a_422_naming_the_field(cast: Cast) -> None:
    api = Api(cast.editor)
    status, body = api.call("POST", "/w/hope/partnerships", {"name": "x" * 201, "form": "referral"})
    assert status == 422
    assert body["detail"][0]["loc"][-1] == "name"
    status, body = api.call("POST", "/w/hope/organisations", {"name": "y" * 301})
    assert status == 422 and body["detail"][0]["loc"][-1] == "name"
    pk = cast.partnership.pk
    status, _ = api.call("PATCH", f"/w/hope/partnerships/{pk}", {"version": 1, "area": "z" * 201})
    assert status == 422


@pytest.mark.parametrize(
    "path",
    [
        "/w/hope/partnerships/{pk}/assess/{big}/",
        "/w/hope/partnerships/{pk}/profile/{big}/",
        "/w/hope/partnerships/{big}/",
        "/w/hope/organisations/{big}/",
        "/w/hope/partnerships/{pk}/assess/{huge}/",
    ],
)
def test_page_ids_of_2_63_and_more_are_not_found(cast: Cast, browser: Client, path: str) -> None:
    url = path.format(pk=cast.partnership.pk, big=TOO_BIG, huge=HUGE)
    assert browser.get(url).status_code == 404


def test_api_ids_of_2_63_and_more_are_refused(cast: Cast) -> None:
    api = Api(cast.editor)
    pk = cast.partnership.pk
    status, body = api.call(
        "POST",
        f"/w/hope/partnerships/{pk}/assessments",
        {"subject_id": TOO_BIG, "answers": {"power": {"rating": 5}}},
    )
    assert status == 422 and body["detail"][0]["loc"][-1] == "subject_id"
    status, _ = api.call("GET", f"/w/hope/partnerships/{TOO_BIG}")
    assert status == 404
    status, _ = api.call("GET", f"/w/hope/organisations/{TOO_BIG}")
    assert status == 404


def test_a_javascript_website_is_refused(cast: Cast, browser: Client) -> None:
    api = Api(cast.editor)
    status, body = api.call(
        "POST", "/w/hope/organisations", {"name": "Evil", "website": "javascript:alert(1)"}
    )
    assert status == 422 and body["detail"][0]["loc"][-1] == "website"
    status, _ = api.call(
        "POST", "/w/hope/organisations", {"name": "Good", "website": "https://good.example.org"}
    )
    assert status == 201
    page = browser.post(
        "/w/hope/organisations/new/",
        {"name": "Evil", "kind": "other", "website": "javascript:alert(1)"},
    )
    assert page.status_code == 200 and not Organisation.objects.filter(name="Evil").exists()


def test_the_openapi_description_lists_the_errors_and_limits(db: None) -> None:
    schema = json.loads(Client().get("/api/openapi.json").content)
    patch = schema["paths"]["/api/w/{slug}/partnerships/{pk}"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(map(str, patch))
    organisation = schema["components"]["schemas"]["OrganisationIn"]["properties"]
    assert organisation["name"]["maxLength"] == 300
    assert organisation["website"]["pattern"].startswith("^(https?://")
