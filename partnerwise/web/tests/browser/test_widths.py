"""The pages issue 10 changed, at 1280 px and at phone widths (390 and 320 px): no sideways
scrolling (WCAG 1.4.10: wide tables scroll inside their own box), no serious or critical axe
findings, and a screenshot of each in var/screenshots/ to look at."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from partnerwise.appraisals.models import Decision, Principle
from partnerwise.conftest import Cast, rate
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation, Role, Status
from partnerwise.web.tests.browser.test_journeys import Journey

pytestmark = pytest.mark.browser

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# The innermost elements that reach past the right edge, to say what makes a page too wide.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => !e.closest('.table-scroll') || e.classList.contains('table-scroll'))
  .filter(e => ![...e.children].some(c =>
     c.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 40))"""
BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}


def portfolio(cast: Cast) -> None:
    """A supply chain at £3.2m where we hold 25%, a decision, then a changed rating."""
    council = Organisation.objects.create(name="Northshire County Council")
    chain = cast.partnership
    chain.status, chain.value = Status.ACTIVE, Decimal(3_200_000)
    chain.save()
    Participation.objects.create(
        workspace=cast.workspace, partnership=chain, organisation=council, role=Role.COMMISSIONER
    )
    Participation.objects.filter(organisation=cast.us).update(share=25)
    rate(cast.workspace, chain, cast.prime, cast.editor, BIG_BEAST)
    Principle.objects.create(workspace=cast.workspace, kind="value", name="Openness")
    Decision.objects.create(
        workspace=cast.workspace,
        partnership=chain,
        outcome="go",
        reasons="Worth it.",
        approved_by="Board of trustees, 20 November 2026",
        decided_on="2026-11-20",
        recommendation="go",
        snapshot={"partners": {"Big Prime Ltd": "Good guys", "Northshire County Council": ""}},
    )


def test_changed_pages_at_desktop_and_phone_widths(
    live_server: Any, transactional_db: None, cast: Cast, browser: Any
) -> None:
    portfolio(cast)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pk = cast.partnership.pk
    pages = {
        "portfolio": reverse("workspace_home", args=["hope"]),
        "partnerships": reverse("partnership_list", args=["hope"]),
        "partnership": reverse("partnership_detail", args=["hope", pk]),
        "edit": reverse("partnership_edit", args=["hope", pk]),
        "rate": reverse("assess", args=["hope", pk, cast.prime.pk]),
        "rate-us": reverse("assess", args=["hope", pk, cast.us.pk]),
        "profile": reverse("profile", args=["hope", pk, cast.prime.pk]),
        "appraisal": reverse("appraisals:appraisal", args=["hope", pk]),
        "board-paper": reverse("appraisals:board_paper", args=["hope", pk]),
        "decide": reverse("appraisals:decide", args=["hope", pk]),
        "not-found": "/w/hope/partnerships/999999/",
    }
    lead = Journey(browser, live_server.url)
    lead.sign_in("editor@hope.org")
    for width in (1280, 390, 320):
        lead.page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            lead.go(path)
            lead.page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            overflow = lead.page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = lead.page.evaluate(WIDE) if overflow > 0 else []
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px: {wide}"
            if width != 320:
                lead.axe()
    lead.go(pages["portfolio"])
    text = lead.page.inner_text("main")
    assert "Big Prime Ltd, 100.0%" in text and "£800,000" in text
    assert "Changed since the decision" in text
