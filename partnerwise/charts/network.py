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
LABELLED = 20  # at most this many dots are labelled (where their names fit); all are in the table
CHAR_WIDTH = 7.6  # about the width of a character of a bold 13 px sans-serif label

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


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _label_box(label: str, x: float, y: float, anchor: str) -> Box:
    """Where a bold 13 px label drawn at (x, y) with this anchor lies, roughly."""
    width = CHAR_WIDTH * len(label)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return (left, y - 12, left + width, y + 3)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place_labels(
    labelled: Sequence[MapNode],
    nodes: Sequence[MapNode],
    where: dict[int, tuple[float, float]],
    largest: float,
) -> dict[int, tuple[str, float, float, str]]:
    """Put each label (largest dots first) beside, before, above or below its dot, wherever
    it covers no label already placed and no other dot; a label with no free place is left
    out of the drawing (the dot's tooltip and the table still name it)."""
    dots = {
        n.id: (where[n.id][0] - r, where[n.id][1] - r, where[n.id][0] + r, where[n.id][1] + r)
        for n in nodes
        for r in [radius(n.value, largest)]
    }
    taken: list[Box] = []
    placed: dict[int, tuple[str, float, float, str]] = {}
    for node in labelled:
        x, y = where[node.id]
        r = radius(node.value, largest)
        label = "Us" if node.is_us else shorten(node.label, 24)
        outward = "start" if x < WIDTH / 2 else "end"
        inward = "end" if outward == "start" else "start"
        candidates = [
            (x + (r + 4 if anchor == "start" else -(r + 4)), y + 5, anchor)
            for anchor in (outward, inward)
        ] + [(x, y - r - 4, "middle"), (x, y + r + 15, "middle")]
        for lx, ly, anchor in candidates:
            box = _label_box(label, lx, ly, anchor)
            inside = box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 and box[3] <= HEIGHT
            clear = not any(_overlaps(box, other) for other in taken) and not any(
                _overlaps(box, dot) for key, dot in dots.items() if key != node.id
            )
            if inside and clear:
                taken.append(box)
                placed[node.id] = (label, lx, ly, anchor)
                break
    return placed


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
    labelled = [n for n in by_size[:LABELLED]] + [n for n in by_size[LABELLED:] if n.is_us]
    placed = _place_labels(labelled, nodes, where, largest)
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
        if node.id in placed:
            label, lx, ly, anchor = placed[node.id]
            group.append(text(label, lx, ly, anchor=anchor, size=13, weight="bold"))
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
