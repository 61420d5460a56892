"""Journey 0 of PRODUCT.md in a real browser at desktop and phone widths, axe on every page:
sign up → confirm the email → create a workspace as a named charity → import a partner list
(first with a bad row, named by line and column; then the five good rows, reviewed and saved)
→ rate a partner → the appraisal → a recorded decision.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core import mail
from openpyxl import Workbook

from partnerwise.conftest import Cast
from partnerwise.hosting import outbox
from partnerwise.partnerships.models import Partnership
from partnerwise.web.tests.browser.test_journeys import Journey
from partnerwise.workspaces.models import User, Workspace

pytestmark = pytest.mark.browser

HEADING = ["Organisation", "Identifier", "Partnership", "Form", "Status", "Role", "Value"]
GOOD = [
    ["Big Prime Ltd", "03911478", "Restart North", "supply chain", "active", "prime", "3200000"],
    ["Tiny Food Bank", "", "Food referrals", "Referral network", "", "member", ""],
    ["Hope Helpers CIC", "", "Food referrals", "Referral network", "", "member", ""],
    ["Shelter Together", "", "Homes coalition", "influencing", "exploring", "member", ""],
    ["Northern Advice", "", "Advice consortium", "consortium", "negotiating", "prime", "£450,000"],
]
BAD = ["", "", "Broken", "pyramid scheme", "active", "member", "lots"]


def spreadsheet(rows: list[list[str]]) -> dict[str, Any]:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADING, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return {
        "name": "partners.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": out.getvalue(),
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_journey_0_a_charity_starts_on_its_own(
    live_server: Any, transactional_db: None, cast: Cast, browser: Any, width: int
) -> None:
    lead = Journey(browser, live_server.url)
    page = lead.page
    page.set_viewport_size({"width": width, "height": 900})

    lead.go("/")
    lead.axe()
    page.get_by_role("link", name="Create an account").click()
    lead.axe()
    page.get_by_label("Your name").fill("Sam Founder")
    page.get_by_label("Your email address").fill("sam@hope.example")
    page.get_by_label("Choose a password").fill("plenty long pass 99")
    page.get_by_label("Type the password again").fill("plenty long pass 99")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    lead.axe()
    assert not User.objects.get(username="sam@hope.example").is_active

    outbox.wait_until_empty()  # the confirmation is sent after the response
    link = re.search(r"https?://\S+/accounts/confirm/\S+/", str(mail.outbox[-1].body))
    assert link is not None
    page.goto(link.group(0))
    lead.axe()
    page.get_by_role("button", name="Confirm my email address").click()
    assert page.get_by_role("heading", name="Your workspaces").is_visible()
    lead.axe()

    page.get_by_role("link", name="Create a workspace").click()
    lead.axe()
    page.get_by_label("Name, charity number or company number").fill("1082947")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Hope Housing").click()
    page.get_by_label("Name of the workspace").fill("Hope Housing team")
    lead.axe()
    page.get_by_role("button", name="Create the workspace").click()
    assert page.get_by_role("heading", name="Getting started").is_visible()
    lead.axe()
    workspace = Workspace.objects.get(name="Hope Housing team")
    assert workspace.organisation == cast.us

    page.get_by_role("link", name="Import our partner list").click()
    lead.axe()
    page.get_by_label("Your partner list").set_input_files(spreadsheet([*GOOD[:4], BAD]))
    page.get_by_role("button", name="Upload and check").click()
    assert page.get_by_text("The file has 3 problems").is_visible()
    assert page.get_by_role("cell", name="Form (D)").is_visible()
    lead.axe()
    assert not workspace.partnerships.exists()

    page.get_by_label("Your partner list").set_input_files(spreadsheet(GOOD))
    page.get_by_role("button", name="Upload and check").click()
    assert page.get_by_role("heading", name="Check the matches").is_visible()
    lead.axe()
    assert not workspace.partnerships.exists()
    page.get_by_role("button", name="Confirm and import").click()
    assert page.get_by_text("Imported 4 partnerships with 5 partners").is_visible()
    lead.axe()
    restart = Partnership.objects.get(workspace=workspace, name="Restart North")
    assert restart.participations.get().organisation == cast.prime

    page.get_by_role("link", name="About the sorts of partner").first.click()
    assert page.get_by_role("heading", name="Big beasts").is_visible()
    lead.axe()

    # Rate the prime that came in with the list, then appraise and decide.
    lead.go(f"/w/{workspace.slug}/partnerships/{restart.pk}/")
    lead.axe()
    page.get_by_role("link", name="Rate Big Prime Ltd").click()
    lead.axe()
    lead.rate(
        {
            "gov_prime": "Strongly agree",
            "price_first": "Strongly agree",
            "size_gap": "Strongly agree",
            "power": "Agree",
            "builds_capacity": "Disagree",
            "slack": "Disagree",
        },
        "Sam Founder",
    )
    assert page.get_by_text("Most like: Big beasts").first.is_visible()
    lead.axe()
    lead.go(f"/w/{workspace.slug}/partnerships/{restart.pk}/appraisal/")
    assert page.get_by_role("heading", name="Appraisal of Restart North").is_visible()
    lead.axe()
    page.get_by_role("link", name="Record a decision").first.click()
    lead.axe()
    page.get_by_label("Don't go", exact=True).check()
    page.get_by_label("Reasons", exact=True).fill("The unit price does not cover our costs.")
    page.get_by_label("Approved by", exact=True).fill("Chief executive")
    page.get_by_role("button", name="Record the decision").click()
    assert page.get_by_text("Decision: Don't go").first.is_visible()
    lead.axe()
    assert restart.decisions.get().approved_by == "Chief executive"
    # Nothing on any page visited scrolls sideways at this width.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    lead.context.close()
