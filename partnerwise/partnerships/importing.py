"""Bringing in a workspace's existing partner list from a spreadsheet (CSV or XLSX).

file → `read_plan` (reads every row, names each problem by line and column, and proposes a
directory match for every organisation) → a person reviews the matches → `save_plan` (one
transaction: private organisations, partnerships, participants, history). Nothing is saved
until `save_plan`, and a plan with problems cannot be saved.

One row is one partner in one partnership; rows with the same partnership name make one
partnership with several partners, so its own columns (form, status, value, dates) must agree.
A `Plan` is plain data (`as_data`/`from_data`) so the pages can keep it between upload and
confirmation without writing to the database.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from partnerwise.opendata.finding import search
from partnerwise.organisations.models import Organisation
from partnerwise.organisations.recording import RecordingError, record_organisation
from partnerwise.partnerships.models import Form, Participation, Partnership, Role, Status
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import User, Workspace

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
CANDIDATES = 5
PRIVATE = "private"

# Each column, the headings people give it (compared lower-case, spaces and punctuation
# squeezed), and whether a row needs it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("organisation", "organisation name", "partner", "partner name", "name"),
    "identifier": (
        "identifier",
        "org id",
        "organisation identifier",
        "charity number",
        "company number",
        "registration number",
        "number",
    ),
    "partnership": ("partnership", "partnership name", "contract", "project"),
    "form": ("form", "type", "partnership form"),
    "status": ("status", "stage"),
    "role": ("role", "their role", "partner role"),
    "our_role": ("our role",),
    "share": ("share", "their share", "share of value"),
    "value": ("value", "value £", "total value", "amount"),
    "start_date": ("start", "start date", "starts"),
    "end_date": ("end", "end date", "ends"),
    "renewal_date": ("renewal", "renewal date", "retender date", "re tender date"),
}
LABELS = {
    "organisation": "Organisation",
    "identifier": "Identifier",
    "partnership": "Partnership",
    "form": "Form",
    "status": "Status",
    "role": "Role",
    "our_role": "Our role",
    "share": "Share",
    "value": "Value",
    "start_date": "Start date",
    "end_date": "End date",
    "renewal_date": "Renewal date",
}
# A partner list is of partnerships already under way, so an empty status means active.
DEFAULTS = {"form": Form.OTHER, "status": Status.ACTIVE, "role": Role.MEMBER}
PARTNERSHIP_COLUMNS = ("form", "status", "value", "start_date", "end_date", "renewal_date")


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (not CSV or XLSX, too big, no heading row)."""


@dataclass
class Problem:
    line: int
    column: str
    message: str


@dataclass
class Row:
    line: int
    organisation: str
    identifier: str
    partnership: str
    form: str
    status: str
    role: str
    our_role: str
    share: str | None
    value: str | None
    start_date: str | None
    end_date: str | None
    renewal_date: str | None

    @property
    def key(self) -> str:
        return organisation_key(self.organisation, self.identifier)


@dataclass
class Match:
    """One organisation named in the file, and the directory's candidates for it."""

    key: str
    name: str
    identifier: str
    lines: list[int]
    candidates: list[tuple[int, str, str]]  # (organisation id, name, primary identifier)
    proposed: str  # an organisation id, or PRIVATE
    reason: str


@dataclass
class Plan:
    filename: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    already_recorded: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Plan:
        return cls(
            filename=data["filename"],
            rows=[Row(**row) for row in data["rows"]],
            problems=[Problem(**problem) for problem in data["problems"]],
            matches=[
                Match(**{**m, "candidates": [tuple(c) for c in m["candidates"]]})
                for m in data["matches"]
            ],
            already_recorded=list(data["already_recorded"]),
        )

    @property
    def partnership_count(self) -> int:
        return len({_squeeze(row.partnership) for row in self.rows} - set(self._skipped()))

    def _skipped(self) -> list[str]:
        return [_squeeze(name) for name in self.already_recorded]


def _squeeze(text: str) -> str:
    return re.sub(r"[^a-z0-9£]+", " ", text.lower()).strip()


def organisation_key(name: str, identifier: str) -> str:
    return f"{_squeeze(identifier)}|{_squeeze(name)}" if identifier else f"|{_squeeze(name)}"


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _table(filename: str, content: bytes) -> Iterator[list[Any]]:
    if len(content) > MAX_BYTES:
        raise UnreadableFile(
            "The file is bigger than 5 MB: split it, or keep only the columns needed"
        )
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook  # only when an Excel file comes in

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise UnreadableFile(
                f"This is not an Excel (.xlsx) file we can read: {error}"
            ) from error
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
        book.close()
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    if "\x00" in text:
        raise UnreadableFile("This is not a CSV or Excel (.xlsx) file")
    yield from csv.reader(io.StringIO(text))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice(text: str, choices: Any, column: str) -> str:
    wanted = _squeeze(text)
    for value, label in choices.choices:
        if wanted in {_squeeze(value), _squeeze(label)} or _squeeze(label).startswith(wanted + " "):
            return str(value)
    names = ", ".join(label for _, label in choices.choices)
    raise ValueError(f"“{text}” is not a {LABELS[column].lower()} we know; use one of: {names}")


def _date(text: str) -> str:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date; write it as 31/03/2027 or 2027-03-31")


def _money(text: str, *, upper: Decimal | None = None) -> str:
    cleaned = text.replace("£", "").replace(",", "").replace("%", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a number") from None
    if number < 0:
        raise ValueError("It cannot be negative")
    if upper is not None and number > upper:
        raise ValueError(f"It cannot be more than {upper}")
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValueError(f"“{text}” is too big")
    return str(number.quantize(Decimal("0.01")))


def _columns(heading: Sequence[Any], problems: list[Problem]) -> dict[str, int]:
    known = {_squeeze(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(heading):
        name = known.get(_squeeze(_cell(cell)))
        if name and name not in found:
            found[name] = index
    for needed in ("organisation", "partnership"):
        if needed not in found and not (needed == "organisation" and "identifier" in found):
            problems.append(
                Problem(1, LABELS[needed], f"No “{LABELS[needed]}” column in the heading row")
            )
    return found


def _read_row(
    line: int, cells: list[Any], columns: dict[str, int], problems: list[Problem]
) -> Row | None:
    values = {
        name: _cell(cells[index]) if index < len(cells) else "" for name, index in columns.items()
    }
    bad = len(problems)

    def fail(column: str, message: str) -> None:
        letter = _letter(columns[column]) if column in columns else ""
        problems.append(
            Problem(line, f"{LABELS[column]} ({letter})" if letter else LABELS[column], message)
        )

    if not values.get("organisation") and not values.get("identifier"):
        fail("organisation", "Give the organisation's name or identifier")
    if not values.get("partnership"):
        fail("partnership", "Give the partnership's name")
    parsed: dict[str, str | None] = {}
    for column, choices in (("form", Form), ("status", Status), ("role", Role), ("our_role", Role)):
        text = values.get(column, "")
        try:
            parsed[column] = _choice(text, choices, column) if text else DEFAULTS.get(column, "")
        except ValueError as error:
            fail(column, str(error))
    for column in ("start_date", "end_date", "renewal_date"):
        text = values.get(column, "")
        try:
            parsed[column] = _date(text) if text else None
        except ValueError as error:
            fail(column, str(error))
    for column, upper in (("value", None), ("share", Decimal(100))):
        text = values.get(column, "")
        try:
            parsed[column] = _money(text, upper=upper) if text else None
        except ValueError as error:
            fail(column, str(error))
    start, end = parsed.get("start_date"), parsed.get("end_date")
    if start and end and end < start:
        fail("end_date", "The end date is before the start date")
    if len(problems) > bad:
        return None
    return Row(
        line=line,
        organisation=values.get("organisation", ""),
        identifier=values.get("identifier", ""),
        partnership=values["partnership"],
        form=str(parsed["form"]),
        status=str(parsed["status"]),
        role=str(parsed["role"]),
        our_role=str(parsed.get("our_role") or ""),
        share=parsed.get("share"),
        value=parsed.get("value"),
        start_date=parsed.get("start_date"),
        end_date=parsed.get("end_date"),
        renewal_date=parsed.get("renewal_date"),
    )


def _agree(rows: list[Row], problems: list[Problem]) -> None:
    """Rows of one partnership must agree on its own columns, and not repeat a partner."""
    first: dict[str, Row] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        name = _squeeze(row.partnership)
        earlier = first.setdefault(name, row)
        for column in PARTNERSHIP_COLUMNS:
            if getattr(row, column) != getattr(earlier, column):
                problems.append(
                    Problem(
                        row.line,
                        LABELS[column],
                        f"Differs from line {earlier.line} for the same partnership "
                        f"({getattr(earlier, column) or 'empty'})",
                    )
                )
        repeat = (name, row.key, row.role)
        if repeat in seen:
            problems.append(
                Problem(row.line, LABELS["organisation"], f"Repeats line {seen[repeat]}")
            )
        seen.setdefault(repeat, row.line)


def _match(workspace: Workspace, rows: list[Row]) -> list[Match]:
    matches: dict[str, Match] = {}
    for row in rows:
        if row.key in matches:
            matches[row.key].lines.append(row.line)
            continue
        query = row.identifier or row.organisation
        found = search(workspace, query, limit=CANDIDATES) if query else []
        if not found and row.identifier and row.organisation:
            found = search(workspace, row.organisation, limit=CANDIDATES)
        candidates = [(org.pk, org.name, org.primary_identifier()) for org in found]
        proposed, reason = PRIVATE, "Nothing in the directory has this name or number"
        if row.identifier and found and query == row.identifier:
            proposed, reason = str(found[0].pk), "Found by its number"
        elif found:
            same = [org for org in found if _squeeze(org.name) == _squeeze(row.organisation)]
            if same:
                proposed, reason = str(same[0].pk), "Same name in the directory"
            else:
                reason = "Similar names in the directory: check, or record it privately"
        matches[row.key] = Match(
            key=row.key,
            name=row.organisation or row.identifier,
            identifier=row.identifier,
            lines=[row.line],
            candidates=candidates,
            proposed=proposed,
            reason=reason,
        )
    return list(matches.values())


def read_plan(*, workspace: Workspace, filename: str, content: bytes) -> Plan:
    """Every row read and checked, and a proposed match for each organisation. Saves nothing.

    Raises UnreadableFile when the file as a whole cannot be read."""
    plan = Plan(filename=filename)
    table = _table(filename, content)
    try:
        heading = next(table, None)
        if heading is None or not any(_cell(c) for c in heading):
            raise UnreadableFile("The file is empty: the first row should name the columns")
        columns = _columns(heading, plan.problems)
        if plan.problems:
            return plan
        for line, cells in enumerate(table, start=2):
            if not any(_cell(c) for c in cells):
                continue
            if len(plan.rows) + len(plan.problems) >= MAX_ROWS:
                raise UnreadableFile(f"More than {MAX_ROWS:,} rows: split the file")
            row = _read_row(line, cells, columns, plan.problems)
            if row:
                plan.rows.append(row)
    except csv.Error as error:
        raise UnreadableFile(f"This CSV file cannot be read: {error}") from error
    if not plan.rows and not plan.problems:
        raise UnreadableFile("The file has a heading row but no partnerships")
    _agree(plan.rows, plan.problems)
    names = {_squeeze(row.partnership): row.partnership for row in plan.rows}
    existing = workspace.partnerships.values_list("name", flat=True)
    plan.already_recorded = sorted(
        names[_squeeze(name)] for name in existing if _squeeze(name) in names
    )
    if not plan.problems:
        plan.matches = _match(workspace, plan.rows)
    return plan


@dataclass
class Imported:
    partnerships: int
    participants: int
    private_organisations: int
    skipped: list[str]


def save_plan(*, workspace: Workspace, user: User, plan: Plan, choices: dict[str, str]) -> Imported:
    """Save the plan in one transaction, with each organisation as chosen: an id from the
    directory (or the workspace's own records), or PRIVATE to record it for this workspace.

    Raises ValueError naming the organisation whose choice is missing or not allowed."""
    if plan.problems:
        raise ValueError("The file has problems: correct them and upload it again")
    visible = Organisation.objects.visible_to(workspace)
    skipped = set(plan._skipped())
    with transaction.atomic():
        chosen: dict[str, Organisation] = {}
        made = 0
        for match in plan.matches:
            choice = choices.get(match.key, "")
            if choice == PRIVATE:
                try:
                    chosen[match.key] = record_organisation(
                        workspace=workspace,
                        user=user,
                        name=match.name,
                        identifiers=[match.identifier] if "-" in match.identifier else [],
                    )
                except RecordingError as error:
                    raise ValueError(f"{match.name}: {error}") from error
                made += 1
            elif choice.isdigit() and (found := visible.filter(pk=int(choice)).first()):
                chosen[match.key] = found
            else:
                raise ValueError(f"Choose a match for {match.name}, or record it privately")
        partnerships: dict[str, Partnership] = {}
        participants = 0
        us = workspace.organisation
        for row in plan.rows:
            name = _squeeze(row.partnership)
            if name in skipped:
                continue
            partnership = partnerships.get(name)
            if partnership is None:
                partnership = Partnership.objects.create(
                    workspace=workspace,
                    name=row.partnership,
                    form=row.form,
                    status=row.status,
                    value=Decimal(row.value) if row.value else None,
                    start_date=date.fromisoformat(row.start_date) if row.start_date else None,
                    end_date=date.fromisoformat(row.end_date) if row.end_date else None,
                    renewal_date=date.fromisoformat(row.renewal_date) if row.renewal_date else None,
                    created_by=user,
                )
                partnerships[name] = partnership
                record_change(
                    workspace=workspace,
                    user=user,
                    obj=partnership,
                    action="imported",
                    summary=f"from {plan.filename}, line {row.line}",
                )
            _, created = Participation.objects.get_or_create(
                workspace=workspace,
                partnership=partnership,
                organisation=chosen[row.key],
                role=row.role,
                defaults={"share": Decimal(row.share) if row.share else None},
            )
            participants += created
            if us is not None and row.our_role:
                _, created = Participation.objects.get_or_create(
                    workspace=workspace, partnership=partnership, organisation=us, role=row.our_role
                )
                participants += created
    return Imported(
        partnerships=len(partnerships),
        participants=participants,
        private_organisations=made,
        skipped=list(plan.already_recorded),
    )
