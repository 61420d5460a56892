"""Rating on the instrument, the profile page, and partners rating us through a link."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from partnerwise.assessments.models import Assessment, RaterKind, RatingInvitation
from partnerwise.conftest import Cast
from partnerwise.workspaces.models import ChangeRecord

# A prime behaving like the founding document's Big beasts: a big government contract,
# in if you supply at their price, out if not.
BIG_BEAST = {
    "power": "5",
    "size_gap": "5",
    "gov_prime": "5",
    "price_first": "5",
    "slack": "1",
    "performance": "4",
    "exchange": "4",
    "values_shared": "2",
}


def answers(ratings: dict[str, str], **extra: str) -> dict[str, str]:
    return {"rater_name": "Sam", "assessed_on": "2026-10-01", **extra} | {
        f"rating_{key}": value for key, value in ratings.items()
    }


def test_a_rating_is_stored_with_dont_knows_and_evidence(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    url = reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk])
    page = client.get(url).content.decode()
    assert page.count('type="radio"') == 19 * 6
    response = client.post(
        url, answers({**BIG_BEAST, "slack": "dk"}, evidence_power="They chair every board")
    )
    assert response["Location"] == reverse(
        "profile", args=["hope", cast.partnership.pk, cast.prime.pk]
    )
    stored = Assessment.objects.get()
    ratings = stored.answer_map()
    assert ratings["power"] == 5 and ratings["slack"] is None and ratings["sociable"] is None
    assert stored.answers.get(indicator="power").evidence == "They chair every board"
    assert (stored.rater, stored.rater_kind) == (cast.editor, RaterKind.COLLEAGUE)


def test_all_dont_know_is_refused_with_a_clear_message(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    url = reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk])
    response = client.post(url, answers({}))
    assert "rate at least one statement" in response.content.decode()
    assert not Assessment.objects.exists()


def test_an_organisation_outside_the_partnership_cannot_be_rated(
    cast: Cast, client: Client
) -> None:
    from partnerwise.organisations.models import Organisation

    stranger = Organisation.objects.create(name="Not In It")
    client.force_login(cast.editor)
    url = reverse("assess", args=["hope", cast.partnership.pk, stranger.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, answers(BIG_BEAST)).status_code == 404


def rate_as_two_colleagues(cast: Cast, client: Client) -> None:
    """Sam (the editor, signed in on `client`) and Alex rate the prime as a big beast,
    disagreeing on one statement."""
    url = reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk])
    client.force_login(cast.editor)
    client.post(url, answers(BIG_BEAST, rater_name="Sam"))
    colleague = Client()
    colleague.force_login(cast.admin)
    colleague.post(url, answers({**BIG_BEAST, "slack": "4"}, rater_name="Alex"))


def test_profile_shows_fits_verdict_reasons_and_disagreement(cast: Cast, client: Client) -> None:
    rate_as_two_colleagues(cast, client)
    page = client.get(reverse("profile", args=["hope", cast.partnership.pk, cast.prime.pk]))
    text = page.content.decode()
    assert "Big beasts" in text
    assert text.count("<meter") == 5
    assert "answered, by 2 raters (Alex, Sam)." in text
    assert "Points to it" in text and "Points against it" in text and "Not known yet" in text
    assert "Where raters disagree" in text
    assert "cut partners some slack. \u2013 Alex: agree; Sam: strongly disagree" in text
    assert "Questions that would settle it" in text
    assert "price: strongly agree (median of 2 raters) \u2014 typical of a Big beast" in text


def test_partner_rates_us_through_a_single_use_link(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    response = client.post(
        reverse("rating_invitation_new", args=["hope", cast.partnership.pk]),
        {
            "rater_name": "Pat at Big Prime",
            "rater_email": "pat@bigprime.example",
            "rater_organisation": str(cast.prime.pk),
        },
    )
    link = re.search(r"http://testserver(/rate/[^\"<]+/)", response.content.decode())
    assert link is not None
    path = link.group(1)
    assert path in mail.outbox[0].body
    invitation = RatingInvitation.objects.get()
    assert path.split("/")[2] not in invitation.token_hash  # only the hash is stored

    partner = Client()  # no account
    form = partner.get(path).content.decode()
    assert "How do you see Hope Housing as a partner?" in form
    assert "Portfolio" not in form and "Restart sub-contract" in form
    done = partner.post(path, answers({"slack": "2", "sets_terms": "4", "long_term": "2"}))
    assert "Thank you" in done.content.decode()
    stored = Assessment.objects.get()
    assert (stored.subject, stored.rater_kind, stored.rater) == (cast.us, RaterKind.PARTNER, None)
    assert stored.rater_name == "Sam"
    # Single use: the link is dead now.
    assert partner.get(path).status_code == 404
    assert partner.post(path, answers({"slack": "5"})).status_code == 404
    assert Assessment.objects.count() == 1
    # Our page sets their view beside our own.
    profile = client.get(reverse("profile", args=["hope", cast.partnership.pk, cast.us.pk]))
    text = profile.content.decode()
    assert "How partners see us" in text and "How we see ourselves" in text
    assert "No partner has rated us yet" not in text
    partnership = client.get(reverse("partnership_detail", args=["hope", cast.partnership.pk]))
    assert (
        "Someone without an account rated us through a partner link: Sam (Big Prime Ltd)"
        in partnership.content.decode()
    )


def test_an_expired_or_cancelled_link_does_not_work(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    new = reverse("rating_invitation_new", args=["hope", cast.partnership.pk])
    response = client.post(new, {"rater_name": "Pat", "rater_organisation": str(cast.prime.pk)})
    link = re.search(r"http://testserver(/rate/[^\"<]+/)", response.content.decode())
    assert link is not None
    invitation = RatingInvitation.objects.get()
    RatingInvitation.objects.filter(pk=invitation.pk).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    assert Client().get(link.group(1)).status_code == 404
    assert Client().get("/rate/made-up-token/").status_code == 404

    response = client.post(new, {"rater_name": "Jo", "rater_organisation": str(cast.prime.pk)})
    second = re.search(r"http://testserver(/rate/[^\"<]+/)", response.content.decode())
    assert second is not None
    fresh = RatingInvitation.objects.get(rater_name="Jo")
    cancel = reverse("rating_invitation_cancel", args=["hope", cast.partnership.pk, fresh.pk])
    assert client.post(cancel).status_code == 302
    assert Client().get(second.group(1)).status_code == 404


def test_the_form_offers_facts_from_open_data(cast: Cast, client: Client) -> None:
    cast.us.latest_income = 2_000_000
    cast.us.save()
    cast.prime.latest_income = 60_000_000
    cast.prime.save()
    client.force_login(cast.editor)
    page = client.get(reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk]))
    text = page.content.decode()
    assert "From open data:" in text
    assert "£60,000,000" in text and "30.0 times ours" in text
    assert "That suggests “strongly agree”" in text
    # The source is named beside the suggestion; the maintainers' notes are not shown.
    assert "strongly agree”. (open data)" in text
    assert "Can be filled from register incomes" not in text
    assert "Can be suggested from contract data" not in text
    ourselves = client.get(reverse("assess", args=["hope", cast.partnership.pk, cast.us.pk]))
    assert "From open data:" not in ourselves.content.decode()


def test_changing_a_rating_is_logged_and_a_stale_change_refused(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    url = reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk])
    client.post(url, answers(BIG_BEAST))
    stored = Assessment.objects.get()
    edit = reverse("assessment_edit", args=["hope", cast.partnership.pk, stored.pk])
    page = client.get(edit).content.decode()
    assert re.search(r'name="rating_power" value="5"[^>]*checked', page)
    assert re.search(r'name="rating_sociable" value="dk"[^>]*checked', page)
    assert 'name="version" value="1"' in page
    changed = {**BIG_BEAST, "slack": "3"}
    assert client.post(edit, answers(changed, version="1")).status_code == 302
    stored.refresh_from_db()
    assert stored.version == 2 and stored.answer_map()["slack"] == 3
    record = ChangeRecord.objects.get(action="changed a rating")
    assert record.changes == [
        {
            "field": "When things get difficult, they cut partners some slack.",
            "old": "Strongly disagree",
            "new": "Neither agree nor disagree",
        }
    ]
    # A second tab still on version 1 is refused, and shows both answers.
    stale = client.post(edit, answers({**BIG_BEAST, "slack": "5"}, version="1"))
    assert stale.status_code == 409
    text = stale.content.decode()
    assert "Someone else changed this rating while you were editing" in text
    assert "<td>Strongly agree</td><td>Neither agree nor disagree</td>" in text
    stored.refresh_from_db()
    assert stored.answer_map()["slack"] == 3
    profile = client.get(reverse("profile", args=["hope", cast.partnership.pk, cast.prime.pk]))
    assert "changed a rating" in profile.content.decode()


def test_only_the_rater_or_an_admin_may_change_a_rating(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    client.post(
        reverse("assess", args=["hope", cast.partnership.pk, cast.prime.pk]), answers(BIG_BEAST)
    )
    edit = reverse(
        "assessment_edit", args=["hope", cast.partnership.pk, Assessment.objects.get().pk]
    )
    other_editor = Client()
    other_editor.force_login(cast.admin)
    assert other_editor.get(edit).status_code == 200
    from partnerwise.workspaces.models import Membership

    Membership.objects.filter(user=cast.admin).update(role="editor")
    assert other_editor.get(edit).status_code == 403
    viewer = Client()
    viewer.force_login(cast.viewer)
    assert viewer.get(edit).status_code == 403
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert outsider.get(edit).status_code == 404


def test_profile_page_shows_the_stored_profile_which_equals_a_fresh_one(
    cast: Cast, client: Client
) -> None:
    from partnerwise.assessments.models import StoredProfile
    from partnerwise.assessments.profiles import profile_for

    rate_as_two_colleagues(cast, client)
    page = reverse("profile", args=["hope", cast.partnership.pk, cast.prime.pk])
    fresh = profile_for(cast.workspace, cast.partnership, cast.prime)
    text = client.get(page).content.decode()
    shown = re.search(r"\(confidence (\d+)%\)", text)
    assert shown is not None and int(shown[1]) == round(fresh.confidence * 100)
    assert escape(fresh.summary) in text
    assert escape(fresh.confidence_meaning) in text
    # The page computes nothing: it shows the profile kept when the ratings last changed.
    row = StoredProfile.objects.get(
        partnership=cast.partnership, subject=cast.prime, rater_kind=RaterKind.COLLEAGUE
    )
    row.confidence = 0.4
    row.data = {**row.data, "summary": "Marked summary."}
    row.save()
    text = client.get(page).content.decode()
    assert "(confidence 40%)" in text and "Marked summary." in text
