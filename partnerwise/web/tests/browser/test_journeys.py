"""Journeys 2 and 3 of PRODUCT.md in a real browser, with axe-core on every main page.

Journey 2, "a prime calls": record a prime and sub-contract, add the organisations and their roles,
rate the prime, a colleague rates it too, rate ourselves, a partner rates us through a link
with no account, and the profiles show their reasons and where colleagues disagree.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from partnerwise.conftest import PASSWORD, Cast
from partnerwise.web.tests.browser.conftest import AXE

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}

PRIME_ANSWERS = {
    "power": "Strongly agree",
    "size_gap": "Strongly agree",
    "gov_prime": "Strongly agree",
    "price_first": "Strongly agree",
    "slack": "Strongly disagree",
    "performance": "Agree",
    "exchange": "Agree",
}
OUR_ANSWERS = {
    "respects_expertise": "Strongly agree",
    "user_focus": "Strongly agree",
    "long_term": "Agree",
    "values_shared": "Agree",
}


class Journey:
    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(bypass_csp=True)  # so axe can be injected
        self.page = self.context.new_page()
        self.base = base
        self.checked: list[str] = []

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, email: str) -> None:
        self.go(reverse("login"))
        self.page.get_by_label("Username").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()

    def axe(self) -> None:
        """No serious or critical accessibility violations on the current page."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in SERIOUS
        ]
        assert not bad, f"{self.page.url}: {bad}"
        self.checked.append(self.page.url)

    def rate(self, answers: dict[str, str], name: str) -> None:
        # Colleagues are asked whose answers these are; a partner through a link, their name.
        own = self.page.get_by_label("Your name")
        (own if own.count() else self.page.get_by_label("Whose answers are these?")).fill(name)
        values = {"Strongly disagree": "1", "Disagree": "2", "Agree": "4", "Strongly agree": "5"}
        for indicator, label in answers.items():
            choice = self.page.locator(f"input[name='rating_{indicator}'][value='{values[label]}']")
            # Click the visible label, as a person would; it wraps the radio button.
            choice.locator("xpath=..").click()
            assert choice.is_checked()
        self.page.get_by_role("button", name="Save my answers").click()


def test_journey_2_a_prime_calls(
    live_server: Any, transactional_db: None, cast: Cast, browser: Any
) -> None:
    from partnerwise.workspaces.models import Membership, Role

    # A second workspace, so that signing in shows the list of workspaces first.
    Membership.objects.create(workspace=cast.other_workspace, user=cast.editor, role=Role.VIEWER)
    lead = Journey(browser, live_server.url)
    page = lead.page
    lead.sign_in("editor@hope.org")
    assert page.get_by_role("heading", name="Your workspaces").is_visible()
    lead.axe()
    page.get_by_role("link", name="Hope Housing").click()
    lead.axe()

    # Record the proposed partnership.
    page.get_by_role("link", name="Record a partnership").first.click()
    lead.axe()
    page.get_by_label("Name of the partnership").fill("Work and health programme")
    page.get_by_label("Prime and sub-contract supply chain").check()
    page.get_by_label("Exploring").check()
    page.get_by_label("Total value, in pounds").fill("2400000")
    page.get_by_label("Area covered").fill("North East England")
    page.get_by_role("button", name="Record the partnership").click()
    assert page.get_by_role("heading", name="Work and health programme").is_visible()
    lead.axe()
    detail = page.url

    # The organisations and their roles: the prime, us, and a department we record ourselves.
    page.get_by_role("link", name="Add an organisation").click()
    lead.axe()
    page.get_by_label("Name, charity number or company number").fill("03911478")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Big Prime Ltd").click()
    page.get_by_label("Prime or lead").check()
    page.get_by_label("Their share of the value, in per cent").fill("70")
    lead.axe()
    page.get_by_role("button", name="Add Big Prime Ltd").click()

    page.get_by_role("link", name="Add an organisation").click()
    page.get_by_label("Name, charity number or company number").fill("Hope Housing")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Hope Housing").click()
    page.get_by_label("Sub-contractor or delivery partner").check()
    page.get_by_label("Their share of the value, in per cent").fill("30")
    page.get_by_role("button", name="Add Hope Housing").click()

    page.get_by_role("link", name="Add an organisation").click()
    page.get_by_label("Name, charity number or company number").fill("Department for Work")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Record a new organisation").click()
    lead.axe()
    page.get_by_label("Name of the organisation").fill("Department for Work and Pensions")
    page.get_by_label("Central government department or body").check()
    page.get_by_role("button", name="Save the organisation").click()
    page.get_by_label("Commissioner or funder").check()
    page.get_by_role("button", name="Add Department for Work and Pensions").click()
    roles = page.locator("table").first.inner_text()
    for expected in [
        "Big Prime Ltd",
        "Prime or lead",
        "Department for Work and Pensions",
        "Commissioner or funder",
        "Sub-contractor or delivery partner",
    ]:
        assert expected in roles

    # Removing asks first; keeping them changes nothing.
    page.get_by_role("link", name="Remove Department for Work and Pensions").click()
    lead.axe()
    page.get_by_role("link", name="Keep them").click()
    assert "Department for Work and Pensions" in page.locator("table").first.inner_text()

    # The organisation's facts.
    page.get_by_role("link", name="Big Prime Ltd").first.click()
    assert "GB-COH-03911478" in page.content()
    lead.axe()

    # Rate the prime.
    page.goto(detail)
    page.get_by_role("link", name="Rate Big Prime Ltd").click()
    lead.axe()
    lead.rate(PRIME_ANSWERS, "Sam Lead")
    # The verdict, and the same in the ratings table as what this rating made of it.
    colleagues_view = page.get_by_role("region", name="Our colleagues' view")
    assert colleagues_view.get_by_text("Most like: Big beasts").is_visible()
    assert page.get_by_role("cell", name="Most like: Big beasts").is_visible()
    lead.axe()

    # A colleague rates it too, and differs on one statement.
    colleague = Journey(browser, live_server.url)
    colleague.sign_in("admin@hope.org")
    colleague.go(detail.removeprefix(live_server.url))
    colleague.page.get_by_role("link", name="Rate Big Prime Ltd").click()
    colleague.rate({**PRIME_ANSWERS, "slack": "Agree"}, "Alex Colleague")
    text = colleague.page.content()
    assert "from 2 raters" in text
    assert "Where raters disagree" in text
    assert re.search(r"Alex Colleague: agree; Sam Lead: strongly disagree", text)

    # Rate ourselves, then ask the prime how they see us.
    page.goto(detail)
    page.get_by_role("link", name="Rate ourselves").click()
    lead.rate(OUR_ANSWERS, "Sam Lead")
    page.goto(detail)
    page.get_by_role("link", name="Ask a partner to rate us").click()
    lead.axe()
    page.get_by_label("Name of the person you are asking").fill("Pat Prime")
    page.get_by_label("Big Prime Ltd").check()
    page.get_by_role("button", name="Create the link").click()
    link = page.locator(".notice a").first.get_attribute("href")
    assert link and "/rate/" in link

    partner = Journey(browser, live_server.url)  # no account
    partner.page.goto(link)
    assert partner.page.get_by_role(
        "heading", name="How do you see Hope Housing as a partner?"
    ).is_visible()
    assert partner.page.get_by_role("link", name="Portfolio").count() == 0
    partner.axe()
    partner.rate({"slack": "Disagree", "sets_terms": "Agree", "long_term": "Agree"}, "Pat Prime")
    assert partner.page.get_by_role("heading", name="Thank you").is_visible()
    partner.page.goto(link)
    assert partner.page.get_by_role("heading", name="This link does not work").is_visible()

    page.goto(detail)
    assert "1 partner rating" in page.content()
    assert (
        "Someone without an account rated us through a partner link: Pat Prime (Big Prime Ltd)"
        in page.content()
    )
    page.goto(detail + f"profile/{cast.us.pk}/")
    assert page.get_by_role("heading", name="How we see ourselves").is_visible()
    assert page.get_by_role("heading", name="How partners see us").is_visible()
    lead.axe()

    # Search the directory; members (as the admin).
    lead.go(reverse("organisation_list", args=["hope"]) + "?q=big")
    lead.axe()
    lead.go(reverse("network", args=["hope"]))
    assert lead.page.get_by_role("heading", name="Who works with whom").is_visible()
    lead.axe()
    colleague.go(reverse("members", args=["hope"]))
    colleague.axe()
    lead.go(
        reverse(
            "partnership_edit",
            args=["hope", cast.workspace.partnerships.get(name="Work and health programme").pk],
        )
    )
    lead.axe()
    assert len(lead.checked) >= 12


def test_journey_3_deciding(
    live_server: Any, transactional_db: None, cast: Cast, browser: Any
) -> None:
    """The appraisal against our values, a red line that cannot be waved through without a
    written reason, the recorded decision, and the printed board paper."""
    from partnerwise.appraisals.models import Principle, PrincipleKind

    Principle.objects.create(
        workspace=cast.workspace,
        kind=PrincipleKind.COMMITMENT,
        name="No payment by results alone",
        is_red_line=True,
    )
    Principle.objects.create(
        workspace=cast.workspace, kind=PrincipleKind.VALUE, name="Lived experience leads"
    )
    lead = Journey(browser, live_server.url)
    page = lead.page
    lead.sign_in("editor@hope.org")
    lead.go(reverse("partnership_detail", args=["hope", cast.partnership.pk]))
    page.get_by_role("link", name="Appraisal: values, risks and terms").click()
    assert page.get_by_role("heading", name="Appraisal of Restart sub-contract").is_visible()
    lead.axe()

    # The red line is in conflict: the payment model is payment by results alone.
    page.get_by_label("No payment by results alone (red line)").select_option("-2")
    page.get_by_label("Evidence for 'No payment by results alone'").fill(
        "100% of the sub-contract is paid on job outcomes."
    )
    page.get_by_label("Lived experience leads", exact=True).select_option("1")
    page.get_by_role("button", name="Save the appraisal").click()
    lead.axe()

    page.get_by_role("link", name="Record a decision").first.click()
    lead.axe()
    page.get_by_label("Go with conditions").check()
    page.get_by_label("Reasons", exact=True).fill("The prime is the only route into this contract.")
    page.get_by_label("Conditions", exact=True).fill(
        "Outcome payments capped at 40%; a 6-month break clause."
    )
    page.get_by_label("Approved by", exact=True).fill("Board of trustees")
    dated = page.get_by_role("group", name="Date of the decision")
    dated.get_by_label("Day").fill("20")
    dated.get_by_label("Month").fill("11")
    dated.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Record the decision").click()
    # Refused: going ahead against a red line needs a written reason.
    assert page.get_by_text("conflicts with the red line").first.is_visible()
    lead.axe()
    page.get_by_label("Override reason").fill(
        "Trustees accept it for one year while the cap is negotiated."
    )
    page.get_by_role("button", name="Record the decision").click()
    assert page.get_by_text("Decision: Go with conditions").first.is_visible()

    lead.go(reverse("appraisals:board_paper", args=["hope", cast.partnership.pk]))
    lead.axe()
    page.emulate_media(media="print")
    paper = page.inner_text("body")
    for expected in [
        "Restart sub-contract",
        "Go with conditions",
        "Board of trustees",
        "Trustees accept it for one year while the cap is negotiated.",
        "No payment by results alone",
    ]:
        assert expected in paper, expected
    assert not page.locator(".site-header").is_visible()  # navigation is not printed
    assert page.pdf().startswith(b"%PDF")
