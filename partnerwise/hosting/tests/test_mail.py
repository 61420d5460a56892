"""Mail as a host's flaky server delivers it: sent after the save, retried, and the person
told (with the link still there to copy) when it could not be sent."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse

from partnerwise.assessments.models import RatingInvitation
from partnerwise.conftest import Cast
from partnerwise.workspaces.models import Invitation
from partnerwise.workspaces.tests.test_throttle import unreachable_mail_server


class FlakyBackend(EmailBackend):
    """Refuses the first connection, as a mail server restarting does, then works."""

    failures_left = 0

    def send_messages(self, messages: Any) -> int:
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            raise ConnectionRefusedError("mail server restarting")
        return int(super().send_messages(messages))


def invite(cast: Cast) -> Any:
    client = Client()
    client.force_login(cast.admin)
    return client.post(
        reverse("members", args=["hope"]), {"email": "new@hope.org", "role": "editor"}
    )


def test_an_invitation_survives_an_unreachable_mail_server(cast: Cast, settings: Any) -> None:
    settings.MAILERS = unreachable_mail_server()
    settings.EMAIL_RETRY_PAUSE = 0
    page = invite(cast)
    assert page.status_code == 200
    html = page.content.decode()
    assert "could not be sent" in html
    assert re.search(r"http://testserver/invite/[^\"<]+/", html)
    assert Invitation.objects.filter(email="new@hope.org").exists()


def test_a_partners_rating_link_survives_an_unreachable_mail_server(
    cast: Cast, settings: Any
) -> None:
    settings.MAILERS = unreachable_mail_server()
    settings.EMAIL_RETRY_PAUSE = 0
    client = Client()
    client.force_login(cast.editor)
    page = client.post(
        reverse("rating_invitation_new", args=["hope", cast.partnership.pk]),
        {
            "rater_name": "Pat at Big Prime",
            "rater_email": "pat@bigprime.example",
            "rater_organisation": str(cast.prime.pk),
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and "could not be sent" in html
    assert re.search(r"http://testserver/rate/[^\"<]+/", html)
    assert RatingInvitation.objects.count() == 1


def test_mail_is_retried_when_the_server_refuses_once(cast: Cast, settings: Any) -> None:
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FlakyBackend"}}
    settings.EMAIL_RETRY_PAUSE = 0
    FlakyBackend.failures_left = 1
    page = invite(cast)
    assert "Invitation sent to new@hope.org" in page.content.decode()
    assert len(mail.outbox) == 1 and FlakyBackend.failures_left == 0
