"""Downloads of the workspace's records as CSV or XLSX, for anyone who can see them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from partnerwise.exports.tables import BUILDERS, TITLES, Table, csv_lines, write_xlsx
from partnerwise.workspaces.access import workspace_access
from partnerwise.workspaces.models import Role, Workspace

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug, Role.VIEWER)
    return render(request, "exports/index.html", {"tables": TITLES.items(), **access.context()})


@login_required
def export_file(request: HttpRequest, slug: str, table: str, fmt: str) -> HttpResponseBase:
    workspace = workspace_access(request, slug, Role.VIEWER).workspace
    return download(workspace, table, fmt)


def download(workspace: Workspace, table: str, fmt: str) -> HttpResponseBase:
    """The file for one table (or `all`, XLSX only: every table, a sheet each). Shared by the
    page and the API, which have already checked access."""
    if fmt not in ("csv", "xlsx") or (table not in BUILDERS and table != "all"):
        raise Http404("No such export")
    if table == "all" and fmt == "csv":
        raise Http404("CSV holds one table: download each, or all as XLSX")
    stamp = timezone.localdate().isoformat()
    name = f"{workspace.slug}-{table}-{stamp}.{fmt}"
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_lines(BUILDERS[table](workspace)), content_type="text/csv; charset=utf-8"
        )
    else:
        tables: list[Table] = (
            [build(workspace) for build in BUILDERS.values()]
            if table == "all"
            else [BUILDERS[table](workspace)]
        )
        response = HttpResponse(write_xlsx(tables), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
