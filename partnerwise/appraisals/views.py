"""Appraisal pages: values and commitments, the playbook, the appraisal, decisions, board paper.

Every view starts from `get_workspace_for_user` (outsiders get 404, too-low roles 403) and
every query from the workspace it returns. Saves carry the version the person saw; a save
based on an old version is refused with the current state beside what they typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnerwise.appraisals import playbook as pb
from partnerwise.appraisals.appraising import (
    Picture,
    appraise,
    record_decision,
    save_appraisal,
    workspace_playbook,
)
from partnerwise.appraisals.forms import (
    AppraisalForm,
    DecisionForm,
    PlaybookEntryForm,
    PrincipleForm,
    evidence_field_name,
    score_field_name,
)
from partnerwise.appraisals.models import PlaybookEntry, Principle
from partnerwise.appraisals.suggestions import adopt_suggestions, suggestions
from partnerwise.assessments.summaries import archetype_names
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.history import diff, history_for, record_change
from partnerwise.workspaces.models import Role, Workspace
from partnerwise.workspaces.versioning import StaleVersion, save_if_current, seen_version

PRINCIPLE_FIELDS = ["kind", "name", "description", "is_red_line", "position"]
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


def _partnership(workspace: Workspace, pk: int) -> Partnership:
    return get_object_or_404(workspace.partnerships, pk=pk)


# --- values and commitments -----------------------------------------------------------------


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


# --- the playbook ---------------------------------------------------------------------------


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


# --- the appraisal --------------------------------------------------------------------------


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
            "form": form,
            "version": picture.version,
            "conflict": conflict,
            "history": history_for(workspace, picture.appraisal)[:30] if picture.appraisal else [],
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
                "outcome": recommendation.outcome,
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
            "history": history_for(workspace, picture.appraisal)[:30] if picture.appraisal else [],
            **access.context(),
        },
    )
