"""When a profile or the appraisal changes after a decision, the partnership page and the
portfolio say so, and what changed; "approved by" does not repeat the date."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from partnerwise.appraisals.models import Decision, Principle
from partnerwise.conftest import Cast, rate

BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}
GOOD_GUY = {"power": 2, "respects_expertise": 5, "builds_capacity": 5, "slack": 5, "long_term": 5}


def rate_safeguarding(
    client: Client, cast: Cast, principle: Principle, version: int, score: int
) -> None:
    url = reverse("appraisals:appraisal", args=["hope", cast.partnership.pk])
    data = {"version": version, "notes": "", f"score_{principle.pk}": score}
    data[f"evidence_{principle.pk}"] = ""
    assert client.post(url, data).status_code == 302


def test_changes_after_a_decision_are_named(cast: Cast) -> None:
    safeguarding = Principle.objects.create(
        workspace=cast.workspace, kind="commitment", name="Safeguarding", is_red_line=True
    )
    client = Client()
    client.force_login(cast.editor)
    rate_safeguarding(client, cast, safeguarding, 0, 1)
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST)
    decide = reverse("appraisals:decide", args=["hope", cast.partnership.pk])
    response = client.post(
        decide,
        {
            "outcome": "go_with_conditions",
            "reasons": "Worth it.",
            "conditions": "Written safeguards.",
            "approved_by": "Board of trustees, 20 November 2026",
            "decided_on": "2026-11-20",
            "appraisal_version": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()
    decision = Decision.objects.get()
    assert decision.snapshot["ratings"] == {"Safeguarding": "+1"}
    detail = reverse("partnership_detail", args=["hope", cast.partnership.pk])
    portfolio = reverse("workspace_home", args=["hope"])
    page = client.get(detail).content.decode()
    assert "Changed since the decision" not in page
    assert "approved by Board of trustees on 20 November 2026" in page

    rate_safeguarding(client, cast, safeguarding, 1, -1)
    rate(cast.workspace, cast.partnership, cast.prime, cast.admin, GOOD_GUY)
    page = client.get(detail).content.decode()
    assert "Changed since the decision" in page
    assert "The rating of &#x27;Safeguarding&#x27; was +1; now it is -1 (strain)." in page
    assert "Big Prime Ltd&#x27;s profile was " in page
    overview = client.get(portfolio).content.decode()
    assert "Changed since the decision" in overview
    assert "The rating of &#x27;Safeguarding&#x27; was +1; now it is -1 (strain)." in overview
    # The outsider sees none of it.
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert outsider.get(detail).status_code == 404


def test_a_decision_whose_recorder_has_gone_still_shows(cast: Cast) -> None:
    Decision.objects.create(
        workspace=cast.workspace,
        partnership=cast.partnership,
        outcome="dont_go",
        reasons="Too risky.",
        approved_by="Chief executive",
        decided_on="2026-11-02",
        recommendation="not_enough",
    )
    client = Client()
    client.force_login(cast.viewer)
    page = client.get(reverse("appraisals:appraisal", args=["hope", cast.partnership.pk]))
    assert page.status_code == 200
    assert "recorded by someone no longer here" in page.content.decode()


def test_an_unrated_partner_still_in_the_partnership_is_no_change(cast: Cast) -> None:
    """A partner nobody has rated was "Not rated yet" at the decision and still is: the
    portfolio must not say it has left the partnership."""
    client = Client()
    client.force_login(cast.editor)
    decide = reverse("appraisals:decide", args=["hope", cast.partnership.pk])
    response = client.post(
        decide,
        {
            "outcome": "dont_go",
            "reasons": "Not now.",
            "approved_by": "Chief executive",
            "decided_on": "2026-11-20",
            "appraisal_version": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()
    overview = client.get(reverse("workspace_home", args=["hope"])).content.decode()
    assert "not in it" not in overview
    assert "Changed since the decision" not in overview
