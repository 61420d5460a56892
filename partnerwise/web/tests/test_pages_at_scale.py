"""What keeps a large workspace's pages within reach of the demo's (issue 15): one bar for
every mixed verdict, a bounded needs-attention list, drift drawn for the first partnerships
of an organisation's page, and the API's partnership pages the size of the page's."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from partnerwise.assessments.models import ProfilePoint
from partnerwise.assessments.summaries import profile_histories
from partnerwise.conftest import Api, Cast, rate
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation, Partnership, Role, Status
from partnerwise.web.organisations import DRIFT_CHARTS_SHOWN
from partnerwise.web.views import ATTENTION_MORE_SHOWN, MIXED
from partnerwise.workspaces.models import User

GOOD_GUY = {"respects_expertise": 5, "builds_capacity": 5, "performance": 4, "slack": 4}
BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def archetype_rows(page: str) -> dict[str, int]:
    section = page.split('id="by-archetype"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="numeric">(\d+)', section)
    return {label: int(n) for label, n in rows}


def test_every_mixed_verdict_is_counted_in_one_bar(cast: Cast) -> None:
    other = Organisation.objects.create(name="Riverside Trust")
    Participation.objects.create(
        workspace=cast.workspace, partnership=cast.partnership, organisation=other, role=Role.MEMBER
    )
    for subject in (cast.prime, other):
        rate(cast.workspace, cast.partnership, subject, cast.editor, GOOD_GUY)
    stored = cast.workspace.storedprofiles.filter(partnership=cast.partnership)
    # Two mixed verdicts leaning different ways: two labels on their rows, one bar here.
    stored.filter(subject=cast.prime).update(
        verdict="mixed", best="", leading=["good_guy", "big_beast"], updated=timezone.now()
    )
    stored.filter(subject=other).update(
        verdict="mixed", best="", leading=["transactional", "good_guy"], updated=timezone.now()
    )
    page = _client(cast.viewer).get("/w/hope/").content.decode()
    assert archetype_rows(page) == {MIXED: 2}


def test_needs_attention_lists_a_bounded_number_and_counts_the_rest(cast: Cast) -> None:
    today = timezone.localdate()
    unlisted = 7
    for n in range(12 + ATTENTION_MORE_SHOWN + unlisted):
        Partnership.objects.create(
            workspace=cast.workspace,
            name=f"Renews {n:03}",
            form="referral",
            status=Status.ACTIVE,
            renewal_date=today + timedelta(days=1 + n % 60),
        )
    page = _client(cast.viewer).get("/w/hope/").content.decode()
    assert page.count('class="attention__item') == 12 + ATTENTION_MORE_SHOWN
    assert f"{unlisted} more are not listed here" in page


def test_the_organisation_page_draws_drift_for_its_first_partnerships_only(cast: Cast) -> None:
    count = DRIFT_CHARTS_SHOWN + 2
    for n in range(count):
        p = Partnership.objects.create(workspace=cast.workspace, name=f"Deal {n}", form="referral")
        Participation.objects.create(
            workspace=cast.workspace, partnership=p, organisation=cast.prime, role=Role.PRIME
        )
        rate(cast.workspace, p, cast.prime, cast.editor, GOOD_GUY, on=date(2026, 3, 1))
        rate(cast.workspace, p, cast.prime, cast.editor, BIG_BEAST, on=date(2026, 9, 1))
    page = _client(cast.viewer).get(f"/w/hope/organisations/{cast.prime.pk}/").content.decode()
    assert page.count('<figure class="chart"') == DRIFT_CHARTS_SHOWN
    assert page.count("How the fits have changed</a>") == 0
    assert page.count("How the fits have changed, on its profile page") == 2


def test_the_organisation_page_reads_its_drift_and_verdicts_from_the_stored_history(
    cast: Cast,
) -> None:
    """The drift is drawn from each point's stored fits (not its engine summary), read only
    for the partnerships drawn; each partnership's verdict is its history's last point."""
    deals = []
    for n in range(DRIFT_CHARTS_SHOWN + 1):
        p = Partnership.objects.create(workspace=cast.workspace, name=f"Deal {n}", form="referral")
        Participation.objects.create(
            workspace=cast.workspace, partnership=p, organisation=cast.prime, role=Role.PRIME
        )
        rate(cast.workspace, p, cast.prime, cast.editor, GOOD_GUY, on=date(2026, 3, 1))
        rate(cast.workspace, p, cast.prime, cast.editor, BIG_BEAST, on=date(2026, 9, 1))
        deals.append(p)
    points = ProfilePoint.objects.filter(subject=cast.prime, partnership=deals[0])
    points.update(fits={"good_guy": 0.77})
    points.filter(assessed_on=date(2026, 9, 1)).update(best="transactional")
    page = _client(cast.viewer).get(f"/w/hope/organisations/{cast.prime.pk}/").content.decode()
    first = page.split('id="p-')[1]
    assert "77%" in first.split("</figure>")[0]
    assert "What sort of partner here:" in first and ">Transactional</a>" in first
    histories = profile_histories(
        cast.workspace,
        cast.prime.pk,
        partnership_ids=[p.pk for p in deals],
        fits_for=[deals[0].pk],
    )
    assert all(point.fits == {"good_guy": 0.77} for point in histories[deals[0].pk])
    assert all(point.fits == {} for point in histories[deals[1].pk])


def test_the_api_partnerships_list_pages_by_25_by_default(cast: Cast) -> None:
    for n in range(30):
        p = Partnership.objects.create(workspace=cast.workspace, name=f"P{n:02}", form="referral")
        Participation.objects.create(
            workspace=cast.workspace, partnership=p, organisation=cast.prime, role=Role.PRIME
        )
    status, body = Api(cast.viewer).call("GET", "/w/hope/partnerships")
    assert status == 200
    assert (body["count"], body["size"], body["pages"], len(body["results"])) == (31, 25, 2, 25)
    first = body["results"][0]
    assert [(p["organisation"], p["role"]) for p in first["participants"]] == [
        ("Big Prime Ltd", "prime")
    ]


def test_the_deadlines_chart_tables_only_the_partnerships_it_draws() -> None:
    from partnerwise import charts
    from partnerwise.charts import Deadline
    from partnerwise.charts.timelines import MAX_ROWS

    today = date(2026, 1, 1)
    deadlines = [
        Deadline(today + timedelta(days=1 + n), f"Deal {n:03}", kind)
        for n in range(MAX_ROWS + 30)
        for kind in ("renewal", "notice")
    ]
    chart = charts.timeline(deadlines, today=today)
    assert {row[1] for row in chart.table.rows} == {f"Deal {n:03}" for n in range(MAX_ROWS)}
    assert len(chart.table.rows) == 2 * MAX_ROWS
    assert "30 more partnerships with dates in the year are not shown here." in chart.notes


def test_the_income_table_names_the_first_payers_and_counts_the_rest(cast: Cast) -> None:
    from decimal import Decimal

    from partnerwise.web.views import PAYER_NAMES_SHOWN, PAYERS_SHOWN

    payers = [Organisation.objects.create(name=f"Payer {n:02}") for n in range(PAYERS_SHOWN + 5)]
    for n, payer in enumerate(payers):
        # The first payer pays most, in more partnerships than the table names.
        for k in range(PAYER_NAMES_SHOWN + 2 if n == 0 else 1):
            p = Partnership.objects.create(
                workspace=cast.workspace,
                name=f"Chain {n:02}-{k}",
                form="referral",
                status=Status.ACTIVE,
                value=Decimal(1000 * (100 - n)),
            )
            Participation.objects.create(
                workspace=cast.workspace, partnership=p, organisation=payer, role=Role.PRIME
            )
            Participation.objects.create(
                workspace=cast.workspace,
                partnership=p,
                organisation=cast.us,
                role=Role.SUBCONTRACTOR,
                share=Decimal(50),
            )
    page = _client(cast.viewer).get("/w/hope/").content.decode()
    section = page[page.index('id="dependence"') : page.index('id="all-partnerships"')]
    caption = section.index("by the organisation that pays us</caption>")
    table = section[caption : section.index("</table>", caption)]
    assert table.count("<tr>") == 1 + PAYERS_SHOWN
    assert "Chain 00-0, Chain 00-1, Chain 00-2" in table and "Chain 00-3" not in table
    assert ">and 2 more</a>" in table
    assert "5 more payers" in section
    assert "5 other payers" in section  # the chart's last bar
