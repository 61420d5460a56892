"""Who works with whom: the workspace's partners linked by shared partnerships (its own
records) and by grants and contract awards between them (open data).

A fixed handful of queries whatever the size of the workspace.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

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


def _add_open_links(nodes: dict[int, Node], ids: list[int]) -> None:
    grants = (
        Grant.objects.filter(Q(funder_id__in=ids) & Q(recipient_id__in=ids))
        .values("funder_id", "recipient_id")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("funder_id", "recipient_id")
    )
    for grant in grants:
        funder, recipient = nodes[grant["funder_id"]], nodes[grant["recipient_id"]]
        funder.open_links.append(
            OpenLink(recipient.organisation, "gave grants to", grant["n"], grant["total"])
        )
        recipient.open_links.append(
            OpenLink(funder.organisation, "received grants from", grant["n"], grant["total"])
        )
    awards = (
        Award.objects.filter(Q(buyer_id__in=ids) & Q(supplier_id__in=ids))
        .values("buyer_id", "supplier_id")
        .annotate(n=Count("pk"), total=Sum("value"))
        .order_by("buyer_id", "supplier_id")
    )
    for award in awards:
        buyer, supplier = nodes[award["buyer_id"]], nodes[award["supplier_id"]]
        buyer.open_links.append(
            OpenLink(supplier.organisation, "bought from", award["n"], award["total"])
        )
        supplier.open_links.append(
            OpenLink(buyer.organisation, "supplied", award["n"], award["total"])
        )
