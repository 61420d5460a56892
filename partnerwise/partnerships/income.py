"""How much of our partnership income comes from each source of money, and how concentrated it is.

Each active partnership counts once, for *our* part of its value: our participation share of
the value, or the whole value where no one else delivers it with us. That part is attributed to
the one organisation that pays us (the prime or lead in a supply chain, else the commissioner or
funder), so a commissioner → prime → us chain is counted once, from the prime, and the shares
of all sources add up to 100%.

Concentration is the Herfindahl-Hirschman index (HHI): the sum of each source's squared share
in per cent, from near 0 (many small sources) to 10,000 (one source). Its inverse is the number
of equal sources that would give the same concentration, which is how the warning puts it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from partnerwise.partnerships.models import Participation, Role, Status
from partnerwise.workspaces.models import Workspace

# A single source above two-fifths of our partnership income is the warning line. Funding
# guidance for charities commonly treats a quarter to a third from one funder as a risk to
# watch; past two-fifths, losing that one contract or grant would take away enough income to
# put services (not just growth) at risk, so the page says so plainly.
TOP_SHARE_WARNING = Decimal(40)
# 2,500 is the level above which the HHI is conventionally read as "highly concentrated"
# (US merger guidelines, 2010): the same concentration as four equal sources or fewer.
HHI_WARNING = Decimal(2500)

# The roles that pay the others in a partnership, in the order we look for the one that pays us.
_PAYS_DELIVERERS = (Role.PRIME, Role.ACCOUNTABLE_BODY)
_FUNDS = (Role.COMMISSIONER,)
# If we hold one of these roles, the money reaches us from the commissioner or funder.
_HOLDS_THE_CONTRACT = {Role.PRIME, Role.ACCOUNTABLE_BODY}


@dataclass(frozen=True)
class Participant:
    organisation_id: int
    name: str
    role: str
    share: Decimal | None = None


@dataclass(frozen=True)
class Stake:
    """One partnership as the computation needs it."""

    partnership_id: int
    name: str
    value: Decimal | None
    participants: Sequence[Participant]


@dataclass
class Source:
    organisation_id: int
    name: str
    amount: Decimal = Decimal(0)
    partnerships: list[str] = field(default_factory=list)
    # Per cent of our partnership income, to one decimal place.
    share: Decimal = Decimal(0)


@dataclass(frozen=True)
class Uncounted:
    partnership_id: int
    name: str
    reason: str


@dataclass
class Dependence:
    sources: list[Source]
    total: Decimal
    hhi: int | None
    uncounted: list[Uncounted]

    @property
    def top(self) -> Source | None:
        return self.sources[0] if self.sources else None

    @property
    def hhi_text(self) -> str:
        return f"{self.hhi:,}" if self.hhi is not None else ""

    @property
    def equivalent_sources(self) -> Decimal | None:
        """How many equal sources would be as concentrated as ours."""
        return (Decimal(10_000) / self.hhi).quantize(Decimal("0.1")) if self.hhi else None

    @property
    def warning(self) -> str:
        top = self.top
        if top is None or self.hhi is None:
            return ""
        if top.share > TOP_SHARE_WARNING:
            return (
                f"{top.share}% of our partnership income comes from {top.name}. "
                "Losing that one source would put services at risk."
            )
        if self.hhi > HHI_WARNING:
            return (
                f"Our partnership income is as concentrated as if it came from "
                f"{self.equivalent_sources} equal sources. Losing one would put services at risk."
            )
        return ""


def our_part(stake: Stake, us: int) -> tuple[Decimal | None, str]:
    """Our part of the partnership's value, or None with the reason it cannot be known."""
    if stake.value is None:
        return None, "no value recorded"
    ours = [p for p in stake.participants if p.organisation_id == us]
    shares = [p.share for p in ours if p.share is not None]
    if shares:
        return (stake.value * sum(shares, Decimal(0)) / 100).quantize(Decimal("0.01")), ""
    # We hold it all when no one but the commissioner or funder is in it with us.
    others = [p for p in stake.participants if p.organisation_id != us and p.role not in _FUNDS]
    if not others:
        return stake.value, ""
    return None, "our share is not recorded and others deliver it with us"


def source_of_money(stake: Stake, us: int) -> Participant | None:
    """The organisation that pays us in this partnership, if any."""
    our_roles = {p.role for p in stake.participants if p.organisation_id == us}
    others = [p for p in stake.participants if p.organisation_id != us]
    if our_roles & _HOLDS_THE_CONTRACT:
        order: tuple[Role, ...] = _FUNDS
    else:
        order = _PAYS_DELIVERERS + _FUNDS
    for role in order:
        for participant in others:
            if participant.role == role:
                return participant
    return None


def dependence(stakes: Iterable[Stake], *, us: int | None) -> Dependence:
    """Our partnership income by source of money, largest first, with its concentration."""
    sources: dict[int, Source] = {}
    uncounted: list[Uncounted] = []
    for stake in stakes:
        if us is None or not any(p.organisation_id == us for p in stake.participants):
            continue
        if {p.role for p in stake.participants if p.organisation_id == us} <= set(_FUNDS):
            # We pay for this one; it is not our income.
            continue
        payer = source_of_money(stake, us)
        if payer is None:
            uncounted.append(Uncounted(stake.partnership_id, stake.name, "no one pays us in it"))
            continue
        amount, reason = our_part(stake, us)
        if amount is None:
            uncounted.append(Uncounted(stake.partnership_id, stake.name, reason))
            continue
        source = sources.setdefault(
            payer.organisation_id, Source(organisation_id=payer.organisation_id, name=payer.name)
        )
        source.amount += amount
        source.partnerships.append(stake.name)
    total = sum((s.amount for s in sources.values()), Decimal(0))
    ranked = sorted(sources.values(), key=lambda s: (-s.amount, s.name))
    hhi: int | None = None
    if total:
        exact = [s.amount * 100 / total for s in ranked]
        for source, share in zip(ranked, exact, strict=True):
            source.share = share.quantize(Decimal("0.1"))
        hhi = round(sum(share * share for share in exact))
    return Dependence(sources=ranked, total=total, hhi=hhi, uncounted=uncounted)


def workspace_dependence(workspace: Workspace) -> Dependence:
    """The workspace's income dependence across its active partnerships, in one query."""
    stakes: dict[int, Stake] = {}
    rows = (
        Participation.objects.filter(workspace=workspace, partnership__status=Status.ACTIVE)
        .select_related("partnership", "organisation")
        .order_by("partnership__name", "partnership_id", "pk")
    )
    for row in rows:
        stake = stakes.setdefault(
            row.partnership_id,
            Stake(row.partnership_id, row.partnership.name, row.partnership.value, []),
        )
        assert isinstance(stake.participants, list)
        stake.participants.append(
            Participant(row.organisation_id, row.organisation.name, row.role, row.share)
        )
    return dependence(stakes.values(), us=workspace.organisation_id)
