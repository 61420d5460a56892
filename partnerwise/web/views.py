"""The front door and each workspace's portfolio."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from partnerwise import charts
from partnerwise.appraisals.appraising import portfolio_changes
from partnerwise.appraisals.attention import needs_attention
from partnerwise.assessments.summaries import archetype_names, latest_profiles, verdict_label
from partnerwise.charts.colours import archetype_colours
from partnerwise.partnerships.income import (
    HHI_WARNING,
    TOP_SHARE_WARNING,
    Dependence,
    workspace_dependence,
)
from partnerwise.partnerships.models import Partnership, Status
from partnerwise.web.checklist import first_run_checklist
from partnerwise.web.network import KINDS, UNRATED, bridges, map_chart, network, read_filters
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.models import Workspace


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        demo = Workspace.objects.filter(is_demo=True).first()
        return render(request, "web/home.html", {"demo": demo})
    workspaces = list(Workspace.objects.filter(memberships__user=request.user).order_by("name"))
    if len(workspaces) == 1:
        # Most people belong to one workspace: take them straight to its portfolio.
        return redirect("workspace_home", workspaces[0].slug)
    return render(request, "web/workspaces.html", {"workspaces": workspaces})


@login_required
def workspace_home(request: HttpRequest, slug: str) -> HttpResponse:
    """The portfolio: partnerships by status and by partners' archetype, renewals coming up."""
    access = workspace_access(request, slug)
    workspace = access.workspace
    partnerships = list(workspace.partnerships.order_by("name"))
    participations = list(
        workspace.participations.select_related("organisation").order_by("partnership_id", "pk")
    )
    profiles = latest_profiles(workspace)
    names = archetype_names(workspace)
    our_org = workspace.organisation_id

    partners_of: dict[int, list[dict[str, object]]] = {}
    verdicts: dict[tuple[int, int], str] = {}
    archetype_counts: Counter[str] = Counter()
    for item in participations:
        if item.organisation_id == our_org:
            continue
        label = verdict_label(profiles.get((item.partnership_id, item.organisation_id)), names)
        partners_of.setdefault(item.partnership_id, []).append(
            {"participation": item, "verdict": label}
        )
        archetype_counts[label] += 1
        verdicts[(item.partnership_id, item.organisation_id)] = label

    status_counts = Counter(p.status for p in partnerships)
    statuses = [(value, label, status_counts[value]) for value, label in Status.choices]
    today = timezone.localdate()
    rows = [{"partnership": p, "partners": partners_of.get(p.pk, [])} for p in partnerships]
    changes = portfolio_changes(workspace, verdicts)
    dependence = workspace_dependence(workspace)
    return render(
        request,
        "web/portfolio.html",
        {
            "rows": rows,
            "statuses": statuses,
            "archetypes": sorted(archetype_counts.items(), key=lambda kv: (-kv[1], kv[0])),
            "changed": [(p, changes[p.pk]) for p in partnerships if p.pk in changes],
            "dependence": dependence,
            **_portfolio_charts(
                statuses=statuses,
                archetype_counts=archetype_counts,
                names=names,
                dependence=dependence,
                partnerships=partnerships,
                today=today,
            ),
            "top_share_warning": TOP_SHARE_WARNING,
            "hhi_warning": HHI_WARNING,
            # An empty portfolio is a new workspace: show what to do first.
            "checklist": None if partnerships else first_run_checklist(access),
            "attention": needs_attention(workspace=workspace, today=today),
            **access.context(),
        },
    )


@login_required
def who_works_with_whom(request: HttpRequest, slug: str) -> HttpResponse:
    """The map of who works with whom, from our records and from open data."""
    access = workspace_access(request, slug)
    workspace = access.workspace
    names = archetype_names(workspace)
    filters, errors = read_filters(request.GET, names)
    net = network(workspace, filters)
    return render(
        request,
        "web/network.html",
        {
            "net": net,
            "chart": map_chart(net, names),
            "filters": filters,
            "filter_errors": errors,
            "kinds": KINDS.items(),
            "statuses": Status.choices,
            "archetype_choices": [*names.items(), (UNRATED, "Not rated, or mixed")],
            "names": names,
            "bridges": bridges(net),
            **access.context(),
        },
    )


def _portfolio_charts(
    *,
    statuses: list[tuple[str, str, int]],
    archetype_counts: Counter[str],
    names: dict[str, str],
    dependence: Dependence,
    partnerships: list[Partnership],
    today: date,
) -> dict[str, charts.Chart | None]:
    """The portfolio's pictures: each draws numbers the page already has."""
    colour_of = archetype_colours(list(names))
    by_label = {names[key]: colour for key, colour in colour_of.items() if key in names}
    deadlines = [
        charts.Deadline(day, p.name, kind)
        for p in partnerships
        for kind, day in (
            ("renewal", p.renewal_date),
            ("notice", p.notice_date),
            ("end", p.end_date),
        )
        if day is not None
    ]
    return {
        "status_chart": charts.count_bars(
            [(label, count) for _, label, count in statuses],
            title="Partnerships by status",
            label_heading="Status",
        ),
        "archetype_chart": charts.count_bars(
            sorted(archetype_counts.items(), key=lambda kv: (-kv[1], kv[0])),
            title="Partners by archetype",
            label_heading="What sort of partner",
            value_heading="Places in partnerships",
            colours_by_label=by_label,
        )
        if archetype_counts
        else None,
        "income_chart": charts.income_bars(
            [(source.name, source.amount) for source in dependence.sources],
            total=dependence.total,
            warning_share=float(TOP_SHARE_WARNING) / 100,
        )
        if dependence.sources
        else None,
        "deadline_chart": charts.timeline(deadlines, today=today),
    }
