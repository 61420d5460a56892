"""The map of who works with whom: our records and open data, private to the workspace."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from decimal import Decimal

import networkx as nx
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerwise.charts.network import MAX_R, MIN_R
from partnerwise.conftest import Cast
from partnerwise.opendata.models import Award, Grant
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation, Partnership
from partnerwise.web.network import SHOWN, Filters, bridges, network


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
    nodes = {node.organisation.name: node for node in network(cast.workspace).nodes.values()}
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
        currency="GBP",
        award_date=date(2024, 4, 1),
        source_file="test.json",
        row_hash=1,
    )
    Grant.objects.create(
        grant_id="360G-x-1",
        funder=council,
        recipient=cast.us,
        amount=Decimal("5000"),
        currency="GBP",
        source_file="grants.json",
        row_hash=2,
    )
    page = signed_in(cast.viewer).get("/w/hope/network/").content.decode()
    assert "Bought from Big Prime Ltd" in page
    assert "Supplied Newtown Council" in page
    assert "Received grants from Newtown Council" in page
    assert "£250,000" in page


def test_only_pounds_are_summed_between_partners(cast: Cast, council: Organisation) -> None:
    for n, (value, currency) in enumerate(
        [("250000", "GBP"), ("51811000", "AMD"), ("1000", "")], start=1
    ):
        Award.objects.create(
            key=f"ocds-1/a/{n}", ocid="ocds-1", release_id=f"r{n}", award_id=f"a{n}",
            buyer=council, supplier=cast.prime, value=Decimal(value), currency=currency,
            award_date=date(2024, 4, 1), source_file="test.json", row_hash=n,
        )  # fmt: skip
    page = signed_in(cast.viewer).get("/w/hope/network/").content.decode()
    assert "(3, £250,000; 2 in other currencies or none given, not summed)" in page
    assert "£52,062,000" not in page and "£51,811,000" not in page and "£251,000" not in page


def test_outsider_gets_404_and_sees_none_of_our_partners(cast: Cast, council: Organisation) -> None:
    assert signed_in(cast.outsider).get("/w/hope/network/").status_code == 404
    page = signed_in(cast.outsider).get("/w/elsewhere/network/").content.decode()
    assert "Big Prime Ltd" not in page
    assert "No organisations yet" in page
    assert signed_in(cast.outsider).get("/w/hope/network/?kind=grant").status_code == 404


def test_signed_out_is_sent_to_sign_in(cast: Cast) -> None:
    response = Client().get("/w/hope/network/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_queries_do_not_grow_with_partnerships(cast: Cast, council: Organisation) -> None:
    client = signed_in(cast.viewer)
    client.get("/w/hope/network/")  # warm caches (session, content types)

    def count() -> int:
        # Each count draws the map afresh (not from the layout cache), at both sizes.
        cache.clear()
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


# A made-up map with known answers. Partnerships: P1 (us, A, B), P2 (B, C), P3 (C, D); and a
# grant from A to C in the open data. Links: us-A, us-B, A-B, B-C, C-D (ours), A-C (grant).
# Degree: us 2, A 3, B 3, C 3, D 1. Density 6 / 10. Betweenness (share of the shortest routes
# between two others, of 6 pairs): us-C runs through A or B (half each), us-D through A or B
# and then C, A-D and B-D through C: A 1/6, B 1/6, C 3/6, us and D 0. C is a cut point.
NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture
def known(cast: Cast) -> dict[str, Organisation]:
    cache.clear()
    orgs = {name: Organisation.objects.create(name=f"Org {name}") for name in "ABCD"}
    orgs["us"] = cast.us
    cast.partnership.participations.all().delete()
    for name, members, value in [
        ("P1", ["us", "A", "B"], Decimal("100000")),
        ("P2", ["B", "C"], Decimal("50000")),
        ("P3", ["C", "D"], None),
    ]:
        partnership = cast.workspace.partnerships.create(
            name=name, form="consortium", status="active", value=value
        )
        for member in members:
            partnership.participations.create(
                workspace=cast.workspace, organisation=orgs[member], role="member"
            )
    Grant.objects.create(
        grant_id="360G-known-1",
        funder=orgs["A"],
        recipient=orgs["C"],
        amount=Decimal("5000"),
        source_file="grants.json",
        row_hash=3,
    )
    return orgs


def svg_of(page: str) -> ET.Element:
    start = page.index("<svg")
    return ET.fromstring(page[start : page.index("</svg>", start) + len("</svg>")])


def test_map_measures_match_the_known_graph(cast: Cast, known: dict[str, Organisation]) -> None:
    net = network(cast.workspace)
    by_name = {node.organisation.name: node for node in net.nodes.values()}
    assert {name: node.degree for name, node in by_name.items()} == {
        "Hope Housing": 2, "Org A": 3, "Org B": 3, "Org C": 3, "Org D": 1,
    }  # fmt: skip
    assert {name: round(node.betweenness, 4) for name, node in by_name.items()} == {
        "Hope Housing": 0, "Org A": round(1 / 6, 4), "Org B": round(1 / 6, 4), "Org C": 0.5,
        "Org D": 0,
    }  # fmt: skip
    assert net.density == pytest.approx(0.6)
    assert by_name["Org C"].splits_into == 2 and by_name["Org B"].splits_into == 1
    assert by_name["Org B"].value == Decimal("150000")
    (first, *_) = bridges(net)
    assert first.organisation.name == "Org C"
    assert "Org D" in first.sentence and "Org A, Org B" in first.sentence


def test_map_page_draws_every_organisation_and_link(
    cast: Cast, known: dict[str, Organisation]
) -> None:
    page = signed_in(cast.viewer).get("/w/hope/network/").content.decode()
    root = svg_of(page)
    assert root.get("role") == "img"
    nodes = [e for e in root.iter() if e.get("class") == "node"]
    links = [e for e in root.iter() if e.get("class") == "link"]
    assert len(nodes) == 5
    assert Counter(e.get("data-kind") for e in links) == {"partnership": 5, "grant": 1}
    # Dots are sized by value: B's partnerships are worth most, D's nothing.
    sizes = {e.get("data-id"): e for e in nodes}
    b, d = sizes[str(known["B"].pk)], sizes[str(known["D"].pk)]
    assert float(b.get("r", "")) == MAX_R and float(d.get("r", "")) == MIN_R
    assert "Density: 0.6" in page
    assert "5 organisations and 6 links (5 in our partnerships, 1 grant)." in page
    assert "Org C is on 50% of the shortest routes between others" in page


def test_filters_change_the_graph_and_its_measures(
    cast: Cast, known: dict[str, Organisation]
) -> None:
    net = network(cast.workspace, Filters(kind="partnership"))
    by_name = {node.organisation.name: node for node in net.nodes.values()}
    assert by_name["Org B"].betweenness == pytest.approx(4 / 6)
    assert by_name["Org C"].betweenness == pytest.approx(3 / 6)
    page = signed_in(cast.viewer).get("/w/hope/network/?kind=grant").content.decode()
    links = [e for e in svg_of(page).iter() if e.get("class") == "link"]
    assert [e.get("data-kind") for e in links] == ["grant"]
    cast.workspace.partnerships.filter(name="P3").update(status="ended")
    net = network(cast.workspace, Filters(status="active"))
    assert "Org D" not in {node.organisation.name for node in net.nodes.values()}
    net = network(cast.workspace, Filters(focus=known["D"].pk))
    assert {node.organisation.name for node in net.nodes.values()} == {"Org C", "Org D"}


def test_unknown_filter_values_are_named_not_a_traceback(
    cast: Cast, known: dict[str, Organisation]
) -> None:
    response = signed_in(cast.viewer).get("/w/hope/network/?kind=rumour&focus=abc")
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is no kind “rumour”" in page
    assert len([e for e in svg_of(page).iter() if e.get("class") == "node"]) == 5


def test_measures_and_layout_are_computed_once_per_version_of_the_graph(
    cast: Cast, known: dict[str, Organisation], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: Counter[str] = Counter()
    for name in ("betweenness_centrality", "spring_layout"):
        real = getattr(nx, name)

        def counted(*args: object, _real: object = real, _name: str = name, **kw: object) -> object:
            calls[_name] += 1
            return _real(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(nx, name, counted)
    client = signed_in(cast.viewer)
    client.get("/w/hope/network/")
    client.get("/w/hope/network/")
    assert calls == {"betweenness_centrality": 1, "spring_layout": 1}
    partnership = cast.workspace.partnerships.create(name="P4", form="referral")
    partnership.participations.create(
        workspace=cast.workspace, organisation=known["D"], role="member"
    )
    partnership.participations.create(
        workspace=cast.workspace, organisation=known["A"], role="member"
    )
    client.get("/w/hope/network/")
    assert calls == {"betweenness_centrality": 2, "spring_layout": 2}


def test_a_big_map_shows_the_most_connected_and_says_what_was_left_out(cast: Cast) -> None:
    cache.clear()
    orgs = Organisation.objects.bulk_create(Organisation(name=f"Org {n:03}") for n in range(500))
    partnerships = cast.workspace.partnerships.bulk_create(
        Partnership(workspace=cast.workspace, name=f"P{n}", form="referral") for n in range(250)
    )
    Participation.objects.bulk_create(
        Participation(workspace=cast.workspace, partnership=p, organisation=org, role="member")
        for index, p in enumerate(partnerships)
        for org in (cast.us, orgs[2 * index], orgs[2 * index + 1])
    )
    page = signed_in(cast.viewer).get("/w/hope/network/").content.decode()
    assert len([e for e in svg_of(page).iter() if e.get("class") == "node"]) == SHOWN
    left_out = 502 - SHOWN  # our 500, us, and Big Prime Ltd from the cast
    assert f"Showing the {SHOWN} most connected of 502 organisations; {left_out} left out" in page
    # Us first: linked to every other organisation.
    assert "Hope Housing</a> (us)" in page
