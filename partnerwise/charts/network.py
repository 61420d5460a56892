"""The map of who works with whom, drawn from a layout computed elsewhere (networkx, in
`web/network.py`): organisations as dots sized by value and coloured by archetype, links
styled by kind. Pure drawing: positions come in between 0 and 1."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from partnerwise.charts import colours
from partnerwise.charts.svg import WIDTH, Chart, Table, el, figure, marker, shorten, text

HEIGHT = 520
PAD = 40  # keeps dots and their labels inside the frame
MIN_R, MAX_R = 5.0, 18.0
LABELLED = 12  # only the largest dots are labelled in the drawing; all are in the table

# Each kind of link has its own dash pattern as well as its colour.
LINKS = {
    "partnership": ("In one of our partnerships", colours.MARK, None),
    "grant": ("Grant", colours.SITE["success"], "7 4"),
    "contract": ("Contract award", colours.SITE["link"], "2 3"),
}
UNRATED = ("Not rated, or mixed", "#ffffff")


@dataclass(frozen=True)
class MapNode:
    id: int
    label: str
    x: float  # 0..1
    y: float  # 0..1
    value: float  # sizes the dot (area grows with value)
    archetype: str | None  # archetype id, or None when not rated or mixed
    is_us: bool = False


@dataclass(frozen=True)
class MapLink:
    a: int
    b: int
    kind: str  # a key of LINKS


def radius(value: float, largest: float) -> float:
    if largest <= 0 or value <= 0:
        return MIN_R
    return MIN_R + (MAX_R - MIN_R) * math.sqrt(value / largest)


def network_map(
    nodes: Sequence[MapNode],
    links: Sequence[MapLink],
    *,
    names: dict[str, str],
    summary: str,
    table: Table,
    title: str = "Who works with whom",
    notes: Sequence[str] = (),
) -> Chart:
    """The map: `names` is archetype id -> name for the legend (in order); `table` lists the
    same organisations with their measures, for reading without the picture."""
    paint = colours.archetype_colours(list(names))
    largest = max((n.value for n in nodes), default=0.0)
    span_w, span_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    where = {n.id: (PAD + n.x * span_w, PAD + n.y * span_h) for n in nodes}
    marks: list[str] = []
    for link in links:
        if link.a not in where or link.b not in where:
            continue
        _, colour, dash = LINKS.get(link.kind, LINKS["partnership"])
        (x1, y1), (x2, y2) = where[link.a], where[link.b]
        marks.append(
            el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=colour, stroke_width=1.5,
               stroke_opacity=0.7, stroke_dasharray=dash, class_="link", data_kind=link.kind,
               data_a=link.a, data_b=link.b)
        )  # fmt: skip
    by_size = sorted(nodes, key=lambda n: (-n.value, n.label))
    labelled = {n.id for n in by_size[:LABELLED]} | {n.id for n in nodes if n.is_us}
    for node in by_size[::-1]:  # largest drawn last, on top
        x, y = where[node.id]
        r = radius(node.value, largest)
        fill = paint.get(node.archetype, UNRATED[1]) if node.archetype else UNRATED[1]
        kind = names.get(node.archetype, "") if node.archetype else UNRATED[0]
        shape = "square" if node.is_us else "circle"
        group = [
            el("title", f"{node.label}{' (us)' if node.is_us else ''}: {kind}"),
            marker(shape, x, y, r, fill, stroke=colours.TEXT, stroke_width=1.5, class_="node",
                   data_id=node.id, data_value=f"{node.value:g}")
        ]  # fmt: skip
        if node.id in labelled:
            anchor = "start" if x < WIDTH / 2 else "end"
            dx = r + 4 if anchor == "start" else -(r + 4)
            label = "Us" if node.is_us else shorten(node.label, 24)
            group.append(text(label, x + dx, y + 5, anchor=anchor, size=13, weight="bold"))
        marks.append(el("g", group, class_="org"))
    legend_y = HEIGHT + 16
    x = PAD
    for key, name in [*names.items(), (None, UNRATED[0])]:
        fill = paint[key] if key else UNRATED[1]
        label = shorten(name, 22)
        marks.append(marker("circle", x, legend_y - 5, 6, fill, stroke=colours.TEXT,
                            stroke_width=1))  # fmt: skip
        marks.append(text(label, x + 10, legend_y, size=13))
        x += 24 + 7 * len(label)
        if x > WIDTH - 150:
            x, legend_y = PAD, legend_y + 20
    legend_y += 26
    x = PAD
    for label, colour, dash in LINKS.values():
        marks.append(el("line", x1=float(x), x2=float(x + 28), y1=legend_y - 5.0,
                        y2=legend_y - 5.0, stroke=colour, stroke_width=2,
                        stroke_dasharray=dash))  # fmt: skip
        marks.append(text(label, x + 34, legend_y, size=13))
        x += 60 + 7 * len(label)
    return figure(
        title=title,
        summary=summary,
        height=legend_y + 12,
        marks=marks,
        table=table,
        key=([(n.id, round(n.x, 3), round(n.y, 3)) for n in nodes], len(links)),
        notes=notes,
    )
