"""The map of who works with whom: our records and open data, private to the workspace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerwise.conftest import Cast
from partnerwise.opendata.models import Award, Grant
from partnerwise.organisations.models import Organisation
from partnerwise.web.network import network


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def council(cast: Cast) -> Organisation:
    council = Organisation.objects.create(name="Newtown Council", kind="local_authority")
    cast.partnership.participations.create(
        workspace=cast.workspace, organisation=council, role="commissioner"
    )
    return council


def test_partners_are_linked_through_shared_partnerships(cast: Cast, council: Organisation) -> None:
    nodes = {node.organisation.name: node for node in network(cast.workspace)}
    assert set(nodes) == {"Hope Housing", "Big Prime Ltd", "Newtown Council"}
    prime = nodes["Big Prime Ltd"]
    assert {(t.partner.name, t.their_role) for t in prime.ties} == {
        ("Hope Housing", "Sub-contractor or delivery partner"),
        ("Newtown Council", "Commissioner or funder"),
    }
    assert prime.partners == 2


def test_open_data_links_between_partners_are_shown(cast: Cast, council: Organisation) -> None:
    Award.objects.create(
        key="ocds-1/a/1",
        ocid="ocds-1",
        release_id="r1",
        award_id="a",
        buyer=council,
        supplier=cast.prime,
        value=Decimal("250000"),
        award_date=date(2024, 4, 1),
        source_file="test.json",
        row_hash=1,
    )
    Grant.objects.create(
        grant_id="360G-x-1",
        funder=council,
        recipient=cast.us,
        amount=Decimal("5000"),
        source_file="grants.json",
        row_hash=2,
    )
    page = signed_in(cast.viewer).get("/w/hope/network/").content.decode()
    assert "Bought from Big Prime Ltd" in page
    assert "Supplied Newtown Council" in page
    assert "Received grants from Newtown Council" in page
    assert "£250,000" in page


def test_outsider_gets_404_and_sees_none_of_our_partners(cast: Cast, council: Organisation) -> None:
    assert signed_in(cast.outsider).get("/w/hope/network/").status_code == 404
    page = signed_in(cast.outsider).get("/w/elsewhere/network/").content.decode()
    assert "Big Prime Ltd" not in page
    assert "No organisations yet" in page


def test_signed_out_is_sent_to_sign_in(cast: Cast) -> None:
    response = Client().get("/w/hope/network/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_queries_do_not_grow_with_partnerships(cast: Cast, council: Organisation) -> None:
    client = signed_in(cast.viewer)
    client.get("/w/hope/network/")  # warm caches (session, content types)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/w/hope/network/").status_code == 200
        return len(queries)

    few = count()
    for n in range(6):
        partner = Organisation.objects.create(name=f"Partner {n}")
        partnership = cast.workspace.partnerships.create(name=f"P{n}", form="referral")
        for org in (partner, cast.us, council):
            partnership.participations.create(
                workspace=cast.workspace, organisation=org, role="member"
            )
    assert count() == few
