"""The page where a workspace editor says "our private record is this register organisation"
(organisations/linking.py does the move)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from partnerwise.organisations.linking import (
    LinkError,
    find_register_organisation,
    link_to_register,
)
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.models import Role


@login_required
def organisation_link(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Only the workspace's own records can be linked; a register organisation is 404 here."""
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
    private = get_object_or_404(Organisation.objects.filter(workspace=workspace), pk=pk)
    error = ""
    value = request.POST.get("identifier", "")
    status = 200
    if request.method == "POST":
        try:
            register = find_register_organisation(value)
            moved = link_to_register(
                workspace=workspace, private=private, register=register, user=request.user
            )
        except LinkError as problem:
            error, status = str(problem), 400
        else:
            count = sum(moved.values())
            messages.success(
                request,
                f"{private.name} is now {register.name}: {count} of your records moved to it, "
                "and your private record was removed.",
            )
            return redirect("organisation_detail", slug, register.pk)
    return render(
        request,
        "organisations/link.html",
        {"organisation": private, "identifier": value, "error": error, **access.context()},
        status=status,
    )
