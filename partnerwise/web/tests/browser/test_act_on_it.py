"""Acting on the appraisal in a real browser, with axe-core at 1280 and 390 pixels wide: the
portfolio's "needs attention", marking a term (and the walk-away flag on the appraisal and
board paper), asking several partners at once, the reminder preference and the setting."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerwise.conftest import Cast
from partnerwise.web.tests.browser.test_journeys import Journey

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


def check(journey: Journey) -> None:
    for width in WIDTHS:
        journey.page.set_viewport_size({"width": width, "height": 900})
        journey.axe()
    journey.page.set_viewport_size({"width": 1280, "height": 900})


def test_acting_on_it(live_server: Any, transactional_db: None, cast: Cast, browser: Any) -> None:
    from partnerwise.appraisals.models import PlaybookEntry
    from partnerwise.organisations.models import Kind, Organisation
    from partnerwise.partnerships.models import Participation, Role, Status

    PlaybookEntry.objects.create(
        workspace=cast.workspace,
        key="open_books",
        title="Open-book pricing",
        kind="term",
        severity="high",
        text="Ask to see how the prime prices the work.",
        forms=["supply_chain"],
    )
    council = Organisation.objects.create(name="Tyneside Council", kind=Kind.LOCAL_AUTHORITY)
    Participation.objects.create(
        workspace=cast.workspace,
        partnership=cast.partnership,
        organisation=council,
        role=Role.COMMISSIONER,
    )
    cast.partnership.status = Status.NEGOTIATING
    cast.partnership.notice_date = timezone.localdate() + timedelta(days=20)
    cast.partnership.save()
    pk = cast.partnership.pk

    lead = Journey(browser, live_server.url)
    page = lead.page
    lead.sign_in("editor@hope.org")
    lead.go(reverse("workspace_home", args=["hope"]))
    attention = page.locator(".attention").inner_text()
    assert "Last day to give notice on Restart sub-contract" in attention
    assert "Restart sub-contract is negotiating and no decision is recorded." in attention
    check(lead)

    lead.go(reverse("appraisals:appraisal", args=["hope", pk]))
    page.get_by_role("link", name=re.compile(r"Mark this term\W+Open-book pricing")).click()
    check(lead)
    page.get_by_label("Refused").check()
    page.get_by_label("Note").fill("The prime will not open its books.")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("1 walk-away term was refused.").is_visible()
    assert page.get_by_text("Walk-away term refused:").is_visible()
    check(lead)
    lead.go(reverse("appraisals:board_paper", args=["hope", pk]))
    page.emulate_media(media="print")
    assert "Walk-away term refused:" in page.inner_text("body")
    page.emulate_media(media="screen")
    check(lead)

    lead.go(reverse("rating_invitations", args=["hope", pk]))
    check(lead)
    page.get_by_label("Name of the person at Big Prime Ltd").fill("Pat")
    page.get_by_label("Their email address (optional)").first.fill("chris@council.example")
    page.get_by_label("Name of the person at Tyneside Council").fill("Chris")
    page.get_by_role("button", name="Create the links").click()
    assert page.get_by_role("heading", name="2 new links").is_visible()
    check(lead)
    page.get_by_role("button", name="Resend to the 2 who have not answered").click()
    assert page.get_by_role("heading", name="2 new links").is_visible()
    check(lead)

    page.get_by_role("link", name="Email reminders").first.click()
    check(lead)
    page.get_by_label("Send me reminders by email").uncheck()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Email reminders turned off.").is_visible()

    admin = Journey(browser, live_server.url)
    admin.sign_in("admin@hope.org")
    admin.go(reverse("workspace_settings", args=["hope"]))
    admin.page.get_by_label("Re-rate partners after (months)").fill("9")
    admin.page.locator("#attention-title ~ form").get_by_role("button", name="Save").click()
    assert admin.page.get_by_text("Partners will be re-rated after 9 months.").is_visible()
    check(admin)
