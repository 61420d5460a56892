"""Pages and API apply the same rule, because both call the same function: each pair here
asks the page and the API the same question and expects the same answer."""

from __future__ import annotations

from django.test import Client

from partnerwise.conftest import Api, Cast, rate
from partnerwise.opendata.models import SearchName
from partnerwise.opendata.names import normalise_name
from partnerwise.organisations.models import Kind, Organisation


def _signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_charity_known_by_another_name_is_found_by_page_and_api(cast: Cast) -> None:
    trust = Organisation.objects.create(name="St Giles Trust", kind=Kind.CHARITY)
    trust.add_identifier("GB-CHC-801355", primary=True)
    SearchName.objects.create(
        organisation=trust, name="SGT", normalised=normalise_name("SGT"), source="other"
    )
    page = _signed_in(cast.viewer).get("/w/hope/organisations/", {"q": "SGT"})
    assert "St Giles Trust" in page.content.decode()
    status, found = Api(cast.viewer).call("GET", "/w/hope/organisations?q=SGT")
    assert status == 200
    assert [row["name"] for row in found["results"]] == ["St Giles Trust"]
    # By charity number too, through both doors.
    status, found = Api(cast.viewer).call("GET", "/w/hope/organisations?q=801355")
    assert [row["name"] for row in found["results"]] == ["St Giles Trust"]
    page = _signed_in(cast.viewer).get("/w/hope/organisations/", {"q": "801355"})
    assert "St Giles Trust" in page.content.decode()


def test_recording_a_private_organisation_keeps_the_same_rules(cast: Cast) -> None:
    client = _signed_in(cast.editor)
    page = client.post(
        "/w/hope/organisations/new/",
        {"name": "Street Kitchen", "kind": "charity", "identifier": "GB-CHC-1"},
    )
    assert page.status_code == 200 and "GB-CHC-1" in page.content.decode()
    status, body = Api(cast.editor).call(
        "POST", "/w/hope/organisations", {"name": "Street Kitchen", "identifiers": ["GB-CHC-1"]}
    )
    assert status == 422 and body["detail"][0]["loc"] == ["body", "identifiers", 0]
    assert not Organisation.objects.filter(name="Street Kitchen").exists()
    client.post("/w/hope/organisations/new/", {"name": "Street Kitchen", "kind": "charity"})
    status, _ = Api(cast.editor).call("POST", "/w/hope/organisations", {"name": "Food Bank"})
    assert status == 201
    mine = Organisation.objects.filter(workspace=cast.workspace).order_by("name")
    assert [o.name for o in mine] == ["Food Bank", "Street Kitchen"]
    assert not Organisation.objects.filter(workspace=cast.other_workspace).exists()


def test_a_rating_of_only_dont_know_is_refused_by_page_and_api(cast: Cast) -> None:
    url = f"/w/hope/partnerships/{cast.partnership.pk}/assess/{cast.prime.pk}/"
    page = _signed_in(cast.editor).post(url, {"rater_name": "Ed", "assessed_on": "2026-10-01"})
    assert "rate at least one statement" in page.content.decode()
    status, body = Api(cast.editor).call(
        "POST",
        f"/w/hope/partnerships/{cast.partnership.pk}/assessments",
        {"subject_id": cast.prime.pk, "answers": {"power": {"rating": None}}},
    )
    assert status == 422
    assert "rate at least one statement" in body["detail"][0]["msg"]
    assert not cast.workspace.assessments.exists()


def test_a_stale_partnership_edit_is_refused_by_page_and_api(cast: Cast) -> None:
    pk = cast.partnership.pk
    form = {"name": "Renamed", "form": "supply_chain", "status": "exploring", "version": "1"}
    client = _signed_in(cast.editor)
    assert client.post(f"/w/hope/partnerships/{pk}/edit/", form).status_code == 302
    # Both doors now send the version they read before that save.
    page = client.post(f"/w/hope/partnerships/{pk}/edit/", {**form, "name": "Page's name"})
    assert page.status_code == 409 and "Renamed" in page.content.decode()
    status, body = Api(cast.editor).call(
        "PATCH", f"/w/hope/partnerships/{pk}", {"version": 1, "name": "API's name"}
    )
    assert status == 409 and body["current"]["version"] == 2
    cast.partnership.refresh_from_db()
    assert (cast.partnership.name, cast.partnership.version) == ("Renamed", 2)


def test_a_stale_rating_edit_is_refused(cast: Cast) -> None:
    assessment = rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 4})
    url = f"/w/hope/partnerships/{cast.partnership.pk}/assessments/{assessment.pk}/edit/"
    form = {"rater_name": "Ed", "assessed_on": "2026-10-01", "rating_power": "5", "version": "1"}
    client = _signed_in(cast.editor)
    assert client.post(url, form).status_code == 302
    page = client.post(url, {**form, "rating_power": "2"})
    assert page.status_code == 409
    assert assessment.answers.get(indicator="power").rating == 5


def test_roles_are_decided_alike_for_page_and_api(cast: Cast) -> None:
    new = {"name": "Food partnership", "form": "referral", "status": "idea"}
    assert _signed_in(cast.viewer).post("/w/hope/partnerships/new/", new).status_code == 403
    assert Api(cast.viewer).call("POST", "/w/hope/partnerships", new)[0] == 403
    assert _signed_in(cast.outsider).post("/w/hope/partnerships/new/", new).status_code == 404
    assert Api(cast.outsider).call("POST", "/w/hope/partnerships", new)[0] == 404
    assert _signed_in(cast.editor).get("/w/hope/settings/").status_code == 403
    assert _signed_in(cast.admin).get("/w/hope/settings/").status_code == 200
    assert not cast.workspace.partnerships.filter(name="Food partnership").exists()
