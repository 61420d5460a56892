"""Needs attention: the domain function against made-up data with known answers, the portfolio
page that shows it, and the setting that decides when a partner is due to be re-rated."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerwise.appraisals.attention import months_before, needs_attention
from partnerwise.appraisals.models import AttentionSetting, Decision
from partnerwise.conftest import Cast, rate
from partnerwise.organisations.models import Kind, Organisation
from partnerwise.partnerships.models import Form, Participation, Partnership, Role, Status

TODAY = date(2026, 10, 1)
BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}
GENTLE = {"power": 1, "size_gap": 1, "gov_prime": 1, "price_first": 1, "sets_terms": 1}


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def kinds(cast: Cast) -> list[tuple[str, str]]:
    return [
        (i.kind, i.partnership)
        for i in needs_attention(workspace=cast.workspace, today=TODAY).items
    ]


def partnership(cast: Cast, name: str, **fields: Any) -> Partnership:
    made = Partnership.objects.create(
        workspace=cast.workspace, name=name, form=Form.CONSORTIUM, **fields
    )
    return made


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(date(2026, 10, 1), 6) == date(2026, 4, 1)
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2026, 3, 15), 15) == date(2024, 12, 15)


def test_renewals_and_notice_deadlines_within_90_days(cast: Cast) -> None:
    partnership(cast, "Renews soon", status=Status.ACTIVE, renewal_date=TODAY + timedelta(days=90))
    partnership(cast, "Renews later", status=Status.ACTIVE, renewal_date=TODAY + timedelta(days=91))
    partnership(
        cast, "Renewed before", status=Status.ACTIVE, renewal_date=TODAY - timedelta(days=1)
    )
    partnership(cast, "Notice due", status=Status.ACTIVE, notice_date=TODAY + timedelta(days=10))
    partnership(cast, "Ended", status=Status.ENDED, notice_date=TODAY + timedelta(days=10))
    items = needs_attention(workspace=cast.workspace, today=TODAY).items
    assert [(i.kind, i.partnership) for i in items] == [
        ("notice", "Notice due"),
        ("renewal", "Renews soon"),
    ]
    assert (
        items[0].reason == "Last day to give notice on Notice due is 11 October 2026 (in 10 days)."
    )
    assert items[0].url.endswith(f"/partnerships/{Partnership.objects.get(name='Notice due').pk}/")


def test_partners_not_rerated_in_the_workspace_period(cast: Cast) -> None:
    cast.partnership.status = Status.ACTIVE
    cast.partnership.save()
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST, on=date(2026, 3, 31))
    rate(cast.workspace, cast.partnership, cast.us, cast.editor, GENTLE, on=date(2025, 1, 1))
    items = needs_attention(workspace=cast.workspace, today=TODAY).items
    assert [i.reason for i in items] == [
        "Big Prime Ltd in Restart sub-contract was last rated on 31 March 2026, more than 6 "
        "months ago."
    ]  # our own self-rating is not a partner to re-rate
    AttentionSetting.objects.create(workspace=cast.workspace, rerate_after_months=7)
    assert kinds(cast) == []
    rate(cast.workspace, cast.partnership, cast.prime, cast.viewer, BIG_BEAST, on=date(2025, 1, 1))
    assert kinds(cast) == []  # one colleague rated recently: the partner is not due


def test_pending_decisions_overrides_and_changed_profiles(cast: Cast) -> None:
    cast.partnership.status = Status.NEGOTIATING
    cast.partnership.save()
    partnership(cast, "Just an idea", status=Status.IDEA)
    assert kinds(cast) == [("pending", "Restart sub-contract")]
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST, on=TODAY)
    Decision.objects.create(
        workspace=cast.workspace,
        partnership=cast.partnership,
        outcome="go",
        reasons="Needed",
        approved_by="Board",
        recommendation="dont_go",
        red_line_conflicts=["Safeguarding"],
        override_reason="The contract is the only route to the service.",
        decided_on=TODAY,
    )
    items = needs_attention(workspace=cast.workspace, today=TODAY).items
    assert [i.kind for i in items] == ["override"]
    assert "went ahead (Go) over 'Safeguarding' on 1 October 2026" in items[0].reason
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, GENTLE, on=TODAY)
    items = needs_attention(workspace=cast.workspace, today=TODAY).items
    changed = [i for i in items if i.kind == "profile_changed"]
    assert len(changed) == 1
    assert changed[0].reason.startswith(
        "Big Prime Ltd in Restart sub-contract read as Big beasts when the decision of "
        "1 October 2026 was recorded; it now reads as "
    )
    assert "now reads as Big beasts" not in changed[0].reason


def test_queries_do_not_grow_with_the_portfolio(cast: Cast) -> None:
    def add(n: int, start: int) -> int:
        for i in range(n):
            org = Organisation.objects.create(name=f"Partner {start + i}", kind=Kind.CHARITY)
            p = partnership(
                cast,
                f"P{start + i}",
                status=Status.NEGOTIATING,
                renewal_date=TODAY + timedelta(days=5),
                notice_date=TODAY + timedelta(days=3),
            )
            Participation.objects.create(
                workspace=cast.workspace, partnership=p, organisation=org, role=Role.PRIME
            )
            rate(cast.workspace, p, org, cast.editor, BIG_BEAST, on=date(2025, 1, 1))
            Decision.objects.create(
                workspace=cast.workspace,
                partnership=p,
                outcome="go",
                reasons="r",
                approved_by="Board",
                recommendation="go",
                override_reason="o",
                decided_on=TODAY,
            )
            rate(cast.workspace, p, org, cast.viewer, GENTLE, on=date(2025, 1, 1))
        with CaptureQueriesContext(connection) as queries:
            found = needs_attention(workspace=cast.workspace, today=TODAY).items
        assert len([i for i in found if i.kind == "notice"]) == n + start
        return len(queries)

    add(1, 0)  # the first run with decisions fills per-process caches (the typology)
    assert add(2, 1) == add(20, 3)


def test_portfolio_shows_it_to_members_only(cast: Cast) -> None:
    partnership(
        cast, "Notice due", status=Status.ACTIVE, notice_date=date.today() + timedelta(days=3)
    )
    home = reverse("workspace_home", args=["hope"])
    page = as_user(cast.viewer).get(home).content.decode()
    assert "Needs attention" in page
    assert "Last day to give notice on Notice due" in page
    assert "Partners are due to be re-rated after 6 months" in page
    assert as_user(cast.outsider).get(home).status_code == 404
    for n in range(14):
        partnership(cast, f"Renews {n:02}", status=Status.ACTIVE, renewal_date=date.today())
    page = as_user(cast.viewer).get(home).content.decode()
    assert page.count('class="attention__item') == 15
    assert "<summary>3 more</summary>" in page  # 12 shown, the rest one click away


def test_admin_sets_the_rerating_period_on_the_settings_page(cast: Cast) -> None:
    settings_page = reverse("workspace_settings", args=["hope"])
    save = reverse("appraisals:attention_settings", args=["hope"])
    admin = as_user(cast.admin)
    assert 'name="rerate_after_months"' in admin.get(settings_page).content.decode()
    response = admin.post(save, {"rerate_after_months": "12", "version": "0"})
    assert response.status_code == 302
    assert AttentionSetting.objects.get(workspace=cast.workspace).rerate_after_months == 12
    stale = admin.post(save, {"rerate_after_months": "3", "version": "0"})
    assert stale.status_code == 409
    bad = admin.post(save, {"rerate_after_months": "0", "version": "2"})
    assert bad.status_code == 400
    assert "greater than or equal to 1" in bad.content.decode()
    assert AttentionSetting.objects.get(workspace=cast.workspace).rerate_after_months == 12
    assert (
        as_user(cast.editor).post(save, {"rerate_after_months": "2", "version": "2"}).status_code
        == 403
    )
    assert (
        as_user(cast.outsider).post(save, {"rerate_after_months": "2", "version": "2"}).status_code
        == 404
    )
    assert (
        "re-rated after 12 months"
        in admin.get(reverse("workspace_home", args=["hope"])).content.decode()
    )
