"""Asking several partners at once: through the page, the API and the domain function, as each
member of the cast and as an outsider; links single-use, resends cancel the old link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from partnerwise.assessments.inviting import InvitingError, resend
from partnerwise.assessments.models import Assessment, RatingInvitation
from partnerwise.conftest import Api, Cast
from partnerwise.organisations.models import Kind, Organisation
from partnerwise.partnerships.models import Participation, Role

LINK = re.compile(r"http://testserver(/rate/[^\"<\s]+/)")


@pytest.fixture
def council(cast: Cast) -> Organisation:
    org = Organisation.objects.create(name="Tyneside Council", kind=Kind.LOCAL_AUTHORITY)
    Participation.objects.create(
        workspace=cast.workspace,
        partnership=cast.partnership,
        organisation=org,
        role=Role.COMMISSIONER,
    )
    return org


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(cast: Cast, name: str = "rating_invitations") -> str:
    return reverse(name, args=["hope", cast.partnership.pk])


def ask_both(cast: Cast, council: Organisation, **overrides: str) -> dict[str, str]:
    data = {
        f"ask_{cast.prime.pk}": "on",
        f"name_{cast.prime.pk}": "Pat",
        f"email_{cast.prime.pk}": "pat@prime.example",
        f"ask_{council.pk}": "on",
        f"name_{council.pk}": "Chris",
        f"email_{council.pk}": "chris@council.example",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def answer(path: str) -> None:
    data = {"rater_name": "Them", "rating_slack": "2", "rating_sets_terms": "4"}
    response = Client().post(path, data)
    assert "Thank you" in response.content.decode(), response.content.decode()[:2000]


def test_editor_asks_every_partner_at_once(cast: Cast, council: Organisation) -> None:
    editor = as_user(cast.editor)
    form = editor.get(page(cast)).content.decode()
    assert "Ask Big Prime Ltd" in form and "Ask Tyneside Council" in form
    assert "Ask Hope Housing" not in form  # we do not ask ourselves
    response = editor.post(page(cast), ask_both(cast, council))
    assert response.status_code == 200
    text = response.content.decode()
    links = LINK.findall(text)
    assert len(set(links)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["chris@council.example", "pat@prime.example"]
    assert all(any(link in m.body for m in mail.outbox) for link in links)
    assert "emailed to pat@prime.example" in text
    assert text.count("Waiting; the link expires") == 2
    detail = editor.get(reverse("partnership_detail", args=["hope", cast.partnership.pk]))
    assert "invited partners to rate us: Chris (Tyneside Council); Pat (Big Prime Ltd)" in (
        detail.content.decode()
    )


def test_a_chosen_set_and_a_missing_name(cast: Cast, council: Organisation) -> None:
    editor = as_user(cast.editor)
    only_council = ask_both(cast, council, **{f"ask_{cast.prime.pk}": ""})
    assert editor.post(page(cast), only_council).status_code == 200
    assert list(RatingInvitation.objects.values_list("rater_name", flat=True)) == ["Chris"]
    nameless = editor.post(page(cast), ask_both(cast, council, **{f"name_{council.pk}": ""}))
    assert nameless.status_code == 400
    assert "Give the name of the person at Tyneside Council" in nameless.content.decode()
    none = editor.post(page(cast), {f"name_{council.pk}": "Chris"})
    assert none.status_code == 400
    assert "Tick at least one partner to ask" in none.content.decode()
    assert RatingInvitation.objects.count() == 1


def test_see_who_answered_and_resend_to_the_rest(cast: Cast, council: Organisation) -> None:
    editor = as_user(cast.editor)
    links = LINK.findall(editor.post(page(cast), ask_both(cast, council)).content.decode())
    pat = RatingInvitation.objects.get(rater_name="Pat")
    to_pat = next(m for m in mail.outbox if m.to == ["pat@prime.example"])
    pat_link = next(link for link in links if link in to_pat.body)
    chris_link = next(link for link in links if link != pat_link)
    answer(chris_link)
    status = editor.get(page(cast)).content.decode()
    assert "<strong>Answered</strong>" in status
    assert "Resend to the 1 who has not answered" in status
    mail.outbox.clear()
    response = editor.post(page(cast, "rating_invitation_resend"), {"all": "1"})
    assert response.status_code == 200
    fresh = LINK.findall(response.content.decode())
    assert len(set(fresh)) == 1 and fresh[0] != pat_link
    assert [m.to[0] for m in mail.outbox] == ["pat@prime.example"]
    assert fresh[0] in mail.outbox[0].body
    pat.refresh_from_db()
    assert pat.replaced_by is not None
    assert Client().get(pat_link).status_code == 404  # the old link is cancelled
    assert Client().get(fresh[0]).status_code == 200
    answer(fresh[0])
    assert Assessment.objects.count() == 2
    assert "who has not answered" not in editor.get(page(cast)).content.decode()
    nothing = editor.post(page(cast, "rating_invitation_resend"), {"all": "1"})
    assert nothing.status_code == 302
    assert (
        "Nothing was resent: Nobody is waiting to answer" in editor.get(page(cast)).content.decode()
    )


def test_who_may_do_what(cast: Cast, council: Organisation) -> None:
    as_user(cast.editor).post(page(cast), ask_both(cast, council))
    viewer = as_user(cast.viewer)
    seen = viewer.get(page(cast)).content.decode()
    assert "Pat" in seen and "Create the links" not in seen and "Resend" not in seen
    assert viewer.post(page(cast), ask_both(cast, council)).status_code == 403
    assert viewer.post(page(cast, "rating_invitation_resend"), {"all": "1"}).status_code == 403
    outsider = as_user(cast.outsider)
    assert outsider.get(page(cast)).status_code == 404
    assert outsider.post(page(cast, "rating_invitation_resend"), {"all": "1"}).status_code == 404
    assert RatingInvitation.objects.count() == 2


def test_a_mail_failure_keeps_the_link_on_the_page(
    cast: Cast, council: Organisation, settings: Any
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    response = as_user(cast.editor).post(page(cast), ask_both(cast, council))
    text = response.content.decode()
    assert response.status_code == 200
    assert len(set(LINK.findall(text))) == 2
    assert "<strong>not emailed</strong>" in text
    assert "the email to pat@prime.example could not be sent" in text
    assert RatingInvitation.objects.count() == 2


def test_domain_refuses_to_resend_an_answered_link(cast: Cast, council: Organisation) -> None:
    as_user(cast.editor).post(page(cast), ask_both(cast, council))
    chris = RatingInvitation.objects.get(rater_name="Chris")
    RatingInvitation.objects.filter(pk=chris.pk).update(used="2026-11-01T10:00:00Z")
    with pytest.raises(InvitingError, match="Chris has already answered"):
        resend(
            workspace=cast.workspace,
            partnership=cast.partnership,
            user=cast.editor,
            invitation_ids=[chris.pk],
            link_for=lambda token: token,
        )
    assert RatingInvitation.objects.count() == 2


def test_api_asks_lists_and_resends(cast: Cast, council: Organisation) -> None:
    path = f"/w/hope/partnerships/{cast.partnership.pk}/invitations"
    editor = Api(cast.editor)
    status, body = editor.call(
        "POST",
        path,
        {
            "partners": [
                {"organisation_id": cast.prime.pk, "name": "Pat", "email": "pat@prime.example"},
                {"organisation_id": council.pk, "name": "Chris"},
            ]
        },
    )
    assert status == 201
    assert [(row["name"], row["state"], row["emailed"]) for row in body] == [
        ("Pat", "waiting", True),
        ("Chris", "waiting", False),
    ]
    assert all(row["link"].startswith("http://testserver/rate/") for row in body)
    status, listed = Api(cast.viewer).call("GET", path)
    assert status == 200 and {row["link"] for row in listed} == {None}
    status, again = editor.call("POST", path + "/resend", {"invitation_ids": [body[1]["id"]]})
    assert status == 201 and again[0]["name"] == "Chris" and again[0]["link"] != body[1]["link"]
    status, listed = editor.call("GET", path)
    assert sorted(row["id"] for row in listed) == sorted([body[0]["id"], again[0]["id"]])
    status, error = editor.call(
        "POST", path, {"partners": [{"organisation_id": cast.us.pk, "name": "Me"}]}
    )
    assert status == 422
    assert error["detail"][0]["loc"] == ["body", "partners", 0, "organisation_id"]
    status, error = editor.call(
        "POST", path, {"partners": [{"organisation_id": council.pk, "name": "C", "email": "nope"}]}
    )
    assert status == 422 and "'nope' is not an email address" in error["detail"][0]["msg"]
    assert Api(cast.viewer).call("POST", path, {"partners": []})[0] == 403
    assert Api(cast.outsider).call("GET", path)[0] == 404
    assert RatingInvitation.objects.count() == 3
