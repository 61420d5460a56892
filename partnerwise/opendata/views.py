"""The site admins' page for proposed same-name matches: the page face of `partnerwise match`.

Merging reference organisations changes the directory for every workspace, so only site
admins (staff users) see this page; it calls the same `confirm_match` and `reject_match`
as the command line.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partnerwise.opendata.matches import MergeError, confirm_match, reject_match
from partnerwise.opendata.models import CandidateMatch, MatchStatus

DECIDED_LISTED = 50


def _site_admin(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("Only site admins can decide matches between organisations")


@login_required
def match_list(request: HttpRequest) -> HttpResponse:
    _site_admin(request)
    proposed = CandidateMatch.objects.filter(status=MatchStatus.PROPOSED).select_related(
        "left", "right"
    )
    decided = (
        CandidateMatch.objects.exclude(status=MatchStatus.PROPOSED)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")[:DECIDED_LISTED]
    )
    return render(
        request, "opendata/matches.html", {"proposed": list(proposed), "decided": list(decided)}
    )


@login_required
@require_POST
def match_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _site_admin(request)
    match = get_object_or_404(CandidateMatch, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "confirm":
            survivor = confirm_match(match, user=request.user)
            messages.success(request, f"Match #{pk}: merged into {survivor.name}.")
        elif action == "reject":
            reject_match(match, user=request.user)
            messages.success(request, f"Match #{pk}: rejected, they stay separate.")
        else:
            messages.error(request, f"Match #{pk}: choose confirm or reject.")
    except MergeError as error:
        messages.error(request, f"Match #{pk}: {error}.")
    return redirect("opendata_matches")
