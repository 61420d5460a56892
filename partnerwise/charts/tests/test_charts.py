"""Each chart read back: parse the SVG and check its marks against made-up data whose answers
are known, and that text stays text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from partnerwise import charts
from partnerwise.charts import Deadline, DriftPoint, colours
from partnerwise.charts.bars import LABELS, PLOT

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(chart: charts.Chart) -> ET.Element:
    root = ET.fromstring(str(chart.svg))
    assert root.get("role") == "img"
    assert root.find("s:title", NS) is not None
    assert root.find("s:title", NS).text == chart.title  # type: ignore[union-attr]
    assert root.find("s:desc", NS).text == chart.summary  # type: ignore[union-attr]
    return root


def marks(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if cls in (e.get("class") or "").split()]


def test_fit_bars_are_as_long_as_the_fits() -> None:
    chart = charts.fit_bars(
        [("Transactional", 0.8), ("Megalomaniac", 0.4), ("Good guys", 0.0)], best="Transactional"
    )
    bars = marks(parse(chart), "bar")
    assert [float(b.get("width", "")) for b in bars] == [PLOT * 0.8, PLOT * 0.4, 0.0]
    assert {b.get("x") for b in bars} == {str(LABELS)}
    assert chart.summary == "Transactional fits best, at 80%; next is Megalomaniac at 40%."
    assert chart.table.rows == (
        ("Transactional", "80%"),
        ("Megalomaniac", "40%"),
        ("Good guys", "0%"),
    )


def test_count_bars_scale_to_the_largest_count_and_take_colours() -> None:
    chart = charts.count_bars(
        [("Active", 6), ("Idea", 3), ("Ended", 0)],
        title="Partnerships by status",
        label_heading="Status",
        colours_by_label={"Idea": "#4c2c92"},
    )
    bars = marks(parse(chart), "bar")
    assert [float(b.get("width", "")) for b in bars] == [PLOT, PLOT / 2, 0.0]
    assert [b.get("fill") for b in bars] == [colours.MARK, "#4c2c92", colours.MARK]
    assert chart.summary == "9 in all; the most are Active (6)."


def test_count_bars_with_nothing_to_count() -> None:
    chart = charts.count_bars([], title="Partnerships by status", label_heading="Status")
    assert marks(parse(chart), "bar") == []
    assert chart.summary == "Nothing to count yet."


def test_income_bars_show_shares_and_flag_those_over_the_warning() -> None:
    chart = charts.income_bars(
        [("Big Prime Ltd", Decimal("600000")), ("Newtown Council", Decimal("300000"))],
        total=Decimal("1000000"),
        warning_share=0.5,
    )
    root = parse(chart)
    bars = marks(root, "bar")
    # The scale runs to the largest share (60%), so 60% is the full plot width.
    assert [float(b.get("data-value", "")) for b in bars] == [0.6, 0.3]
    assert [float(b.get("width", "")) for b in bars] == [PLOT, PLOT / 2]
    assert [b.get("fill") for b in bars] == [colours.WARNING, colours.MARK]
    (line,) = marks(root, "warning-line")
    x = float(line.find("s:line", NS).get("x1", ""))  # type: ignore[union-attr]
    assert x == pytest.approx(LABELS + PLOT * 0.5 / 0.6, abs=0.01)
    assert chart.summary == "1 source above the 50% warning: Big Prime Ltd (60%)."
    assert chart.table.rows[0] == ("Big Prime Ltd", "£600,000", "60%", "Yes")


def test_income_warning_line_stays_on_the_chart_when_every_source_is_small() -> None:
    chart = charts.income_bars([("A", 10), ("B", 10), ("C", 80)], total=1000)
    root = parse(chart)
    x = float(marks(root, "warning-line")[0].find("s:line", NS).get("x1", ""))  # type: ignore[union-attr]
    assert x == LABELS + PLOT  # the 25% line is the scale's end
    assert chart.summary == "No source is above the 25% warning."


def test_answer_dots_count_each_rating_and_mark_a_split() -> None:
    chart = charts.answer_dots(
        [
            ("They share our values.", [("Ann", 5), ("Bob", 1), ("Cy", 5), ("Di", None)]),
            ("They reach decisions promptly.", [("Ann", 3), ("Bob", 4)]),
        ]
    )
    root = parse(chart)
    rows = marks(root, "row")
    first = [(d.get("data-rating"), d.get("data-count")) for d in marks(rows[0], "dot")]
    assert first == [("1", "1"), ("5", "2")]
    second = [(d.get("data-rating"), d.get("data-count")) for d in marks(rows[1], "dot")]
    assert second == [("3", "1"), ("4", "1")]
    # Dots sit on the 1-5 scale: 1 at the left end, 5 at the right.
    from partnerwise.charts.ratings import x_of

    assert [float(d.get("cx", "")) for d in marks(rows[0], "dot")] == [x_of(1), x_of(5)]
    assert len(marks(rows[0], "split")) == 1
    assert marks(rows[1], "split") == []
    assert (
        chart.summary == "Colleagues are split on 1 statement: \u201cThey share our values\u201d."
    )
    assert chart.table.rows[0] == (
        "They share our values.",
        "Ann: 5; Bob: 1; Cy: 5; Di: don't know",
        "1",
        "Yes",
    )


def test_self_vs_partners_joins_our_answer_to_theirs() -> None:
    from partnerwise.charts.ratings import x_of

    chart = charts.self_vs_partners(
        [
            ("We share their values.", 5, 2.5),
            ("We reach decisions promptly.", 3, 3),
            ("Power", None, 4),
        ]
    )
    root = parse(chart)
    rows = marks(root, "row")
    assert float(marks(rows[0], "us")[0].get("x", "")) + 6 == x_of(5)  # a square, centred
    assert float(marks(rows[0], "them")[0].get("cx", "")) == x_of(2.5)
    gap = marks(rows[0], "gap")[0]
    assert (float(gap.get("x1", "")), float(gap.get("x2", ""))) == (x_of(5), x_of(2.5))
    assert marks(rows[2], "us") == [] and len(marks(rows[2], "them")) == 1
    assert chart.summary == (
        "The widest gap is on \u201cWe share their values\u201d: we say 5, partners say 2.5."
    )
    assert chart.table.rows[2] == ("Power", "no answer", "4", "not known")


def test_drift_has_a_line_per_archetype_and_marks_the_change() -> None:
    from partnerwise.charts.timelines import LEFT, RIGHT, y_of_fit

    names = {"transactional": "Transactional", "megalomaniac": "Megalomaniac"}
    points = [
        DriftPoint(date(2026, 1, 1), {"transactional": 0.7, "megalomaniac": 0.3}, "transactional"),
        DriftPoint(date(2026, 1, 11), {"transactional": 0.6, "megalomaniac": 0.5}, "transactional"),
        DriftPoint(date(2026, 1, 31), {"transactional": 0.2, "megalomaniac": 0.9}, "megalomaniac"),
    ]
    chart = charts.drift_lines(list(reversed(points)), names)
    root = parse(chart)
    series = marks(root, "series")
    assert [s.get("data-archetype") for s in series] == ["transactional", "megalomaniac"]
    line = marks(series[1], "line")[0]
    coords = [tuple(map(float, pair.split(","))) for pair in line.get("points", "").split()]
    span = RIGHT - LEFT
    assert coords == [
        (LEFT, y_of_fit(0.3)),
        (pytest.approx(LEFT + span / 3, abs=0.01), y_of_fit(0.5)),
        (RIGHT, y_of_fit(0.9)),
    ]
    assert [s.get("stroke") for s in marks(root, "line")] == [
        colours.ARCHETYPES["transactional"],
        colours.ARCHETYPES["megalomaniac"],
    ]
    (change,) = marks(root, "change")
    assert change.get("data-date") == "2026-01-31"
    assert (
        "On 31 January 2026 the match changed from Transactional to Megalomaniac." in chart.summary
    )
    assert chart.table.rows[0] == ("1 January 2026", "70%", "30%", "Transactional")


def test_drift_with_one_date_and_no_match() -> None:
    chart = charts.drift_lines(
        [DriftPoint(date(2026, 5, 1), {"good_guy": 0.4}, None)], {"good_guy": "Good guys"}
    )
    root = parse(chart)
    assert marks(root, "change") == []
    assert chart.summary.endswith("The match has stayed no clear match.")


def test_timeline_places_deadlines_by_date_and_leaves_out_later_ones() -> None:
    from partnerwise.charts.timelines import RIGHT, TL_LEFT

    today = date(2026, 1, 1)
    chart = charts.timeline(
        [
            Deadline(date(2026, 7, 2), "Restart", "renewal"),
            Deadline(date(2026, 4, 2), "Restart", "notice"),
            Deadline(date(2027, 1, 1), "Housing First", "end"),
            Deadline(date(2027, 6, 1), "Later", "renewal"),
            Deadline(date(2025, 6, 1), "Past", "renewal"),
        ],
        today=today,
    )
    root = parse(chart)
    rows = marks(root, "row")
    assert len(rows) == 2  # Restart, Housing First
    dots = marks(root, "deadline")
    assert [(d.get("data-date"), d.get("data-kind")) for d in dots] == [
        ("2026-04-02", "notice"),
        ("2026-07-02", "renewal"),
        ("2027-01-01", "end"),
    ]
    circle = next(d for d in dots if d.get("data-kind") == "renewal")
    assert float(circle.get("cx", "")) == pytest.approx(
        TL_LEFT + (RIGHT - TL_LEFT) * 182 / 365, abs=0.01
    )
    assert chart.summary == (
        "3 dates in the next 12 months; the first is Restart's notice deadline on 2 April 2026."
    )
    assert chart.notes == ("2 dates outside the next 12 months not shown.",)


def test_text_is_escaped_and_stays_text() -> None:
    evil = '<script>alert("x")</script> & "Sons"'
    for chart in (
        charts.fit_bars([(evil, 0.5)]),
        charts.count_bars([(evil, 2)], title=evil, label_heading="Name"),
        charts.income_bars([(evil, 5)]),
        charts.answer_dots([(evil, [(evil, 3)])]),
        charts.self_vs_partners([(evil, 1, 2)]),
        charts.drift_lines([DriftPoint(date(2026, 1, 1), {"x": 0.5}, "x")], {"x": evil}),
        charts.timeline([Deadline(date(2026, 2, 1), evil, "renewal")], today=date(2026, 1, 1)),
    ):
        root = parse(chart)
        assert "<script" not in str(chart.svg)
        assert root.find(".//s:script", NS) is None
        # The name comes back whole as text (in a tooltip title at least), not as markup.
        assert any(evil in "".join(e.itertext()) for e in root.iter()), chart.title
        page = render_to_string("charts/_chart.html", {"chart": chart})
        assert "<script" not in page
        assert "&lt;script&gt;" in page


def test_partial_renders_svg_summary_and_table() -> None:
    chart = charts.count_bars([("<b>Active</b>", 2)], title="By status", label_heading="Status")
    page = render_to_string("charts/_chart.html", {"chart": chart})
    assert page.count("<svg") == 1
    assert "&lt;b&gt;Active&lt;/b&gt;" in page and "<b>Active" not in page
    assert '<th scope="row">&lt;b&gt;Active&lt;/b&gt;</th>' in page
    assert "2 in all" in page


CSS = Path(__file__).resolve().parents[2] / "web" / "static" / "web" / "partnerwise.css"


def contrast(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_colours_are_the_sites_and_stand_out_from_white() -> None:
    declared = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", CSS.read_text()))
    for name, value in colours.SITE.items():
        assert declared[name] == value, name
    for value in [colours.MARK, colours.WARNING, colours.US, colours.THEM,
                  *colours.ARCHETYPES.values(), *colours.EXTRA]:  # fmt: skip
        assert contrast(value) >= 3, value


def test_map_labels_of_neighbouring_dots_do_not_cover_each_other() -> None:
    # Two organisations side by side on one row, as "Ministry of Justice" and "Nacro" were on
    # the demo's map, and a third just below the first.
    from partnerwise.charts.network import CHAR_WIDTH, MapNode, network_map

    nodes = [
        MapNode(1, "Ministry of Justice", 0.30, 0.10, 5.0, None),
        MapNode(2, "Nacro", 0.42, 0.10, 9.0, None),
        MapNode(3, "Justin burgh Education Institute", 0.30, 0.13, 1.0, None),
    ]
    root = parse(
        network_map(nodes, [], names={}, summary="Three.", table=charts.Table(("Name",), ()))
    )
    boxes = []
    for group in marks(root, "org"):
        label = group.find("s:text", NS)
        assert label is not None, "every dot here has room for its name"
        x, y, words = float(label.get("x", 0)), float(label.get("y", 0)), label.text or ""
        width = CHAR_WIDTH * len(words)
        left = {"start": x, "end": x - width, "middle": x - width / 2}[
            label.get("text-anchor", "start")
        ]
        boxes.append((left, y - 12, left + width, y + 3))
    assert len(boxes) == 3
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_table_rows_are_built_escaped_with_a_row_header_and_numeric_cells() -> None:
    from partnerwise.charts.svg import Table

    table = Table(("Name", "Note", "Count"), (("A & <b>", "it's", "3"), ("B", "", "10")), (2,))
    assert str(table.body) == (
        '<tr><th scope="row">A &amp; &lt;b&gt;</th><td>it&#x27;s</td>'
        '<td class="numeric">3</td></tr>'
        '\n<tr><th scope="row">B</th><td></td><td class="numeric">10</td></tr>'
    )
    page = render_to_string("charts/_chart.html", {"chart": charts.fit_bars([("A", 0.5)])})
    assert '<th scope="row">A</th><td class="numeric">50%</td>' in page
