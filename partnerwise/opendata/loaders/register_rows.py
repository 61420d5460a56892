"""Shape Charity Commission register rows into the tuples the loader stages.

No Django here: these run in the background reader process (readers/background.py) as
well as in the loader's own. Amounts leave as text (both databases read them into NUMERIC
columns), which pickles far faster than `Decimal`; the row hash is taken first, on the
converted values, so it does not depend on the transport.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from typing import Any

from partnerwise.opendata.loaders import row_hash
from partnerwise.opendata.readers import Row
from partnerwise.opendata.readers.ccew import TABLES
from partnerwise.organisations.identifiers import IdentifierError, normalise_company_number

CHARITY_FIELDS = [
    "organisation_number",
    "registered_number",
    "linked_number",
    "name",
    "normalised",
    "charity_type",
    "status",
    "registered_on",
    "removed_on",
    "reporting_status",
    "fin_period_end",
    "latest_income",
    "latest_expenditure",
    "company_number",
    "insolvent",
    "in_administration",
    "website",
    "is_cio",
    "activities",
    "extract_date",
]
# The charity stage: position, the fields above, then these.
CHARITY_EXTRA = ["row_hash", "chc_id", "coh_id", "org_website"]


def child_fields(table: str) -> list[str]:
    """The fields staged for one of the other register tables, in order."""
    fields = [target for target, _ in TABLES[table].columns.values()]
    if table == "charity_other_names":
        fields.append("normalised")
    return fields


def company_org_id(row: Row) -> str | None:
    """The charity's GB-COH org-id, written by the one normaliser every importer uses
    (`R012345` is `GB-COH-R0012345` here as in grant and contract data). A number that is
    no company number gives no identifier, with a warning."""
    number = row.data["company_number"]
    if not number or not number.strip("0 "):
        return None  # the register writes 0 for "no company"
    try:
        return f"GB-COH-{normalise_company_number(number)}"
    except IdentifierError as error:
        row.warnings.append(
            f"{row.file}: company number not usable, no GB-COH identifier\x00"
            f"{row.position}: {error}"
        )
        return None


def website(url: str) -> str:
    if url and "://" not in url:
        return f"http://{url}"
    return url[:500]


def _plain(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(str(v) if type(v) is Decimal else v for v in values)


_pick_charity = itemgetter(*CHARITY_FIELDS)


def charity(row: Row) -> tuple[Any, ...]:
    data = row.data
    values = _pick_charity(data)
    url = data["website"]
    return (
        row.position,
        *_plain(values),
        row_hash(values[:-1]),  # the extract date alone is no change
        f"GB-CHC-{data['registered_number']}",
        company_org_id(row) if data["linked_number"] == 0 else None,
        website(url) if url else "",
    )


def _child(table: str) -> Callable[[Row], tuple[Any, ...]]:
    pick = itemgetter(*child_fields(table))

    def shape(row: Row) -> tuple[Any, ...]:
        values = pick(row.data)
        return (*_plain(values), row_hash(values))

    return shape


def shaper(table: str) -> Callable[[Row], tuple[Any, ...]]:
    """The function that shapes one row of `table` for its stage."""
    return charity if table == "charity" else _child(table)
