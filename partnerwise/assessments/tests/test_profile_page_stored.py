"""The profile page shows the profile stored when the ratings changed and computes none
(issue 15): each rater's answers are kept with it, the ratings table says what each rating
made of the profile, and a long list of ratings shows the latest with a link to them all."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerwise import charts
from partnerwise.assessments.custom import add_archetype
from partnerwise.assessments.models import RaterKind, StoredProfile, Typology
from partnerwise.assessments.profiles import profile_for
from partnerwise.assessments.rating import change_rating, delete_rating
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.assessments.views import RATINGS_SHOWN
from partnerwise.charts.adapters import answer_rows, answers_of
from partnerwise.conftest import Cast, make_user, rate

BIG_BEAST = {"power": 5, "size_gap": 5, "gov_prime": 5, "price_first": 5, "sets_terms": 4}
GOOD_GUY = {"respects_expertise": 5, "builds_capacity": 5, "performance": 4, "slack": 4}
GATEKEEPER = {
    "id": "gatekeeper",
    "name": "Gatekeeper",
    "summary": "Controls access to clients or money, and charges for it.",
    "prototype": {"power": 5, "exchange": 5, "user_focus": 1, "values_shared": 1},
}
# The same answer to every statement: the engine sets this rater's answers aside.
STRAIGHT_LINE = dict.fromkeys(
    [
        "power",
        "size_gap",
        "gov_prime",
        "price_first",
        "slack",
        "sets_terms",
        "exchange",
        "long_term",
    ],
    4,
)


def _page(cast: Cast, subject_id: int, query: str = "") -> str:
    client = Client()
    client.force_login(cast.viewer)
    url = f"/w/hope/partnerships/{cast.partnership.pk}/profile/{subject_id}/{query}"
    return client.get(url).content.decode()


def test_the_page_computes_no_profile(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST)
    rate(cast.workspace, cast.partnership, cast.prime, cast.admin, GOOD_GUY)
    fresh = profile_for(cast.workspace, cast.partnership, cast.prime)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the profile page asked the engine for a profile")

    monkeypatch.setattr("partnerwise.typology.engine.profile", refuse)
    monkeypatch.setattr("partnerwise.typology.profile", refuse)
    with CaptureQueriesContext(connection) as queries:
        text = _page(cast, cast.prime.pk)
    assert f"(confidence {round(fresh.confidence * 100)}%)" in text
    # The ratings are read once, their answers not at all.
    read = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "assessments_assessment"' in sql for sql in read) == 1
    assert not any('FROM "assessments_answer"' in sql for sql in read)


def test_each_raters_answers_are_drawn_as_the_engine_read_them(cast: Cast) -> None:
    """A rater whose answers the engine set aside shows none, as when the page asked it."""
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST)
    rate(cast.workspace, cast.partnership, cast.prime, cast.admin, GOOD_GUY)
    rate(cast.workspace, cast.partnership, cast.prime, make_user("flat@hope.org"), STRAIGHT_LINE)
    fresh = profile_for(cast.workspace, cast.partnership, cast.prime)
    assert fresh.set_aside == ("flat@hope.org",)
    model = engine_typology(default_typology(cast.workspace), cast.workspace)
    statements = {i.id: i.statement for i in model.indicators}
    stored = StoredProfile.objects.get(subject=cast.prime, rater_kind=RaterKind.COLLEAGUE)
    assert answer_rows(stored.rater_answers or [], statements) == answers_of(fresh, statements)
    text = _page(cast, cast.prime.pk)
    assert "flat@hope.org" in text and "What each colleague answered" in text


def test_the_ratings_table_says_what_each_rating_made_of_the_profile(cast: Cast) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, GOOD_GUY, on=date(2026, 3, 1))
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST, on=date(2026, 9, 1))
    text = _page(cast, cast.prime.pk)
    table = text.split('id="ratings"')[1].split("</table>")[0]
    assert "Profile after this rating" in table
    rows = re.findall(r"<tr><td>([^<]+)</td>.*?</tr>", table)
    assert rows == ["1 Sep 2026", "1 Mar 2026"]
    assert table.index("Most like: Big beasts") < table.index("Most like: Good guys")
    # One table a rating: no second list of the same ratings below the drift chart.
    assert text.count("After a rating by") == 0
    assert "How the profile has changed" in text


def test_a_long_list_of_ratings_shows_the_latest_and_links_to_all(cast: Cast) -> None:
    count = RATINGS_SHOWN + 3
    for n in range(count):
        rate(
            cast.workspace,
            cast.partnership,
            cast.prime,
            make_user(f"rater{n}@hope.org"),
            BIG_BEAST,
            on=date(2026, 1, 1) + timedelta(days=n),
        )
    text = _page(cast, cast.prime.pk)
    table = text.split('id="ratings"')[1].split("</table>")[0]
    assert table.count("<tr><td>") == RATINGS_SHOWN
    assert f"rater{count - 1}@hope.org" in table and "rater0@hope.org" not in table
    assert f"The latest {RATINGS_SHOWN} of {count} ratings" in text
    assert f'href="?ratings=all#ratings">All {count} ratings</a>' in text
    every = _page(cast, cast.prime.pk, "?ratings=all")
    table = every.split('id="ratings"')[1].split("</table>")[0]
    assert table.count("<tr><td>") == count
    assert "The latest" not in every


def test_how_partners_see_us_is_the_stored_partner_profile(cast: Cast) -> None:
    rate(cast.workspace, cast.partnership, cast.us, cast.editor, {"power": 2, "slack": 5})
    rate(
        cast.workspace,
        cast.partnership,
        cast.us,
        None,
        {"power": 4, "slack": 2},
        rater_name="Pat Prime",
        rater_kind=RaterKind.PARTNER,
    )
    text = _page(cast, cast.us.pk)
    assert "How partners see us" in text and "Pat Prime" in text
    # Our own wording of the statements in the gap chart, not the partner's.
    assert "We hold more power" in text


def _chart_tables(text: str) -> list[str]:
    return re.findall(r'<table class="chart__table">.*?</table>', text, re.S)


def test_the_charts_are_drawn_once_per_change_and_again_after_each(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = rate(cast.workspace, cast.partnership, cast.prime, cast.editor, BIG_BEAST)
    text = _page(cast, cast.prime.pk)
    assert "editor@hope.org" in _chart_tables(text)[0] and len(_chart_tables(text)) == 1
    # A second view with nothing changed reads the charts drawn for the first.
    real = charts.answer_dots

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("drawn again with nothing changed")

    monkeypatch.setattr(charts, "answer_dots", refuse)
    assert _chart_tables(_page(cast, cast.prime.pk)) == _chart_tables(text)
    monkeypatch.setattr(charts, "answer_dots", real)
    # A rating added: the second rater's answers, and the drift over two dates.
    second = rate(
        cast.workspace, cast.partnership, cast.prime, cast.admin, GOOD_GUY, on=date(2026, 11, 1)
    )
    tables = _chart_tables(_page(cast, cast.prime.pk))
    assert len(tables) == 2 and "admin@hope.org" in tables[0]
    # A rating changed: its new answer is drawn.
    assert "They hold a large central-government contract" in tables[0]
    change_rating(
        workspace=cast.workspace,
        assessment=first,
        seen_version=first.version,
        answers={"power": (1, "")},
        rater_name="editor@hope.org",
        assessed_on=first.assessed_on,
        notes="",
        user=cast.editor,
    )
    tables = _chart_tables(_page(cast, cast.prime.pk))
    assert "They hold a large central-government contract" not in tables[0]
    # A rating deleted: its rater is gone, and one date leaves no drift to draw.
    delete_rating(workspace=cast.workspace, assessment=second, user=cast.admin)
    tables = _chart_tables(_page(cast, cast.prime.pk))
    assert len(tables) == 1 and "admin@hope.org" not in tables[0]
    # The typology changed: a new archetype is named in the drift.
    rate(cast.workspace, cast.partnership, cast.prime, cast.admin, GOOD_GUY, on=date(2026, 11, 2))
    assert "Gatekeeper" not in _chart_tables(_page(cast, cast.prime.pk))[1]
    default = Typology.objects.get(workspace=None, key="default")
    add_archetype(workspace=cast.workspace, typology=default, data=GATEKEEPER, source="test")
    assert "Gatekeeper" in _chart_tables(_page(cast, cast.prime.pk))[1]
