"""An organisation in many partnerships, with many grants, gets counts, the latest few and a
page at a time; its grants and contracts have pages of their own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.test import Client

from partnerwise.conftest import PASSWORD, Cast, rate
from partnerwise.opendata.models import Award, Grant
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Form, Participation, Partnership, Role


def signed_in(cast: Cast, outsider: bool = False) -> Client:
    client = Client()
    user = cast.outsider if outsider else cast.viewer
    client.login(username=user.username, password=PASSWORD)
    return client


def test_partnerships_on_the_organisation_page_come_a_page_at_a_time(cast: Cast) -> None:
    for n in range(30):
        partnership = Partnership.objects.create(
            workspace=cast.workspace, name=f"Deal {n:02d}", form=Form.CONSORTIUM
        )
        Participation.objects.create(
            workspace=cast.workspace,
            partnership=partnership,
            organisation=cast.prime,
            role=Role.PRIME,
        )
        if n == 0:
            rate(cast.workspace, partnership, cast.prime, cast.editor, {"power": 5})
            rate(cast.workspace, partnership, cast.prime, cast.admin, {"power": 1})
    client = signed_in(cast)
    page = client.get(f"/w/hope/organisations/{cast.prime.pk}/").content.decode()
    assert "31 partnerships; showing 1 to 20" in page
    assert "Deal 19" in page and "Deal 20" not in page
    assert "How the profile has changed" in page  # Deal 00's two ratings
    assert f"?partner={cast.prime.pk}" in page
    second = client.get(f"/w/hope/organisations/{cast.prime.pk}/?page=2").content.decode()
    assert "Deal 29" in second and "Deal 00" not in second


def test_grants_and_contracts_show_counts_latest_and_a_link_to_all(cast: Cast) -> None:
    council = Organisation.objects.create(name="Newtown Council")
    for n in range(60):
        Grant.objects.create(
            grant_id=f"360G-{n}",
            funder=council,
            recipient=cast.prime,
            title=f"Grant number {n:02d}",
            amount=Decimal(1000 + n),
            award_date=date(2020, 1, 1).replace(year=2020 + n // 12, month=1 + n % 12),
            source_file="grants.json",
            row_hash=n,
        )
    Award.objects.create(
        key="ocds-1/a/1",
        ocid="ocds-1",
        release_id="r1",
        award_id="a",
        buyer=council,
        supplier=cast.prime,
        title="Employment support",
        value=Decimal("250000"),
        award_date=date(2024, 4, 1),
        source_file="test.json",
        row_hash=1,
    )
    client = signed_in(cast)
    page = client.get(f"/w/hope/organisations/{cast.prime.pk}/").content.decode()
    assert "60 grants received, 0 made; 1 contract won, 0 awarded" in page
    assert "Grant number 59" in page and "Grant number 54" not in page  # the latest five
    assert "Employment support" in page
    grants = client.get(f"/w/hope/organisations/{cast.prime.pk}/grants/").content.decode()
    assert "60 in all" in grants and "Page 1 of 2" in grants
    last = client.get(f"/w/hope/organisations/{cast.prime.pk}/grants/?page=2").content.decode()
    assert "Grant number 00" in last and "Grant number 59" not in last
    council_page = client.get(f"/w/hope/organisations/{council.pk}/contracts/").content.decode()
    assert "Employment support" in council_page


def test_outsider_cannot_see_a_workspaces_own_organisations_records(cast: Cast) -> None:
    own = Organisation.objects.create(workspace=cast.workspace, name="Our secret partner")
    client = signed_in(cast, outsider=True)
    assert client.get(f"/w/elsewhere/organisations/{own.pk}/grants/").status_code == 404
    assert client.get(f"/w/hope/organisations/{cast.prime.pk}/grants/").status_code == 404
