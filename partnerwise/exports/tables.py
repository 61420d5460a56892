"""The workspace's records as tables for spreadsheets: one builder per table, each starting
from the workspace (so another workspace's rows cannot appear) and reading in a fixed number
of queries. Columns are named in plain words; cells are numbers, ISO dates or text.

`write_csv` and `write_xlsx` turn the same `Table` into a file. Text that a spreadsheet would
run as a formula (starting with =, +, - or @) is written as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from partnerwise.assessments.models import Indicator
from partnerwise.organisations.models import Identifier, Organisation
from partnerwise.workspaces.models import Workspace

Cell = str | int | float | Decimal | date | datetime | bool | None


@dataclass(frozen=True)
class Table:
    key: str  # the file name and the sheet's name
    title: str
    columns: tuple[str, ...]
    rows: list[list[Cell]]


def _number(value: Decimal | None) -> int | Decimal | None:
    """Whole amounts as integers (250000, not 250000.00); others keep their decimals."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def _utc(moment: datetime | None) -> datetime | None:
    """Spreadsheets hold no time zone: times are written in UTC (and the column says so)."""
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0) if moment else None


def partnerships(workspace: Workspace) -> Table:
    rows: list[list[Cell]] = []
    items = workspace.partnerships.prefetch_related(
        Prefetch(
            "participations",
            queryset=workspace.participations.select_related("organisation").order_by(
                "role", "organisation__name", "pk"
            ),
        )
    ).order_by("name", "pk")
    for p in items:
        members = list(p.participations.all())
        rows.append(
            [
                p.pk, p.name, p.get_form_display(), p.get_status_display(), p.start_date,
                p.end_date, p.renewal_date, _number(p.value), len(members),
                "; ".join(
                    f"{m.organisation.name} ({m.get_role_display()}"
                    + (f", {_number(m.share)}%" if m.share is not None else "")
                    + ")"
                    for m in members
                ),
                p.services, p.area, _utc(p.created), _utc(p.updated),
            ]
        )  # fmt: skip
    return Table(
        "partnerships",
        "Partnerships",
        (
            "Partnership ID", "Name", "Form", "Status", "Start date", "End date",
            "Renewal date", "Value (£)", "Number of participants", "Participants (role, share)",
            "Services", "Area", "Recorded (UTC)", "Last changed (UTC)",
        ),
        rows,
    )  # fmt: skip


def participants(workspace: Workspace) -> Table:
    rows: list[list[Cell]] = []
    items = workspace.participations.select_related("partnership", "organisation").order_by(
        "partnership__name", "partnership_id", "role", "organisation__name", "pk"
    )
    primary = _primary_identifiers(workspace, items.values("organisation_id"))
    for m in items:
        value = m.partnership.value
        share_value = (
            _number((value * m.share / 100).quantize(Decimal("0.01")))
            if value is not None and m.share is not None
            else None
        )
        rows.append(
            [
                m.partnership_id, m.partnership.name, m.partnership.get_status_display(),
                m.organisation_id, m.organisation.name, primary.get(m.organisation_id, ""),
                m.get_role_display(), _number(m.share), share_value,
            ]
        )  # fmt: skip
    return Table(
        "participants",
        "Participants",
        (
            "Partnership ID", "Partnership", "Status", "Organisation ID", "Organisation",
            "Org-id", "Role", "Share (%)", "Value of share (£)",
        ),
        rows,
    )  # fmt: skip


def organisations(workspace: Workspace) -> Table:
    """Every organisation in our partnerships, with its register facts."""
    ours = workspace.participations.values("organisation_id")
    places: dict[int, list[str]] = {}
    for org_id, partnership, role in workspace.participations.order_by(
        "partnership__name", "pk"
    ).values_list("organisation_id", "partnership__name", "role"):
        places.setdefault(org_id, []).append(f"{partnership} ({role.replace('_', ' ')})")
    items = (
        Organisation.objects.visible_to(workspace)
        .filter(pk__in=ours)
        .prefetch_related(
            Prefetch("identifiers", queryset=Identifier.objects.order_by("-is_primary", "value"))
        )
        .order_by("name", "pk")
    )
    rows: list[list[Cell]] = []
    for org in items:
        rows.append(
            [
                org.pk, org.name, org.get_kind_display(),
                "; ".join(i.value for i in org.identifiers.all()),
                "Our own record" if org.workspace_id else "Public register",
                org.registered_on, "Yes" if org.is_removed else "No", org.removed_on,
                _number(org.latest_income), org.latest_income_year_end,
                {True: "Yes", False: "No", None: ""}[org.is_vcse], org.website,
                len(places.get(org.pk, [])), "; ".join(places.get(org.pk, [])),
            ]
        )  # fmt: skip
    return Table(
        "organisations",
        "Organisations",
        (
            "Organisation ID", "Name", "Kind", "Identifiers", "Source", "Registered on",
            "Removed from its register", "Removed on", "Latest income (£)",
            "Income for the year ending", "Voluntary, community or social enterprise",
            "Website", "Places in our partnerships", "Partnerships (role)",
        ),
        rows,
    )  # fmt: skip


ANSWER_WORDS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
    None: "Don't know",
}


def ratings(workspace: Workspace) -> Table:
    """One row per rater per statement."""
    assessments = list(
        workspace.assessments.select_related("partnership", "subject", "typology")
        .prefetch_related("answers")
        .order_by("partnership__name", "subject__name", "assessed_on", "pk")
    )
    typologies = {a.typology_id for a in assessments}
    statements = {
        (i.typology_id, i.key): i.statement
        for i in Indicator.objects.filter(typology_id__in=typologies).filter(
            Q(workspace__isnull=True) | Q(workspace=workspace)
        )
    }
    rows: list[list[Cell]] = []
    for a in assessments:
        for answer in sorted(a.answers.all(), key=lambda x: x.indicator):
            rows.append(
                [
                    a.pk, a.partnership_id, a.partnership.name, a.subject.name,
                    "Us" if a.subject_id == workspace.organisation_id else "Partner",
                    a.rater_name, a.get_rater_kind_display(), a.assessed_on, a.typology.name,
                    answer.indicator, statements.get((a.typology_id, answer.indicator), ""),
                    answer.rating, ANSWER_WORDS.get(answer.rating, ""), answer.evidence,
                ]
            )  # fmt: skip
    return Table(
        "ratings",
        "Ratings",
        (
            "Rating ID", "Partnership ID", "Partnership", "Organisation rated",
            "Us or a partner", "Rater", "Rater is", "Date", "Typology", "Statement ID",
            "Statement", "Answer (1-5)", "Answer in words", "Evidence",
        ),
        rows,
    )  # fmt: skip


def decisions(workspace: Workspace) -> Table:
    items = workspace.decisions.select_related("partnership", "decided_by").order_by(
        "partnership__name", "recorded_at", "pk"
    )
    rows: list[list[Cell]] = []
    for d in items:
        rows.append(
            [
                d.pk, d.partnership_id, d.partnership.name, d.get_outcome_display(),
                d.decided_on, d.approved_by, d.reasons, d.conditions, d.override_reason,
                d.get_recommendation_display(), "; ".join(str(c) for c in d.red_line_conflicts),
                d.decided_by.get_username() if d.decided_by else "", _utc(d.recorded_at),
            ]
        )  # fmt: skip
    return Table(
        "decisions",
        "Decisions",
        (
            "Decision ID", "Partnership ID", "Partnership", "Decision", "Decided on",
            "Approved by", "Reasons", "Conditions", "Why a red line was overridden",
            "Recommendation at the time", "Red lines in conflict", "Recorded by",
            "Recorded at (UTC)",
        ),
        rows,
    )  # fmt: skip


def _primary_identifiers(workspace: Workspace, organisation_ids: Any) -> dict[int, str]:
    found: dict[int, str] = {}
    for org_id, value in (
        Identifier.objects.filter(organisation_id__in=organisation_ids)
        .filter(Q(workspace__isnull=True) | Q(workspace=workspace))
        .order_by("organisation_id", "-is_primary", "value")
        .values_list("organisation_id", "value")
    ):
        found.setdefault(org_id, value)
    return found


BUILDERS: dict[str, Callable[[Workspace], Table]] = {
    "partnerships": partnerships,
    "participants": participants,
    "organisations": organisations,
    "ratings": ratings,
    "decisions": decisions,
}
TITLES = {
    "partnerships": "Partnerships, with participants, roles, values, status and dates",
    "participants": "Participants: one row per organisation in each partnership",
    "organisations": "Organisations in our partnerships, with their register facts",
    "ratings": "Ratings: one row per rater per statement",
    "decisions": "Decisions, with who approved them and why",
}

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)


def _text_safe(value: str) -> str:
    """A leading apostrophe keeps a spreadsheet from running text as a formula (OWASP's
    advice for CSV injection); numbers are numbers, so a negative one is left alone."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_cell(value: Cell) -> str | int | float | Decimal:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return _text_safe(value)
    return value


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV lines, for a streaming response; the first carries a byte-order mark
    so Excel reads the file as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(tables: Iterable[Table]) -> bytes:
    """A workbook with one sheet per table: a bold header row, dates as dates, numbers as
    numbers, text as text (never as a formula)."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(table.title[:31])
        header = []
        for name in table.columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = BOLD
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(
                    sheet, value=("Yes" if value else "No") if isinstance(value, bool) else value
                )
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, even when it starts with =
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
