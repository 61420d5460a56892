"""The portfolio's totals are kept between views, and recounted whenever the data changes."""

from __future__ import annotations

import re

from django.test import Client

from partnerwise.assessments.profiles import profile_for
from partnerwise.assessments.summaries import archetype_names, verdict_label
from partnerwise.conftest import PASSWORD, Cast, rate
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation, Partnership, Role, Status

MEGALOMANIAC = {"power": 5, "size_gap": 5, "sets_terms": 5, "reluctant": 5, "slack": 1}
GOOD_GUY = {"respects_expertise": 5, "builds_capacity": 5, "slack": 4, "reluctant": 1}


def archetype_rows(page: str) -> dict[str, int]:
    # The numbers table under the "Partners by archetype" chart.
    section = page.split('id="by-archetype"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="numeric">(\d+)', section)
    return {label: int(n) for label, n in rows}


def test_totals_follow_ratings_participants_and_partnerships(cast: Cast) -> None:
    client = Client()
    client.login(username=cast.viewer.username, password=PASSWORD)
    assert archetype_rows(client.get("/w/hope/").content.decode()) == {"Not rated yet": 1}
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, MEGALOMANIAC)
    assert archetype_rows(client.get("/w/hope/").content.decode()) == {"Megalomaniac": 1}
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, GOOD_GUY, rater_name="x")
    fresh = profile_for(cast.workspace, cast.partnership, cast.prime)
    expected = verdict_label(fresh, archetype_names(cast.workspace))
    assert expected != "Megalomaniac"
    assert archetype_rows(client.get("/w/hope/").content.decode()) == {expected: 1}
    other = Organisation.objects.create(name="Riverside Trust")
    Participation.objects.create(
        workspace=cast.workspace, partnership=cast.partnership, organisation=other, role=Role.MEMBER
    )
    assert archetype_rows(client.get("/w/hope/").content.decode()).get("Not rated yet") == 1
    Partnership.objects.create(
        workspace=cast.workspace, name="New deal", form="referral", status=Status.ACTIVE
    )
    page = client.get("/w/hope/").content.decode()
    assert re.search(r"status=active\">Active \(1\)</a>", page)
