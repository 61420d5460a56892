"""Signing up: an account usable only after its email address is confirmed, throttled."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from partnerwise.conftest import PASSWORD, Cast
from partnerwise.hosting import outbox
from partnerwise.workspaces import throttle
from partnerwise.workspaces.models import User
from partnerwise.workspaces.tests.test_throttle import unreachable_mail_server

GOOD = {
    "name": "Sam Founder",
    "email": "sam@newcharity.org",
    "password1": "plenty long pass 99",
    "password2": "plenty long pass 99",
}


def confirmation_link(index: int = -1) -> str:
    outbox.wait_until_empty()
    found = re.search(r"http://testserver(/accounts/confirm/\S+/)", str(mail.outbox[index].body))
    assert found is not None
    return found.group(1)


def test_the_signed_out_home_page_links_to_sign_up(db: None, client: Client) -> None:
    assert reverse("signup") in client.get("/").content.decode()


def test_sign_up_then_confirm_then_sign_in(db: None, client: Client) -> None:
    response = client.post(reverse("signup"), GOOD)
    assert response["Location"] == reverse("signup_sent")
    assert "sam@newcharity.org" in client.get(reverse("signup_sent")).content.decode()
    user = User.objects.get(username="sam@newcharity.org")
    assert not user.is_active
    assert user.has_usable_password() and user.check_password(GOOD["password1"])
    # Unconfirmed: signing in is refused, with the reason.
    refused = client.post(
        reverse("login"), {"username": "sam@newcharity.org", "password": "plenty long pass 99"}
    )
    assert refused.status_code == 200
    assert "confirm your email address" in refused.content.decode()
    link = confirmation_link()
    assert "Confirm my email address" in client.get(link).content.decode()
    assert not User.objects.get(pk=user.pk).is_active  # opening the link alone does nothing
    done = client.post(link)
    assert done["Location"] == reverse("home")
    assert User.objects.get(pk=user.pk).is_active
    assert "Create a workspace" in client.get(reverse("home")).content.decode()
    # The link is spent.
    assert Client().post(link).status_code == 404
    fresh = Client()
    assert fresh.login(username="sam@newcharity.org", password="plenty long pass 99")


def test_bad_sign_ups_name_the_field(db: None, client: Client) -> None:
    weak = client.post(reverse("signup"), {**GOOD, "password1": "123", "password2": "123"})
    page = weak.content.decode()
    assert "Choose a password: This password is too short" in page
    different = client.post(reverse("signup"), {**GOOD, "password2": "something else 99"})
    assert "The two passwords are different" in different.content.decode()
    bad_email = client.post(reverse("signup"), {**GOOD, "email": "not an address"})
    assert "Your email address: Enter a valid email address" in bad_email.content.decode()
    assert not User.objects.exists()
    outbox.wait_until_empty()
    assert not mail.outbox


def test_signing_up_with_a_taken_address_reveals_nothing(cast: Cast, client: Client) -> None:
    response = client.post(reverse("signup"), {**GOOD, "email": "viewer@hope.org"})
    assert response["Location"] == reverse("signup_sent")
    outbox.wait_until_empty()
    assert "already has one" in str(mail.outbox[0].body)
    viewer = User.objects.get(username="viewer@hope.org")
    assert viewer.check_password(PASSWORD)
    assert viewer.is_active


def test_a_bad_confirmation_link_is_refused(db: None, client: Client) -> None:
    client.post(reverse("signup"), GOOD)
    link = confirmation_link()
    broken = link[:-3] + "xx/"
    assert client.post(broken).status_code == 404
    assert client.post("/accounts/confirm/zz/yy/").status_code == 404
    assert not User.objects.get().is_active


def test_sign_up_is_throttled(db: None, client: Client) -> None:
    for _ in range(throttle.SIGN_UP.per_account):
        client.post(reverse("signup"), {**GOOD, "password2": "mismatch mismatch"})
    response = client.post(reverse("signup"), GOOD)
    assert response.status_code == 429
    assert not User.objects.exists()


class CountingHasher(MD5PasswordHasher):
    hashed = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.hashed += 1
        return super().encode(password, salt)


def test_a_sign_up_does_the_same_work_for_a_taken_address(
    cast: Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each sign-up hashes one password and leaves one mail for after the response, so the
    # time taken does not tell a taken address from a new one.
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    queued: list[str] = []
    monkeypatch.setattr(outbox, "later", lambda job: queued.append("mail"))
    work = []
    for email in ["viewer@hope.org", "sam@newcharity.org"]:
        CountingHasher.hashed, queued[:] = 0, []
        answer = Client().post(reverse("signup"), {**GOOD, "email": email})
        assert answer["Location"] == reverse("signup_sent")
        work.append((CountingHasher.hashed, len(queued)))
    assert work == [(1, 1), (1, 1)]
    assert mail.outbox == []


def test_a_sign_up_whose_mail_fails_is_no_500(db: None, settings: Any) -> None:
    settings.MAILERS = unreachable_mail_server()
    settings.EMAIL_RETRY_PAUSE = 0
    answer = Client().post(reverse("signup"), GOOD)
    outbox.wait_until_empty()
    assert answer["Location"] == reverse("signup_sent")
    assert mail.outbox == []
