"""The one-page board summary read back from its PDF: page count, and the text on page one
against a partnership whose answers are known."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import RequestFactory
from pypdf import PdfReader

from partnerwise.appraisals.models import Appraisal, Decision, Principle, Rating
from partnerwise.appraisals.summary import _static_fetcher, board_summary_pdf
from partnerwise.assessments.models import RaterKind
from partnerwise.conftest import Cast, rate
from partnerwise.organisations.models import Organisation

BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}


def pages(cast: Cast, *, appendix: bool = True) -> list[str]:
    request = RequestFactory().get("/")
    request.user = cast.viewer
    pdf = board_summary_pdf(
        request=request, workspace=cast.workspace, partnership=cast.partnership, appendix=appendix
    )
    assert pdf.startswith(b"%PDF")
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


@pytest.fixture
def appraised(cast: Cast) -> Cast:
    p = cast.partnership
    p.value = Decimal("250000")
    p.save()
    rate(cast.workspace, p, cast.prime, cast.editor, BIG_BEAST, rater_name="Sam Lead")
    rate(cast.workspace, p, cast.us, None, {"power": 2},
         rater_name="Pat Prime", rater_kind=RaterKind.PARTNER)  # fmt: skip
    red = Principle.objects.create(
        workspace=cast.workspace, kind="commitment", name="Safeguarding", is_red_line=True
    )
    appraisal = Appraisal.objects.create(workspace=cast.workspace, partnership=p)
    Rating.objects.create(
        workspace=cast.workspace, appraisal=appraisal, principle=red, score=-2, rated_by=cast.editor
    )
    Decision.objects.create(
        workspace=cast.workspace, partnership=p, outcome="go", reasons="Too good to miss",
        approved_by="Board of trustees", decided_on=date(2026, 11, 20), recommendation="dont_go",
        decided_by=cast.admin,
        override_reason="The prime has agreed our safeguarding policy in writing",
    )  # fmt: skip
    return cast


def test_page_one_is_the_summary_and_the_paper_follows(appraised: Cast) -> None:
    text = pages(appraised)
    first = text[0]
    assert len(text) >= 2
    assert "Restart sub-contract" in first and "£250,000" in first
    assert (
        "Should we go into Restart sub-contract, a prime and sub-contract supply chain, as "
        "sub-contractor or delivery partner?" in first
    )
    assert "Decided 20 November 2026: Go, approved by Board of trustees." in first
    assert "Recommendation: Don't go" in first
    assert "In conflict with: Safeguarding." in first
    assert "Overridden, with this reason: The prime has agreed our safeguarding policy" in first
    # Sam rated the prime as a big beast: one rater.
    assert "Big Prime Ltd Prime or lead Big beasts" in first and "(1 rater)" in first
    assert "Partners see us as:" in first and "(confidence" in first and "1 partner)" in first
    assert "We see ourselves as: not rated yet" in first
    assert f"The full board paper follows as an appendix ({len(text) - 1} page" in first
    assert all("Appendix" in page for page in text[1:])
    assert "paper for decision" in text[1]


def test_without_the_appendix_it_is_one_page(appraised: Cast) -> None:
    text = pages(appraised, appendix=False)
    assert len(text) == 1
    assert "The full board paper is on the partnership's appraisal page." in text[0]


def test_a_crowded_partnership_still_fits_on_one_page(cast: Cast) -> None:
    long = "A very long organisation name indeed, of the kind the register is full of, " * 2
    for n in range(30):
        org = Organisation.objects.create(name=f"{n:02} {long}")
        cast.partnership.participations.create(
            workspace=cast.workspace, organisation=org, role="member"
        )
        rate(cast.workspace, cast.partnership, org, cast.editor, BIG_BEAST)
    appraisal = Appraisal.objects.create(workspace=cast.workspace, partnership=cast.partnership)
    for n in range(12):
        red = Principle.objects.create(
            workspace=cast.workspace, kind="value", name=f"Red line {n} " + "x" * 60,
            is_red_line=True,
        )  # fmt: skip
        Rating.objects.create(
            workspace=cast.workspace,
            appraisal=appraisal,
            principle=red,
            score=-2,
            rated_by=cast.editor,
        )
    text = pages(cast)
    first = text[0]
    assert "Partners: what sort each is" in first and "How partners see us" in first
    assert "more in the appendix" in first
    assert "The full board paper follows as an appendix" in first
    assert "Appendix" in text[1] and "Decision asked" not in text[1]


def test_the_pdf_fetches_only_our_static_files() -> None:
    fetch = _static_fetcher("http://testserver/")
    response = fetch.fetch("http://testserver/static/appraisals/board_summary.css")
    try:
        assert b"@page" in response.read()
    finally:
        response.close()
    for url in (
        "http://elsewhere.example/static/appraisals/board_summary.css",
        "file:///etc/passwd",
        "http://testserver/static/../../settings.py",
        "http://testserver/admin/",
    ):
        with pytest.raises(ValueError):
            fetch.fetch(url)
