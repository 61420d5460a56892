"""Mergers between charities (the Commission's register of mergers), for the organisation
page: each side sees the other, with the date, as two organisations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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
    return mergers_for([organisation]).get(organisation.pk, [])


def mergers_for(organisations: Iterable[Organisation]) -> dict[int, list[MergerFact]]:
    """`mergers_of` for several organisations in three queries, keyed by organisation id."""
    values_of: dict[int, set[str]] = {}
    # The organisations' few identifiers through the organisation index alone, the shared
    # ones kept here: asked for in SQL, "shared" tempted PostgreSQL without statistics to
    # read the 400,000 shared identifiers' index as well (9 ms a page, issue 15).
    for org_id, value, workspace_id in (
        Identifier.objects.filter(organisation__in=[org.pk for org in organisations])
        .order_by()
        .values_list("organisation", "value", "workspace_id")
    ):
        if workspace_id is None:
            values_of.setdefault(org_id, set()).add(value)
    every = set().union(*values_of.values()) if values_of else set()
    if not every:
        return {}
    mergers = list(Merger.objects.filter(Q(transferor__in=every) | Q(transferee__in=every)))
    others = {m.transferee for m in mergers} | {m.transferor for m in mergers}
    holders = dict(
        Identifier.objects.filter(workspace__isnull=True, value__in=others - {""})
        .select_related("organisation")
        .values_list("value", "organisation")
    )
    found = Organisation.objects.in_bulk(set(holders.values()))
    result: dict[int, list[MergerFact]] = {}
    for org_id, values in values_of.items():
        facts = []
        for merger in mergers:
            if merger.transferor not in values and merger.transferee not in values:
                continue
            gave = merger.transferor in values
            other_value = merger.transferee if gave else merger.transferor
            other = found.get(holders[other_value]) if other_value in holders else None
            if other is not None and other.pk == org_id:
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
        result[org_id] = sorted(facts, key=lambda f: f.date or dt.date.min, reverse=True)
    return result
