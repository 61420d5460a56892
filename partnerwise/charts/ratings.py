"""Answers on the 1-5 scale, statement by statement: colleagues' answers as dots on one row
each (a split shows at a glance), and our self-rating beside partners' ratings of us."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from partnerwise.charts import colours
from partnerwise.charts.svg import (
    ROW,
    WIDTH,
    Chart,
    Table,
    el,
    figure,
    marker,
    number,
    plural,
    shorten,
    text,
)

LABELS = 290
LEFT = LABELS + 20
RIGHT = WIDTH - 60
HEAD = 44  # the scale's labels above the first row
SCALE = (1, 2, 3, 4, 5)
# Two answers this far apart on one statement (strongly disagree and agree, say) are a split.
SPLIT = 3


def x_of(rating: float) -> float:
    return LEFT + (RIGHT - LEFT) * (rating - 1) / 4


def _scale(rows: int) -> list[str]:
    bottom = HEAD + rows * ROW
    marks = [
        text("Strongly disagree", x_of(1) - 10, 18, size=13, fill=colours.SECONDARY),
        text("Strongly agree", x_of(5) + 10, 18, anchor="end", size=13, fill=colours.SECONDARY),
    ]
    for value in SCALE:
        x = x_of(value)
        marks.append(text(str(value), x, 38, anchor="middle", size=13, fill=colours.SECONDARY))
        marks.append(
            el(
                "line",
                x1=x,
                x2=x,
                y1=float(HEAD),
                y2=float(bottom),
                stroke=colours.GRID,
                stroke_width=1,
            )
        )
    return marks


def _answer_text(rating: int | None) -> str:
    return "don't know" if rating is None else str(rating)


def answer_dots(
    statements: Sequence[tuple[str, Sequence[tuple[str, int | None]]]],
    *,
    title: str = "What each colleague answered",
) -> Chart:
    """Colleagues' answers: `statements` is [(statement, [(rater, rating 1-5 or None for
    "don't know")])]. Each statement is a row; each rating given is a dot whose size grows with
    how many chose it, with the count inside. Rows where answers lie `SPLIT` or more apart are
    marked "split"."""
    marks = _scale(len(statements))
    splits = []
    table_rows = []
    for index, (statement, answers) in enumerate(statements):
        y = HEAD + index * ROW + ROW / 2
        given = [rating for _, rating in answers if rating is not None]
        counts = Counter(given)
        split = bool(given) and max(given) - min(given) >= SPLIT
        if split:
            splits.append(statement)
        row = [
            el(
                "title",
                f"{statement}: " + ", ".join(f"{who} {_answer_text(r)}" for who, r in answers),
            ),
            text(shorten(statement, 36), LABELS, y + 5, anchor="end", size=14),
        ]
        for rating, count in sorted(counts.items()):
            radius = 6 + 3 * math.sqrt(count - 1)
            row.append(
                el(
                    "circle",
                    cx=x_of(rating),
                    cy=y,
                    r=radius,
                    fill=colours.MARK,
                    class_="dot",
                    data_rating=rating,
                    data_count=count,
                )
            )
            if count > 1:
                row.append(
                    text(
                        str(count),
                        x_of(rating),
                        y + 5,
                        anchor="middle",
                        size=12,
                        fill="#ffffff",
                        weight="bold",
                    )
                )
        if split:
            row.append(
                text(
                    "Split",
                    RIGHT + 16,
                    y + 5,
                    size=13,
                    fill=colours.WARNING,
                    weight="bold",
                    class_="split",
                )
            )
        marks.append(el("g", row, class_="row"))
        unknown = sum(1 for _, rating in answers if rating is None)
        table_rows.append(
            (
                statement,
                "; ".join(f"{who}: {_answer_text(rating)}" for who, rating in answers) or "None",
                str(unknown),
                "Yes" if split else "No",
            )
        )
    if not statements:
        summary = "No answers yet."
    elif splits:
        summary = (
            f"Colleagues are split on {plural(len(splits), 'statement')}: "
            + "; ".join(_quote(s) for s in splits)
            + "."
        )
    else:
        summary = (
            f"No splits: colleagues' answers lie within {SPLIT - 1} points on every statement."
        )
    table = Table(("Statement", "Answers", "Don't know", "Split"), tuple(table_rows), (2,))
    height = HEAD + len(statements) * ROW + 10
    return figure(
        title=title, summary=summary, height=height, marks=marks, table=table, key=statements
    )


def self_vs_partners(
    statements: Sequence[tuple[str, float | None, float | None]],
    *,
    title: str = "How partners see us, beside how we see ourselves",
) -> Chart:
    """Statement by statement: `statements` is [(statement, our answer, partners' middle answer)],
    either may be None (no answer). We are a square, partners a circle, joined by a line whose
    length is the gap."""
    marks = _scale(len(statements))
    legend_y = HEAD + len(statements) * ROW + 24
    gaps = []
    table_rows = []
    for index, (statement, ours, theirs) in enumerate(statements):
        y = HEAD + index * ROW + ROW / 2
        row = [
            el("title", f"{statement}: we say {_avg(ours)}, partners say {_avg(theirs)}"),
            text(shorten(statement, 36), LABELS, y + 5, anchor="end", size=14),
        ]
        if ours is not None and theirs is not None:
            row.append(
                el(
                    "line",
                    x1=x_of(ours),
                    x2=x_of(theirs),
                    y1=y,
                    y2=y,
                    stroke=colours.SECONDARY,
                    stroke_width=2,
                    class_="gap",
                )
            )
            gaps.append((abs(ours - theirs), statement, ours, theirs))
        if theirs is not None:
            row.append(
                marker(
                    "circle",
                    x_of(theirs),
                    y,
                    7,
                    colours.THEM,
                    class_="them",
                    data_value=number(theirs),
                )
            )
        if ours is not None:
            row.append(
                marker("square", x_of(ours), y, 6, colours.US, class_="us", data_value=number(ours))
            )
        marks.append(el("g", row, class_="row"))
        gap = number(abs(ours - theirs)) if ours is not None and theirs is not None else "not known"
        table_rows.append((statement, _avg(ours), _avg(theirs), gap))
    marks += [
        marker("square", LEFT, legend_y - 5, 6, colours.US),
        text("We say", LEFT + 12, legend_y, size=14),
        marker("circle", LEFT + 110, legend_y - 5, 7, colours.THEM),
        text("Partners say (middle answer)", LEFT + 122, legend_y, size=14),
    ]
    widest = sorted(gaps, key=lambda item: (-item[0], item[1]))
    if not gaps:
        summary = "No statement has both our answer and partners' answers yet."
    elif widest[0][0] == 0:
        summary = "Partners see us exactly as we see ourselves on every statement answered."
    else:
        _, statement, ours, theirs = widest[0]
        summary = (
            f"The widest gap is on {_quote(statement)}: we say {_avg(ours)}, "
            f"partners say {_avg(theirs)}."
        )
    table = Table(
        ("Statement", "We say", "Partners say (middle answer)", "Gap"), tuple(table_rows), (1, 2, 3)
    )
    return figure(
        title=title,
        summary=summary,
        height=legend_y + 10,
        marks=marks,
        table=table,
        key=statements,
    )


def _quote(statement: str) -> str:
    return "\u201c" + statement.rstrip(".") + "\u201d"


def _avg(value: float | None) -> str:
    return "no answer" if value is None else number(round(value, 1))
