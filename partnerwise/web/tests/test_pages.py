"""Every main page renders for a member, with the security headers it should carry."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from partnerwise.conftest import Cast, rate


def pages(cast: Cast) -> list[str]:
    slug, pk, prime, us = "hope", cast.partnership.pk, cast.prime.pk, cast.us.pk
    return [
        reverse("workspace_home", args=[slug]),
        reverse("partnership_list", args=[slug]),
        reverse("partnership_new", args=[slug]),
        reverse("partnership_detail", args=[slug, pk]),
        reverse("partnership_edit", args=[slug, pk]),
        reverse("participant_new", args=[slug, pk]) + "?q=prime",
        reverse("participant_new", args=[slug, pk]) + f"?organisation={prime}",
        reverse("assess", args=[slug, pk, prime]),
        reverse("assess", args=[slug, pk, us]),
        reverse("profile", args=[slug, pk, prime]),
        reverse("profile", args=[slug, pk, us]),
        reverse("rating_invitation_new", args=[slug, pk]),
        reverse("organisation_list", args=[slug]) + "?q=prime",
        reverse("organisation_detail", args=[slug, prime]),
        reverse("organisation_new", args=[slug]),
        reverse("members", args=[slug]),
    ]


def test_every_page_renders_for_an_admin(cast: Cast, client: Client) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5, "slack": 1})
    client.force_login(cast.admin)
    for url in pages(cast):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1>" in response.content, url


def test_pages_send_a_content_security_policy(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    response = client.get(reverse("workspace_home", args=["hope"]))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


@pytest.mark.parametrize("name", ["home", "login", "password_reset"])
def test_public_pages_render_signed_out(db: None, client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_signed_in_home_lists_only_my_workspaces(cast: Cast, client: Client) -> None:
    from partnerwise.workspaces.models import Membership, Role, Workspace

    third = Workspace.objects.create(name="Third Sector Alliance", slug="third")
    Membership.objects.create(workspace=third, user=cast.editor, role=Role.VIEWER)
    client.force_login(cast.editor)
    page = client.get(reverse("home")).content.decode()
    assert "Hope Housing" in page and "Third Sector Alliance" in page
    assert "Elsewhere Trust" not in page


def test_with_one_workspace_home_goes_straight_to_its_portfolio(cast: Cast, client: Client) -> None:
    client.force_login(cast.outsider)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("workspace_home", args=["elsewhere"])
