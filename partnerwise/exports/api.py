"""The exports in the JSON API: each table as rows of named columns (numbers as numbers,
dates in ISO form), or as the same CSV or XLSX file the pages give."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router, Schema

from partnerwise.exports.tables import BUILDERS, TITLES, Cell
from partnerwise.exports.views import download
from partnerwise.workspaces.access import get_workspace_for_user
from partnerwise.workspaces.models import Role

router = Router(tags=["exports"])


class ExportOut(Schema):
    table: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


def _json(value: Cell) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@router.get("/w/{slug}/exports/{table}", response=ExportOut)
def export_rows(request: HttpRequest, slug: str, table: str) -> dict[str, Any]:
    """One table (partnerships, participants, organisations, ratings or decisions) as rows."""
    workspace = get_workspace_for_user(request, slug, Role.VIEWER)
    if table not in BUILDERS:
        raise Http404(f"No export named {table}; there are {', '.join(BUILDERS)}")
    data = BUILDERS[table](workspace)
    return {
        "table": table,
        "title": TITLES[table],
        "columns": list(data.columns),
        "rows": [[_json(cell) for cell in row] for row in data.rows],
    }


@router.get("/w/{slug}/exports/{table}/file", response=None)
def export_download(
    request: HttpRequest, slug: str, table: str, format: str = "xlsx"
) -> HttpResponseBase:
    """The table as a CSV or XLSX file (`format=csv` or `xlsx`; table `all` gives every table
    in one workbook)."""
    workspace = get_workspace_for_user(request, slug, Role.VIEWER)
    return download(workspace, table, format)
