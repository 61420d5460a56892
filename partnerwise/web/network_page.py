"""The finished page of who works with whom, kept whole: the map, the organisations drawn
with their measures and ties, and who bridges whom, rendered to HTML once. A repeat view
reads a version stamp (a few queries on indexes and counts, `web/versions.py`) and that HTML,
so it costs about the same with ten partnerships or ten thousand; the stamp changes with
every change that could change the map (partnerships, participants, ratings, open data), and
only then is the network read, measured and drawn again.

Every organisation's measures, not just those drawn, are a CSV download of the same page.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from partnerwise import charts
from partnerwise.charts import network as drawing
from partnerwise.exports.tables import Cell, Table, csv_lines
from partnerwise.web import network as measuring
from partnerwise.web.network import Bridge, Filters, Network, Node, bridges, map_chart, network
from partnerwise.web.versions import cache_key, open_data_version, records_version
from partnerwise.workspaces.models import Workspace

# The version stamp decides when a page is stale; this only bounds how long an unread one
# stays in the cache.
PAGE_KEPT = 24 * 60 * 60


@dataclass(frozen=True)
class MapPage:
    organisations: int  # after the filters, drawn or not
    shown: list[Node]  # the ones drawn, most connected first
    density: float
    sampled: int | None  # organisations betweenness was estimated from, if not exact
    chart: charts.Chart
    bridges: list[Bridge]

    @property
    def left_out(self) -> int:
        return self.organisations - len(self.shown)


@dataclass(frozen=True)
class FinishedMap:
    """What the page keeps: how many organisations, and the map's part of the page as HTML
    (the map, its measures, who bridges whom and the table of the organisations drawn)."""

    organisations: int
    body: str

    @property
    def html(self) -> SafeString:
        return mark_safe(self.body)  # rendered by our own template, escaped there


@functools.cache
def _code() -> str:
    """The code and template that make the kept page: a new release that changes them is
    not served a page kept by the old one."""
    sources = [Path(drawing.__file__), Path(measuring.__file__), Path(__file__)]
    sources.append(Path(__file__).parent / "templates" / "web" / "_network_map.html")
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:16]


def page_key(*, workspace: Workspace, filters: Filters, names: dict[str, str]) -> str:
    """Changes whenever the page could: the workspace's records, the open data, which
    organisation is us, the filters, the archetypes' names (the legend) and the code."""
    return cache_key(
        "network-page",
        _code(),
        records_version(workspace=workspace),
        open_data_version(),
        workspace.organisation_id,
        filters,
        list(names.items()),
    )


def map_page(*, workspace: Workspace, filters: Filters, names: dict[str, str]) -> MapPage:
    """The map page's contents, computed afresh (a cache miss costs this)."""
    net = network(workspace, filters)
    return MapPage(
        organisations=len(net.nodes),
        # Which partnerships each is in was needed only to list its ties.
        shown=[replace(node, partnership_ids=set()) for node in net.shown],
        density=net.density,
        sampled=net.sampled,
        chart=map_chart(net, names),
        bridges=bridges(net),
    )


def finished_map(*, workspace: Workspace, filters: Filters, names: dict[str, str]) -> FinishedMap:
    """The map's part of the page, from the cache while the data has not changed."""
    key = page_key(workspace=workspace, filters=filters, names=names)
    finished: FinishedMap | None = cache.get(key)
    if finished is None:
        page = map_page(workspace=workspace, filters=filters, names=names)
        body = ""
        if page.organisations:
            body = render_to_string(
                "web/_network_map.html",
                {"net": page, "chart": page.chart, "bridges": page.bridges,
                 "filters": filters, "workspace": workspace},
            )  # fmt: skip
        finished = FinishedMap(organisations=page.organisations, body=body)
        cache.set(key, finished, PAGE_KEPT)
    return finished


def organisations_table(net: Network) -> Table:
    """Every organisation after the filters with its measures, most connected first."""
    rows: list[list[Cell]] = [
        [
            node.organisation.name,
            node.is_us,
            node.archetype_name,
            len(node.partnership_ids),
            int(node.value) if node.value == node.value.to_integral_value() else node.value,
            node.degree,
            round(node.betweenness, 4),
            node.splits_into,
        ]
        for node in sorted(
            net.nodes.values(), key=lambda n: (-n.degree, -n.value, n.organisation.name)
        )
    ]
    return Table(
        key="who-works-with-whom",
        title="Who works with whom",
        columns=(
            "Organisation",
            "Us",
            "Sort of partner",
            "Partnerships of ours it is in",
            "Value of those partnerships (GBP)",
            "Links",
            "Bridging (share of shortest routes between others)",
            "Groups the map would fall into without it",
        ),
        rows=rows,
    )


def organisations_csv(*, workspace: Workspace, filters: Filters) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(organisations_table(network(workspace, filters))),
        content_type="text/csv; charset=utf-8",
    )
    name = f"{workspace.slug}-who-works-with-whom-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
