"""Who works with whom: the organisations in the workspace's partnerships, linked by those
partnerships (its own records) and by grants and contract awards between them (open data).

The page draws it as a map. Reading the records takes a fixed handful of queries whatever
the size of the workspace; the expensive part, networkx's measures and layout, is computed
once per version of the graph and kept in Django's cache under a hash of its nodes and links,
so other filters that give the same graph reuse it. The finished page (map, measures of the
organisations drawn, bridges) is kept whole by `web/network_page.py`, so a repeat view reads
none of this.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import networkx as nx
from django.core.cache import cache
from django.db.models import Count, Model, Q, Sum

from partnerwise import charts
from partnerwise.assessments.summaries import archetype_names, latest_profiles
from partnerwise.charts.network import MapLink, MapNode, network_map
from partnerwise.charts.svg import plural
from partnerwise.opendata.directory import POUNDS
from partnerwise.opendata.models import Award, Grant
from partnerwise.partnerships.models import Role, Status
from partnerwise.workspaces.models import Workspace

KINDS = {"partnership": "Our partnerships", "grant": "Grants", "contract": "Contract awards"}
LINK_WORDS = {
    "partnership": ("in our partnerships", "in our partnerships"),
    "grant": ("grant", "grants"),
    "contract": ("contract award", "contract awards"),
}
UNRATED = "unrated"
# The map stays readable up to about this many organisations; beyond, the most connected
# are drawn and the page says how many were left out.
SHOWN = 40
# Exact betweenness costs about (organisations x links) steps; past this budget it is
# estimated from a fixed sample of organisations (the same sample each time).
BETWEENNESS_BUDGET = 1_000_000
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Ref:
    """An organisation or partnership by id and name: all the map needs, and far cheaper to
    read for thousands of rows than whole model instances."""

    pk: int
    name: str


@dataclass(frozen=True)
class Tie:
    """Two organisations together in one of our partnerships."""

    partner: Ref
    partnership: Ref
    their_role: str


@dataclass(frozen=True)
class OpenLink:
    """Money that flowed between two organisations in the open data."""

    other: Ref
    relation: str  # e.g. "gave grants to", "supplied"
    count: int
    total: Decimal | None  # pounds only: amounts in other currencies are never summed with them
    other_currencies: int = 0  # how many of `count` are not in pounds (or give no currency)


# How many of an organisation's ties (and of its links in open data) the page lists before
# saying how many more there are: what one page holds must not grow with the workspace.
TIES_LISTED = 10
OPEN_LINKS_LISTED = 10
ROLE_NAMES = dict(Role.choices)


@dataclass
class Node:
    organisation: Ref
    ties: list[Tie] = field(default_factory=list)
    open_links: list[OpenLink] = field(default_factory=list)
    value: Decimal = Decimal(0)
    archetype: str | None = None  # archetype id, or None when not rated or mixed
    archetype_name: str = "Not rated, or mixed"
    degree: int = 0
    betweenness: float = 0.0
    splits_into: int = 1  # groups the map would fall into without this organisation
    is_us: bool = False
    partnership_ids: set[int] = field(default_factory=set)
    # Set for the organisations drawn, whose ties are listed (the first TIES_LISTED of them,
    # and the first OPEN_LINKS_LISTED links in open data, busiest first): how many in all.
    partners: int = 0
    ties_more: int = 0
    open_links_more: int = 0


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    status: str = ""
    archetype: str = ""
    focus: int | None = None

    def as_query(self) -> dict[str, str]:
        values = {"kind": self.kind, "status": self.status, "archetype": self.archetype}
        return {key: value for key, value in values.items() if value}


def read_filters(query: Mapping[str, str], archetypes: Iterable[str]) -> tuple[Filters, list[str]]:
    """The filters from the page's GET form; a value we do not know is dropped and named."""
    allowed = {
        "kind": set(KINDS),
        "status": {value for value, _ in Status.choices},
        "archetype": {*archetypes, UNRATED},
    }
    values: dict[str, Any] = {}
    errors = []
    for name, options in allowed.items():
        value = query.get(name, "")
        if value and value not in options:
            errors.append(f"There is no {name} “{value}”; showing every {name} instead.")
        elif value:
            values[name] = value
    focus = query.get("focus", "")
    if focus:
        if focus.isdigit():
            values["focus"] = int(focus)
        else:
            errors.append("The organisation to centre on was not a number; showing them all.")
    return Filters(**values), errors


@dataclass
class Network:
    nodes: dict[int, Node]  # every organisation after the filters
    graph: nx.Graph
    shown: list[Node]  # the ones drawn, most connected first
    positions: dict[int, tuple[float, float]]
    density: float
    sampled: int | None  # organisations betweenness was estimated from, if not exact
    links_by_kind: Counter[str]

    @property
    def left_out(self) -> int:
        return len(self.nodes) - len(self.shown)


def network(workspace: Workspace, filters: Filters = Filters()) -> Network:
    nodes, members, open_edges = _records(workspace, filters)
    # The graph is a function of these rows and the filters, so their hash is its version:
    # the graph, its measures and its layout are built once per version and then reused.
    version = _hash(
        (filters.kind, filters.status, filters.archetype),
        [(pid, [org for org, _ in people]) for pid, (_, people) in members.items()],
        open_edges,
        sorted((key, node.archetype) for key, node in nodes.items() if node.archetype),
    )
    graph = _cached(
        f"pw:network:graph:{version}", lambda: _build(nodes, members, open_edges, filters)
    )
    if filters.focus is not None and filters.focus in graph:
        graph = graph.subgraph({filters.focus, *graph.neighbors(filters.focus)}).copy()
    version = _hash(version, filters.focus if filters.focus in graph else None)
    nodes = {key: node for key, node in nodes.items() if key in graph}
    measures = _cached(f"pw:network:measures:{version}", lambda: _measures(graph))
    for key, node in nodes.items():
        node.degree = measures["degree"].get(key, 0)
        node.betweenness = measures["betweenness"].get(key, 0.0)
        node.splits_into = measures["splits"].get(key, 1)
    ranked = sorted(
        nodes.values(),
        key=lambda n: (n.organisation.pk != filters.focus, -n.degree, -n.value,
                       n.organisation.name),
    )  # fmt: skip
    shown = ranked[:SHOWN]
    _add_ties(shown, members, nodes)
    drawn = [n.organisation.pk for n in shown]
    subgraph = graph.subgraph(drawn)
    positions = _cached(f"pw:network:layout:{_hash(version, drawn)}", lambda: _layout(subgraph))
    return Network(
        nodes=nodes,
        graph=graph,
        shown=shown,
        positions=positions,
        density=measures["density"],
        sampled=measures["sampled"],
        links_by_kind=measures["links_by_kind"],
    )


# {partnership: (the partnership, [(organisation id, its role), ...])}
Members = dict[int, tuple[Ref, list[tuple[int, str]]]]
# (payer, payee, kind) for money between two of our organisations in the open data
OpenEdges = list[tuple[int, int, str]]


def _records(workspace: Workspace, filters: Filters) -> tuple[dict[int, Node], Members, OpenEdges]:
    """The rows the map is made of, in a fixed number of queries."""
    participations = workspace.participations.all()
    if filters.status:
        participations = participations.filter(partnership__status=filters.status)
    members: Members = {}
    nodes: dict[int, Node] = {}
    rows = participations.values_list(
        "organisation_id", "organisation__name", "partnership_id", "partnership__name",
        "partnership__value", "role",
    ).order_by("partnership_id", "pk")  # fmt: skip
    for org_id, org_name, partnership_id, partnership_name, value, role in rows:
        entry = members.setdefault(partnership_id, (Ref(partnership_id, partnership_name), []))
        entry[1].append((org_id, role))
        node = nodes.get(org_id)
        if node is None:
            node = nodes[org_id] = Node(
                Ref(org_id, org_name), is_us=org_id == workspace.organisation_id
            )
        if partnership_id not in node.partnership_ids:
            node.partnership_ids.add(partnership_id)
            node.value += value or Decimal(0)
    _add_archetypes(workspace, nodes)
    open_edges = _add_open_links(workspace, nodes, filters)
    return nodes, members, open_edges


def _build(
    nodes: dict[int, Node], members: Members, open_edges: OpenEdges, filters: Filters
) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    if not filters.kind or filters.kind == "partnership":
        for _, people in members.values():
            ids = sorted({org_id for org_id, _ in people})
            graph.add_edges_from(
                ((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]), kind="partnership"
            )
    for payer, payee, kind in open_edges:
        if payer != payee and not graph.has_edge(payer, payee):
            graph.add_edge(payer, payee, kind=kind)
    if filters.archetype:
        wanted = filters.archetype if filters.archetype != UNRATED else None
        chosen = {key for key, node in nodes.items() if node.archetype == wanted}
        keep = chosen | {other for key in chosen for other in graph.neighbors(key)}
        graph = graph.subgraph(keep).copy()
    return graph


def _add_ties(shown: list[Node], members: Members, nodes: dict[int, Node]) -> None:
    """Who each organisation on the map works with in our partnerships, with their roles:
    only for the organisations drawn, and only the first few of each (with how many more),
    as "us" alone can have thousands."""
    for node in shown:
        ties: list[Tie] = []
        for partnership_id in node.partnership_ids:
            partnership, people = members[partnership_id]
            ties.extend(
                Tie(nodes[org_id].organisation, partnership, ROLE_NAMES.get(role, role))
                for org_id, role in people
                if org_id != node.organisation.pk and org_id in nodes
            )
        ties.sort(key=lambda t: (t.partner.name, t.partnership.name))
        node.partners = len({tie.partner.pk for tie in ties})
        node.ties, node.ties_more = ties[:TIES_LISTED], max(0, len(ties) - TIES_LISTED)
        links = sorted(node.open_links, key=lambda link: (-link.count, link.other.name))
        node.open_links = links[:OPEN_LINKS_LISTED]
        node.open_links_more = max(0, len(links) - OPEN_LINKS_LISTED)


def _add_archetypes(workspace: Workspace, nodes: dict[int, Node]) -> None:
    """Each organisation's archetype: the match its colleagues' ratings give most often across
    our partnerships (ties go to the archetype listed first); none if never matched."""
    names = archetype_names(workspace)
    order = list(names)
    found: dict[int, Counter[str]] = defaultdict(Counter)
    # Every current profile of the workspace (verdicts only), not a list of thousands of ids.
    for (_, subject), profile in latest_profiles(workspace).items():
        if subject in nodes and profile.verdict == "match" and profile.best:
            found[subject][profile.best] += 1
    for subject, counts in found.items():
        if subject in nodes:
            best = min(counts, key=lambda k: (-counts[k], _index(order, k)))
            nodes[subject].archetype = best
            nodes[subject].archetype_name = names.get(best, best)


def _index(order: list[str], key: str) -> int:
    return order.index(key) if key in order else len(order)


# (model, payer field, payee field, amount field, kind, what the payer did, what the payee did)
FLOWS: list[tuple[type[Model], str, str, str, str, str, str]] = [
    (Grant, "funder_id", "recipient_id", "amount", "grant", "gave grants to",
     "received grants from"),
    (Award, "buyer_id", "supplier_id", "value", "contract", "bought from", "supplied"),
]  # fmt: skip


def _add_open_links(workspace: Workspace, nodes: dict[int, Node], filters: Filters) -> OpenEdges:
    """One query per kind of flow: money between two organisations that are both in our
    partnerships (grants and awards gone from a newer version of their file no longer
    count). The organisations are a subquery, not a list of thousands of ids."""
    ours = workspace.participations.values("organisation_id")
    edges: OpenEdges = []
    for model, payer, payee, amount, kind, payer_did, payee_did in FLOWS:
        if filters.kind and filters.kind != kind:
            continue
        rows = (
            model._default_manager.filter(
                **{f"{payer}__in": ours, f"{payee}__in": ours}, in_latest_file=True
            )
            .values(payer, payee)
            .annotate(
                n=Count("pk"),
                total=Sum(amount, filter=Q(currency=POUNDS)),
                pounds=Count("pk", filter=Q(currency=POUNDS)),
            )
            .order_by(payer, payee)
        )
        for row in rows:
            giver, taker = nodes.get(row[payer]), nodes.get(row[payee])
            if giver is None or taker is None:  # left out by the status filter
                continue
            n, total, others = row["n"], row["total"], row["n"] - row["pounds"]
            giver.open_links.append(OpenLink(taker.organisation, payer_did, n, total, others))
            taker.open_links.append(OpenLink(giver.organisation, payee_did, n, total, others))
            edges.append((row[payer], row[payee], kind))
    return edges


def _hash(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _cached(key: str, compute: Any) -> Any:
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _measures(graph: nx.Graph) -> dict[str, Any]:
    size, links = graph.number_of_nodes(), graph.number_of_edges()
    sample = None
    if size * (size + links) > BETWEENNESS_BUDGET:
        sample = max(10, BETWEENNESS_BUDGET // (size + links))
    betweenness = nx.betweenness_centrality(graph, k=sample, seed=1 if sample else None)
    # Removing a cut point splits its part of the map into one piece per block (biconnected
    # component) it belongs to; any other organisation can go without splitting anything.
    splits: Counter[int] = Counter()
    for block in nx.biconnected_components(graph):
        splits.update(block)
    splits = Counter({key: n for key, n in splits.items() if n > 1})
    return {
        "degree": dict(graph.degree()),
        "betweenness": betweenness,
        "density": nx.density(graph) if size > 1 else 0.0,
        "sampled": sample,
        "splits": dict(splits),
        "links_by_kind": Counter(kind for *_, kind in graph.edges(data="kind")),
    }


def _layout(graph: nx.Graph) -> dict[int, tuple[float, float]]:
    """Positions scaled into 0..1; the same graph always gets the same picture (fixed seed)."""
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {next(iter(graph)): (0.5, 0.5)}
    raw = nx.spring_layout(graph, seed=7, k=1.8 / graph.number_of_nodes() ** 0.5)
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    width, height = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {
        key: ((float(p[0]) - min(xs)) / width, (float(p[1]) - min(ys)) / height)
        for key, p in raw.items()
    }


def map_chart(net: Network, names: dict[str, str]) -> charts.Chart:
    """The map as a chart, with a summary sentence; the page lists the same organisations
    with their measures in its own table (with links), so the chart's table is that list."""
    nodes = [
        MapNode(
            id=node.organisation.pk,
            label=node.organisation.name,
            x=net.positions.get(node.organisation.pk, (0.5, 0.5))[0],
            y=net.positions.get(node.organisation.pk, (0.5, 0.5))[1],
            value=float(node.value),
            archetype=node.archetype,
            is_us=node.is_us,
        )
        for node in net.shown
    ]
    shown = {node.organisation.pk for node in net.shown}
    links = [MapLink(a, b, kind) for a, b, kind in net.graph.subgraph(shown).edges(data="kind")]
    kinds = ", ".join(
        plural(net.links_by_kind[kind], *LINK_WORDS[kind])
        for kind in KINDS
        if net.links_by_kind[kind]
    )
    count = net.graph.number_of_edges()
    summary = f"{plural(len(net.nodes), 'organisation')} and {plural(count, 'link')}"
    summary += f" ({kinds})." if kinds else "."
    # The focus of a neighbourhood comes first in `shown`, so look across every organisation.
    top = max(net.nodes.values(), key=lambda n: (n.degree, n.value), default=None)
    if top and top.degree:
        summary += (
            f" The most connected is {top.organisation.name}, with {plural(top.degree, 'link')}."
        )
    bridge = max(net.nodes.values(), key=lambda n: n.betweenness, default=None)
    if bridge and bridge.betweenness > 0:
        summary += f" The strongest bridge is {bridge.organisation.name}."
    table = charts.Table(
        ("Organisation", "Sort of partner", "Value", "Links", "Bridging"),
        tuple(
            (
                node.organisation.name,
                node.archetype_name,
                f"£{node.value:,.0f}",
                str(node.degree),
                f"{node.betweenness:.0%}",
            )
            for node in net.shown
        ),
        (2, 3, 4),
    )
    return network_map(nodes, links, names=names, summary=summary, table=table)


@dataclass(frozen=True)
class Bridge:
    organisation: Ref
    sentence: str


def bridges(net: Network, top: int = 5) -> list[Bridge]:
    """The organisations that most often stand between two others, each with whom it bridges:
    the groups that would lose their only route to each other without it, or else two of its
    partners who are not linked directly."""
    ranked = sorted(net.nodes.values(), key=lambda n: (-n.betweenness, n.organisation.name))
    found = []
    for node in ranked[:top]:
        if node.betweenness <= 0:
            break
        key = node.organisation.pk
        name = node.organisation.name
        neighbours = sorted(net.graph.neighbors(key), key=lambda k: net.nodes[k].organisation.name)
        share = f"{name} is on {node.betweenness:.0%} of the shortest routes between others"
        if node.splits_into > 1:
            rest = net.graph.subgraph(n for n in net.graph if n != key)
            groups = sorted(
                ([net.nodes[k].organisation.name for k in neighbours if k in part]
                 for part in nx.connected_components(rest)
                 if any(k in part for k in neighbours)),
                key=lambda names: (-len(names), names),
            )  # fmt: skip
            listed = "; ".join(_some(names) for names in groups[:3])
            more = f" and {len(groups) - 3} more" if len(groups) > 3 else ""
            sentence = (
                f"{share}; without it, these groups would lose their only route to each "
                f"other: {listed}{more}."
            )
        else:
            pair = next(
                ((a, b) for i, a in enumerate(neighbours) for b in neighbours[i + 1 :]
                 if not net.graph.has_edge(a, b)),
                None,
            )  # fmt: skip
            if pair:
                a, b = (net.nodes[k].organisation.name for k in pair)
                sentence = f"{share}, for example between {a} and {b}, who are not linked directly."
            else:
                sentence = f"{share}."
        found.append(Bridge(node.organisation, sentence))
    return found


def _some(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
