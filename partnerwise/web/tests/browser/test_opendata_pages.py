"""The pages issue 13's remaining parts changed (the appraisal's register warnings, linking a
private record, the site admins' matches page, the network's totals) at desktop and phone
widths: no sideways scrolling and no serious or critical axe findings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from partnerwise.conftest import Cast, make_user
from partnerwise.opendata.models import (
    CandidateMatch,
    CharityReturnHistory,
    Grant,
    RegisterCharity,
    RegisterTable,
)
from partnerwise.organisations.models import Organisation
from partnerwise.web.tests.browser.test_journeys import Journey
from partnerwise.web.tests.browser.test_widths import WIDE

pytestmark = pytest.mark.browser


def _register_fall(org: Organisation) -> None:
    RegisterCharity.objects.create(
        organisation_number=1, registered_number=1100001, organisation=org, name=org.name,
        normalised=org.name.lower(), status="Registered", extract_date=dt.date(2024, 9, 10),
        row_hash=1, source_file="t.zip",
    )  # fmt: skip
    RegisterTable.objects.create(
        table="charity_annual_return_history", extract_date=dt.date(2024, 9, 10)
    )
    for offset, income in enumerate([500_000, 420_000, 310_000]):
        CharityReturnHistory.objects.create(
            registered_number=1100001, row_hash=offset,
            fin_period_end=dt.date(2021 + offset, 3, 31),
            total_income=Decimal(income), return_due=dt.date(2022 + offset, 1, 31),
            return_received=dt.date(2022 + offset, 1, 10),
        )  # fmt: skip


def test_issue_13_pages_at_desktop_and_phone_widths(
    live_server: Any, transactional_db: None, cast: Cast, browser: Any
) -> None:
    _register_fall(cast.prime)
    private = Organisation.objects.create(workspace=cast.workspace, name="Our own record")
    CandidateMatch.objects.create(
        left=cast.prime, right=private, left_label="Big Prime Ltd (GB-COH-03911478)",
        right_label="Big Prime", normalised_name="big prime",
        evidence="Both are known as 'big prime'.",
    )  # fmt: skip
    # A grant with a long title and amount: its table must scroll in its box, not the page.
    funder = Organisation.objects.create(name="The Dulverton Trust of Somewhere Quite Long")
    Grant.objects.create(
        grant_id="360G-test-1", funder=funder, recipient=cast.prime, amount=Decimal("12345678"),
        title="Project development for resettlement services in three prisons",
        currency="GBP", award_date=dt.date(2024, 5, 7), source_file="t.json", row_hash=1,
    )  # fmt: skip
    staff = make_user("ops@partnerwise.example")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    pk = cast.partnership.pk
    member_pages = {
        "appraisal": reverse("appraisals:appraisal", args=["hope", pk]),
        "board-paper": reverse("appraisals:board_paper", args=["hope", pk]),
        "link": reverse("organisation_link", args=["hope", private.pk]),
        "network": reverse("network", args=["hope"]),
        "organisation": reverse("organisation_detail", args=["hope", cast.prime.pk]),
    }
    lead = Journey(browser, live_server.url)
    lead.sign_in("editor@hope.org")
    lead.go(member_pages["appraisal"])
    assert "Their income fell 38% in two years" in lead.page.inner_text("main")
    for width in (1280, 390):
        lead.page.set_viewport_size({"width": width, "height": 900})
        for name, path in member_pages.items():
            lead.go(path)
            overflow = lead.page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = lead.page.evaluate(WIDE) if overflow > 0 else []
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px: {wide}"
            lead.axe()
    lead.go(member_pages["link"])
    lead.page.fill("#identifier", "GB-CHC-999999")
    lead.page.get_by_role("button", name="Move our records").click()
    assert "No register organisation has the identifier" in lead.page.inner_text("main")
    lead.axe()
    admin = Journey(browser, live_server.url)
    admin.sign_in("ops@partnerwise.example")
    admin.go(reverse("opendata_matches"))
    assert "Both are known as 'big prime'." in admin.page.inner_text("main")
    admin.axe()
