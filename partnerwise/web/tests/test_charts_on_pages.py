"""The charts reach the pages people read, drawn from their own workspace's ratings, and the
board summary downloads as a PDF."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from io import BytesIO

from django.test import Client
from pypdf import PdfReader

from partnerwise.assessments.models import RaterKind
from partnerwise.conftest import Cast, rate

BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}
GOOD_GUY = {"respects_expertise": 5, "builds_capacity": 5, "performance": 4, "slack": 4}


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _svgs(html: str) -> list[ET.Element]:
    """Every chart's SVG on a page, parsed."""
    found = []
    for part in html.split("<svg")[1:]:
        found.append(ET.fromstring("<svg" + part.split("</svg>")[0] + "</svg>"))
    return found


def _titles(html: str) -> list[str]:
    """Each chart's title, as its figure caption names it."""
    return [
        part.split("</strong>")[0].rstrip(".")
        for part in html.split('class="chart__caption"><strong>')[1:]
    ]


def test_profile_page_shows_each_colleagues_answers_and_drift(cast: Cast) -> None:
    p = cast.partnership
    rate(cast.workspace, p, cast.prime, cast.editor, GOOD_GUY, on=date(2026, 3, 1))
    rate(cast.workspace, p, cast.prime, cast.admin, BIG_BEAST, on=date(2026, 9, 1))
    html = _client(cast.viewer).get(f"/w/hope/partnerships/{p.pk}/profile/{cast.prime.pk}/")
    text = html.content.decode()
    titles = _titles(text)
    assert any("What each colleague answered" in t for t in titles)
    assert any("over time" in t.lower() or "fits" in t.lower() for t in titles), titles
    for svg in _svgs(text):
        assert svg.get("role") == "img"
    # The answers chart's table has a row per answered statement, with both raters' answers.
    assert "They hold a large central-government contract" in text
    assert "editor@hope.org" in text and "admin@hope.org" in text


def test_partnership_page_sets_how_partners_see_us_beside_our_view(cast: Cast) -> None:
    p = cast.partnership
    rate(cast.workspace, p, cast.us, cast.editor, {"power": 2, "slack": 5})
    rate(cast.workspace, p, cast.us, None, {"power": 4, "slack": 2},
         rater_name="Pat Prime", rater_kind=RaterKind.PARTNER)  # fmt: skip
    text = _client(cast.viewer).get(f"/w/hope/partnerships/{p.pk}/").content.decode()
    assert any("How partners see us" in t for t in _titles(text))
    # Our own wording of the statements, not the partner's.
    assert "We hold more power" in text


def test_organisation_page_shows_drift_once_there_are_two_dates(cast: Cast) -> None:
    p = cast.partnership
    url = f"/w/hope/organisations/{cast.prime.pk}/"
    rate(cast.workspace, p, cast.prime, cast.editor, GOOD_GUY, on=date(2026, 3, 1))
    assert _svgs(_client(cast.viewer).get(url).content.decode()) == []
    rate(cast.workspace, p, cast.prime, cast.editor, BIG_BEAST, on=date(2026, 9, 1))
    assert len(_svgs(_client(cast.viewer).get(url).content.decode())) == 1


def test_board_summary_downloads_as_a_pdf_for_members_only(cast: Cast) -> None:
    url = f"/w/hope/partnerships/{cast.partnership.pk}/board-summary.pdf"
    response = _client(cast.viewer).get(url, {"appendix": "0"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(BytesIO(response.content)).pages
    assert len(pages) == 1
    assert cast.partnership.name in " ".join(pages[0].extract_text().split())
    assert _client(cast.outsider).get(url).status_code == 404


def test_portfolio_draws_status_archetype_income_and_deadlines(cast: Cast) -> None:
    from decimal import Decimal

    from django.utils import timezone

    today = timezone.localdate()
    p = cast.partnership
    p.status = "active"
    p.value = Decimal("3200000")
    p.renewal_date = today.replace(day=1) + timedelta(days=62)
    p.save()
    cast.workspace.participations.filter(organisation=cast.us).update(share=Decimal(25))
    rate(cast.workspace, p, cast.prime, cast.editor, BIG_BEAST)
    text = _client(cast.viewer).get("/w/hope/").content.decode()
    titles = _titles(text)
    assert {"Partnerships by status", "Partners by archetype", "Income dependence"} <= set(titles)
    assert any("12 months" in t for t in titles), titles
    # The income chart's table holds our part from the prime, once: 25% of £3.2m.
    income = text.split("<strong>Income dependence.</strong>")[1].split("</figure>")[0]
    assert "Big Prime Ltd" in income and "800,000" in income
    assert "3,200,000" not in income
