"""The portfolio's income dependence, through the page, on a made-up supply chain."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.urls import reverse

from partnerwise.conftest import Cast
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation, Partnership, Role, Status


def test_a_supply_chain_counts_our_quarter_from_the_prime_once(cast: Cast) -> None:
    council = Organisation.objects.create(name="Northshire Council")
    chain = cast.partnership
    chain.status = Status.ACTIVE
    chain.value = Decimal(3_200_000)
    chain.save()
    Participation.objects.create(
        workspace=cast.workspace, partnership=chain, organisation=council, role=Role.COMMISSIONER
    )
    Participation.objects.filter(organisation=cast.us).update(share=25)
    Participation.objects.filter(organisation=cast.prime).update(share=75)
    # The council also funds another partnership outright, which we do not hold: not our income.
    other = Partnership.objects.create(
        workspace=cast.workspace, name="Not ours", form="grant", status=Status.ACTIVE, value=9
    )
    Participation.objects.create(
        workspace=cast.workspace, partnership=other, organisation=council, role=Role.COMMISSIONER
    )
    client = Client()
    client.force_login(cast.viewer)
    page = client.get(reverse("workspace_home", args=[cast.workspace.slug])).content.decode()
    section = page[page.index('id="dependence"') : page.index('id="all-partnerships"')]
    assert "£800,000" in section
    assert "£3,200,000" not in section
    assert "Northshire Council" not in section
    assert "Big Prime Ltd, 100.0%" in section
    assert "Concentration (HHI): <strong>10,000</strong>" in section
    assert "Warning: 100.0% of our partnership income comes from Big Prime Ltd" in section
