"""Partnerships: list, record, edit (refusing stale edits) and their participants."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from partnerwise.opendata.finding import search
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.editing import edit_partnership
from partnerwise.partnerships.forms import PARTNERSHIP_FIELDS, ParticipationForm, PartnershipForm
from partnerwise.partnerships.listing import (
    SORT_LABELS,
    ListError,
    PartnershipFilter,
    filter_partnerships,
    page_of,
    read_filter,
)
from partnerwise.partnerships.models import Form, Participation, Partnership, Status
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.history import history_for, record_change
from partnerwise.workspaces.models import Role, Workspace
from partnerwise.workspaces.versioning import StaleVersion, seen_version


def _partnership(workspace: Workspace, pk: int) -> Partnership:
    return get_object_or_404(workspace.partnerships, pk=pk)


@login_required
def partnership_list(request: HttpRequest, slug: str) -> HttpResponse:
    """One page of the workspace's partnerships, filtered and sorted by the query string."""
    access = workspace_access(request, slug)
    workspace = access.workspace
    error = ""
    try:
        chosen = read_filter(request.GET)
        page = page_of(
            filter_partnerships(workspace, chosen), request.GET.get("page"), request.GET.get("size")
        )
    except ListError as problem:
        # A hand-edited or stale link: say what is wrong and show the first page of everything.
        error, chosen = str(problem), PartnershipFilter()
        page = page_of(filter_partnerships(workspace, chosen), 1, None)
    partner = (
        Organisation.objects.visible_to(workspace).filter(pk=chosen.partner).first()
        if chosen.partner
        else None
    )
    return render(
        request,
        "partnerships/list.html",
        {
            "rows": _with_partners(workspace, list(page)),
            "page": page,
            "query": urlencode(chosen.params()),
            "chosen": chosen,
            "partner": partner,
            "error": error,
            "statuses": Status.choices,
            "forms": Form.choices,
            "sorts": list(SORT_LABELS.items()),
            **access.context(),
        },
        status=400 if error else 200,
    )


def _with_partners(workspace: Workspace, partnerships: list[Partnership]) -> list[dict[str, Any]]:
    """Rows for a page of partnerships with their partners (not us), in one more query."""
    partners: dict[int, list[dict[str, Any]]] = {p.pk: [] for p in partnerships}
    for item in (
        Participation.objects.filter(workspace=workspace, partnership_id__in=list(partners))
        .exclude(organisation_id=workspace.organisation_id or 0)
        .select_related("organisation")
        .order_by("role", "organisation__name", "pk")
    ):
        partners[item.partnership_id].append({"participation": item})
    return [{"partnership": p, "partners": partners[p.pk]} for p in partnerships]


@login_required
def partnership_new(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
    form = PartnershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            partnership = form.save(commit=False)
            partnership.workspace = workspace
            partnership.created_by = request.user  # type: ignore[assignment]
            partnership.save()
            record_change(workspace=workspace, user=request.user, obj=partnership, action="created")
        messages.success(request, f"{partnership.name} recorded. Now add the organisations in it.")
        return redirect("partnership_detail", slug, partnership.pk)
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "creating": True, **access.context()},
    )


@login_required
def partnership_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Edit with optimistic locking: a save based on an old version is refused, not merged."""
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
    partnership = _partnership(workspace, pk)
    conflict: list[dict[str, Any]] | None = None
    status = 200
    if request.method == "POST":
        form = PartnershipForm(request.POST, instance=_partnership(workspace, pk))
        if form.is_valid():
            try:
                edit_partnership(
                    workspace=workspace,
                    partnership=partnership,
                    seen_version=seen_version(request.POST.get("version")),
                    values={name: form.cleaned_data[name] for name in PARTNERSHIP_FIELDS},
                    user=request.user,
                )
            except StaleVersion:
                # Someone saved in between: show both versions, keep what this person typed.
                current = _partnership(workspace, pk)
                conflict = _conflict_rows(form, current)
                partnership = current
                status = 409
            else:
                messages.success(request, "Changes saved.")
                return redirect("partnership_detail", slug, pk)
    else:
        form = PartnershipForm(instance=partnership)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "partnership": partnership,
            "version": partnership.version,
            "conflict": conflict,
            "history": history_for(workspace, partnership)[:20],
            **access.context(),
        },
        status=status,
    )


def _conflict_rows(form: PartnershipForm, current: Partnership) -> list[dict[str, Any]]:
    rows = []
    for name in PARTNERSHIP_FIELDS:
        field = form.fields[name]
        theirs = form.cleaned_data.get(name)
        now = getattr(current, name)
        if theirs != now:
            rows.append(
                {
                    "label": field.label,
                    "yours": _display(current, name, theirs),
                    "current": _display(current, name, now),
                }
            )
    return rows


def _display(partnership: Partnership, name: str, value: object) -> object:
    field = partnership._meta.get_field(name)
    choices = dict(getattr(field, "choices", None) or [])
    if value in choices:
        return choices[value]
    return "(empty)" if value in (None, "") else value


@login_required
def participant_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Add an organisation: first find it (one question), then its role and share."""
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
    partnership = _partnership(workspace, pk)
    visible = Organisation.objects.visible_to(workspace)
    query = request.GET.get("q", "").strip()
    chosen_id = request.POST.get("organisation") or request.GET.get("organisation") or ""
    if chosen_id and not chosen_id.isdigit():
        raise Http404("No such organisation")
    chosen = get_object_or_404(visible, pk=chosen_id) if chosen_id else None
    results: list[Organisation] = []
    if chosen is None and query:
        results = search(workspace, query, limit=25)
    form = ParticipationForm(request.POST or None)
    if request.method == "POST" and chosen is not None and form.is_valid():
        participation = form.save(commit=False)
        participation.workspace = workspace
        participation.partnership = partnership
        participation.organisation = chosen
        try:
            with transaction.atomic():
                participation.save()
                record_change(
                    workspace=workspace,
                    user=request.user,
                    obj=partnership,
                    action="added a participant",
                    summary=f"{chosen.name} as {participation.get_role_display()}",
                )
        except IntegrityError:
            form.add_error("role", f"{chosen.name} already has this role in this partnership")
        else:
            messages.success(request, f"{chosen.name} added as {participation.get_role_display()}.")
            return redirect("partnership_detail", slug, pk)
    return render(
        request,
        "partnerships/participant_form.html",
        {
            "partnership": partnership,
            "query": query,
            "results": results,
            "chosen": chosen,
            "form": form,
            **access.context(),
        },
    )


@login_required
def participant_remove(
    request: HttpRequest, slug: str, pk: int, participation_id: int
) -> HttpResponse:
    """GET asks "are you sure?"; POST removes the organisation from the partnership."""
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
    partnership = _partnership(workspace, pk)
    participation = get_object_or_404(
        partnership.participations.select_related("organisation"), pk=participation_id
    )
    if request.method != "POST":
        return render(
            request,
            "partnerships/participant_remove.html",
            {"partnership": partnership, "participation": participation, **access.context()},
        )
    with transaction.atomic():
        record_change(
            workspace=workspace,
            user=request.user,
            obj=partnership,
            action="removed a participant",
            summary=f"{participation.organisation.name} as {participation.get_role_display()}",
        )
        participation.delete()
    messages.success(request, f"{participation.organisation.name} removed from this partnership.")
    return redirect("partnership_detail", slug, pk)
