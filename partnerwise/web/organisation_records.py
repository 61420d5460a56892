"""An organisation's grants and contracts from open data: counts and the latest few for its
page, and every one a page at a time on their own pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from partnerwise.opendata.models import Award, Grant
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.access import workspace_access

PAGE_SIZE = 50


# Grants and awards a newer version of their file no longer lists are kept, but are no longer
# current: they are neither counted nor shown, as the relationships above them are not.
def _grants(organisation: Organisation) -> Any:
    return Grant.objects.filter(
        Q(recipient=organisation) | Q(funder=organisation), in_latest_file=True
    )


def _awards(organisation: Organisation) -> Any:
    return Award.objects.filter(
        Q(supplier=organisation) | Q(buyer=organisation), in_latest_file=True
    )


def open_data_summary(organisation: Organisation, *, latest: int) -> dict[str, Any]:
    """How many grants and contracts the organisation gave and got, and the latest of each."""
    return {
        "grants_received": organisation.grants_received.filter(in_latest_file=True).count(),
        "grants_made": organisation.grants_made.filter(in_latest_file=True).count(),
        "awards_won": organisation.awards_won.filter(in_latest_file=True).count(),
        "awards_made": organisation.awards_made.filter(in_latest_file=True).count(),
        "latest_grants": list(
            _grants(organisation)
            .select_related("funder", "recipient")
            .order_by("-award_date", "grant_id")[:latest]
        ),
        "latest_awards": list(
            _awards(organisation)
            .select_related("buyer", "supplier")
            .order_by("-award_date", "key")[:latest]
        ),
    }


def _records_page(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    access = workspace_access(request, slug)
    organisation = get_object_or_404(Organisation.objects.visible_to(access.workspace), pk=pk)
    if kind == "grants":
        rows = (
            _grants(organisation)
            .select_related("funder", "recipient")
            .order_by("-award_date", "grant_id")
        )
    else:
        rows = (
            _awards(organisation).select_related("buyer", "supplier").order_by("-award_date", "key")
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/records.html",
        {
            "organisation": organisation,
            "kind": kind,
            "page": page,
            "query": "",
            **access.context(),
        },
    )


@login_required
def organisation_grants(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _records_page(request, slug, pk, "grants")


@login_required
def organisation_contracts(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _records_page(request, slug, pk, "contracts")
