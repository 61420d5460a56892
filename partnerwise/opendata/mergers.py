"""Mergers between charities (the Commission's register of mergers), for the organisation
page: each side sees the other, with the date, as two organisations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from partnerwise.opendata.models import Merger
from partnerwise.organisations.models import Identifier, Organisation

SOURCE = "Charity Commission register of mergers"


@dataclass(frozen=True)
class MergerFact:
    """One merger seen from one side: "transferred to" the other, or "received from" it."""

    direction: str  # "transferred to" or "received from"
    other_name: str
    other: Organisation | None  # the other side, when it is in the directory
    date: dt.date | None
    source: str = SOURCE

    def __str__(self) -> str:
        when = f" on {self.date:%d %B %Y}" if self.date else " (date not given)"
        verb = (
            "Transferred its property to"
            if self.direction == "transferred to"
            else ("Received the property of")
        )
        return f"{verb} {self.other_name}{when}"


def mergers_of(organisation: Organisation) -> list[MergerFact]:
    """Mergers in which `organisation` gave or received property, newest first."""
    values = list(
        Identifier.objects.filter(organisation=organisation, workspace__isnull=True).values_list(
            "value", flat=True
        )
    )
    if not values:
        return []
    mergers = list(Merger.objects.filter(Q(transferor__in=values) | Q(transferee__in=values)))
    others = {m.transferee if m.transferor in values else m.transferor for m in mergers}
    holders = dict(
        Identifier.objects.filter(workspace__isnull=True, value__in=others - {""})
        .select_related("organisation")
        .values_list("value", "organisation")
    )
    found = Organisation.objects.in_bulk(set(holders.values()))
    facts = []
    for merger in mergers:
        gave = merger.transferor in values
        other_value = merger.transferee if gave else merger.transferor
        other = found.get(holders[other_value]) if other_value in holders else None
        if other is not None and other.pk == organisation.pk:
            continue  # both sides are this organisation: a re-registration, not a merger
        facts.append(
            MergerFact(
                "transferred to" if gave else "received from",
                (merger.transferee_name if gave else merger.transferor_name)
                or (other.name if other else other_value),
                other,
                merger.date,
            )
        )
    return sorted(facts, key=lambda f: f.date or dt.date.min, reverse=True)
