"""Partnership lists come a page at a time, with totals, filtered and sorted the same way on
the page and in the API; bad parameters are named, outsiders see nothing."""

from __future__ import annotations

from django.test import Client

from partnerwise.conftest import PASSWORD, Api, Cast, rate
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Form, Participation, Partnership, Role, Status

MEGALOMANIAC = {"power": 5, "size_gap": 5, "sets_terms": 5, "reluctant": 5, "slack": 1}


def many(cast: Cast, count: int) -> list[Partnership]:
    made = []
    for n in range(count):
        made.append(
            Partnership.objects.create(
                workspace=cast.workspace,
                name=f"Partnership {n:03d}",
                form=Form.CONSORTIUM if n % 2 else Form.REFERRAL,
                status=Status.ACTIVE if n % 3 == 0 else Status.IDEA,
                value=1000 * n,
            )
        )
    return made


def signed_in(cast: Cast) -> Client:
    client = Client()
    client.login(username=cast.viewer.username, password=PASSWORD)
    return client


def test_page_shows_one_page_with_the_total_and_links_on(cast: Cast) -> None:
    many(cast, 60)
    client = signed_in(cast)
    page = client.get("/w/hope/partnerships/").content.decode()
    assert "61 partnerships, 25 a page" in page
    assert "Page 1 of 3" in page
    assert "Partnership 023" in page and "Partnership 030" not in page
    second = client.get("/w/hope/partnerships/?page=2&sort=-value").content.decode()
    assert "Page 2 of 3" in second
    # Largest first: 59..35 on page 1, 34..10 on page 2.
    assert "Partnership 034" in second and "Partnership 035" not in second


def test_page_filters_by_status_form_and_partner(cast: Cast) -> None:
    made = many(cast, 12)
    partner = Organisation.objects.create(name="Riverside Trust")
    Participation.objects.create(
        workspace=cast.workspace, partnership=made[4], organisation=partner, role=Role.MEMBER
    )
    client = signed_in(cast)
    active = client.get("/w/hope/partnerships/?status=active&form=referral").content.decode()
    assert "2 partnerships" in active  # 0 and 6
    assert "Partnership 000" in active and "Partnership 006" in active
    theirs = client.get(f"/w/hope/partnerships/?partner={partner.pk}").content.decode()
    assert "1 partnership." in theirs and "Riverside Trust" in theirs


def test_archetype_filter_reads_the_stored_profiles(cast: Cast) -> None:
    made = many(cast, 3)
    Participation.objects.create(
        workspace=cast.workspace, partnership=made[1], organisation=cast.prime, role=Role.PRIME
    )
    rate(cast.workspace, made[1], cast.prime, cast.editor, MEGALOMANIAC)
    page = signed_in(cast).get("/w/hope/partnerships/?archetype=megalomaniac").content.decode()
    assert "1 partnership." in page and "Partnership 001" in page


def test_bad_parameters_are_named_on_the_page_and_in_the_api(cast: Cast) -> None:
    client = signed_in(cast)
    response = client.get("/w/hope/partnerships/?status=sleeping")
    assert response.status_code == 400
    assert "status: &#x27;sleeping&#x27; is not one of" in response.content.decode()
    assert client.get("/w/hope/partnerships/?page=9").status_code == 400
    api = Api(cast.viewer)
    status, body = api.call("GET", "/w/hope/partnerships?sort=colour")
    assert status == 422 and body["detail"][0]["loc"] == ["query", "sort"]
    status, body = api.call("GET", "/w/hope/partnerships?size=7")
    assert status == 422 and body["detail"][0]["loc"] == ["query", "size"]


def test_api_list_is_paged_with_totals(cast: Cast) -> None:
    many(cast, 30)
    api = Api(cast.viewer)
    status, body = api.call("GET", "/w/hope/partnerships?size=25&form=referral")
    assert status == 200
    assert (body["count"], body["page"], body["pages"], body["size"]) == (15, 1, 1, 25)
    assert {p["form"] for p in body["results"]} == {"referral"}


def test_api_pages_and_filters(cast: Cast) -> None:
    many(cast, 60)
    api = Api(cast.viewer)
    status, body = api.call("GET", "/w/hope/partnerships?size=25&page=3")
    assert status == 200
    assert (body["count"], body["page"], body["pages"], body["size"]) == (61, 3, 3, 25)
    assert len(body["results"]) == 11
    _, active = api.call("GET", "/w/hope/partnerships?status=active&size=100")
    assert active["count"] == 20 and {p["status"] for p in active["results"]} == {"active"}


def test_outsider_gets_404_for_the_list(cast: Cast) -> None:
    many(cast, 3)
    client = Client()
    client.login(username=cast.outsider.username, password=PASSWORD)
    assert client.get("/w/hope/partnerships/").status_code == 404
    assert Api(cast.outsider).call("GET", "/w/hope/partnerships")[0] == 404
