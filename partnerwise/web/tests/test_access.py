"""For every page and form action: who may read it, who may change things through it.

Outsiders (members of another workspace) get 404, so they cannot even learn a record exists;
viewers read but get 403 on anything that writes; editors write; member pages are admin-only;
and every form action refuses a post without a CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerwise.conftest import Cast, rate
from partnerwise.workspaces.models import Invitation, Membership


@dataclass
class Page:
    name: str
    args: list[object]
    # The lowest role that may GET it ("viewer", "editor", "admin").
    read: str
    # The lowest role that may POST to it; None: the page takes no posts.
    write: str | None = None
    post: dict[str, str] = field(default_factory=dict)


RANK = {"outsider": 0, "viewer": 1, "editor": 2, "admin": 3}


def pages(cast: Cast) -> list[Page]:
    slug, pk, prime = "hope", cast.partnership.pk, cast.prime.pk
    participation = cast.partnership.participations.get(organisation=cast.prime).pk
    membership = Membership.objects.get(workspace=cast.workspace, user=cast.viewer).pk
    rating = rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5}).pk
    invitation = Invitation.objects.create(
        workspace=cast.workspace,
        email="x@example.org",
        token_hash="0" * 64,
        expires=timezone.now() + timedelta(days=1),
    ).pk
    return [
        Page("workspace_home", [slug], "viewer"),
        Page("partnership_list", [slug], "viewer"),
        Page("partnership_detail", [slug, pk], "viewer"),
        Page("partnership_new", [slug], "editor", "editor", {"name": "X", "form": "other"}),
        Page("partnership_edit", [slug, pk], "editor", "editor", {"name": "X", "version": "1"}),
        Page("participant_new", [slug, pk], "editor", "editor", {"organisation": str(prime)}),
        Page("assess", [slug, pk, prime], "editor", "editor", {"rater_name": "A"}),
        Page("profile", [slug, pk, prime], "viewer"),
        Page("assessment_edit", [slug, pk, rating], "editor", "editor", {"version": "1"}),
        Page("rating_invitation_new", [slug, pk], "editor", "editor", {"rater_name": "B"}),
        Page("organisation_list", [slug], "viewer"),
        Page("organisation_detail", [slug, prime], "viewer"),
        Page("organisation_new", [slug], "editor", "editor", {"name": "New body"}),
        Page("members", [slug], "admin", "admin", {"email": "x@example.org"}),
        Page("workspace_settings", [slug], "admin", "admin", {"name": "Renamed"}),
        Page("member_role", [slug, membership], "admin", "admin", {"role": "editor"}),
        Page("invitation_cancel", [slug, invitation], "admin", "admin"),
        # Last: it removes the prime, which the pages above rate.
        Page("participant_remove", [slug, pk, participation], "editor", "editor"),
    ]


def client_for(cast: Cast, who: str) -> Client:
    client = Client()
    user = {
        "outsider": cast.outsider,
        "viewer": cast.viewer,
        "editor": cast.editor,
        "admin": cast.admin,
    }[who]
    client.force_login(user)
    return client


# Pages that take only POST answer a GET with 405, whoever asks, once access is granted.
POST_ONLY = {"member_role", "invitation_cancel"}


@pytest.mark.parametrize("who", ["outsider", "viewer", "editor", "admin"])
def test_reading_each_page(cast: Cast, who: str) -> None:
    client = client_for(cast, who)
    for page in pages(cast):
        url = reverse(page.name, args=page.args)
        status = client.get(url).status_code
        if who == "outsider":
            assert status == 404, (page.name, who)
        elif RANK[who] < RANK[page.read]:
            assert status == 403, (page.name, who)
        else:
            assert status == (405 if page.name in POST_ONLY else 200), (page.name, who)


@pytest.mark.parametrize("who", ["outsider", "viewer", "editor"])
def test_posting_to_each_form_action(cast: Cast, who: str) -> None:
    client = client_for(cast, who)
    for page in pages(cast):
        if page.write is None:
            continue
        status = client.post(reverse(page.name, args=page.args), page.post).status_code
        if who == "outsider":
            assert status == 404, (page.name, who)
        elif RANK[who] < RANK[page.write]:
            assert status == 403, (page.name, who)
        else:
            assert status in (200, 302), (page.name, who)


def test_viewer_posts_change_nothing(cast: Cast) -> None:
    client = client_for(cast, "viewer")
    for page in pages(cast):
        if page.write:
            client.post(reverse(page.name, args=page.args), page.post)
    cast.partnership.refresh_from_db()
    assert cast.partnership.name == "Restart sub-contract"
    assert cast.workspace.partnerships.count() == 1
    assert cast.partnership.participations.count() == 2
    assert cast.workspace.assessments.count() == 1
    assert cast.workspace.assessments.get().version == 1


def test_signed_out_visitors_are_sent_to_sign_in(cast: Cast, client: Client) -> None:
    for page in pages(cast):
        url = reverse(page.name, args=page.args)
        response = client.get(url)
        assert response.status_code == 302, page.name
        assert response["Location"].startswith(reverse("login")), page.name


def test_every_form_action_enforces_csrf(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.admin)
    for page in pages(cast):
        if page.write is None:
            continue
        response = client.post(reverse(page.name, args=page.args), page.post)
        assert response.status_code == 403, page.name
    cast.partnership.refresh_from_db()
    assert cast.partnership.version == 1


def test_csrf_on_public_forms(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    for name in ["login", "password_reset"]:
        assert client.post(reverse(name), {"username": "a", "email": "a@b.c"}).status_code == 403
    assert client.post(reverse("rate", args=["no-such-token"])).status_code == 403
    assert client.post(reverse("invitation", args=["no-such-token"])).status_code == 403


def test_another_workspaces_organisation_is_hidden(cast: Cast) -> None:
    from partnerwise.organisations.models import Organisation

    secret = Organisation.objects.create(workspace=cast.other_workspace, name="Secret Prime")
    client = client_for(cast, "admin")
    assert client.get(reverse("organisation_detail", args=["hope", secret.pk])).status_code == 404
    page = client.get(reverse("organisation_list", args=["hope"]), {"q": "Secret"})
    assert b"Secret Prime" not in page.content
    chooser = reverse("participant_new", args=["hope", cast.partnership.pk])
    assert client.get(chooser, {"organisation": secret.pk}).status_code == 404
    assert client.get(chooser, {"q": "Secret"}).content.count(b"Secret Prime") == 0
    assess = reverse("assess", args=["hope", cast.partnership.pk, secret.pk])
    assert client.get(assess).status_code == 404
