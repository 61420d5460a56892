"""Bar charts: how well each archetype fits, counts by status or archetype, and how much of
our income comes from each source of money."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from partnerwise.charts import colours
from partnerwise.charts.svg import (
    FONT_SIZE,
    ROW,
    WIDTH,
    Chart,
    Table,
    el,
    figure,
    percent,
    plural,
    pounds,
    shorten,
    text,
)

LABELS = 210  # width of the label column
VALUE_ROOM = 90  # room right of the longest bar for its value
PLOT = WIDTH - LABELS - VALUE_ROOM
TOP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as text beside the bar
    colour: str = colours.MARK
    bold: bool = False


def _bars(
    bars: Sequence[Bar], scale_max: float, extra_height: float = 0
) -> tuple[list[str], float]:
    """Horizontal bars, one row each; returns the marks and the height they take."""
    marks = []
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        width = PLOT * bar.value / scale_max if scale_max > 0 else 0.0
        weight = "bold" if bar.bold else None
        marks.append(
            el(
                "g",
                [
                    el("title", f"{bar.label}: {bar.shown}"),
                    text(shorten(bar.label), LABELS - 10, y + 20, anchor="end", weight=weight),
                    el(
                        "rect",
                        x=float(LABELS),
                        y=float(y + 5),
                        width=float(width),
                        height=float(ROW - 10),
                        fill=bar.colour,
                        class_="bar",
                        data_value=f"{bar.value:g}",
                    ),
                    text(bar.shown, LABELS + width + 6, y + 20, weight=weight),
                ],
                class_="row",
            )
        )
    axis = el(
        "line",
        x1=float(LABELS),
        x2=float(LABELS),
        y1=float(TOP),
        y2=float(TOP + len(bars) * ROW),
        stroke=colours.TEXT,
        stroke_width=1,
    )
    return [axis, *marks], TOP + len(bars) * ROW + extra_height + 10


def fit_bars(
    fits: Sequence[tuple[str, float]], *, best: str | None = None, title: str = ""
) -> Chart:
    """How well each archetype fits a partner: `fits` is [(archetype name, fit 0..1)] in the
    order to show; the bar named `best` is drawn bold."""
    title = title or "How well each sort of partner fits"
    bars = [
        Bar(name, max(0.0, min(1.0, fit)), percent(fit), bold=name == best) for name, fit in fits
    ]
    marks, height = _bars(bars, 1.0)
    ranked = sorted(fits, key=lambda item: -item[1])
    if not ranked:
        summary = "No fits to show yet."
    else:
        summary = f"{ranked[0][0]} fits best, at {percent(ranked[0][1])}"
        if len(ranked) > 1:
            summary += f"; next is {ranked[1][0]} at {percent(ranked[1][1])}"
        summary += "."
    table = Table(
        ("Sort of partner", "Fit"), tuple((name, percent(fit)) for name, fit in fits), (1,)
    )
    return figure(title=title, summary=summary, height=height, marks=marks, table=table, key=fits)


def count_bars(
    counts: Sequence[tuple[str, int]],
    *,
    title: str,
    label_heading: str,
    value_heading: str = "Partnerships",
    colours_by_label: Mapping[str, str] | None = None,
) -> Chart:
    """Counts as bars in the order given, e.g. partnerships by status, or partners' places in
    partnerships by archetype (colour each archetype with `colours_by_label`)."""
    paint = colours_by_label or {}
    bars = [Bar(label, float(n), str(n), paint.get(label, colours.MARK)) for label, n in counts]
    marks, height = _bars(bars, float(max((n for _, n in counts), default=0)))
    total = sum(n for _, n in counts)
    top = max(counts, key=lambda item: item[1], default=None)
    if not total or top is None:
        summary = "Nothing to count yet."
    else:
        summary = f"{total} in all; the most are {top[0]} ({top[1]})."
    table = Table(
        (label_heading, value_heading), tuple((label, str(n)) for label, n in counts), (1,)
    )
    return figure(title=title, summary=summary, height=height, marks=marks, table=table, key=counts)


# Charity finance guidance commonly flags relying on any one source for more than about a
# quarter of income; pages pass the workspace's own threshold when it has one.
CONCENTRATION_WARNING = 0.25


def income_bars(
    sources: Sequence[tuple[str, Decimal | float]],
    *,
    total: Decimal | float | None = None,
    warning_share: float = CONCENTRATION_WARNING,
    title: str = "Income dependence",
) -> Chart:
    """One bar per source of money (a commissioner, funder or prime), as its share of `total`
    (the sum of the sources when not given), with a line at the concentration warning."""
    whole = float(total) if total is not None else sum(float(v) for _, v in sources)
    rows = [(name, float(value), float(value) / whole if whole else 0.0) for name, value in sources]
    over = [name for name, _, share in rows if share > warning_share]
    bars = [
        Bar(name, share, percent(share), colours.WARNING if share > warning_share else colours.MARK)
        for name, _, share in rows
    ]
    # The scale reaches the warning line even when every source is below it.
    scale = max([warning_share, *(share for _, _, share in rows)])
    marks, height = _bars(bars, scale, extra_height=FONT_SIZE + 8)
    x = LABELS + PLOT * warning_share / scale
    bottom = height - 10
    marks.append(
        el(
            "g",
            [
                el(
                    "line",
                    x1=x,
                    x2=x,
                    y1=float(TOP - 5),
                    y2=bottom - FONT_SIZE - 4,
                    stroke=colours.WARNING,
                    stroke_width=2,
                    stroke_dasharray="6 4",
                ),
                text(
                    f"Warning at {percent(warning_share)}",
                    x,
                    bottom,
                    anchor="middle",
                    fill=colours.WARNING,
                ),
            ],
            class_="warning-line",
            data_share=f"{warning_share:g}",
        )
    )
    if not rows:
        summary = "No income from commissioners, funders or primes recorded yet."
    elif over:
        summary = (
            f"{plural(len(over), 'source')} above the {percent(warning_share)} warning: "
            + ", ".join(f"{name} ({percent(share)})" for name, _, share in rows if name in over)
            + "."
        )
    else:
        summary = f"No source is above the {percent(warning_share)} warning."
    table = Table(
        ("Source of money", "Value", "Share", f"Above {percent(warning_share)}"),
        tuple(
            (name, pounds(value), percent(share), "Yes" if share > warning_share else "No")
            for name, value, share in rows
        ),
        (1, 2),
    )
    return figure(
        title=title,
        summary=summary,
        height=height,
        marks=marks,
        table=table,
        key=(rows, warning_share),
    )
