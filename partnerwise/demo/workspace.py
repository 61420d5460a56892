"""Load the demo workspace described in `data/demo.toml`, idempotently.

Organisations are found by their org-id among the shared reference data (so they merge with
whatever the open-data importers brought in) and created as reference data when missing.
Loading again changes nothing: the workspace's demo partnerships and assessments are found by
name and date, not duplicated.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from partnerwise.assessments.rating import record_rating
from partnerwise.organisations.models import Identifier, Organisation, set_our_organisation
from partnerwise.partnerships.models import Participation, Partnership
from partnerwise.workspaces.models import Membership, User, Workspace

DEMO_FILE = Path(__file__).parent / "data" / "demo.toml"
DEMO_PASSWORD = "partnerwise-demo"


@dataclass(frozen=True)
class DemoResult:
    workspace: Workspace
    created: dict[str, int]
    users: list[str]


def _reference_org(spec: dict[str, Any]) -> tuple[Organisation, bool]:
    key = spec.get("id")
    if key:
        found = Identifier.objects.filter(workspace=None, value=key).select_related("organisation")
        if found:
            return found[0].organisation, False
    else:
        existing = Organisation.objects.reference().filter(name=spec["name"]).first()
        if existing:
            return existing, False
    org = Organisation.objects.create(
        workspace=None, name=spec["name"], kind=spec["kind"], sources=[spec.get("source", "")]
    )
    if key:
        org.add_identifier(key, primary=True)
    return org, True


@transaction.atomic
def load_demo(*, path: Path = DEMO_FILE, password: str = DEMO_PASSWORD) -> DemoResult:
    with path.open("rb") as handle:
        spec = tomllib.load(handle)
    created = {"organisations": 0, "partnerships": 0, "assessments": 0, "users": 0}

    orgs: dict[str, Organisation] = {}
    for item in spec["organisations"]:
        org, new = _reference_org(item)
        created["organisations"] += new
        orgs[item.get("id") or item["name"]] = org

    ws_spec = spec["workspace"]
    workspace, new = Workspace.objects.get_or_create(
        slug=ws_spec["slug"], defaults={"name": ws_spec["name"], "is_demo": True}
    )
    if new:
        set_our_organisation(workspace, orgs[ws_spec["us"]])

    users: dict[str, User] = {}
    for item in spec["users"]:
        first, _, last = item["name"].partition(" ")
        user, new = User.objects.get_or_create(
            username=item["email"],
            defaults={"email": item["email"], "first_name": first, "last_name": last},
        )
        if new:
            user.set_password(password)
            user.save(update_fields=["password"])
            created["users"] += 1
        Membership.objects.get_or_create(
            workspace=workspace, user=user, defaults={"role": item["role"]}
        )
        users[item["email"]] = user

    partnerships: dict[str, Partnership] = {}
    for item in spec["partnerships"]:
        partnership, new = Partnership.objects.get_or_create(
            workspace=workspace,
            name=item["name"],
            defaults={
                "form": item["form"],
                "status": item["status"],
                "start_date": _date(item.get("start_date")),
                "end_date": _date(item.get("end_date")),
                "renewal_date": _date(item.get("renewal_date")),
                "notice_date": _date(item.get("notice_date")),
                "value": Decimal(item["value"]) if item.get("value") else None,
                "services": item.get("services", ""),
                "area": item.get("area", ""),
                "description": "Source: " + item.get("source", ""),
            },
        )
        created["partnerships"] += new
        for org_key, role, share in item["participants"]:
            Participation.objects.get_or_create(
                workspace=workspace,
                partnership=partnership,
                organisation=orgs[org_key],
                role=role,
                defaults={"share": Decimal(share) if share else None},
            )
        partnerships[item["key"]] = partnership

    for item in spec["assessments"]:
        rater = users[item["rater"]]
        partnership = partnerships[item["partnership"]]
        subject = orgs[item["subject"]]
        assessed_on = date.fromisoformat(item["date"])
        if workspace.assessments.filter(
            partnership=partnership, subject=subject, rater=rater, assessed_on=assessed_on
        ).exists():
            continue
        evidence = item.get("evidence", {})
        record_rating(
            workspace=workspace,
            partnership=partnership,
            subject=subject,
            answers={key: (value, evidence.get(key, "")) for key, value in item["answers"].items()},
            rater=rater,
            rater_name=rater.get_full_name(),
            assessed_on=assessed_on,
            notes="Illustrative demo rating, not a judgement of the real organisation.",
        )
        created["assessments"] += 1
    return DemoResult(workspace=workspace, created=created, users=list(users))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
