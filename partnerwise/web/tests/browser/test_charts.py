"""The map and the charts in a real browser at a desktop and a phone width: no serious or
critical accessibility findings (axe-core), and nothing wider than the screen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse

from partnerwise import charts
from partnerwise.charts import Deadline, DriftPoint
from partnerwise.conftest import Cast, rate
from partnerwise.opendata.models import Grant
from partnerwise.organisations.models import Organisation
from partnerwise.web.tests.browser.test_journeys import Journey

pytestmark = pytest.mark.browser
WIDTHS = (1280, 390)
BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}


def fits_the_screen(journey: Journey) -> None:
    overflow = journey.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = journey.page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect()"
        ".right > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + "
        "'.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"
    )
    assert overflow <= 0, f"{journey.page.url} is {overflow}px wider than the screen: {wide}"


def test_map_at_desktop_and_phone_widths(
    live_server: Any, transactional_db: None, cast: Cast, browser: Any
) -> None:
    council = Organisation.objects.create(name="Newtown Council", kind="local_authority")
    cast.partnership.value = Decimal("250000")
    cast.partnership.save()
    cast.partnership.participations.create(
        workspace=cast.workspace, organisation=council, role="commissioner"
    )
    other = cast.workspace.partnerships.create(name="Housing First", form="consortium")
    for org in (cast.us, Organisation.objects.create(name="<script>Shelter</script>")):
        other.participations.create(workspace=cast.workspace, organisation=org, role="member")
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST)
    Grant.objects.create(grant_id="360G-b-1", funder=council, recipient=cast.us,
                         amount=Decimal(5000), source_file="g.json", row_hash=1)  # fmt: skip
    journey = Journey(browser, live_server.url)
    journey.sign_in("viewer@hope.org")
    for width in WIDTHS:
        journey.page.set_viewport_size({"width": width, "height": 900})
        journey.go(reverse("network", args=["hope"]))
        svg = journey.page.locator("svg[role=img]")
        assert svg.is_visible()
        # The map's box fits the screen; on a phone the map inside it keeps nearly its drawn
        # size, so its 13-pixel labels stay readable, and scrolls sideways within the box.
        assert journey.page.locator(".chart--map .chart__graphic").bounding_box()["width"] <= width
        assert svg.bounding_box()["width"] >= 600
        assert journey.page.locator("svg .node").count() == 4  # us, the prime, council, shelter
        assert journey.page.get_by_role(
            "link", name="<script>Shelter</script>", exact=True
        ).is_visible()
        journey.axe()
        fits_the_screen(journey)
        journey.page.get_by_label("Links", exact=True).select_option("grant")
        journey.page.get_by_role("button", name="Show the map").click()
        assert "kind=grant" in journey.page.url
        assert journey.page.locator("svg .link").count() == 1
        journey.axe()


def test_every_chart_passes_axe_at_both_widths(browser: Any) -> None:
    names = {"transactional": "Transactional", "megalomaniac": "Megalomaniac"}
    every = [
        charts.fit_bars([("Transactional", 0.7), ("Megalomaniac", 0.3)], best="Transactional"),
        charts.answer_dots([("They share our values.", [("Ann", 5), ("Bob", 1)])]),
        charts.drift_lines(
            [
                DriftPoint(date(2026, 1, 1), {"transactional": 0.7}, "transactional"),
                DriftPoint(date(2026, 6, 1), {"megalomaniac": 0.8}, "megalomaniac"),
            ],
            names,
        ),
        charts.self_vs_partners([("We share their values.", 5, 2)]),
        charts.count_bars([("Active", 3)], title="By status", label_heading="Status"),
        charts.income_bars([("Newtown Council", 60), ("Lottery", 40)]),
        charts.timeline([Deadline(date(2026, 3, 1), "Restart", "notice")], today=date(2026, 1, 1)),
    ]
    css = Path(str(finders.find("web/partnerwise.css"))).read_text()
    body = "".join(render_to_string("charts/_chart.html", {"chart": chart}) for chart in every)
    html = (
        f'<!doctype html><html lang="en"><head><title>Charts</title><style>{css}</style></head>'
        f'<body><main class="width-container"><h1>Charts</h1>{body}</main></body></html>'
    )
    journey = Journey(browser, "")
    for width in WIDTHS:
        journey.page.set_viewport_size({"width": width, "height": 900})
        journey.page.set_content(html)
        assert journey.page.locator("svg[role=img]").count() == len(every)
        journey.axe()
        fits_the_screen(journey)
