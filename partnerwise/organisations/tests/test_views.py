"""The directory: search by name or number; an organisation's facts, partnerships and drift."""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import reverse

from partnerwise.conftest import Cast, rate
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Form, Participation, Partnership, Role

MEGALOMANIAC = {"power": 5, "sets_terms": 5, "slack": 1, "reluctant": 5, "size_gap": 5}
GOOD_GUY = {"respects_expertise": 5, "builds_capacity": 5, "performance": 4, "slack": 4}


def test_search_by_name_number_or_org_id(cast: Cast, client: Client) -> None:
    client.force_login(cast.viewer)
    url = reverse("organisation_list", args=["hope"])
    for query in ["big prime", "GB-COH-03911478", "03911478", "1082947"]:
        text = client.get(url, {"q": query}).content.decode()
        expected = "Hope Housing" if query == "1082947" else "Big Prime Ltd"
        assert expected in text, query
    assert "No organisation matches" in client.get(url, {"q": "zzz"}).content.decode()


def test_organisation_page_shows_role_and_profile_in_each_partnership_and_drift(
    cast: Cast, client: Client
) -> None:
    other = Partnership.objects.create(
        workspace=cast.workspace, name="Youth consortium", form=Form.CONSORTIUM
    )
    Participation.objects.create(
        workspace=cast.workspace, partnership=other, organisation=cast.prime, role=Role.MEMBER
    )
    # A Megalomaniac in the supply chain; in the consortium first that, then a Good guy.
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, MEGALOMANIAC)
    rate(cast.workspace, other, cast.prime, cast.editor, MEGALOMANIAC, on=date(2026, 1, 1))
    rate(cast.workspace, other, cast.prime, cast.editor, GOOD_GUY, on=date(2026, 6, 1))
    client.force_login(cast.viewer)
    text = client.get(reverse("organisation_detail", args=["hope", cast.prime.pk])).content
    page = text.decode()
    assert "GB-COH-03911478" in page
    assert "Role: Prime or lead" in page and "Role: Member" in page
    # Sections come in partnership name order: Restart sub-contract, then Youth consortium.
    supply, consortium = page.split("Youth consortium</a>")
    assert "Megalomaniac</a>" in supply
    assert "How the profile has changed" not in supply
    assert "Good guys</a>" in consortium
    drift = consortium.split("How the profile has changed with each rating")[1]
    assert drift.index("Megalomaniac") < drift.index("Good guys")


def test_recording_a_private_organisation(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor)
    url = reverse("organisation_new", args=["hope"])
    bad = client.post(url, {"name": "Prime Co", "kind": "company", "identifier": "nonsense"})
    assert "Identifier" in bad.content.decode() and bad.status_code == 200
    response = client.post(
        url, {"name": "Prime Co", "kind": "company", "identifier": "GB-COH-12345678"}
    )
    created = Organisation.objects.get(name="Prime Co")
    assert created.workspace == cast.workspace
    assert created.primary_identifier() == "GB-COH-12345678"
    assert response["Location"] == reverse("organisation_detail", args=["hope", created.pk])
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert outsider.get(response["Location"].replace("hope", "elsewhere")).status_code == 404
