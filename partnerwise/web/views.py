"""The front door and each workspace's portfolio."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from partnerwise.assessments.models import RaterKind
from partnerwise.assessments.summaries import archetype_names, latest_profiles, verdict_label
from partnerwise.assessments.typologies import default_typology
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Partnership, Status
from partnerwise.partnerships.models import Role as ParticipantRole
from partnerwise.web.network import network
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.models import Workspace

RENEWALS_WITHIN = timedelta(days=180)
# A portfolio shows the first of each long list and links to the rest.
RENEWALS_SHOWN = 20
DEPENDENCE_SHOWN = 20
PORTFOLIO_ROWS = 25
# The totals are recounted whenever the data changes (see _totals_key); this only bounds
# how long an unread entry stays in the cache.
TOTALS_KEPT = 24 * 60 * 60
# Roles whose holders pay us or hold the contract: the income we depend on.
PAYER_ROLES = {
    ParticipantRole.COMMISSIONER,
    ParticipantRole.PRIME,
    ParticipantRole.ACCOUNTABLE_BODY,
}


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        demo = Workspace.objects.filter(is_demo=True).first()
        return render(request, "web/home.html", {"demo": demo})
    workspaces = list(Workspace.objects.filter(memberships__user=request.user).order_by("name"))
    if len(workspaces) == 1:
        # Most people belong to one workspace: take them straight to its portfolio.
        return redirect("workspace_home", workspaces[0].slug)
    return render(request, "web/workspaces.html", {"workspaces": workspaces})


def _us(workspace: Workspace) -> int:
    # 0 matches no organisation: a workspace that speaks for none has no "us" to leave out.
    return workspace.organisation_id or 0


def partner_rows(workspace: Workspace, partnerships: list[Partnership]) -> list[dict[str, object]]:
    """Rows for a page of partnerships: each with its partners (not us) and their verdicts,
    in a fixed number of queries however long the page."""
    ids = [p.pk for p in partnerships]
    profiles = latest_profiles(workspace, partnership_ids=ids)
    names = archetype_names(workspace)
    partners_of: dict[int, list[dict[str, object]]] = {}
    for item in (
        workspace.participations.filter(partnership_id__in=ids)
        .exclude(organisation_id=_us(workspace))
        .select_related("organisation")
        .order_by("partnership_id", "pk")
    ):
        label = verdict_label(profiles.get((item.partnership_id, item.organisation_id)), names)
        partners_of.setdefault(item.partnership_id, []).append(
            {"participation": item, "verdict": label}
        )
    return [{"partnership": p, "partners": partners_of.get(p.pk, [])} for p in partnerships]


def archetype_counts(workspace: Workspace) -> list[tuple[str, str, int]]:
    """(verdict label, archetype key to filter on or "", places in partnerships) for every
    partner place, counted by the database from the stored profiles."""
    typology = default_typology()
    stored = workspace.storedprofiles.filter(
        partnership_id=OuterRef("partnership_id"),
        subject_id=OuterRef("organisation_id"),
        typology=typology,
        rater_kind=RaterKind.COLLEAGUE,
    )
    places = (
        workspace.participations.exclude(organisation_id=_us(workspace))
        .annotate(
            verdict=Subquery(stored.values("verdict")[:1]),
            best=Subquery(stored.values("best")[:1]),
            leading=Subquery(stored.values("leading")[:1]),
        )
        .values("verdict", "best", "leading")
        .annotate(places=Count("pk"))
        .order_by()
    )
    names = archetype_names(workspace)
    counts: Counter[tuple[str, str]] = Counter()
    for row in places:
        profile = (
            SimpleNamespace(verdict=row["verdict"], best=row["best"], leading=row["leading"])
            if row["verdict"]
            else None
        )
        key = row["best"] if row["verdict"] == "match" else ""
        counts[(verdict_label(profile, names), key)] += row["places"]
    return sorted(
        ((label, key, count) for (label, key), count in counts.items()),
        key=lambda item: (-item[2], item[0]),
    )


def _totals(workspace: Workspace) -> dict[str, Any]:
    """The portfolio's totals: partnerships by status, partner places by archetype, active
    value and who it comes from. Counted by the database; linear in the workspace's size."""
    status_counts = dict(
        workspace.partnerships.values_list("status").annotate(n=Count("pk")).order_by()
    )
    total = workspace.partnerships.filter(status=Status.ACTIVE).aggregate(t=Sum("value"))["t"]
    total = total or Decimal(0)
    payers = (
        workspace.participations.filter(role__in=PAYER_ROLES, partnership__status=Status.ACTIVE)
        .exclude(organisation_id=_us(workspace))
        .values("organisation_id")
        .annotate(value=Sum("partnership__value"), count=Count("partnership_id", distinct=True))
        .order_by(F("value").desc(nulls_last=True), "organisation_id")[:DEPENDENCE_SHOWN]
    )
    dependence = []
    for row in payers:
        value = row["value"] or Decimal(0)
        share = round(value * 100 / total) if total else None
        dependence.append({**row, "value": value, "share": share})
    return {
        "partnerships": sum(status_counts.values()),
        "statuses": [
            (value, label, status_counts.get(value, 0)) for value, label in Status.choices
        ],
        "archetypes": archetype_counts(workspace),
        "total_active": total,
        "dependence": dependence,
    }


def _totals_key(workspace: Workspace, today: date) -> str:
    """A key that changes whenever the totals could: every change to partnerships and
    participants is recorded in history, every change of a profile updates its row, and the
    counts catch rows added in bulk (the demo loader, benchmarks)."""
    newest = workspace.changerecords.aggregate(last=Max("pk"))["last"]
    profiles = workspace.storedprofiles.aggregate(last=Max("updated"))["last"]
    sizes = (workspace.partnerships.count(), workspace.participations.count())
    parts = f"{workspace.pk}|{newest}|{profiles and profiles.isoformat()}|{sizes}|{today}"
    return "portfolio-totals-" + hashlib.sha256(parts.encode()).hexdigest()


@login_required
def workspace_home(request: HttpRequest, slug: str) -> HttpResponse:
    """The portfolio: partnerships by status and by partners' archetype, renewals coming up,
    income dependence, and the first page of partnerships. The totals are counted by the
    database and kept until the data changes, so a page read costs about the same with ten
    partnerships or ten thousand."""
    access = workspace_access(request, slug)
    workspace = access.workspace
    today = timezone.localdate()
    key = _totals_key(workspace, today)
    totals: dict[str, Any] | None = cache.get(key)
    if totals is None:
        totals = _totals(workspace)
        cache.set(key, totals, TOTALS_KEPT)
    renewals = list(
        workspace.partnerships.filter(
            renewal_date__gte=today, renewal_date__lte=today + RENEWALS_WITHIN
        ).order_by("renewal_date", "name")[: RENEWALS_SHOWN + 1]
    )
    organisations = Organisation.objects.in_bulk(
        [row["organisation_id"] for row in totals["dependence"]]
    )
    dependence_rows = [
        {**row, "organisation": organisations[row["organisation_id"]]}
        for row in totals["dependence"]
        if row["organisation_id"] in organisations
    ]
    first = list(workspace.partnerships.order_by("name", "pk")[:PORTFOLIO_ROWS])
    return render(
        request,
        "web/portfolio.html",
        {
            "rows": partner_rows(workspace, first),
            "partnership_count": totals["partnerships"],
            "statuses": totals["statuses"],
            "archetypes": totals["archetypes"],
            "renewals": renewals[:RENEWALS_SHOWN],
            "more_renewals": len(renewals) > RENEWALS_SHOWN,
            "dependence": dependence_rows,
            "total_active": totals["total_active"],
            **access.context(),
        },
    )


@login_required
def who_works_with_whom(request: HttpRequest, slug: str) -> HttpResponse:
    """The map of who works with whom, from our records and from open data."""
    access = workspace_access(request, slug)
    workspace = access.workspace
    return render(
        request,
        "web/network.html",
        {"nodes": network(workspace), **access.context()},
    )
