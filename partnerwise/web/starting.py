"""Creating a workspace from the pages: its name and which organisation we are.

The organisation comes from the shared directory (searched by name, charity or company number
with `opendata.finding.search`) or is recorded privately; `organisations.creating` holds the
rules, which the command line and the API share.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partnerwise.opendata.finding import search
from partnerwise.organisations.creating import WorkspaceError, create_workspace
from partnerwise.organisations.models import Kind, Organisation
from partnerwise.workspaces.access import signed_in
from partnerwise.workspaces.models import Workspace

# The directory is reference data only, so search it as a workspace with no records of its
# own would: an unsaved workspace matches no private organisation.
_NOBODY = Workspace(pk=0, name="", slug="")


class NewWorkspaceForm(forms.Form):
    name = forms.CharField(
        label="Name of the workspace",
        max_length=200,
        help_text="Usually your organisation's name. Colleagues see it when they sign in.",
    )
    organisation = forms.IntegerField(required=False, widget=forms.HiddenInput)
    private_name = forms.CharField(
        label="Your organisation's name",
        max_length=300,
        required=False,
        help_text="Only if you cannot find it above: we record it privately, for this "
        "workspace alone.",
    )
    private_kind = forms.ChoiceField(
        label="What sort of organisation it is",
        choices=Kind.choices,
        initial=Kind.CHARITY,
        required=False,
    )


def _chosen(value: str | None) -> Organisation | None:
    if not value:
        return None
    if not value.isdigit():
        raise Http404("No such organisation")
    found = Organisation.objects.reference().filter(pk=int(value)).first()
    if found is None:
        raise Http404("No such organisation")
    return found


@login_required
def workspace_new(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    query = request.GET.get("q", "").strip()
    chosen = _chosen(request.POST.get("organisation") or request.GET.get("organisation"))
    initial = {"name": chosen.name if chosen else "", "organisation": chosen.pk if chosen else None}
    form = NewWorkspaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if chosen is None and not data["private_name"].strip():
            form.add_error(
                "private_name",
                "Choose your organisation from the search results, or give its name here",
            )
        else:
            try:
                workspace = create_workspace(
                    name=data["name"],
                    admin=user,
                    organisation=chosen,
                    private_name="" if chosen else data["private_name"],
                    private_kind=data["private_kind"] or Kind.CHARITY,
                )
            except WorkspaceError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, f"{workspace.name} is ready. You are its admin.")
                return redirect("workspace_home", workspace.slug)
    return render(
        request,
        "web/workspace_new.html",
        {
            "form": form,
            "chosen": chosen,
            "query": query,
            "results": search(_NOBODY, query, limit=20) if query else [],
        },
    )
