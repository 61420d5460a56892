"""Charts over time: a partner's archetype fits rating by rating (drift), and renewals and
notice deadlines over the next twelve months."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from partnerwise.charts import colours
from partnerwise.charts.svg import (
    ROW,
    WIDTH,
    Chart,
    Table,
    el,
    figure,
    long_date,
    marker,
    number,
    percent,
    plural,
    shorten,
    text,
)


@dataclass(frozen=True)
class DriftPoint:
    """The profile as it stood after one rating date."""

    on: date
    fits: Mapping[str, float]  # archetype id -> fit 0..1
    best: str | None  # the matched archetype id, or None for mixed / not enough evidence


LEFT = 60
RIGHT = WIDTH - 60  # room for the last date and "Changed" labels
TOP = 36  # room for "changed" labels
PLOT_H = 220


def _x_by_date(days: Sequence[date]) -> dict[date, float]:
    first, last = min(days), max(days)
    span = (last - first).days
    if span == 0:
        return {day: (LEFT + RIGHT) / 2 for day in days}
    return {day: LEFT + (RIGHT - LEFT) * (day - first).days / span for day in days}


def y_of_fit(fit: float) -> float:
    return TOP + PLOT_H * (1 - max(0.0, min(1.0, fit)))


def drift_lines(
    points: Sequence[DriftPoint],
    names: Mapping[str, str],
    *,
    title: str = "How the fits have changed over time",
) -> Chart:
    """One line per archetype in `names` (id -> name, in the order to show), one point per
    rating date, x by date. Where the matched archetype differs from the one before, a dashed
    line marks "changed"."""
    points = sorted(points, key=lambda p: p.on)
    keys = list(names)
    paint = colours.archetype_colours(keys)
    marks: list[str] = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = y_of_fit(tick)
        marks.append(
            el(
                "line",
                x1=float(LEFT),
                x2=float(RIGHT),
                y1=y,
                y2=y,
                stroke=colours.GRID,
                stroke_width=1,
            )
        )
        marks.append(
            text(percent(tick), LEFT - 8, y + 5, anchor="end", size=13, fill=colours.SECONDARY)
        )
    changes: list[tuple[DriftPoint, DriftPoint]] = []
    if points:
        xs = _x_by_date([p.on for p in points])
        for day in sorted(set(xs)):
            marks.append(
                text(
                    f"{day:%-d %b %Y}",
                    xs[day],
                    TOP + PLOT_H + 20,
                    anchor="middle",
                    size=12,
                    fill=colours.SECONDARY,
                )
            )
        for before, after in pairwise(points):
            if after.best != before.best:
                changes.append((before, after))
                x = xs[after.on]
                marks.append(
                    el(
                        "g",
                        [
                            el(
                                "line",
                                x1=x,
                                x2=x,
                                y1=float(TOP - 6),
                                y2=float(TOP + PLOT_H),
                                stroke=colours.TEXT,
                                stroke_width=1.5,
                                stroke_dasharray="4 3",
                            ),
                            text("Changed", x, TOP - 12, anchor="middle", size=13, weight="bold"),
                        ],
                        class_="change",
                        data_date=after.on.isoformat(),
                    )
                )
        for position, key in enumerate(keys):
            shape = colours.SHAPES[position % len(colours.SHAPES)]
            coords = [(xs[p.on], y_of_fit(p.fits.get(key, 0.0)), p) for p in points]
            series = [
                el(
                    "polyline",
                    points=" ".join(f"{number(x)},{number(y)}" for x, y, _ in coords),
                    fill="none",
                    stroke=paint[key],
                    stroke_width=2.5,
                    class_="line",
                )
            ]
            series += [
                marker(
                    shape,
                    x,
                    y,
                    5,
                    paint[key],
                    class_="point",
                    data_date=p.on.isoformat(),
                    data_fit=f"{p.fits.get(key, 0.0):g}",
                )
                for x, y, p in coords
            ]
            marks.append(
                el("g", [el("title", names[key]), *series], class_="series", data_archetype=key)
            )
    legend_top = TOP + PLOT_H + 40
    for position, key in enumerate(keys):
        column, line = position % 3, position // 3
        x, y = LEFT + column * 190, legend_top + line * 24
        shape = colours.SHAPES[position % len(colours.SHAPES)]
        marks.append(marker(shape, x, y - 5, 5, paint[key]))
        marks.append(text(shorten(names[key], 22), x + 12, y, size=14))
    height = legend_top + ((len(keys) + 2) // 3) * 24

    def best_name(point: DriftPoint) -> str:
        return names.get(point.best, point.best) if point.best else "no clear match"

    if not points:
        summary = "No ratings yet."
    else:
        summary = (
            f"{plural(len(points), 'rating date')} from {long_date(points[0].on)} to "
            f"{long_date(points[-1].on)}. "
        )
        if changes:
            summary += " ".join(
                f"On {long_date(after.on)} the match changed from {best_name(before)} to "
                f"{best_name(after)}."
                for before, after in changes
            )
        else:
            summary += f"The match has stayed {best_name(points[-1])}."
    table = Table(
        ("Rating date", *(names[k] for k in keys), "Best match"),
        tuple(
            (long_date(p.on), *(percent(p.fits.get(k, 0.0)) for k in keys), best_name(p))
            for p in points
        ),
        tuple(range(1, len(keys) + 1)),
    )
    return figure(
        title=title,
        summary=summary,
        height=height,
        marks=marks,
        table=table,
        key=[(p.on, sorted(p.fits.items()), p.best) for p in points],
    )


@dataclass(frozen=True)
class Deadline:
    on: date
    partnership: str
    kind: str  # "renewal", "notice" (last day to give notice) or "end"


KINDS = {
    "renewal": ("Renewal", "circle", colours.MARK),
    "notice": ("Notice deadline", "diamond", colours.WARNING),
    "end": ("Ends", "square", colours.SECONDARY),
}
TL_LEFT = 220
TL_HEAD = 40
MAX_ROWS = 25


def month_starts(start: date, months: int = 12) -> list[date]:
    first = start.replace(day=1)
    return [
        date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)
        for n in range(months + 1)
    ]


def timeline(
    deadlines: Sequence[Deadline], *, today: date, title: str = "The next 12 months"
) -> Chart:
    """Renewals, notice deadlines and end dates from `today` to the same day a year on: one row
    per partnership (the first `MAX_ROWS` by date), x by date."""
    months = month_starts(today)
    until = date(today.year + 1, today.month, min(today.day, 28))
    within = sorted(
        (d for d in deadlines if today <= d.on <= until), key=lambda d: (d.on, d.partnership)
    )
    later = len(deadlines) - len(within)
    names: list[str] = []
    for item in within:
        if item.partnership not in names:
            names.append(item.partnership)
    shown_names = names[:MAX_ROWS]
    left_out = len(names) - len(shown_names)
    span = (until - today).days

    def x_of(day: date) -> float:
        return TL_LEFT + (RIGHT - TL_LEFT) * (day - today).days / span

    bottom = TL_HEAD + len(shown_names) * ROW
    marks: list[str] = []
    for month in months:
        if today <= month <= until:
            x = x_of(month)
            marks.append(
                el(
                    "line",
                    x1=x,
                    x2=x,
                    y1=float(TL_HEAD - 6),
                    y2=float(bottom),
                    stroke=colours.GRID,
                    stroke_width=1,
                )
            )
            marks.append(text(f"{month:%b}", x + 3, TL_HEAD - 12, size=12, fill=colours.SECONDARY))
    for index, name in enumerate(shown_names):
        y = TL_HEAD + index * ROW + ROW / 2
        row = [text(shorten(name, 24), TL_LEFT - 10, y + 5, anchor="end", size=14)]
        for item in within:
            if item.partnership == name:
                label, shape, colour = KINDS.get(item.kind, KINDS["end"])
                row.append(
                    el(
                        "g",
                        [
                            el("title", f"{name}: {label.lower()} {long_date(item.on)}"),
                            marker(
                                shape,
                                x_of(item.on),
                                y,
                                6,
                                colour,
                                class_="deadline",
                                data_date=item.on.isoformat(),
                                data_kind=item.kind,
                            ),
                        ],
                    )
                )
        marks.append(el("g", row, class_="row"))
    legend_y = bottom + 26
    for position, (label, shape, colour) in enumerate(KINDS.values()):
        x = TL_LEFT + position * 150
        marks.append(marker(shape, x, legend_y - 5, 6, colour))
        marks.append(text(label, x + 12, legend_y, size=14))
    if within:
        first = within[0]
        summary = (
            f"{plural(len(within), 'date')} in the next 12 months; the first is "
            f"{first.partnership}'s {KINDS.get(first.kind, KINDS['end'])[0].lower()} on "
            f"{long_date(first.on)}."
        )
    else:
        summary = "No renewals, notice deadlines or end dates in the next 12 months."
    notes = []
    if left_out:
        # Neither drawn nor tabled: a table of every date would grow with the portfolio
        # (thousands of rows for a prime; issue 15), and the partnerships list sorts by date.
        notes.append(
            f"{plural(left_out, 'more partnership')} with dates in the year are not shown here."
        )
    if later:
        notes.append(f"{plural(later, 'date')} outside the next 12 months not shown.")
    drawn = set(shown_names)
    table = Table(
        ("Date", "Partnership", "What"),
        tuple(
            (long_date(d.on), d.partnership, KINDS.get(d.kind, KINDS["end"])[0])
            for d in within
            if d.partnership in drawn
        ),
    )
    return figure(
        title=title,
        summary=summary,
        height=legend_y + 10,
        marks=marks,
        table=table,
        key=([(d.on, d.partnership, d.kind) for d in within], today),
        notes=notes,
    )
