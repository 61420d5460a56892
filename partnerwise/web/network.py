"""Who works with whom: the workspace's partners linked by shared partnerships (its own
records) and by grants and contract awards between them (open data).

A fixed handful of queries whatever the size of the workspace.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Model, Sum

from partnerwise.opendata.models import Award, Grant
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Participation, Partnership
from partnerwise.workspaces.models import Workspace


@dataclass
class Tie:
    """Two organisations together in one of our partnerships."""

    partner: Organisation
    partnership: Partnership
    their_role: str


@dataclass
class OpenLink:
    """Money that flowed between two organisations in the open data."""

    other: Organisation
    relation: str  # e.g. "funded", "was funded by", "bought from", "supplied"
    count: int
    total: Decimal | None


@dataclass
class Node:
    organisation: Organisation
    ties: list[Tie] = field(default_factory=list)
    open_links: list[OpenLink] = field(default_factory=list)

    @property
    def partners(self) -> int:
        return len({tie.partner.pk for tie in self.ties})


def network(workspace: Workspace) -> list[Node]:
    """Every organisation in the workspace's partnerships, most connected first."""
    participations: list[Participation] = list(
        workspace.participations.select_related("organisation", "partnership")
    )
    by_partnership: dict[int, list[Participation]] = defaultdict(list)
    for item in participations:
        by_partnership[item.partnership_id].append(item)
    nodes: dict[int, Node] = {}
    for item in participations:
        node = nodes.setdefault(item.organisation_id, Node(item.organisation))
        for other in by_partnership[item.partnership_id]:
            if other.organisation_id != item.organisation_id:
                node.ties.append(
                    Tie(other.organisation, item.partnership, other.get_role_display())
                )
    ids = list(nodes)
    _add_open_links(nodes, ids)
    for node in nodes.values():
        node.ties.sort(key=lambda t: (t.partner.name, t.partnership.name))
    return sorted(nodes.values(), key=lambda n: (-n.partners, n.organisation.name))


# (model, payer field, payee field, amount field, what the payer did, what the payee did)
FLOWS: list[tuple[type[Model], str, str, str, str, str]] = [
    (Grant, "funder_id", "recipient_id", "amount", "gave grants to", "received grants from"),
    (Award, "buyer_id", "supplier_id", "value", "bought from", "supplied"),
]


def _add_open_links(nodes: dict[int, Node], ids: list[int]) -> None:
    """One query per kind of flow: money between two organisations that are both nodes
    (grants and awards gone from a newer version of their file no longer count)."""
    for model, payer, payee, amount, payer_did, payee_did in FLOWS:
        rows = (
            model._default_manager.filter(
                **{f"{payer}__in": ids, f"{payee}__in": ids}, in_latest_file=True
            )
            .values(payer, payee)
            .annotate(n=Count("pk"), total=Sum(amount))
            .order_by(payer, payee)
        )
        for row in rows:
            giver, taker = nodes[row[payer]], nodes[row[payee]]
            giver.open_links.append(OpenLink(taker.organisation, payer_did, row["n"], row["total"]))
            taker.open_links.append(OpenLink(giver.organisation, payee_did, row["n"], row["total"]))
