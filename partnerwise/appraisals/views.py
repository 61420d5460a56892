"""The appraisal, the decision and the board paper for one partnership.

Every view starts from `workspace_access` (outsiders get 404, too-low roles 403) and every
query from its workspace. Saves carry the version the person saw; a save based on an old
version is refused with the current state beside what they typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify

from partnerwise.appraisals.appraising import (
    Picture,
    appraise,
    changed_since_decision,
    record_decision,
    save_appraisal,
)
from partnerwise.appraisals.forms import (
    AppraisalForm,
    DecisionForm,
    evidence_field_name,
    score_field_name,
)
from partnerwise.appraisals.summary import board_summary_pdf
from partnerwise.appraisals.term_views import terms_context
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.history import history_for
from partnerwise.workspaces.models import Role, Workspace
from partnerwise.workspaces.versioning import StaleVersion, seen_version


def _partnership(workspace: Workspace, pk: int) -> Partnership:
    return get_object_or_404(workspace.partnerships, pk=pk)


def _form_initial(picture: Picture) -> dict[str, Any]:
    initial: dict[str, Any] = {"notes": picture.appraisal.notes if picture.appraisal else ""}
    for row in picture.values + picture.commitments:
        if row.rating:
            initial[score_field_name(row.principle)] = row.rating.score
            initial[evidence_field_name(row.principle)] = row.rating.evidence
    return initial


@login_required
def appraisal(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Rate values fit and service-user impact; see risks, terms and the recommendation."""
    role = Role.EDITOR if request.method == "POST" else Role.VIEWER
    access = workspace_access(request, slug, role)
    workspace = access.workspace
    partnership = _partnership(workspace, pk)
    picture = appraise(workspace=workspace, partnership=partnership)
    principles_list = [row.principle for row in picture.values + picture.commitments]
    status = 200
    conflict = False
    if request.method == "POST":
        form = AppraisalForm(request.POST, principles=principles_list)
        if form.is_valid():
            scores = {
                p.pk: (
                    form.cleaned_data.get(score_field_name(p)),
                    form.cleaned_data.get(evidence_field_name(p)) or "",
                )
                for p in principles_list
            }
            try:
                save_appraisal(
                    workspace=workspace,
                    partnership=partnership,
                    user=request.user,
                    seen_version=seen_version(request.POST.get("version")),
                    scores=scores,
                    notes=form.cleaned_data["notes"],
                    picture=picture,
                )
            except StaleVersion:
                # Someone saved in between: keep what this person typed, show what is saved.
                conflict = True
                status = 409
                picture = appraise(workspace=workspace, partnership=partnership)
            else:
                messages.success(request, "Appraisal saved.")
                return redirect("appraisals:appraisal", slug, pk)
        else:
            status = 400
    else:
        form = AppraisalForm(initial=_form_initial(picture), principles=principles_list)
    return render(
        request,
        "appraisals/appraisal.html",
        {
            "partnership": partnership,
            "picture": picture,
            "recommendation": picture.recommendation,
            "changed": changed_since_decision(picture),
            "form": form,
            "version": picture.version,
            "conflict": conflict,
            "history": history_for(workspace, picture.appraisal)[:30] if picture.appraisal else [],
            **terms_context(picture),
            **access.context(),
        },
        status=status,
    )


@login_required
def decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record a decision. Going in against a red line needs a written override reason."""
    role = Role.EDITOR if request.method == "POST" else Role.VIEWER
    access = workspace_access(request, slug, role)
    workspace = access.workspace
    partnership = _partnership(workspace, pk)
    picture = appraise(workspace=workspace, partnership=partnership)
    recommendation = picture.recommendation
    latest = picture.latest_decision
    stale = ""
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST, red_line_conflicts=recommendation.red_line_conflicts)
        if form.is_valid():
            try:
                decision = record_decision(
                    workspace=workspace,
                    partnership=partnership,
                    user=request.user,
                    picture=picture,
                    decision=form.save(commit=False),
                    seen_version=seen_version(request.POST.get("appraisal_version")),
                    seen_latest=seen_version(request.POST.get("latest_decision")),
                )
            except StaleVersion as error:
                stale = str(error)
                status = 409
            else:
                messages.success(request, f"Decision recorded: {decision.get_outcome_display()}.")
                return redirect("appraisals:appraisal", slug, pk)
        else:
            status = 400
    else:
        form = DecisionForm(
            initial={
                "decided_on": timezone.localdate(),
                "outcome": None
                if recommendation.outcome == "not_enough"
                else recommendation.outcome,
                "conditions": "\n".join(recommendation.conditions)
                if recommendation.outcome == "go_with_conditions"
                else "",
            },
            red_line_conflicts=recommendation.red_line_conflicts,
        )
    return render(
        request,
        "appraisals/decide.html",
        {
            "partnership": partnership,
            "picture": picture,
            "recommendation": recommendation,
            "form": form,
            "stale": stale,
            "latest": latest,
            "history": history_for(workspace, picture.appraisal)[:30] if picture.appraisal else [],
            **access.context(),
        },
        status=status,
    )


@login_required
def board_paper(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The partnership as a paper for the board: print-friendly, readable on paper."""
    access = workspace_access(request, slug)
    workspace = access.workspace
    partnership = _partnership(workspace, pk)
    picture = appraise(workspace=workspace, partnership=partnership)
    return render(
        request,
        "appraisals/board_paper.html",
        {
            "partnership": partnership,
            "picture": picture,
            "recommendation": picture.recommendation,
            "printed": timezone.localtime(),
            **terms_context(picture),
            "history": history_for(workspace, picture.appraisal)[:30] if picture.appraisal else [],
            **access.context(),
        },
    )


@login_required
def board_summary(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The one-page board summary as a PDF, with the full paper after it unless ?appendix=0."""
    workspace = workspace_access(request, slug).workspace
    partnership = _partnership(workspace, pk)
    pdf = board_summary_pdf(
        request=request,
        workspace=workspace,
        partnership=partnership,
        appendix=request.GET.get("appendix") != "0",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(partnership.name)[:60] or "partnership"
    response["Content-Disposition"] = f'inline; filename="board-summary-{name}.pdf"'
    return response
