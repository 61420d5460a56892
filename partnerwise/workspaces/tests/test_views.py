"""Signing in (and being throttled), password reset by email, members and invitations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerwise import settings as configured
from partnerwise.conftest import PASSWORD, Cast, make_user
from partnerwise.hosting import outbox
from partnerwise.workspaces.models import ChangeRecord, Invitation, Membership, Role, User

MAX_FAILURES = settings.SIGNIN_FAILURES_PER_ACCOUNT
MAX_FAILURES_PER_ADDRESS = settings.SIGNIN_FAILURES_PER_ADDRESS


@pytest.fixture(autouse=True)
def fresh_cache(db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def sign_in(client: Client, username: str, password: str) -> int:
    return client.post(reverse("login"), {"username": username, "password": password}).status_code


def test_sign_in_and_out(cast: Cast, client: Client) -> None:
    assert sign_in(client, "editor@hope.org", PASSWORD) == 302
    assert client.get(reverse("workspace_home", args=["hope"])).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # signing out is a POST
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("workspace_home", args=["hope"])).status_code == 302


def test_passwords_are_hashed_with_argon2(db: None, settings: Any) -> None:
    # The suite hashes with MD5 for speed (conftest.py); the configured hashers use Argon2.
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    assert make_user("new@hope.org").password.startswith("argon2")


def test_repeated_failures_are_throttled_even_with_the_right_password(
    cast: Cast, client: Client
) -> None:
    for _ in range(MAX_FAILURES):
        assert sign_in(client, "editor@hope.org", "wrong") == 200
    response = client.post(reverse("login"), {"username": "editor@hope.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert client.get(reverse("workspace_home", args=["hope"])).status_code == 302


def test_a_few_failures_then_success_clears_the_count(cast: Cast, client: Client) -> None:
    for _ in range(MAX_FAILURES - 1):
        sign_in(client, "editor@hope.org", "wrong")
    assert sign_in(client, "editor@hope.org", PASSWORD) == 302
    other = Client()
    for _ in range(MAX_FAILURES - 1):
        sign_in(other, "editor@hope.org", "wrong")
    assert sign_in(other, "editor@hope.org", PASSWORD) == 302


def test_one_address_guessing_many_usernames_is_throttled(cast: Cast, client: Client) -> None:
    for n in range(MAX_FAILURES_PER_ADDRESS):
        assert sign_in(client, f"guess{n}@example.org", "wrong") == 200
    assert sign_in(client, "editor@hope.org", PASSWORD) == 429


def test_password_reset_by_email(cast: Cast, client: Client) -> None:
    client.post(reverse("password_reset"), {"email": "viewer@hope.org"})
    outbox.wait_until_empty()
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S+)", str(mail.outbox[0].body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a much longer passphrase 42",
            "new_password2": "a much longer passphrase 42",
        },
    )
    assert done.status_code == 302
    assert User.objects.get(username="viewer@hope.org").check_password(
        "a much longer passphrase 42"
    )


def invite(client: Client, email: str, role: str = "editor") -> str:
    response = client.post(reverse("members", args=["hope"]), {"email": email, "role": role})
    found = re.search(r"http://testserver(/invite/[^\"<]+/)", response.content.decode())
    assert found is not None
    return found.group(1)


def test_a_colleague_joins_through_an_invitation_and_the_link_then_dies(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.admin)
    path = invite(client, "new@hope.org")
    assert path in mail.outbox[0].body
    newcomer = Client()
    page = newcomer.get(path).content.decode()
    assert "Join Hope Housing" in page
    response = newcomer.post(
        path,
        {
            "name": "New Person",
            "password1": "plenty long pass 99",
            "password2": "plenty long pass 99",
        },
    )
    assert response["Location"] == reverse("workspace_home", args=["hope"])
    user = User.objects.get(username="new@hope.org")
    assert Membership.objects.get(user=user, workspace=cast.workspace).role == Role.EDITOR
    assert newcomer.get(reverse("workspace_home", args=["hope"])).status_code == 200
    assert Client().get(path).status_code == 404
    assert ChangeRecord.objects.filter(action="joined").exists()


def test_an_existing_user_accepts_when_signed_in(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    path = invite(client, "outsider@elsewhere.org", role="viewer")
    visitor = Client()
    visitor.force_login(cast.outsider)
    assert visitor.post(path).status_code == 302
    membership = cast.workspace.memberships.get(user=cast.outsider)
    assert membership.role == Role.VIEWER


def test_an_expired_invitation_does_not_work(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    path = invite(client, "late@hope.org")
    Invitation.objects.update(expires=timezone.now() - timedelta(minutes=1))
    response = Client().post(
        path,
        {"name": "Late", "password1": "plenty long pass 99", "password2": "plenty long pass 99"},
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="late@hope.org").exists()


def test_admins_change_roles_but_not_their_own(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    viewer = Membership.objects.get(user=cast.viewer)
    client.post(reverse("member_role", args=["hope", viewer.pk]), {"role": "editor"})
    viewer.refresh_from_db()
    assert viewer.role == Role.EDITOR
    mine = Membership.objects.get(user=cast.admin)
    client.post(reverse("member_role", args=["hope", mine.pk]), {"role": "viewer"})
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN
    client.post(reverse("member_role", args=["hope", viewer.pk]), {"remove": "1"})
    assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_an_admin_cannot_touch_another_workspaces_members(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    theirs = Membership.objects.get(user=cast.outsider)
    url = reverse("member_role", args=["hope", theirs.pk])
    assert client.post(url, {"role": "viewer"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.ADMIN


def test_an_admin_says_which_organisation_the_workspace_is(cast: Cast, client: Client) -> None:
    from partnerwise.organisations.models import Organisation

    ours = Organisation.objects.create(name="Hope Housing Group")
    ours.add_identifier("GB-CHC-1100000")
    client.force_login(cast.admin)
    url = reverse("workspace_settings", args=["hope"])
    found = client.get(url, {"q": "1100000"}).content.decode()
    assert f"?organisation={ours.pk}" in found
    response = client.post(url, {"name": "Hope Housing Group", "organisation": str(ours.pk)})
    assert response.status_code == 302
    cast.workspace.refresh_from_db()
    assert (cast.workspace.name, cast.workspace.organisation) == ("Hope Housing Group", ours)
    page = client.get(url).content.decode()
    assert "organisation: Hope Housing → Hope Housing Group" in page
    secret = Organisation.objects.create(workspace=cast.other_workspace, name="Secret")
    assert client.post(url, {"name": "X", "organisation": str(secret.pk)}).status_code == 404
    editor = Client()
    editor.force_login(cast.editor)
    assert editor.get(url).status_code == 403
    assert editor.post(url, {"name": "Taken over"}).status_code == 403


def test_an_admin_cancels_an_invitation(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    path = invite(client, "changed-mind@hope.org")
    found = Invitation.objects.get()
    assert client.post(reverse("invitation_cancel", args=["hope", found.pk])).status_code == 302
    assert Client().get(path).status_code == 404
    page = client.get(reverse("members", args=["hope"])).content.decode()
    assert "Invitations waiting" not in page


def test_only_the_invited_email_can_accept(cast: Cast, client: Client) -> None:
    # Before: anyone signed in who held the link joined with the invited role.
    client.force_login(cast.admin)
    path = invite(client, "new@hope.org", role="admin")
    visitor = Client()
    visitor.force_login(cast.outsider)
    page = visitor.get(path)
    assert page.status_code == 403
    assert "only that person can accept it" in page.content.decode()
    assert visitor.post(path).status_code == 403
    assert not cast.workspace.memberships.filter(user=cast.outsider).exists()
    assert Invitation.objects.get().accepted is None
    assert visitor.get(reverse("workspace_home", args=["hope"])).status_code == 404


def test_admins_copy_and_resend_waiting_invitations(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    first = invite(client, "new@hope.org")
    page = client.get(reverse("members", args=["hope"])).content.decode()
    assert f'value="http://testserver{first}"' in page
    found = Invitation.objects.get()
    response = client.post(reverse("invitation_resend", args=["hope", found.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second = re.search(r"http://testserver(/invite/[^\s]+/)", str(mail.outbox[1].body))
    assert second is not None and second.group(1) != first
    assert Client().get(first).status_code == 404
    assert Client().get(second.group(1)).status_code == 200
    assert ChangeRecord.objects.filter(action="resent an invitation").exists()
    outsider = Client()
    outsider.force_login(cast.outsider)
    url = reverse("invitation_resend", args=["hope", found.pk])
    assert outsider.post(url).status_code == 404


def test_inviting_an_existing_member_says_so(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    response = client.post(
        reverse("members", args=["hope"]), {"email": "Editor@hope.org", "role": "viewer"}
    )
    assert "Editor@hope.org is already a member of Hope Housing." in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox
    invite(client, "new@hope.org")
    again = client.post(
        reverse("members", args=["hope"]), {"email": "new@hope.org", "role": "viewer"}
    )
    assert "already has an invitation waiting" in again.content.decode()
    assert Invitation.objects.count() == 1
