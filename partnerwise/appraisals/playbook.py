"""The appraisal playbook: risks and terms that follow from a partnership's situation.

Plain Python with no Django imports, so it can be read and tested on its own. The shipped
playbook is the data file `data/playbook.toml` (sources in docs/playbook.md); a workspace's
own edits, disabled entries and additions are merged over it by `merge`. `hits` says which
entries apply to a partnership (its form, our role, the partners' roles and archetypes) and
why, in words that can go into a board paper.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

Kind = Literal["risk", "term"]
Severity = Literal["high", "medium", "low"]
Origin = Literal["shipped", "edited", "added"]

KINDS: tuple[Kind, ...] = ("risk", "term")
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")
SEVERITY_RANK: Mapping[str, int] = {"high": 0, "medium": 1, "low": 2}

# The partnership forms and participation roles, as in partnerwise.partnerships.models (a
# test keeps the two in step); repeated here so that this module needs no Django.
FORM_LABELS: Mapping[str, str] = {
    "referral": "Referral network",
    "influencing": "Joint influencing or lobbying coalition",
    "consortium": "Consortium bid or delivery",
    "supply_chain": "Prime and sub-contract supply chain",
    "lead_partner": "Lead-partner contract",
    "grant": "Grant partnership",
    "merger": "Merger talks",
    "other": "Other",
}
ROLE_LABELS: Mapping[str, str] = {
    "commissioner": "Commissioner or funder",
    "prime": "Prime or lead",
    "subcontractor": "Sub-contractor or delivery partner",
    "member": "Member",
    "accountable_body": "Accountable body",
    "host": "Host",
}

SHIPPED_PATH = Path(__file__).resolve().parent / "data" / "playbook.toml"
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_LIST_FIELDS = ("archetypes", "partner_roles", "forms", "our_roles")


class PlaybookError(ValueError):
    """A playbook's data is invalid. The message names the file, the entry and the field."""


@dataclass(frozen=True)
class Entry:
    """One risk or term, with the conditions under which it applies (empty: any)."""

    id: str
    title: str
    kind: Kind
    severity: Severity
    text: str
    source: str = ""
    archetypes: tuple[str, ...] = ()
    partner_roles: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    our_roles: tuple[str, ...] = ()
    enabled: bool = True
    origin: Origin = "shipped"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "severity": self.severity,
            "text": self.text,
            "source": self.source,
            "archetypes": list(self.archetypes),
            "partner_roles": list(self.partner_roles),
            "forms": list(self.forms),
            "our_roles": list(self.our_roles),
            "enabled": self.enabled,
            "origin": self.origin,
        }


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise PlaybookError(f"{where}, field '{key}': expected text, got {value!r}")
    if required and not value.strip():
        raise PlaybookError(f"{where}, field '{key}': missing or empty")
    return value.strip()


def _choice(data: Mapping[str, Any], key: str, choices: Sequence[str], where: str) -> Any:
    value = data.get(key)
    if value not in choices:
        raise PlaybookError(
            f"{where}, field '{key}': expected one of {', '.join(choices)}, got {value!r}"
        )
    return value


def _id_list(
    data: Mapping[str, Any], key: str, where: str, allowed: Iterable[str] | None
) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PlaybookError(f"{where}, field '{key}': expected a list of ids, got {value!r}")
    known = set(allowed) if allowed is not None else None
    for item in value:
        if not ID_RE.match(item):
            raise PlaybookError(f"{where}, field '{key}': {item!r} is not a valid id")
        if known is not None and item not in known:
            raise PlaybookError(
                f"{where}, field '{key}': unknown {key.rstrip('s').replace('_', ' ')} "
                f"{item!r} (known: {', '.join(sorted(known))})"
            )
    return tuple(dict.fromkeys(value))


def entry_from_dict(data: Mapping[str, Any], *, where: str, origin: Origin = "shipped") -> Entry:
    """Build and validate one entry from plain data; `where` names it in error messages."""
    known = set(_LIST_FIELDS) | {"id", "title", "kind", "severity", "text", "source", "enabled"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise PlaybookError(f"{where}: unknown field '{unknown[0]}'")
    entry_id = _text(data, "id", where)
    if not ID_RE.match(entry_id):
        raise PlaybookError(
            f"{where}, field 'id': {entry_id!r} must be lower case letters, digits and underscores"
        )
    where = f"{where} ('{entry_id}')"
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise PlaybookError(f"{where}, field 'enabled': expected true or false, got {enabled!r}")
    return Entry(
        id=entry_id,
        title=_text(data, "title", where),
        kind=_choice(data, "kind", KINDS, where),
        severity=_choice(data, "severity", SEVERITIES, where),
        text=_text(data, "text", where),
        source=_text(data, "source", where, required=False),
        archetypes=_id_list(data, "archetypes", where, None),
        partner_roles=_id_list(data, "partner_roles", where, ROLE_LABELS),
        forms=_id_list(data, "forms", where, FORM_LABELS),
        our_roles=_id_list(data, "our_roles", where, ROLE_LABELS),
        enabled=enabled,
        origin=origin,
    )


def load_playbook(path: Path) -> tuple[Entry, ...]:
    """Read and validate a playbook file; a problem raises PlaybookError naming the place."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise PlaybookError(f"{path}: cannot read the playbook ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError(f"{path}: not valid TOML: {exc}") from exc
    items = data.get("entries")
    if not isinstance(items, list) or not items:
        raise PlaybookError(f"{path}: 'entries' must be a non-empty list of [[entries]] tables")
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"{path}: entry {number}"
        if not isinstance(item, dict):
            raise PlaybookError(f"{where}: must be a table")
        entry = entry_from_dict(item, where=where)
        if entry.id in seen:
            raise PlaybookError(f"{where} ('{entry.id}'): id used by an earlier entry")
        seen.add(entry.id)
        entries.append(entry)
    return tuple(entries)


@cache
def shipped_playbook() -> tuple[Entry, ...]:
    return load_playbook(SHIPPED_PATH)


def merge(shipped: Sequence[Entry], overrides: Sequence[Entry]) -> list[Entry]:
    """The shipped entries with a workspace's edits in place, then its additions, in order.

    An override whose id matches a shipped entry replaces it (origin "edited"); any other is
    an addition (origin "added"). Disabled entries are kept, marked `enabled=False`, so a
    settings page can show and re-enable them; `hits` skips them.
    """
    by_id = {entry.id: entry for entry in overrides}
    merged = [
        replace(by_id[entry.id], origin="edited") if entry.id in by_id else entry
        for entry in shipped
    ]
    shipped_ids = {entry.id for entry in shipped}
    merged.extend(
        replace(entry, origin="added") for entry in overrides if entry.id not in shipped_ids
    )
    return merged


# --- which entries apply --------------------------------------------------------------------


@dataclass(frozen=True)
class Partner:
    """Another organisation in the partnership, with what its profile says it is.

    `archetypes` holds the best match, or the leading contenders when the profile is mixed;
    it is empty when there is not enough evidence. `verdict` is the profile's verdict, or
    "unassessed" when nobody has rated the partner.
    """

    name: str
    role: str
    archetypes: tuple[str, ...] = ()
    verdict: str = "unassessed"
    confidence: float = 0.0

    @property
    def settled(self) -> bool:
        return self.verdict == "match"


@dataclass(frozen=True)
class Situation:
    """What the playbook is matched against: the form, our roles and the other partners."""

    form: str
    our_roles: tuple[str, ...]
    partners: tuple[Partner, ...]
    archetype_names: Mapping[str, str] = field(default_factory=dict)

    def archetype_name(self, archetype_id: str) -> str:
        return self.archetype_names.get(archetype_id, archetype_id.replace("_", " ").title())


@dataclass(frozen=True)
class Hit:
    """An entry that applies, the reasons it applies and whether they rest on a mixed profile."""

    entry: Entry
    because: tuple[str, ...]
    tentative: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.entry.id,
            "kind": self.entry.kind,
            "severity": self.entry.severity,
            "title": self.entry.title,
            "text": self.entry.text,
            "source": self.entry.source,
            "because": list(self.because),
            "tentative": self.tentative,
        }


def _role(role: str) -> str:
    return ROLE_LABELS.get(role, role).lower()


def match(entry: Entry, situation: Situation) -> Hit | None:
    """The hit if `entry` applies to `situation`, else None."""
    if not entry.enabled:
        return None
    because: list[str] = []
    if entry.forms:
        if situation.form not in entry.forms:
            return None
        because.append(
            f"the partnership is a {FORM_LABELS.get(situation.form, situation.form).lower()}"
        )
    if entry.our_roles:
        ours = [role for role in situation.our_roles if role in entry.our_roles]
        if not ours:
            return None
        because.append("we are " + " and ".join(_role(role) for role in ours))
    partners = [
        partner
        for partner in situation.partners
        if not entry.partner_roles or partner.role in entry.partner_roles
    ]
    if entry.partner_roles and not partners:
        return None
    tentative = False
    if entry.archetypes:
        found = [
            (partner, [a for a in partner.archetypes if a in entry.archetypes])
            for partner in partners
        ]
        found = [(partner, ids) for partner, ids in found if ids]
        if not found:
            return None
        for partner, ids in found:
            names = " or ".join(situation.archetype_name(a) for a in ids)
            if partner.settled:
                because.append(f"{partner.name} ({_role(partner.role)}) reads as {names}")
            else:
                because.append(
                    f"{partner.name} ({_role(partner.role)}) may be {names} (mixed profile)"
                )
        tentative = all(not partner.settled for partner, _ in found)
    elif entry.partner_roles:
        because.append(
            "the partnership has a "
            + " and a ".join(sorted({_role(partner.role) for partner in partners}))
        )
    return Hit(entry=entry, because=tuple(because), tentative=tentative)


def hits(entries: Iterable[Entry], situation: Situation) -> list[Hit]:
    """The entries that apply, most severe first, then in playbook order."""
    found = [hit for entry in entries if (hit := match(entry, situation)) is not None]
    # sorted() is stable, so playbook order decides between equally severe entries.
    return sorted(found, key=lambda hit: SEVERITY_RANK[hit.entry.severity])
