"""Marking the terms the playbook suggests for a partnership: asked, agreed, refused, dropped.

The appraisal page and the board paper list the terms with their state (`terms_context`); each
term has its own page, where editors mark it and everyone reads its history. A save made from
an old version is refused (409) with what is saved now beside what the person typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partnerwise.appraisals.appraising import Picture, appraise
from partnerwise.appraisals.forms import TermForm
from partnerwise.appraisals.models import TermState
from partnerwise.appraisals.terms import (
    TermError,
    TermRow,
    mark_term,
    term_rows,
    walk_away_refusals,
)
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.history import history_for
from partnerwise.workspaces.models import Role
from partnerwise.workspaces.versioning import StaleVersion, seen_version


def terms_context(picture: Picture) -> dict[str, Any]:
    """What the terms partial needs: every term with its state, and the refused walk-aways."""
    partnership = picture.partnership
    rows = term_rows(
        workspace=partnership.workspace,
        partnership=partnership,
        terms=picture.recommendation.terms,
    )
    return {"term_rows": rows, "walk_away_refused": walk_away_refusals(rows)}


def _row(rows: list[TermRow], key: str) -> TermRow:
    row = next((row for row in rows if row.key == key), None)
    if row is None:
        raise Http404("No such term for this partnership")
    return row


@login_required
def term(request: HttpRequest, slug: str, pk: int, key: str) -> HttpResponse:
    """One term: what the playbook says, where it stands, its history; editors mark it."""
    role = Role.EDITOR if request.method == "POST" else Role.VIEWER
    access = workspace_access(request, slug, role)
    workspace = access.workspace
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    picture = appraise(workspace=workspace, partnership=partnership, with_decisions=False)
    rows = term_rows(
        workspace=workspace, partnership=partnership, terms=picture.recommendation.terms
    )
    row = _row(rows, key)
    status = 200
    conflict = False
    if request.method == "POST":
        form = TermForm(request.POST)
        if form.is_valid():
            try:
                mark_term(
                    workspace=workspace,
                    partnership=partnership,
                    user=request.user,
                    rows=rows,
                    key=key,
                    state=form.cleaned_data["state"],
                    note=form.cleaned_data["note"],
                    seen_version=seen_version(request.POST.get("version")),
                )
            except TermError as error:
                form.add_error("state" if error.field == "state" else None, error.message)
                status = 400
            except StaleVersion:
                conflict = True
                status = 409
                rows = term_rows(
                    workspace=workspace,
                    partnership=partnership,
                    terms=picture.recommendation.terms,
                )
                row = _row(rows, key)
            else:
                label = TermState(form.cleaned_data["state"]).label.lower()
                messages.success(request, f"'{row.title}' marked as {label}.")
                url = reverse("appraisals:appraisal", args=[slug, pk])
                return redirect(f"{url}#terms-title")
        else:
            status = 400
    else:
        form = TermForm(initial={"state": row.state, "note": row.note})
    return render(
        request,
        "appraisals/term.html",
        {
            "partnership": partnership,
            "row": row,
            "form": form,
            "conflict": conflict,
            "history": history_for(workspace, row.status)[:30] if row.status else [],
            **access.context(),
        },
        status=status,
    )
