"""The organisation directory pages: search, an organisation with everything known of it
(register facts, grants, contracts, our partnerships and profiles), and recording a private one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from partnerwise import charts
from partnerwise.assessments.summaries import (
    HistoryPoint,
    archetype_names,
    profile_histories,
    verdict_label,
)
from partnerwise.charts.adapters import drift_of_stored
from partnerwise.opendata.finding import search
from partnerwise.opendata.page import open_data_context
from partnerwise.organisations.forms import OrganisationForm
from partnerwise.organisations.models import Organisation
from partnerwise.organisations.recording import (
    RecordingError,
    edit_organisation,
    record_organisation,
)
from partnerwise.web.organisation_records import open_data_summary
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.models import Role

RELATED_SHOWN = 10
# A partner in hundreds of partnerships, or a funder of thousands of grants, gets a page of
# each here and a link to the rest.
PARTNERSHIPS_SHOWN = 20
# The latest changes of a profile in each partnership; its profile page has them all.
HISTORY_SHOWN = 5
# The first few partnerships of a page draw how the fits drifted; the rest give their latest
# changes and link to the drawing on the profile page. A drawing is most of a row's cost
# (about 17 KB of SVG and its building): twenty of them made a busy partner's page three
# times slower than a partner's in a few partnerships (issue 15).
DRIFT_CHARTS_SHOWN = 3
RECORDS_SHOWN = 5
OWN_RECORDS_SHOWN = 50


@login_required
def organisation_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug)
    workspace = access.workspace
    query = request.GET.get("q", "")
    page = None
    if query.strip():
        results = search(workspace, query)
    else:
        # The workspace's own records, a page at a time (search caps its results instead).
        page = Paginator(
            workspace.organisations.prefetch_related("identifiers").order_by("name", "pk"),
            OWN_RECORDS_SHOWN,
        ).get_page(request.GET.get("page"))
        results = list(page)
    return render(
        request,
        "organisations/list.html",
        {"query": query, "results": results, "page": page, **access.context()},
    )


@login_required
def organisation_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = workspace_access(request, slug)
    workspace = access.workspace
    organisation = get_object_or_404(
        Organisation.objects.visible_to(workspace).prefetch_related("identifiers"), pk=pk
    )
    participations = workspace.participations.filter(organisation=organisation)
    page = Paginator(
        participations.select_related("partnership").order_by("partnership__name", "pk"),
        PARTNERSHIPS_SHOWN,
    ).get_page(request.GET.get("page"))
    shown = [item.partnership_id for item in page]
    # Each partnership's history ends with its current profile: one query gives both.
    histories = profile_histories(
        workspace, pk, partnership_ids=shown, fits_for=shown[:DRIFT_CHARTS_SHOWN]
    )
    names = archetype_names(workspace)
    rows = []
    for index, item in enumerate(page):
        history = histories.get(item.partnership_id, [])
        rows.append(
            {
                "participation": item,
                "verdict": verdict_label(history[-1] if history else None, names),
                "history": [
                    {"point": point, "verdict": verdict_label(point, names)}
                    for point in history[-HISTORY_SHOWN:]
                ],
                "drift_chart": _drift_chart(history, names) if index < DRIFT_CHARTS_SHOWN else None,
                "more_history": len(history) > HISTORY_SHOWN,
            }
        )
    facts = organisation.facts if isinstance(organisation.facts, dict) else {}
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "rows": rows,
            "page": page,
            "records": open_data_summary(organisation, latest=RECORDS_SHOWN),
            "facts": sorted((str(k).replace("_", " ").capitalize(), v) for k, v in facts.items()),
            "open_data": open_data_context(
                organisation, us=workspace.organisation, limit=RELATED_SHOWN
            ),
            "is_us": organisation.pk == workspace.organisation_id,
            **access.context(),
        },
    )


def _drift_chart(history: list[HistoryPoint], names: dict[str, str]) -> charts.Chart | None:
    """How the fits moved with each rating date, once there are two dates to compare."""
    points = drift_of_stored(history)
    return charts.drift_lines(points, names) if len(points) > 1 else None


@login_required
def organisation_new(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
    form = OrganisationForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        organisation = record_organisation(
            workspace=workspace,
            user=request.user,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            website=form.cleaned_data["website"],
            description=form.cleaned_data["description"],
            identifiers=[identifier] if identifier else [],
        )
        messages.success(request, f"{organisation.name} added to your directory.")
        if next_url:
            separator = "&" if "?" in next_url else "?"
            return redirect(f"{next_url}{separator}organisation={organisation.pk}")
        return redirect("organisation_detail", slug, organisation.pk)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "next": next_url, **access.context()},
    )


@login_required
def organisation_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a private organisation (reference data is never edited: 404)."""
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    organisation = get_object_or_404(Organisation.objects.filter(workspace=workspace), pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    del form.fields["identifier"]  # identifiers are kept as recorded
    if request.method == "POST" and form.is_valid():
        try:
            edit_organisation(
                workspace=workspace,
                user=access.user,
                organisation=Organisation.objects.get(pk=pk),
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                website=form.cleaned_data["website"],
                description=form.cleaned_data["description"],
            )
        except RecordingError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("organisation_detail", slug, pk)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "editing": organisation, **access.context()},
    )
