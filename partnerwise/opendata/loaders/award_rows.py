"""Shape OCDS contract awards into staging records where they are read (see shaping.py).

One record per supplier per award, keyed `ocid/award id/supplier party id`; cancelled and
unsuccessful awards are not relationships and are left out (counted). Suppliers and buyers
are found by their org-id (`identifier`, `additionalIdentifiers`, or a party id that is an
org-id such as Contracts Finder's GB-CFS-…); a party with none of these is known by its
normalised name within OCDS data only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from partnerwise.opendata.loaders.shaping import (
    GOVERNMENT,
    OTHER,
    Handles,
    OrgRef,
    Party,
    Shaped,
    Warned,
    Warnings,
    Warns,
    as_text,
    name_key,
    org_id,
    passing,
)
from partnerwise.opendata.readers import (
    BadRecord,
    FieldError,
    Note,
    Row,
    content_key,
    to_decimal,
)

_ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z]{2,}-")
_UK_COUNTRY = {"united kingdom", "uk", "gb", "gbr", "england", "scotland", "wales",
               "northern ireland", "great britain"}  # fmt: skip
# Contracts Finder and Find a Tender: every buyer they publish is a UK buyer.
_UK_OCID_PREFIXES = ("ocds-b5fd17", "ocds-h6vhtk")
_SKIP_STATUS = {"cancelled", "unsuccessful"}
# Central government buyers: the GB-GOR register, or a department's usual name.
_CENTRAL = re.compile(
    r"^(ministry of|department (for|of)|cabinet office|home office|hm |his majesty|"
    r"her majesty|foreign, commonwealth|crown commercial service|ministry for)",
    re.IGNORECASE,
)
NO_AWARDS = "releases without awards (tenders, plans)"
LEFT_OUT = "awards cancelled or unsuccessful (left out)"
# Where the value and the release date are among a record's values after the organisations.
VALUE, RELEASE_DATE = 2, 7


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _date(value: Any) -> str | None:
    # The reader has checked every date the loader reads (readers/ocds.py).
    return value if isinstance(value, str) and value else None


def _amount(value: Any, *, checked: bool = False) -> Decimal | None:
    """The amount of a value object; `checked`: one the reader has checked and made a
    `Decimal` (readers/ocds.py), taken as it is."""
    amount = _dict(value).get("amount")
    if amount is None or isinstance(amount, bool):
        return None
    if checked and type(amount) is Decimal:
        return amount
    try:
        return to_decimal(amount)
    except FieldError:
        return None  # a non-standard field (bluetail's x_awardValue) the reader left alone


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _party_ref(party: dict[str, Any], report: Warns, file: str, position: str) -> OrgRef:
    ids: list[str] = []
    for identifier in [
        _dict(party.get("identifier")),
        *map(_dict, _list(party.get("additionalIdentifiers"))),
    ]:
        scheme, local = identifier.get("scheme"), identifier.get("id")
        if isinstance(scheme, str) and scheme and local not in (None, ""):
            value = org_id(f"{scheme}-{local}", report, file, position)
            if value:
                ids.append(value)
    party_id = party.get("id")
    if isinstance(party_id, str) and _ORG_ID.match(party_id):
        value = org_id(party_id, report, file, position)
        if value:
            ids.append(value)
    name = str(party.get("name") or _dict(party.get("identifier")).get("legalName") or "")
    details = _dict(party.get("details"))
    vcse = _flag(details.get("vcse"))
    if vcse is None:
        vcse = _flag(party.get("vco"))
    return OrgRef(name, tuple(ids), OTHER, is_vcse=vcse, source_key=None if ids else name_key(name))


def _is_uk(ref: OrgRef, party: dict[str, Any], uk_publisher: bool) -> bool:
    """A UK buyer: a UK org-id, a UK address, or a UK publisher's release."""
    if any(v.startswith(("GB-", "XI-")) for v in ref.identifiers):
        return True
    country = str(_dict(party.get("address")).get("countryName") or "").strip().lower()
    return country in _UK_COUNTRY or uk_publisher


def _is_central(ref: OrgRef, party: dict[str, Any], uk_publisher: bool) -> bool:
    """UK central government: the GB-GOR register, or a UK buyer with a department's name
    (another country's "Ministry of ..." is not UK central government)."""
    if any(v.startswith("GB-GOR-") for v in ref.identifiers):
        return True
    return bool(_CENTRAL.match(ref.name)) and _is_uk(ref, party, uk_publisher)


def _supplier_key(party: dict[str, Any], index: int) -> str:
    """What tells one supplier of an award from another: its party id (OCDS 1.1), else its
    identifier or name (OCDS 1.0 names suppliers inline, without ids)."""
    if party.get("id") not in (None, ""):
        return str(party["id"])
    identifier = _dict(party.get("identifier"))
    if identifier.get("id") not in (None, "", "null"):
        return f"{identifier.get('scheme') or ''}-{identifier['id']}"
    return str(party.get("name") or index)


def _buyer(release: dict[str, Any], parties: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The buyer party: by reference (1.1), by role, inline (1.0), else the procuring
    entity (some 1.0 publishers name only that)."""
    inline = _dict(release.get("buyer"))
    if inline.get("id") is not None and str(inline["id"]) in parties:
        return parties[str(inline["id"])]
    by_role = next((p for p in parties.values() if "buyer" in _list(p.get("roles"))), None)
    if by_role is not None:
        return by_role
    if inline.get("name") or _dict(inline.get("identifier")).get("id"):
        return inline
    entity = _dict(_dict(release.get("tender")).get("procuringEntity"))
    if entity.get("id") is not None and str(entity["id"]) in parties:
        return parties[str(entity["id"])]
    return entity if entity.get("name") else None


def _party(
    handles: Handles, party: dict[str, Any], file: str, position: str, buyer_in_uk: bool | None
) -> Party:
    """A buyer's (`buyer_in_uk`: is the release a UK publisher's, from its ocid) or a
    supplier's (None) `Party`, worked out once for each distinct party as written."""
    memo_key = (buyer_in_uk, content_key(party))
    found = handles.known(memo_key)
    if found is None:
        warnings = Warnings()
        ref: OrgRef | None = _party_ref(party, warnings, file, position)
        central = False
        assert ref is not None
        if buyer_in_uk is not None:
            central = _is_central(ref, party, buyer_in_uk)
            if central:
                ref = replace(ref, kind=GOVERNMENT)
        elif not ref.identifiers and not ref.source_key:
            warnings.warn(f"{file}: supplier with no id or name, skipped\x00{position}")
            ref = None
        found = handles.keep(memo_key, Party(ref, tuple(warnings.messages), central))
    return found


def shape_awards(items: Iterable[Row | BadRecord | Note], file: str) -> Iterator[Shaped]:
    """The staging records of what `read_releases` yields: ocid, release id and award id,
    then (buyer, supplier) handles, then the rest of row_hash's order (loaders/ocds.py)."""
    handles = Handles()
    for item in items:
        if type(item) is not Row or not item.data:
            yield from passing(item)
            continue
        if item.warnings:  # (what `passing` does, without a generator for each release)
            yield Warned(tuple(item.warnings))
        release, position = item.data, item.position
        parties = {str(p.get("id")): p for p in map(_dict, _list(release.get("parties")))}
        buyer_fields = _buyer(release, parties)
        release_awards = [_dict(a) for a in _list(release.get("awards"))]
        if not release_awards:
            yield Note(NO_AWARDS)
            continue
        if buyer_fields is None:
            yield Warned((f"{file}: release with awards but no buyer, skipped\x00{position}",))
            continue
        handles.begin()
        ocid: str = release["ocid"]
        buyer = _party(handles, buyer_fields, file, position, ocid.startswith(_UK_OCID_PREFIXES))
        warnings = list(buyer.warnings)
        tender = _dict(release.get("tender"))
        suitability = _dict(tender.get("suitability"))
        # What every award of the release shares.
        release_id = release["id"][:200]
        tender_title = tender.get("title")
        release_date = release["date"].isoformat()  # as text (see `as_text`)
        suitable = (_flag(suitability.get("vcse")), _flag(suitability.get("sme")))
        for award in release_awards:
            get = award.get
            status = get("status")
            if status and str(status).lower() in _SKIP_STATUS:
                yield Note(LEFT_OUT)
                continue
            award_id = get("id")
            value_fields = get("value")
            period = _dict(get("contractPeriod"))
            before = (ocid[:200], release_id, str(award_id or "")[:200])
            for index, supplier_fields in enumerate(map(_dict, _list(get("suppliers")))):
                fields = parties.get(str(supplier_fields.get("id")), supplier_fields)
                supplier = _party(handles, fields, file, position, None)
                warnings.extend(supplier.warnings)
                if supplier.ref is None:
                    continue
                pair = (handles.handle(buyer), handles.handle(supplier))
                if warnings:
                    yield Warned(tuple(warnings))
                    warnings.clear()
                if handles.out:
                    yield from handles.take()
                details = fields.get("details")
                scale = details.get("scale") if type(details) is dict else None
                sme = (scale == "sme") if isinstance(scale, str) else _flag(fields.get("sme"))
                special = fields.get("x_awardValue")
                value = (_amount(special) if special is not None else None) or _amount(
                    value_fields, checked=True
                )
                currency = value_fields.get("currency") if type(value_fields) is dict else None
                yield (
                    f"{ocid}/{award_id}/{_supplier_key(fields, index)}"[:400],
                    pair,
                    before,
                    (
                        str(get("title") or tender_title or "")[:500],
                        str(status or "")[:40],
                        as_text(value),
                        str(currency or "")[:3],
                        _date(get("date")),
                        _date(period.get("startDate")),
                        _date(period.get("endDate")),
                        release_date,
                        buyer.central,
                        supplier.ref.is_vcse,
                        sme,
                        *suitable,
                    ),
                )
        if warnings:
            yield Warned(tuple(warnings))
