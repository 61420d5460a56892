"""Playbook pages: the shipped risks and terms with this workspace's edits, disabled entries
and additions (admins edit; the first edit of a shipped entry stores the workspace's copy)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partnerwise.appraisals import playbook as pb
from partnerwise.appraisals.appraising import (
    workspace_playbook,
)
from partnerwise.appraisals.forms import (
    PlaybookEntryForm,
)
from partnerwise.appraisals.models import PlaybookEntry
from partnerwise.assessments.summaries import archetype_names
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.history import diff, history_for, record_change
from partnerwise.workspaces.models import Role, Workspace
from partnerwise.workspaces.versioning import StaleVersion, save_if_current, seen_version

LIST_FIELDS = ("archetypes", "partner_roles", "forms", "our_roles")
ENTRY_FIELDS = [
    "title",
    "kind",
    "severity",
    "text",
    "source",
    "archetypes",
    "partner_roles",
    "forms",
    "our_roles",
    "enabled",
]


@login_required
def playbook(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug)
    workspace = access.workspace
    names = archetype_names(workspace)
    entries = workspace_playbook(workspace)
    return render(
        request,
        "appraisals/playbook.html",
        {
            "entries": entries,
            "names": names,
            "forms": pb.FORM_LABELS,
            "roles": pb.ROLE_LABELS,
            **access.context(),
        },
    )


def _entry_choices(workspace: Workspace) -> list[tuple[str, str]]:
    return list(archetype_names(workspace).items())


def _entry_values(entry: pb.Entry | PlaybookEntry) -> dict[str, object]:
    return {
        name: list(value) if isinstance(value := getattr(entry, name), tuple) else value
        for name in ENTRY_FIELDS
    }


@login_required
def playbook_new(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    form = PlaybookEntryForm(
        request.POST or None, archetypes=_entry_choices(workspace), fixed_key=False
    )
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["key"]
        if key in {entry.id for entry in pb.shipped_playbook()}:
            form.add_error("key", "A shipped entry has this id: edit that entry instead.")
        else:
            entry = form.save(commit=False)
            entry.workspace = workspace
            try:
                with transaction.atomic():
                    entry.save()
                    record_change(workspace=workspace, user=request.user, obj=entry, action="added")
            except IntegrityError:
                form.add_error("key", "This workspace already has an entry with this id.")
            else:
                messages.success(request, f"'{entry.title}' added to the playbook.")
                return redirect("appraisals:playbook", slug)
    return render(
        request,
        "appraisals/playbook_form.html",
        {"form": form, "creating": True, **access.context()},
        status=400 if form.errors else 200,
    )


@login_required
def playbook_entry(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Edit an entry: the first edit of a shipped entry stores the workspace's own copy."""
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    shipped = {entry.id: entry for entry in pb.shipped_playbook()}
    row = workspace.playbookentrys.filter(key=key).first()
    if row is None and key not in shipped:
        raise Http404("No such playbook entry")
    if row is None:
        source = shipped[key]
        instance = PlaybookEntry(workspace=workspace, key=key, version=0, **_entry_values(source))
    else:
        instance = row
    before = _entry_values(instance)
    seen = instance.version
    conflict = False
    form = PlaybookEntryForm(
        request.POST or None,
        instance=instance,
        archetypes=_entry_choices(workspace),
        fixed_key=True,
    )
    if request.method == "POST" and form.is_valid():
        after = {
            name: (
                list(form.cleaned_data[name]) if name in LIST_FIELDS else form.cleaned_data[name]
            )
            for name in ENTRY_FIELDS
        }
        posted = seen_version(request.POST.get("version"))
        try:
            with transaction.atomic():
                if row is None:
                    # A shipped entry's first edit: version 0 is the shipped text.
                    if posted != seen:
                        raise StaleVersion("Someone else saved this entry first.", seen=posted)
                    saved = PlaybookEntry.objects.create(
                        workspace=workspace, key=key, version=1, **after
                    )
                else:
                    save_if_current(workspace.playbookentrys, pk=row.pk, seen=posted, values=after)
                    saved = row
                record_change(
                    workspace=workspace,
                    user=request.user,
                    obj=saved,
                    action="edited",
                    changes=diff(before, after),
                )
        except (IntegrityError, StaleVersion):
            # IntegrityError: two first edits of a shipped entry raced; the loser is stale.
            conflict = True
            current = workspace.playbookentrys.filter(key=key).first()
            seen = current.version if current else 0
        else:
            messages.success(request, "Playbook entry saved.")
            return redirect("appraisals:playbook", slug)
    return render(
        request,
        "appraisals/playbook_form.html",
        {
            "form": form,
            "key": key,
            "is_shipped": key in shipped,
            "version": seen,
            "conflict": conflict,
            "history": history_for(workspace, row)[:20] if row else [],
            **access.context(),
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
@require_POST
def playbook_reset(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Drop the workspace's copy: a shipped entry goes back to the default, an added one goes."""
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    row = get_object_or_404(workspace.playbookentrys, key=key)
    shipped = key in {entry.id for entry in pb.shipped_playbook()}
    with transaction.atomic():
        record_change(
            workspace=workspace,
            user=request.user,
            obj=row,
            action="reset to shipped" if shipped else "deleted",
            summary=row.title,
        )
        row.delete()
    messages.success(
        request, f"'{row.title}' " + ("is back to the shipped text." if shipped else "deleted.")
    )
    return redirect("appraisals:playbook", slug)
