"""The parts every chart shares: escaping, an element builder, scales, and the `Chart` a page
renders with `templates/charts/_chart.html` (the SVG with its title and summary, and the same
numbers as a table).

No Django here: `Svg` is a `str` with `__html__`, which Django's templates (and Jinja, and
markupsafe) take as already safe, so the markup goes into a page unescaped while every piece
of text inside it was escaped when the SVG was built.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from partnerwise.charts import colours

WIDTH = 640
FONT = "Arial, Helvetica, sans-serif"
FONT_SIZE = 15
ROW = 30  # height of one row in the bar and dot charts
LABEL_CHARS = 26  # longer labels are cut in the SVG; the table beside it has them whole


class Svg(str):
    """SVG markup that is safe to put in a page as it is."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


class Html(str):
    """HTML whose every piece of text was escaped when it was built (a chart table's rows)."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Table:
    """The chart's numbers as a table: one header per column, cells as display text."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns to align right

    @property
    def body(self) -> Html:
        """The rows as HTML, each cell escaped, the first a row header: a chart of many
        points has hundreds of cells, and a template loop over them cost a profile page
        more than drawing its charts (issue 15)."""
        numeric = set(self.numeric)
        rows = []
        for row in self.rows:
            cells = []
            for index, cell in enumerate(row):
                text = escape(str(cell))
                if index == 0:
                    cells.append(f'<th scope="row">{text}</th>')
                elif index in numeric:
                    cells.append(f'<td class="numeric">{text}</td>')
                else:
                    cells.append(f"<td>{text}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return Html("\n".join(rows))


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str
    svg: Svg
    table: Table
    notes: tuple[str, ...] = field(default=())

    def __html__(self) -> str:
        return str(self.svg)


def number(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_ATTRIBUTE_NAMES: dict[str, str] = {}


def attrs(values: dict[str, object]) -> str:
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = _ATTRIBUTE_NAMES.get(key)
        if name is None:
            name = _ATTRIBUTE_NAMES[key] = key.rstrip("_").replace("_", "-")
        # Numbers need no escaping: a chart has thousands of coordinates.
        if isinstance(value, float):
            text = number(value)
        elif isinstance(value, int):
            text = str(value)
        else:
            text = escape(str(value), quote=True)
        parts.append(f' {name}="{text}"')
    return "".join(parts)


def el(tag: str, children: Sequence[str] | str = (), /, **values: object) -> str:
    """One element; `children` are elements already built, or a string of text to escape."""
    inner = escape(children, quote=False) if isinstance(children, str) else "".join(children)
    return f"<{tag}{attrs(values)}>{inner}</{tag}>"


def text(
    content: str,
    x: float,
    y: float,
    *,
    anchor: str = "start",
    size: int = FONT_SIZE,
    fill: str = colours.TEXT,
    weight: str | None = None,
    class_: str | None = None,
) -> str:
    return el(
        "text",
        content,
        x=x,
        y=y,
        text_anchor=anchor,
        font_size=size,
        fill=fill,
        font_weight=weight,
        class_=class_,
    )


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def marker(shape: str, x: float, y: float, r: float, colour: str, **extra: object) -> str:
    """A point drawn as one of five shapes, so series differ by more than colour."""
    if shape == "square":
        return el("rect", x=x - r, y=y - r, width=2 * r, height=2 * r, fill=colour, **extra)
    if shape in ("triangle", "diamond", "cross"):
        if shape == "triangle":
            points = [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)]
        elif shape == "diamond":
            points = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
        else:
            a, b = r * 1.2, r * 0.4
            points = [
                (x - b, y - a), (x + b, y - a), (x + b, y - b), (x + a, y - b), (x + a, y + b),
                (x + b, y + b), (x + b, y + a), (x - b, y + a), (x - b, y + b), (x - a, y + b),
                (x - a, y - b), (x - b, y - b),
            ]  # fmt: skip
        path = " ".join(f"{number(px)},{number(py)}" for px, py in points)
        return el("polygon", points=path, fill=colour, **extra)
    return el("circle", cx=x, cy=y, r=r, fill=colour, **extra)


def chart_id(title: str, *parts: object) -> str:
    """A stable id for the title and description elements: the same chart gets the same id,
    and two charts on one page differ as long as their titles or data do."""
    digest = hashlib.sha1(repr((title, parts)).encode()).hexdigest()[:8]
    return f"chart-{digest}"


def figure(
    *,
    title: str,
    summary: str,
    height: float,
    marks: Sequence[str],
    table: Table,
    key: object,
    notes: Sequence[str] = (),
) -> Chart:
    ident = chart_id(title, key)
    svg = Svg(
        el(
            "svg",
            [
                el("title", title, id=f"{ident}-title"),
                el("desc", summary, id=f"{ident}-desc"),
                *marks,
            ],
            xmlns="http://www.w3.org/2000/svg",
            viewBox=f"0 0 {WIDTH} {number(math.ceil(height))}",
            width=WIDTH,
            height=number(math.ceil(height)),
            role="img",
            aria_labelledby=f"{ident}-title",
            aria_describedby=f"{ident}-desc",
            font_family=FONT,
            class_="chart__svg",
        )
    )
    return Chart(ident, title, summary, svg, table, tuple(notes))


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def pounds(amount: float) -> str:
    return f"£{amount:,.0f}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"
