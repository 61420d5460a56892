"""The finished map page is kept whole and read again until something that could change the
map changes: every kind of change shows on the next view (no stale map), a repeat view does
not read the network, and what one page holds does not grow with the workspace."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerwise.assessments.rating import delete_rating
from partnerwise.conftest import Cast, rate
from partnerwise.opendata.matches import confirm_match
from partnerwise.opendata.models import CandidateMatch, Grant
from partnerwise.opendata.tests.conftest import GRANTS, run
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation, Partnership
from partnerwise.web.network import SHOWN, TIES_LISTED, network
from partnerwise.web.tests.test_network import known, signed_in, svg_of

__all__ = ["known"]  # the fixture, shared with test_network

BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}
Edge = tuple[str, str, str]


def drawn(client: Client, query: str = "") -> tuple[dict[str, str], set[Edge]]:
    """The map as drawn: {organisation: what its dot says it is}, {(a, b, kind)} by name."""
    response = client.get(f"/w/hope/network/{query}")
    assert response.status_code == 200
    page = response.content.decode()
    if "<svg" not in page:
        return {}, set()
    root = svg_of(page)
    names, kinds = {}, {}
    for group in root.iter():
        if group.get("class") != "org":
            continue
        title = next(e.text or "" for e in group if e.tag.endswith("title"))
        node = next(e for e in group if e.get("class") == "node")
        name, kind = title.rsplit(": ", 1)
        names[node.get("data-id")] = name.removesuffix(" (us)")
        kinds[name.removesuffix(" (us)")] = kind
    edges = {
        (*sorted((names[e.get("data-a")], names[e.get("data-b")])), e.get("data-kind", ""))
        for e in root.iter()
        if e.get("class") == "link"
    }
    return kinds, edges  # type: ignore[return-value]


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_map_follows_every_kind_of_change(cast: Cast, known: dict[str, Organisation]) -> None:
    client = signed_in(cast.editor)
    kinds, edges = drawn(client)
    assert ("Org A", "Org D", "partnership") not in edges
    assert drawn(client, "?status=exploring") == ({}, set())

    # A new partnership, then each participant added: each shows on the next view.
    response = client.post(
        reverse("partnership_new", args=["hope"]),
        {"name": "P9", "form": "consortium", "status": "exploring", "value": "1000"},
    )
    assert response.status_code == 302, response.content.decode()
    p9 = cast.workspace.partnerships.get(name="P9")
    for org in (known["A"], known["D"]):
        response = client.post(
            reverse("participant_new", args=["hope", p9.pk]),
            {"organisation": str(org.pk), "role": "member"},
        )
        assert response.status_code == 302
    kinds, edges = drawn(client)
    assert ("Org A", "Org D", "partnership") in edges
    assert drawn(client, "?status=exploring")[1] == {("Org A", "Org D", "partnership")}

    # A participant removed: D leaves P3, so C and D are no longer linked.
    assert ("Org C", "Org D", "partnership") in edges
    p3 = cast.workspace.partnerships.get(name="P3")
    leaving = p3.participations.get(organisation=known["D"])
    response = client.post(reverse("participant_remove", args=["hope", p3.pk, leaving.pk]))
    assert response.status_code == 302
    kinds, edges = drawn(client)
    assert ("Org C", "Org D", "partnership") not in edges

    # A rating gives Org A an archetype; deleting it takes it away again.
    assert kinds["Org A"] == "Not rated, or mixed"
    p1 = cast.workspace.partnerships.get(name="P1")
    rating = rate(cast.workspace, p1, known["A"], cast.editor, BIG_BEAST)
    kinds, _ = drawn(client)
    assert kinds["Org A"] == "Big beasts"
    delete_rating(workspace=cast.workspace, assessment=rating, user=cast.editor)
    kinds, _ = drawn(client)
    assert kinds["Org A"] == "Not rated, or mixed"


def test_the_map_follows_a_merge_of_two_organisations(
    cast: Cast, known: dict[str, Organisation]
) -> None:
    client = signed_in(cast.viewer)
    kinds, edges = drawn(client)
    assert "Org D" in kinds and ("Org C", "Org D", "partnership") in edges
    a, d = known["A"], known["D"]
    match = CandidateMatch.objects.create(
        left=a, right=d, left_label=a.name, right_label=d.name, normalised_name="org",
        evidence="the same name",
    )  # fmt: skip
    confirm_match(match, user=cast.admin)  # Org A survives (older); D's partnership moves
    kinds, edges = drawn(client)
    assert "Org D" not in kinds
    assert ("Org A", "Org C", "partnership") in edges


def _grants_file(tmp_path: Path, version: str, grants: list[dict[str, object]]) -> Path:
    folder = tmp_path / version
    folder.mkdir()
    path = folder / "grants.json"
    path.write_text(json.dumps({"grants": grants}), encoding="utf-8")
    return path


def test_the_map_follows_each_grant_import(cast: Cast, tmp_path: Path) -> None:
    grants = json.loads(
        (GRANTS / "covid19-tracker-grants-2020-04-16.json").read_text(encoding="utf-8")
    )["grants"][:8]
    run("360giving", str(_grants_file(tmp_path, "v1", grants)))
    grant = Grant.objects.select_related("funder", "recipient").get(grant_id=grants[0]["id"])
    # The funder with us in one partnership, the recipient with us in another: only the
    # grant links the two of them.
    other = cast.workspace.partnerships.create(name="Second", form="referral")
    for partnership, org in ((cast.partnership, grant.funder), (other, grant.recipient)):
        Participation.objects.create(
            workspace=cast.workspace, partnership=partnership, organisation=org, role="member"
        )
    other.participations.create(workspace=cast.workspace, organisation=cast.us, role="member")
    pair = (*sorted((grant.funder.name, grant.recipient.name)), "grant")
    client = signed_in(cast.viewer)
    assert pair in drawn(client)[1]
    # A newer version of the file no longer lists the grant (or any other between them).
    funder_id = grants[0]["fundingOrganization"][0]["id"]
    recipient_id = grants[0]["recipientOrganization"][0]["id"]
    kept = [
        g
        for g in grants
        if (g["fundingOrganization"][0]["id"], g["recipientOrganization"][0]["id"])
        != (funder_id, recipient_id)
    ]
    run("360giving", str(_grants_file(tmp_path, "v2", kept)))
    assert pair not in drawn(client)[1]
    run("360giving", str(_grants_file(tmp_path, "v3", grants)))  # and back again
    assert pair in drawn(client)[1]


def test_a_repeat_view_reads_the_finished_page_in_as_many_queries_at_any_size(
    cast: Cast, known: dict[str, Organisation], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: Counter[str] = Counter()

    def counted(*args: object, **kw: object) -> object:
        built["network"] += 1
        return network(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr("partnerwise.web.network_page.network", counted)
    client = signed_in(cast.viewer)

    def repeat_view() -> int:
        client.get("/w/hope/network/")  # computed here, if the data changed
        before = built["network"]
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/w/hope/network/").status_code == 200
        assert built["network"] == before  # the repeat view read the finished page
        return len(queries)

    few = repeat_view()
    assert built["network"] == 1
    orgs = Organisation.objects.bulk_create(Organisation(name=f"Org {n:03}") for n in range(300))
    partnerships = Partnership.objects.bulk_create(
        Partnership(workspace=cast.workspace, name=f"Q{n}", form="referral") for n in range(150)
    )
    Participation.objects.bulk_create(
        Participation(workspace=cast.workspace, partnership=p, organisation=org, role="member")
        for index, p in enumerate(partnerships)
        for org in (cast.us, orgs[2 * index], orgs[2 * index + 1])
    )
    assert repeat_view() == few
    assert built["network"] == 2


def _bulk_workspace(cast: Cast, partnerships: int) -> None:
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Org {n:04}") for n in range(2 * partnerships)
    )
    rows = Partnership.objects.bulk_create(
        Partnership(workspace=cast.workspace, name=f"B{n:04}", form="referral")
        for n in range(partnerships)
    )
    Participation.objects.bulk_create(
        Participation(workspace=cast.workspace, partnership=p, organisation=org, role="member")
        for index, p in enumerate(rows)
        for org in (cast.us, orgs[2 * index], orgs[2 * index + 1])
    )


def test_one_page_holds_as_much_at_any_size_and_the_csv_holds_everyone(cast: Cast) -> None:
    client = signed_in(cast.viewer)
    _bulk_workspace(cast, 100)
    smaller = client.get("/w/hope/network/").content.decode()
    _bulk_workspace(cast, 300)  # 400 partnerships, 800 organisations
    page = client.get("/w/hope/network/").content.decode()
    assert len(page) < len(smaller) * 1.05
    assert f"Showing the {SHOWN} most connected of 802 organisations" in page
    # Us, linked to all the others: the first few ties listed, and how many more.
    assert f"and {801 - TIES_LISTED} more in our partnerships" in page
    assert "Download all 802 organisations with their measures (CSV)" in page
    rows = csv_rows(client.get("/w/hope/network/?format=csv"))
    assert len(rows) == 802
    first = rows[0]
    assert (first["Organisation"], first["Us"], first["Links"]) == (
        "Hope Housing",
        "Yes",
        "801",
    )
    assert first["Partnerships of ours it is in"] == "401"


def test_the_csv_has_the_known_measures_and_follows_the_filters(
    cast: Cast, known: dict[str, Organisation]
) -> None:
    client = signed_in(cast.viewer)
    response = client.get("/w/hope/network/?kind=partnership&format=csv")
    rows = {row["Organisation"]: row for row in csv_rows(response)}
    assert {name: row["Links"] for name, row in rows.items()} == {
        "Hope Housing": "2", "Org A": "2", "Org B": "3", "Org C": "2", "Org D": "1",
    }  # fmt: skip
    assert rows["Org B"]["Bridging (share of shortest routes between others)"] == "0.6667"
    assert rows["Org C"]["Groups the map would fall into without it"] == "2"
    assert rows["Org B"]["Value of those partnerships (GBP)"] == "150000"
    assert signed_in(cast.outsider).get("/w/hope/network/?format=csv").status_code == 404
