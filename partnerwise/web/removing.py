"""Removing what was recorded by mistake: a confirmation page, then `remove_record`.

Admins only. Each kind says where its records are found (always from the workspace, so another
workspace's records and shared reference data answer 404), what goes with a record, and where
to go afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partnerwise.assessments.models import Assessment
from partnerwise.assessments.rating import RatingError, delete_rating
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.models import Role, Workspace
from partnerwise.workspaces.removing import RemovalError, remove_record


@dataclass(frozen=True)
class Kind:
    label: str
    records: Callable[[Workspace], models.QuerySet[models.Model]]
    goes_with: Callable[[models.Model], str]
    back: Callable[[str, models.Model], str]


def _partnership_goes_with(obj: models.Model) -> str:
    assert isinstance(obj, Partnership)
    return (
        f"Its {obj.participations.count()} places of organisations, "
        f"{obj.assessments.count()} ratings, its appraisal and "
        f"{obj.decisions.count()} recorded decisions go with it. To keep it but take it out "
        "of the active figures, edit it and set its status to Ended or Declined instead."
    )


def _organisation_goes_with(obj: models.Model) -> str:
    assert isinstance(obj, Organisation)
    used = obj.participations.count()
    if used:
        return (
            f"It is in {used} partnership{'s' if used != 1 else ''}: remove it from them "
            "first, or it cannot be deleted."
        )
    return "It is in no partnership."


KINDS: dict[str, Kind] = {
    "partnership": Kind(
        "partnership",
        lambda w: w.partnerships.all(),
        _partnership_goes_with,
        lambda slug, obj: reverse("partnership_list", args=[slug]),
    ),
    "rating": Kind(
        "rating",
        lambda w: w.assessments.select_related("partnership", "subject"),
        lambda obj: "The profile is worked out again from the ratings that remain.",
        lambda slug, obj: reverse(
            "profile",
            args=[slug, obj.partnership_id, obj.subject_id],  # type: ignore[attr-defined]
        ),
    ),
    "decision": Kind(
        "decision",
        lambda w: w.decisions.select_related("partnership"),
        lambda obj: "The decision before it, if any, becomes the current one again.",
        lambda slug, obj: reverse(
            "appraisals:appraisal",
            args=[slug, obj.partnership_id],  # type: ignore[attr-defined]
        ),
    ),
    "organisation": Kind(
        "private organisation",
        # Only the workspace's own records: reference data is never removed.
        lambda w: Organisation.objects.filter(workspace=w),
        _organisation_goes_with,
        lambda slug, obj: reverse("organisation_list", args=[slug]),
    ),
}


@login_required
def remove(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    access = workspace_access(request, slug, Role.ADMIN)
    if kind not in KINDS:
        raise Http404("No such kind of record")
    what = KINDS[kind]
    obj = get_object_or_404(what.records(access.workspace), pk=pk)
    back = what.back(slug, obj)
    error = ""
    if request.method == "POST":
        try:
            if isinstance(obj, Assessment):
                # A rating counts in stored profiles: the rating module removes it and
                # recomputes them in the same transaction.
                delete_rating(workspace=access.workspace, assessment=obj, user=access.user)
            else:
                remove_record(
                    workspace=access.workspace, user=access.user, obj=obj, summary=str(obj)
                )
        except (RemovalError, RatingError) as problem:
            error = str(problem)
        else:
            messages.success(request, f"Deleted the {what.label} “{obj}”.")
            return redirect(back)
    return render(
        request,
        "web/remove.html",
        {
            **access.context(),
            "label": what.label,
            "record": obj,
            "goes_with": what.goes_with(obj),
            "back": back,
            "error": error,
            "action": request.path,
        },
        status=409 if error else 200,
    )
