"""Importing a partner list: upload, review the matches, confirm (rules in `importing`).

Between upload and confirmation the plan waits in the reader's session, not the database, so
nothing is saved until a person has confirmed every match.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partnerwise.partnerships import importing
from partnerwise.partnerships.models import Form, Role, Status
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.models import Role as MemberRole


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Your partner list",
        help_text="A CSV file, or an Excel workbook (.xlsx: the first sheet is read).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def _session_key(slug: str) -> str:
    return f"partner-import:{slug}"


@login_required
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug, MemberRole.EDITOR)
    form = UploadForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = importing.read_plan(
                workspace=access.workspace,
                filename=upload.name,
                content=upload.read(importing.MAX_BYTES + 1),
            )
        except importing.UnreadableFile as error:
            form.add_error("file", str(error))
        else:
            if not plan.problems:
                request.session[_session_key(slug)] = plan.as_data()
                return redirect("partnership_import_review", slug)
    return render(
        request,
        "partnerships/import_upload.html",
        {
            **access.context(),
            "form": form,
            "plan": plan,
            "columns": importing.LABELS.values(),
            "forms": Form.choices,
            "statuses": Status.choices,
            "roles": Role.choices,
        },
    )


@login_required
def import_review(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug, MemberRole.EDITOR)
    data = request.session.get(_session_key(slug))
    if not data:
        messages.info(request, "Upload your partner list first.")
        return redirect("partnership_import", slug)
    plan = importing.Plan.from_data(data)
    error = ""
    choices = {match.key: match.proposed for match in plan.matches}
    if request.method == "POST":
        choices = {
            match.key: request.POST.get(f"match-{i}", "") for i, match in enumerate(plan.matches)
        }
        try:
            done = importing.save_plan(
                workspace=access.workspace, user=access.user, plan=plan, choices=choices
            )
        except ValueError as problem:
            error = str(problem)
        else:
            del request.session[_session_key(slug)]
            skipped = (
                f" Skipped, already recorded: {', '.join(done.skipped)}." if done.skipped else ""
            )
            messages.success(
                request,
                f"Imported {done.partnerships} partnerships with {done.participants} partners "
                f"({done.private_organisations} recorded privately).{skipped}",
            )
            return redirect("partnership_list", slug)
    grouped: dict[str, list[importing.Row]] = {}
    for row in plan.rows:
        grouped.setdefault(row.partnership, []).append(row)
    forms_, statuses, roles = dict(Form.choices), dict(Status.choices), dict(Role.choices)
    partnerships = [
        {
            "name": name,
            "form": forms_[rows[0].form],
            "status": statuses[rows[0].status],
            "value": rows[0].value,
            "partners": "; ".join(
                f"{row.organisation or row.identifier} ({roles[row.role]})" for row in rows
            ),
        }
        for name, rows in grouped.items()
    ]
    return render(
        request,
        "partnerships/import_review.html",
        {
            **access.context(),
            "plan": plan,
            "matches": [
                (i, match, choices.get(match.key, "")) for i, match in enumerate(plan.matches)
            ],
            "partnerships": partnerships,
            "error": error,
            "private": importing.PRIVATE,
        },
    )
