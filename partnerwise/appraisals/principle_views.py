"""Values and commitments pages: the workspace's own list, which every appraisal rates a
partnership against (admins add, edit and delete; a red line cannot be waved through)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partnerwise.appraisals.forms import (
    PrincipleForm,
)
from partnerwise.appraisals.models import Principle
from partnerwise.appraisals.suggestions import adopt_suggestions, suggestions
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.history import diff, history_for, record_change
from partnerwise.workspaces.models import Role
from partnerwise.workspaces.versioning import StaleVersion, save_if_current, seen_version

PRINCIPLE_FIELDS = ["kind", "name", "description", "is_red_line", "position"]


@login_required
def principles(request: HttpRequest, slug: str) -> HttpResponse:
    """List values and commitments; admins add new ones here."""
    role = Role.ADMIN if request.method == "POST" else Role.VIEWER
    access = workspace_access(request, slug, role)
    workspace = access.workspace
    form = PrincipleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        principle = form.save(commit=False)
        principle.workspace = workspace
        try:
            with transaction.atomic():
                principle.save()
                record_change(
                    workspace=workspace, user=request.user, obj=principle, action="created"
                )
        except IntegrityError:
            form.add_error("name", "There is already one with this name.")
        else:
            messages.success(request, f"'{principle.name}' added.")
            return redirect("appraisals:principles", slug)
    rows = list(workspace.principles.order_by("kind", "position", "name", "pk"))
    return render(
        request,
        "appraisals/principles.html",
        {
            "form": form,
            "values": [p for p in rows if p.kind == "value"],
            "commitments": [p for p in rows if p.kind == "commitment"],
            "suggestions": suggestions(),
            **access.context(),
        },
        status=400 if form.errors else 200,
    )


def _principle_values(principle: Principle) -> dict[str, object]:
    return {name: getattr(principle, name) for name in PRINCIPLE_FIELDS}


@login_required
def principle_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    principle = get_object_or_404(workspace.principles, pk=pk)
    conflict: Principle | None = None
    status = 200
    form = PrincipleForm(request.POST or None, instance=principle)
    if request.method == "POST" and form.is_valid():
        before = _principle_values(get_object_or_404(workspace.principles, pk=pk))
        after = {name: form.cleaned_data[name] for name in PRINCIPLE_FIELDS}
        try:
            with transaction.atomic():
                save_if_current(
                    workspace.principles,
                    pk=pk,
                    seen=seen_version(request.POST.get("version")),
                    values=after,
                )
                record_change(
                    workspace=workspace,
                    user=request.user,
                    obj=principle,
                    action="edited",
                    changes=diff(before, after),
                )
        except IntegrityError:
            form.add_error("name", "There is already one with this name.")
            status = 400
        except StaleVersion:
            conflict = get_object_or_404(workspace.principles, pk=pk)
            status = 409
        else:
            messages.success(request, "Changes saved.")
            return redirect("appraisals:principles", slug)
    return render(
        request,
        "appraisals/principle_form.html",
        {
            "form": form,
            "principle": principle,
            "version": conflict.version if conflict else principle.version,
            "conflict": conflict,
            "history": history_for(workspace, principle)[:20],
            **access.context(),
        },
        status=400 if form.errors else status,
    )


@login_required
@require_POST
def principles_adopt(request: HttpRequest, slug: str) -> HttpResponse:
    """Add the suggested starting list (skipping names the workspace already has)."""
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    added = adopt_suggestions(workspace=workspace, user=request.user)
    messages.success(
        request,
        f"Added {len(added)} suggested values and commitments. Edit them to make them yours."
        if added
        else "You already have every suggested value and commitment.",
    )
    return redirect("appraisals:principles", slug)


@login_required
@require_POST
def principle_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    principle = get_object_or_404(workspace.principles, pk=pk)
    with transaction.atomic():
        record_change(
            workspace=workspace,
            user=request.user,
            obj=principle,
            action="deleted",
            summary=f"{principle.get_kind_display()} '{principle.name}' and its ratings",
        )
        principle.delete()
    messages.success(request, f"'{principle.name}' deleted, with its ratings.")
    return redirect("appraisals:principles", slug)
