"""Warning signs from the Charity Commission register, for a partner's page and appraisal.

`register_signs(organisation)` reads the register tables the importer keeps (the charity
row, five years of annual-return history, parts A and B, the register of mergers) and
returns each finding with its source and date. It states only what the data says: a year
without figures is left out, not read as nothing; no history, no finances; no part B, no
reserves. A finding that needs two years is made only when both years have figures.

Warning signs: income falling by more than a third in two years; spending above income in
each of the last two years; reserves under three months of spending (or negative); an
annual return or accounts overdue; removed from the register, insolvent or in
administration; a merger in the last three years. Income and spending over five years, and
reserves that are not low, are shown as facts beside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from partnerwise.opendata.mergers import MergerFact, mergers_for
from partnerwise.opendata.models import (
    CharityAccounts,
    CharityAnnualReturn,
    CharityReturnHistory,
    RegisterCharity,
    RegisterTable,
)
from partnerwise.organisations.models import Organisation

REGISTER = "Charity Commission register"
FALL = Decimal(1) / Decimal(3)  # a fall of more than a third is a warning sign
LOW_RESERVES_MONTHS = Decimal(3)
RECENT_MERGER_YEARS = 3


@dataclass(frozen=True)
class Year:
    """One financial year's income and spending, as the register gives it."""

    ending: dt.date
    income: Decimal
    spending: Decimal | None


@dataclass(frozen=True)
class Sign:
    """One finding: `warning` False for a fact shown for context (healthy reserves)."""

    kind: str  # "income_fall", "deficit", "reserves", "overdue", "removed", "insolvent",
    # "administration", "merger"
    warning: bool
    text: str
    source: str  # which register table, and the extract's date
    date: dt.date | None  # the date the finding is about
    question: str = ""  # what to ask the partner, for the appraisal's risks

    @property
    def evidence(self) -> str:
        """The finding as evidence for an appraisal's risks, with its source."""
        ask = f": {self.question}" if self.question else ""
        return f"{self.text} ({self.source}){ask}"


@dataclass(frozen=True)
class RegisterSigns:
    years: list[Year] = field(default_factory=list)  # oldest first, at most five
    years_source: str = ""
    signs: list[Sign] = field(default_factory=list)

    @property
    def warnings(self) -> list[Sign]:
        return [sign for sign in self.signs if sign.warning]

    def __bool__(self) -> bool:
        return bool(self.years or self.signs)


def _pounds(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.0f}"


def _day(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def _source(table: str, label: str, extracts: dict[str, dt.date]) -> str:
    when = extracts.get(table)
    return f"{REGISTER}, {label}" + (f", extract of {_day(when)}" if when else "")


def register_signs(organisation: Organisation, *, today: dt.date | None = None) -> RegisterSigns:
    """What the register says that a partner should weigh (see the module docstring)."""
    return register_signs_for([organisation], today=today).get(organisation.pk, RegisterSigns())


def register_signs_for(
    organisations: Iterable[Organisation], *, today: dt.date | None = None
) -> dict[int, RegisterSigns]:
    """`register_signs` for several organisations in a fixed number of queries (one batch
    per table, however many partners), keyed by organisation id; those the register does not
    know are left out."""
    by_id = {org.pk: org for org in organisations}
    mains: dict[int, RegisterCharity] = {}
    for row in RegisterCharity.objects.filter(
        organisation__in=list(by_id), linked_number=0
    ).order_by("pk"):
        if row.organisation_id is not None:
            mains.setdefault(row.organisation_id, row)
    if not mains:
        return {}
    tables = dict(RegisterTable.objects.values_list("table", "extract_date"))
    numbers = {main.registered_number for main in mains.values()}
    history = _year_rows(CharityReturnHistory, numbers)
    part_a = _year_rows(CharityAnnualReturn, numbers - set(history))
    accounts: dict[int, CharityAccounts] = {}
    for account in CharityAccounts.objects.filter(
        registered_number__in=numbers, reserves__isnull=False, fin_period_end__isnull=False
    ).order_by("registered_number", "-fin_period_end"):
        accounts.setdefault(account.registered_number, account)
    unreturned: dict[int, list[CharityReturnHistory]] = {}
    for due in CharityReturnHistory.objects.filter(
        registered_number__in=numbers,
        return_due__isnull=False,
        return_received__isnull=True,
        accounts_received__isnull=True,
    ).order_by("-return_due"):
        unreturned.setdefault(due.registered_number, []).append(due)
    mergers = mergers_for([by_id[org_id] for org_id in mains])

    result = {}
    for org_id, main in mains.items():
        extracts = dict(tables)
        if main.extract_date:
            extracts.setdefault("charity", main.extract_date)
        # Overdue is judged on the day of the extract: the register is no newer than that.
        as_of = extracts.get("charity") or today or timezone.localdate()
        number = main.registered_number
        if number in history:
            years = history[number]
            years_source = _source(
                "charity_annual_return_history", "annual return history", extracts
            )
        elif number in part_a:
            years = part_a[number]
            years_source = _source("charity_annual_return_parta", "annual return part A", extracts)
        else:
            years, years_source = [], ""
        late = next(
            (r for r in unreturned.get(number, []) if r.return_due and r.return_due < as_of),
            None,
        )
        signs = [
            *_status(main, extracts),
            *_falls(years, years_source),
            *_reserves(accounts.get(number), extracts),
            *_overdue(main, late, as_of, extracts),
            *_mergers(mergers.get(org_id, []), today or timezone.localdate()),
        ]
        result[org_id] = RegisterSigns(years, years_source if years else "", signs)
    return result


def _year_rows(
    model: type[CharityReturnHistory] | type[CharityAnnualReturn], numbers: set[int]
) -> dict[int, list[Year]]:
    """Up to five latest years with an income figure, per charity number, oldest first."""
    if not numbers:
        return {}
    rows = model.objects.filter(
        registered_number__in=numbers, fin_period_end__isnull=False, total_income__isnull=False
    ).values_list("registered_number", "fin_period_end", "total_income", "total_expenditure")
    by_number: dict[int, dict[dt.date, Year]] = {}
    for number, ending, income, spending in rows:
        if ending is not None and income is not None:  # the query asks for both
            by_number.setdefault(number, {})[ending] = Year(ending, income, spending)
    return {
        number: [by_year[ending] for ending in sorted(by_year)][-5:]
        for number, by_year in by_number.items()
    }


def _falls(years: list[Year], source: str) -> list[Sign]:
    signs = []
    if len(years) >= 2:
        latest = years[-1]
        # Two years back where the history has it, else the year before.
        before = years[-3] if len(years) >= 3 else years[-2]
        span = (latest.ending - before.ending).days / 365.25
        if before.income > 0 and (before.income - latest.income) / before.income > FALL:
            fall = (before.income - latest.income) / before.income
            period = "in two years" if span > 1.5 else "in a year"
            signs.append(
                Sign(
                    "income_fall",
                    True,
                    f"Their income fell {fall:.0%} {period}, from {_pounds(before.income)} "
                    f"(year ending {_day(before.ending)}) to {_pounds(latest.income)} (year "
                    f"ending {_day(latest.ending)})",
                    source,
                    latest.ending,
                    "ask how the sub-contract is funded and what changed",
                )
            )
        last_two = years[-2:]
        if all(y.spending is not None and y.spending > y.income for y in last_two):
            detail = "; ".join(
                f"{_pounds(y.spending or Decimal(0))} against {_pounds(y.income)} in the year "
                f"ending {_day(y.ending)}"
                for y in last_two
            )
            signs.append(
                Sign(
                    "deficit",
                    True,
                    f"They spent more than their income in each of the last two years ({detail})",
                    source,
                    last_two[-1].ending,
                    "ask how the gap is covered and for how long it can be",
                )
            )
    return signs


def _reserves(accounts: CharityAccounts | None, extracts: dict[str, dt.date]) -> list[Sign]:
    if accounts is None or accounts.reserves is None or accounts.fin_period_end is None:
        return []
    reserves, spending = accounts.reserves, accounts.total_expenditure
    source = _source("charity_annual_return_partb", "annual return part B", extracts)
    ending = _day(accounts.fin_period_end)
    if spending and spending > 0:
        months = reserves / spending * 12
        low = months < LOW_RESERVES_MONTHS
        text = (
            f"Reserves of {_pounds(reserves)}, about {months:.1f} months of their spending "
            f"(year ending {ending})"
        )
    else:
        low = reserves < 0
        text = f"Reserves of {_pounds(reserves)} (year ending {ending})"
    return [
        Sign(
            "reserves",
            low,
            text,
            source,
            accounts.fin_period_end,
            "ask what would happen if a payment to them were late" if low else "",
        )
    ]


def _overdue(
    main: RegisterCharity,
    late: CharityReturnHistory | None,
    as_of: dt.date,
    extracts: dict[str, dt.date],
) -> list[Sign]:
    signs = []
    status = main.reporting_status.strip()
    if "overdue" in status.lower() or "default" in status.lower():
        signs.append(
            Sign(
                "overdue",
                True,
                f"The register's reporting status is '{status}'",
                _source("charity", "charity table", extracts),
                extracts.get("charity"),
                "ask why their accounts or annual return are late",
            )
        )
    if late is not None and late.return_due is not None and not signs:
        ending = f" for the year ending {_day(late.fin_period_end)}" if late.fin_period_end else ""
        signs.append(
            Sign(
                "overdue",
                True,
                f"The annual return{ending} was due on {_day(late.return_due)} and had not "
                f"been received by {_day(as_of)}",
                _source("charity_annual_return_history", "annual return history", extracts),
                late.return_due,
                "ask why their accounts or annual return are late",
            )
        )
    return signs


def _status(main: RegisterCharity, extracts: dict[str, dt.date]) -> list[Sign]:
    source = _source("charity", "charity table", extracts)
    signs = []
    if main.is_removed:
        when = f" on {_day(main.removed_on)}" if main.removed_on else ""
        signs.append(
            Sign(
                "removed",
                True,
                f"Removed from the register{when}",
                source,
                main.removed_on,
                "ask what body would hold the contract, and under which number",
            )
        )
    if main.insolvent:
        signs.append(
            Sign(
                "insolvent",
                True,
                "The register marks the charity insolvent",
                source,
                extracts.get("charity"),
                "ask whether they can take on the work at all",
            )
        )
    if main.in_administration:
        signs.append(
            Sign(
                "administration",
                True,
                "The register marks the charity in administration",
                source,
                extracts.get("charity"),
                "ask whether they can take on the work at all",
            )
        )
    return signs


def _mergers(facts: list[MergerFact], today: dt.date) -> list[Sign]:
    since = today - dt.timedelta(days=round(365.25 * RECENT_MERGER_YEARS))
    return [
        Sign(
            "merger",
            True,
            str(merger),
            merger.source,
            merger.date,
            "ask how the merger changed who will do the work",
        )
        for merger in facts
        if merger.date is not None and merger.date >= since
    ]
