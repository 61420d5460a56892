"""Partnerships: list, record, edit (refusing stale edits) and their participants."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import timezone

from partnerwise.assessments.models import RaterKind
from partnerwise.assessments.summaries import archetype_names, latest_profiles, verdict_label
from partnerwise.organisations.finding import search
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.editing import save_if_current
from partnerwise.partnerships.forms import PARTNERSHIP_FIELDS, ParticipationForm, PartnershipForm
from partnerwise.partnerships.models import Partnership, Status
from partnerwise.web.pages import posted_version, role_context
from partnerwise.workspaces.access import get_workspace_for_user
from partnerwise.workspaces.history import history_for, record_change
from partnerwise.workspaces.models import Role, Workspace

APPRAISAL_SUMMARY = "appraisals/_summary.html"


def _partnership(workspace: Workspace, pk: int) -> Partnership:
    return get_object_or_404(workspace.partnerships, pk=pk)


@login_required
def partnership_list(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = get_workspace_for_user(request, slug)
    partnerships = workspace.partnerships.order_by("name")
    status = request.GET.get("status", "")
    if status:
        partnerships = partnerships.filter(status=status)
    rows = [{"partnership": p, "partners": []} for p in partnerships]
    return render(
        request,
        "partnerships/list.html",
        {"rows": rows, "status": status, "statuses": Status.choices, **role_context(workspace)},
    )


@login_required
def partnership_new(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
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
        {"form": form, "creating": True, **role_context(workspace)},
    )


@login_required
def partnership_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Edit with optimistic locking: a save based on an old version is refused, not merged."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = _partnership(workspace, pk)
    conflict: list[dict[str, Any]] | None = None
    status = 200
    if request.method == "POST":
        form = PartnershipForm(request.POST, instance=_partnership(workspace, pk))
        seen_version = posted_version(request)
        if form.is_valid():
            updated = save_if_current(
                workspace=workspace,
                partnership=partnership,
                seen_version=seen_version,
                values={name: form.cleaned_data[name] for name in PARTNERSHIP_FIELDS},
                user=request.user,
            )
            if updated:
                messages.success(request, "Changes saved.")
                return redirect("partnership_detail", slug, pk)
            # Someone saved in between: show both versions, keep what this person typed.
            current = _partnership(workspace, pk)
            conflict = _conflict_rows(form, current)
            partnership = current
            status = 409
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
            **role_context(workspace),
        },
        status=status,
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1


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
def partnership_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = get_workspace_for_user(request, slug)
    partnership = _partnership(workspace, pk)
    participations = list(
        partnership.participations.select_related("organisation").order_by("role", "pk")
    )
    profiles = latest_profiles(workspace, partnership_ids=[pk])
    names = archetype_names(workspace)
    us = workspace.organisation
    rows = [
        {
            "participation": item,
            "is_us": item.organisation_id == workspace.organisation_id,
            "profile": profiles.get((pk, item.organisation_id)),
            "verdict": verdict_label(profiles.get((pk, item.organisation_id)), names),
        }
        for item in participations
    ]
    self_profile = profiles.get((pk, us.pk)) if us else None
    partner_view = (
        latest_profiles(
            workspace, partnership_ids=[pk], subject_ids=[us.pk], rater_kind=RaterKind.PARTNER
        ).get((pk, us.pk))
        if us
        else None
    )
    return render(
        request,
        "partnerships/detail.html",
        {
            "partnership": partnership,
            "rows": rows,
            "us": us,
            "self_profile": self_profile,
            "self_verdict": verdict_label(self_profile, names),
            "partner_view": partner_view if partner_view and partner_view.raters else None,
            "partner_verdict": verdict_label(partner_view, names) if partner_view else "",
            "names": names,
            "invitations": partnership.rating_invitations.select_related("rater_organisation"),
            "history": history_for(workspace, partnership)[:20],
            "appraisal_template": _optional_template(APPRAISAL_SUMMARY),
            "now": timezone.now(),
            **role_context(workspace),
        },
    )


def _optional_template(name: str) -> str | None:
    """The appraisal summary, once the appraisals app provides it and mounts its URLs."""
    if "appraisals" not in get_resolver().namespace_dict:
        return None
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


@login_required
def participant_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Add an organisation: first find it (one question), then its role and share."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = _partnership(workspace, pk)
    visible = Organisation.objects.visible_to(workspace)
    query = request.GET.get("q", "").strip()
    chosen_id = request.POST.get("organisation") or request.GET.get("organisation")
    chosen = get_object_or_404(visible, pk=_int(chosen_id)) if chosen_id else None
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
            **role_context(workspace),
        },
    )


@login_required
def participant_remove(
    request: HttpRequest, slug: str, pk: int, participation_id: int
) -> HttpResponse:
    """GET asks "are you sure?"; POST removes the organisation from the partnership."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = _partnership(workspace, pk)
    participation = get_object_or_404(
        partnership.participations.select_related("organisation"), pk=participation_id
    )
    if request.method != "POST":
        return render(
            request,
            "partnerships/participant_remove.html",
            {"partnership": partnership, "participation": participation, **role_context(workspace)},
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
