"""Rating partners (and ourselves) on the instrument, changing a rating, and the profile page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partnerwise.assessments.describing import SCALE_LABELS, describe, verdict_words
from partnerwise.assessments.forms import AssessmentForm
from partnerwise.assessments.models import Assessment, RaterKind
from partnerwise.assessments.profile_charts import profile_charts
from partnerwise.assessments.profiles import can_be_rated
from partnerwise.assessments.rating import (
    RatingError,
    answer_label,
    change_rating,
    colleague_named,
    record_rating,
)
from partnerwise.assessments.typologies import default_typology, engine_typology, statement_for
from partnerwise.opendata.directory import suggested_facts
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.access import signed_in, workspace_access
from partnerwise.workspaces.models import Role, User, Workspace
from partnerwise.workspaces.versioning import StaleVersion, seen_version


def _subject(workspace: Workspace, partnership: Partnership, org_id: int) -> Organisation:
    if not can_be_rated(workspace, partnership, org_id):
        raise Http404("That organisation is not in this partnership")
    return get_object_or_404(Organisation.objects.visible_to(workspace), pk=org_id)


@login_required
def assess(request: HttpRequest, slug: str, pk: int, org_id: int) -> HttpResponse:
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    subject = _subject(workspace, partnership, org_id)
    model = engine_typology(default_typology(workspace), workspace)
    user = signed_in(request)
    user_name = user.get_full_name() or user.get_username()
    form = AssessmentForm(
        request.POST or None,
        indicators=model.indicators,
        initial={"rater_name": user_name},
        suggestions=_suggestions(subject, workspace),
        about_us=subject.pk == workspace.organisation_id,
        ask_on_behalf=True,
    )
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["rater_name"].strip()
        rater: User | None = user
        recorded_by: User | None = None
        if form.cleaned_data.get("on_behalf"):
            # A colleague's paper answers: theirs (by account if they have one, else by name),
            # never a replacement for the answers of the person typing them in.
            rater, recorded_by = colleague_named(workspace, name), user
            if rater == user or name.casefold() == user_name.casefold():
                form.add_error(
                    "rater_name", "Write the name of the colleague whose answers these are"
                )
        elif name.casefold() != user_name.casefold() and colleague_named(workspace, name):
            form.add_error(
                "on_behalf",
                f"{name} is a colleague: tick this to enter their answers on their behalf",
            )
    if request.method == "POST" and form.is_valid():
        try:
            record_rating(
                workspace=workspace,
                partnership=partnership,
                subject=subject,
                answers=form.answers(),
                rater=rater,
                rater_name=name,
                assessed_on=form.cleaned_data["assessed_on"],
                notes=form.cleaned_data.get("notes", ""),
                recorded_by=recorded_by,
            )
        except RatingError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                f"{name}'s answers have been saved, entered by you."
                if recorded_by
                else "Your rating has been saved.",
            )
            return redirect("profile", slug, pk, org_id)
    return render(
        request,
        "assessments/assess.html",
        {
            "partnership": partnership,
            "subject": subject,
            "is_us": subject.pk == workspace.organisation_id,
            "form": form,
            "action": reverse("assess", args=[slug, pk, org_id]),
            **access.context(),
        },
    )


@login_required
def assessment_edit(request: HttpRequest, slug: str, pk: int, assessment_id: int) -> HttpResponse:
    """Change a colleague rating, refusing a save based on answers someone changed since."""
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    assessment = get_object_or_404(
        workspace.assessments.filter(partnership=partnership, rater_kind=RaterKind.COLLEAGUE)
        .select_related("subject", "typology")
        .prefetch_related("answers"),
        pk=assessment_id,
    )
    user = signed_in(request)
    if user.pk not in (assessment.rater_id, assessment.recorded_by_id) and not access.is_admin:
        raise PermissionDenied("Only the person who rated, or an admin, can change these answers")
    model = engine_typology(assessment.typology, workspace)
    about_us = assessment.subject_id == workspace.organisation_id
    statements = {i.id: statement_for(i, about_us=about_us) for i in model.indicators}
    before = {a.indicator: (a.rating, a.evidence) for a in assessment.answers.all()}
    initial: dict[str, Any] = {
        "rater_name": assessment.rater_name,
        "assessed_on": assessment.assessed_on,
        "notes": assessment.notes,
    }
    for key, (rating, evidence) in before.items():
        initial[f"rating_{key}"] = str(rating) if rating is not None else "dk"
        initial[f"evidence_{key}"] = evidence
    form = AssessmentForm(
        request.POST or None, indicators=model.indicators, initial=initial, about_us=about_us
    )
    conflict: list[dict[str, str]] | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        after = form.answers()
        try:
            change_rating(
                workspace=workspace,
                assessment=assessment,
                seen_version=seen_version(request.POST.get("version")),
                answers=after,
                rater_name=form.cleaned_data["rater_name"],
                assessed_on=form.cleaned_data["assessed_on"],
                notes=form.cleaned_data["notes"],
                user=user,
            )
        except RatingError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        except StaleVersion:
            current = Assessment.objects.prefetch_related("answers").get(pk=assessment.pk)
            saved = {a.indicator: (a.rating, a.evidence) for a in current.answers.all()}
            conflict = [
                {
                    "label": statements.get(key, key),
                    "yours": answer_label(after[key]),
                    "current": answer_label(saved.get(key)),
                }
                for key in after
                if saved.get(key, (None, "")) != after[key]
            ]
            assessment = current
            status = 409
        else:
            messages.success(request, "Your changes to the rating have been saved.")
            return redirect("profile", slug, pk, assessment.subject_id)
    return render(
        request,
        "assessments/assess.html",
        {
            "partnership": partnership,
            "subject": assessment.subject,
            "is_us": assessment.subject_id == workspace.organisation_id,
            "form": form,
            "editing": assessment,
            "version": assessment.version,
            "conflict": conflict,
            "action": reverse("assessment_edit", args=[slug, pk, assessment.pk]),
            **access.context(),
        },
        status=status,
    )


def _suggestions(subject: Organisation, workspace: Workspace) -> dict[str, str]:
    """Open-data hints for indicators such as size_gap and gov_prime, in plain words."""
    if subject.pk == workspace.organisation_id:
        return {}
    hints = {}
    for item in suggested_facts(subject, relative_to=workspace.organisation):
        label = SCALE_LABELS.get(str(item.value), "")
        hints[item.indicator_id] = f"{item.reason} That suggests “{label.lower()}”. ({item.source})"
    return hints


# The ratings a profile page lists before "all N ratings" (the drift chart draws them all).
RATINGS_SHOWN = 10


@login_required
def profile(request: HttpRequest, slug: str, pk: int, org_id: int) -> HttpResponse:
    access = workspace_access(request, slug)
    workspace = access.workspace
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    subject = _subject(workspace, partnership, org_id)
    typology = default_typology(workspace)
    model = engine_typology(typology, workspace)
    is_us = subject.pk == workspace.organisation_id
    # The profiles as stored when the ratings last changed: the page computes none.
    stored = {
        row.rater_kind: row
        for row in workspace.storedprofiles.filter(
            partnership=partnership, subject=subject, typology=typology
        )
    }
    ours = stored.get(RaterKind.COLLEAGUE)
    theirs = stored.get(RaterKind.PARTNER) if is_us else None
    # The latest ratings, and all of them on asking: a partner rated by many colleagues
    # over the years has more than a page should list at once.
    rated = workspace.assessments.filter(partnership=partnership, subject=subject)
    show_all = request.GET.get("ratings") == "all"
    assessments = list(
        rated.select_related("recorded_by").order_by("-assessed_on", "-pk")[
            : None if show_all else RATINGS_SHOWN + 1
        ]
    )
    ratings_count = len(assessments)
    if not show_all and ratings_count > RATINGS_SHOWN:
        assessments = assessments[:RATINGS_SHOWN]
        ratings_count = rated.count()
    names = {a.id: a.name for a in model.archetypes}
    # The drift is read from the profiles stored after each rating, not recomputed, and of
    # each only what the table and the chart show (its fits are kept beside its summary).
    points = list(
        workspace.profilepoints.filter(
            partnership=partnership,
            subject=subject,
            typology=typology,
            rater_kind=RaterKind.COLLEAGUE,
        ).only("assessment_id", "assessed_on", "verdict", "best", "leading", "fits")
    )
    # The ratings table says what each colleague's rating made of the profile: the history
    # and the list of ratings are one table, a row a rating.
    after = {point.assessment_id: verdict_words(point, names) for point in points}
    for item in assessments:
        item.profile_after = after.get(item.pk, "")  # type: ignore[attr-defined]
    charts = profile_charts(
        typology=typology, model=model, is_us=is_us, ours=ours, theirs=theirs, points=points
    )
    # Who rated and who changed a rating, for the ratings on this page.
    changes = workspace.changerecords.filter(
        content_type=ContentType.objects.get_for_model(Assessment),
        object_id__in=[a.pk for a in assessments],
    ).select_related("user", "content_type")[:30]
    return render(
        request,
        "assessments/profile.html",
        {
            "partnership": partnership,
            "subject": subject,
            "is_us": is_us,
            "ours": describe(ours, model, about_us=is_us) if ours is not None else None,
            "theirs": describe(theirs, model) if theirs and theirs.raters else None,
            "assessments": assessments,
            "ratings_count": ratings_count,
            "user_id": signed_in(request).pk,
            "history": changes,
            **charts,
            **access.context(),
        },
    )
