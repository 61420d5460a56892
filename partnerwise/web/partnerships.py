"""A partnership's page: its organisations with their profiles, how partners see us, the
appraisal and decision in brief, rating invitations and history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from partnerwise import charts
from partnerwise.appraisals.appraising import appraise, changed_since_decision
from partnerwise.assessments.models import RaterKind, StoredProfile
from partnerwise.assessments.summaries import archetype_names, latest_profiles, verdict_label
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.charts.adapters import gaps_of
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.history import history_for
from partnerwise.workspaces.models import Workspace


@login_required
def partnership_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = workspace_access(request, slug)
    workspace = access.workspace
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
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
    summary = appraise(workspace=workspace, partnership=partnership)
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
            "gap_chart": _gap_chart(workspace, self_profile, partner_view),
            "partner_verdict": verdict_label(partner_view, names) if partner_view else "",
            "names": names,
            "invitations": partnership.rating_invitations.select_related("rater_organisation"),
            "history": history_for(workspace, partnership)[:20],
            "summary": summary,
            "changed": changed_since_decision(summary),
            "now": timezone.now(),
            **access.context(),
        },
    )


def _gap_chart(
    workspace: Workspace, ours: StoredProfile | None, theirs: StoredProfile | None
) -> charts.Chart | None:
    """How partners see us beside how we see ourselves, statement by statement."""
    if theirs is None or not theirs.raters:
        return None
    model = engine_typology(default_typology(workspace), workspace)
    statements = {i.id: i.self_statement for i in model.indicators}
    return charts.self_vs_partners(gaps_of(ours, theirs, statements))
