"""A workspace's settings: its name, and which organisation it speaks for ("us" in every
partnership), chosen from the directory."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from partnerwise.appraisals.attention import attention_setting
from partnerwise.assessments.models import Typology
from partnerwise.assessments.typologies import choose_typology, default_typology
from partnerwise.opendata.finding import search
from partnerwise.organisations.models import Organisation, set_our_organisation
from partnerwise.workspaces.access import refuse_unless_post, workspace_access
from partnerwise.workspaces.forms import WorkspaceForm
from partnerwise.workspaces.history import history_for, record_change
from partnerwise.workspaces.models import Role


@login_required
def workspace_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The workspace's name and which organisation it speaks for ("us" in every partnership)."""
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    visible = Organisation.objects.visible_to(workspace)
    query = request.GET.get("q", "").strip()
    chosen_id = request.POST.get("organisation") or request.GET.get("organisation") or ""
    if chosen_id and not chosen_id.isdigit():
        raise Http404("No such organisation")
    chosen = get_object_or_404(visible, pk=chosen_id) if chosen_id else None
    chosen = chosen or workspace.organisation
    form = WorkspaceForm(request.POST or None, initial={"name": workspace.name})
    if request.method == "POST" and form.is_valid():
        before: dict[str, object] = {"name": workspace.name, "organisation": workspace.organisation}
        workspace.name = form.cleaned_data["name"]
        with transaction.atomic():
            workspace.save(update_fields=["name"])
            set_our_organisation(workspace, chosen)
            changes: dict[str, tuple[object, object]] = {
                key: (old, getattr(workspace, key))
                for key, old in before.items()
                if old != getattr(workspace, key)
            }
            record_change(
                workspace=workspace,
                user=request.user,
                obj=workspace,
                action="changed the settings",
                changes=changes,
            )
        messages.success(request, "Settings saved.")
        return redirect("workspace_settings", slug)
    return render(
        request,
        "workspaces/settings.html",
        {
            **access.context(),
            "form": form,
            "chosen": chosen,
            "query": query,
            "results": search(workspace, query, limit=25) if query else [],
            "history": history_for(workspace, workspace)[:20],
            "typologies": Typology.objects.visible_to(workspace).order_by("name"),
            "current_typology": default_typology(workspace),
            "attention_setting": attention_setting(workspace),
        },
    )


@login_required
def workspace_typology(request: HttpRequest, slug: str) -> HttpResponse:
    """Which typology the workspace rates partners with."""
    access = workspace_access(request, slug, Role.ADMIN)
    if refused := refuse_unless_post(request):
        return refused
    chosen = request.POST.get("typology", "")
    visible = Typology.objects.visible_to(access.workspace)
    typology = get_object_or_404(visible, pk=chosen) if chosen.isdigit() else None
    if typology is None:
        messages.error(request, "Choose a typology.")
    else:
        choose_typology(workspace=access.workspace, user=access.user, typology=typology)
        messages.success(request, f"Partners are now rated with {typology.name}.")
    return redirect("workspace_settings", slug)
