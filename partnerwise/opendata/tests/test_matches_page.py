"""Site admins decide proposed same-name matches on a page (issue 13), with the same
functions as `partnerwise match`; nobody else may see or decide them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from partnerwise.conftest import Cast, make_user
from partnerwise.opendata.models import CandidateMatch, MatchStatus
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.models import User


@pytest.fixture
def match(db: None) -> CandidateMatch:
    left = Organisation.objects.create(name="Nacro")
    left.add_identifier("GB-CHC-226171", primary=True)
    right = Organisation.objects.create(name="NACRO")
    return CandidateMatch.objects.create(
        left=left, right=right, left_label="Nacro (GB-CHC-226171)", right_label="NACRO",
        normalised_name="nacro", evidence="Both are known by the name 'nacro'. Name only.",
    )  # fmt: skip


@pytest.fixture
def site_admin(db: None) -> User:
    user = make_user("ops@partnerwise.example")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_site_admin_sees_the_proposals_and_merges_one(
    match: CandidateMatch, site_admin: User
) -> None:
    client = _client(site_admin)
    page = client.get(reverse("opendata_matches")).content.decode()
    assert "Both are known by the name &#x27;nacro&#x27;. Name only." in page
    assert f'action="{reverse("opendata_match_decide", args=[match.pk])}"' in page
    response = client.post(
        reverse("opendata_match_decide", args=[match.pk]), {"action": "confirm"}, follow=True
    )
    assert f"Match #{match.pk}: merged into Nacro." in response.content.decode()
    match.refresh_from_db()
    assert match.status == MatchStatus.CONFIRMED
    assert match.decided_by == site_admin
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Nacro"]
    again = client.post(
        reverse("opendata_match_decide", args=[match.pk]), {"action": "reject"}, follow=True
    )
    assert "this match has already been decided" in again.content.decode()


def test_a_site_admin_rejects_one_and_both_stay(match: CandidateMatch, site_admin: User) -> None:
    response = _client(site_admin).post(
        reverse("opendata_match_decide", args=[match.pk]), {"action": "reject"}, follow=True
    )
    assert "rejected, they stay separate" in response.content.decode()
    match.refresh_from_db()
    assert match.status == MatchStatus.REJECTED
    assert Organisation.objects.filter(name="NACRO").exists()


def test_only_site_admins_may_see_or_decide(match: CandidateMatch, cast: Cast) -> None:
    url, decide = reverse("opendata_matches"), reverse("opendata_match_decide", args=[match.pk])
    assert Client().get(url).status_code == 302  # to sign in
    for user in (cast.admin, cast.viewer, cast.outsider):  # workspace admins are not site admins
        client = _client(user)
        assert client.get(url).status_code == 403
        assert client.post(decide, {"action": "confirm"}).status_code == 403
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED
    assert Organisation.objects.filter(name="NACRO").exists()
