"""The front door, each workspace's portfolio, and the map of who works with whom."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from partnerwise import charts
from partnerwise.appraisals.appraising import portfolio_changes
from partnerwise.appraisals.attention import SHOWN as ATTENTION_SHOWN
from partnerwise.appraisals.attention import Attention, needs_attention
from partnerwise.assessments.models import RaterKind
from partnerwise.assessments.summaries import archetype_names, latest_profiles, verdict_label
from partnerwise.assessments.typologies import default_typology
from partnerwise.charts.colours import archetype_colours
from partnerwise.partnerships.income import (
    HHI_WARNING,
    TOP_SHARE_WARNING,
    Dependence,
    workspace_dependence,
)
from partnerwise.partnerships.models import Partnership, Status
from partnerwise.web.checklist import first_run_checklist
from partnerwise.web.network import KINDS, UNRATED, read_filters
from partnerwise.web.network_page import finished_map, organisations_csv
from partnerwise.web.versions import cache_key, records_version
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.models import Workspace

# The deadlines chart looks a year ahead.
DEADLINES_WITHIN = timedelta(days=366)
# A portfolio shows the first of each long list and links to the rest.
PORTFOLIO_ROWS = 25
# The chart of partners by archetype counts every mixed verdict together.
MIXED = "Mixed: no single archetype"
# The income table lists this many payers, naming this many partnerships of each, and this
# many partnerships whose part is not known; it counts the rest.
PAYERS_SHOWN = 20
PAYER_NAMES_SHOWN = 3
UNCOUNTED_SHOWN = 20
# Needs attention lists this many beyond its first items; the rest are counted.
ATTENTION_MORE_SHOWN = 40
# The totals are recounted whenever the data changes (see _totals_key); this only bounds
# how long an unread entry stays in the cache.
TOTALS_KEPT = 24 * 60 * 60


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
    profiles = latest_profiles(workspace, partnership_ids=ids, verdicts_only=True)
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
    typology = default_typology(workspace)
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
        # Every mixed verdict is one bar: a bar per combination of leading archetypes would
        # be hundreds in a large portfolio (issue 15), each with a place or two.
        label = MIXED if row["verdict"] == "mixed" else verdict_label(profile, names)
        counts[(label, key)] += row["places"]
    return sorted(
        ((label, key, count) for (label, key), count in counts.items()),
        key=lambda item: (-item[2], item[0]),
    )


def _totals(workspace: Workspace) -> dict[str, Any]:
    """The portfolio's totals: partnerships by status, partner places by archetype, and our
    income from active partnerships by who pays it. Counted by the database; linear in the
    workspace's size, and kept until the data changes."""
    status_counts = dict(
        workspace.partnerships.values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {
        "partnerships": sum(status_counts.values()),
        "statuses": [
            (value, label, status_counts.get(value, 0)) for value, label in Status.choices
        ],
        "archetypes": archetype_counts(workspace),
        "dependence": workspace_dependence(workspace),
    }


def _totals_key(workspace: Workspace, today: date) -> str:
    """A key that changes whenever the totals could (see `records_version`), and each day."""
    return cache_key("portfolio-totals", records_version(workspace=workspace), today)


@login_required
def workspace_home(request: HttpRequest, slug: str) -> HttpResponse:
    """The portfolio: what needs attention, partnerships by status and by partners' archetype,
    deadlines in the next year, income dependence, and the first page of partnerships. The
    totals are counted by the database and kept until the data changes, so a page read costs
    about the same with ten partnerships or ten thousand."""
    access = workspace_access(request, slug)
    workspace = access.workspace
    today = timezone.localdate()
    key = _totals_key(workspace, today)
    totals: dict[str, Any] | None = cache.get(key)
    if totals is None:
        totals = _cached_part(workspace, today)
        cache.set(key, totals, TOTALS_KEPT)
    first = list(workspace.partnerships.order_by("name", "pk")[:PORTFOLIO_ROWS])
    return render(
        request,
        "web/portfolio.html",
        {
            "rows": partner_rows(workspace, first),
            "partnership_count": totals["partnerships"],
            "statuses": totals["statuses"],
            "archetypes": totals["archetypes"],
            "dependence": totals["dependence"],
            "payers": totals["payers"],
            "payers_unlisted": totals["payer_count"] - len(totals["payers"]),
            "payer_count": totals["payer_count"],
            "uncounted_unlisted": totals["uncounted_count"] - len(totals["dependence"].uncounted),
            "top_share_warning": TOP_SHARE_WARNING,
            "hhi_warning": HHI_WARNING,
            "changed": totals["changed"],
            **totals["charts"],
            # An empty portfolio is a new workspace: show what to do first.
            "checklist": first_run_checklist(access) if totals["partnerships"] == 0 else None,
            "attention": totals["attention"],
            "attention_more": totals["attention"].rest,
            "attention_rest": totals["attention_rest"],
            "attention_unlisted": totals["attention_rest"] - len(totals["attention"].rest),
            **access.context(),
        },
    )


def _cached_part(workspace: Workspace, today: date) -> dict[str, Any]:
    """Everything on the portfolio that follows the workspace's data and the date, counted
    and drawn once per change (the cache key says when): the totals, what needs attention
    (the items shown, and how many there are), what changed since decisions, and the charts.
    Only what a page shows is kept, so reading it back costs the same at any size."""
    totals = _totals(workspace)
    attention = needs_attention(workspace=workspace, today=today)
    shown = ATTENTION_SHOWN + ATTENTION_MORE_SHOWN
    totals["attention"] = Attention(
        items=attention.items[:shown], rerate_months=attention.rerate_months
    )
    totals["attention_rest"] = len(attention.rest)
    totals["changed"] = _changed_since_decisions(workspace)
    soon = today + DEADLINES_WITHIN
    coming = list(
        workspace.partnerships.filter(
            Q(renewal_date__range=(today, soon))
            | Q(notice_date__range=(today, soon))
            | Q(end_date__range=(today, soon))
        ).only("name", "renewal_date", "notice_date", "end_date")
    )
    totals["charts"] = _portfolio_charts(
        workspace=workspace, totals=totals, coming=coming, today=today
    )
    # The income table names the first payers and a few partnerships of each; every payer
    # is in the chart, the share and the concentration above it.
    dependence: Dependence = totals["dependence"]
    totals["payers"] = [
        {
            "source": replace(source, partnerships=source.partnerships[:PAYER_NAMES_SHOWN]),
            "more": max(0, len(source.partnerships) - PAYER_NAMES_SHOWN),
        }
        for source in dependence.sources[:PAYERS_SHOWN]
    ]
    totals["payer_count"] = len(dependence.sources)
    totals["uncounted_count"] = len(dependence.uncounted)
    totals["dependence"] = replace(
        dependence,
        sources=dependence.sources[:1],
        uncounted=dependence.uncounted[:UNCOUNTED_SHOWN],
    )
    return totals


def _changed_since_decisions(workspace: Workspace) -> list[tuple[Partnership, list[str]]]:
    """Partnerships whose partners' profiles or ratings moved since their latest decision."""
    decided = set(workspace.decisions.values_list("partnership_id", flat=True))
    if not decided:
        return []
    names = archetype_names(workspace)
    profiles = latest_profiles(workspace, partnership_ids=decided, verdicts_only=True)
    # Every partner in those partnerships, rated or not ("Not rated yet" is a verdict too).
    verdicts = {
        key: verdict_label(profiles.get(key), names)
        for key in workspace.participations.filter(partnership_id__in=decided).values_list(
            "partnership_id", "organisation_id"
        )
    }
    changes = portfolio_changes(workspace, verdicts)
    return [
        (p, changes[p.pk]) for p in workspace.partnerships.filter(pk__in=changes).order_by("name")
    ]


def _payer_bars(dependence: Dependence) -> list[tuple[str, Decimal]]:
    """The first payers, then the rest as one bar: a bar each for hundreds of small payers
    would make the chart a list (issue 15)."""
    bars = [(source.name, source.amount) for source in dependence.sources[:PAYERS_SHOWN]]
    rest = dependence.sources[PAYERS_SHOWN:]
    if rest:
        bars.append((f"{len(rest)} other payers", sum((s.amount for s in rest), Decimal(0))))
    return bars


def _portfolio_charts(
    *, workspace: Workspace, totals: dict[str, Any], coming: list[Partnership], today: date
) -> dict[str, charts.Chart | None]:
    """The portfolio's pictures: each draws numbers the page already has."""
    names = archetype_names(workspace)
    colour_of = archetype_colours(list(names))
    by_label = {names[key]: colour for key, colour in colour_of.items() if key in names}
    dependence = totals["dependence"]
    deadlines = [
        charts.Deadline(day, p.name, kind)
        for p in coming
        for kind, day in (
            ("renewal", p.renewal_date),
            ("notice", p.notice_date),
            ("end", p.end_date),
        )
        if day is not None
    ]
    archetypes = [(label, count) for label, _, count in totals["archetypes"]]
    return {
        "status_chart": charts.count_bars(
            [(label, count) for _, label, count in totals["statuses"]],
            title="Partnerships by status",
            label_heading="Status",
        ),
        "archetype_chart": charts.count_bars(
            archetypes,
            title="Partners by archetype",
            label_heading="What sort of partner",
            value_heading="Places in partnerships",
            colours_by_label=by_label,
        )
        if archetypes
        else None,
        "income_chart": charts.income_bars(
            _payer_bars(dependence),
            total=dependence.total,
            warning_share=float(TOP_SHARE_WARNING) / 100,
        )
        if dependence.sources
        else None,
        "deadline_chart": charts.timeline(deadlines, today=today),
    }


@login_required
def who_works_with_whom(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The map of who works with whom, from our records and from open data; with
    `?format=csv`, every organisation on it with its measures."""
    access = workspace_access(request, slug)
    workspace = access.workspace
    names = archetype_names(workspace)
    filters, errors = read_filters(request.GET, names)
    if request.GET.get("format") == "csv":
        return organisations_csv(workspace=workspace, filters=filters)
    page = finished_map(workspace=workspace, filters=filters, names=names)
    return render(
        request,
        "web/network.html",
        {
            "net": page,
            "filters": filters,
            "filter_errors": errors,
            "kinds": KINDS.items(),
            "statuses": Status.choices,
            "archetype_choices": [*names.items(), (UNRATED, "Not rated, or mixed")],
            "names": names,
            **access.context(),
        },
    )
