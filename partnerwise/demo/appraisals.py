"""Illustrative appraisals and a decision for the demo workspace, loaded idempotently.

The demo loader calls `load_demo_appraisals(workspace)` after the partnerships and their
assessments exist. It adopts the suggested values and commitments if the workspace has none,
rates the partnerships named in `data/demo.toml` that have no appraisal yet, and records their
decision if they have none.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from django.db import transaction

from partnerwise.appraisals.appraising import appraise, record_decision, save_appraisal
from partnerwise.appraisals.forms import DecisionForm
from partnerwise.appraisals.suggestions import adopt_suggestions
from partnerwise.workspaces.models import User, Workspace

DEMO_APPRAISALS = Path(__file__).resolve().parent / "data" / "appraisals.toml"


class DemoAppraisalError(ValueError):
    """The demo appraisals file names something the workspace doesn't have."""


@transaction.atomic
def load_demo_appraisals(workspace: Workspace, *, path: Path = DEMO_APPRAISALS) -> int:
    """Rate and decide the demo partnerships; returns how many appraisals were created."""
    with path.open("rb") as handle:
        spec = tomllib.load(handle)
    if not workspace.principles.exists():
        adopt_suggestions(workspace=workspace, user=None)
    principles = {p.name: p for p in workspace.principles.all()}
    created = 0
    for number, item in enumerate(spec.get("appraisals", []), start=1):
        where = f"{path}: appraisals {number}"
        partnership = workspace.partnerships.filter(name=item["partnership"]).first()
        if partnership is None:
            raise DemoAppraisalError(f"{where}: no partnership named {item['partnership']!r}")
        if workspace.appraisals.filter(partnership=partnership).exists():
            continue
        rater = User.objects.filter(username=item.get("rater", "")).first()
        scores = {}
        for name, score, evidence in item["ratings"]:
            if name not in principles:
                raise DemoAppraisalError(f"{where}: no value or commitment named {name!r}")
            scores[principles[name].pk] = (score, evidence)
        save_appraisal(
            workspace=workspace,
            partnership=partnership,
            user=rater,
            seen_version=0,
            scores=scores,
            notes=item.get("notes", ""),
        )
        created += 1
        decision_spec = item.get("decision")
        if decision_spec and not workspace.decisions.filter(partnership=partnership).exists():
            picture = appraise(workspace=workspace, partnership=partnership)
            form = DecisionForm(
                data={
                    "outcome": decision_spec["outcome"],
                    "reasons": decision_spec["reasons"],
                    "conditions": decision_spec.get("conditions", ""),
                    "override_reason": decision_spec.get("override_reason", ""),
                    "approved_by": decision_spec["approved_by"],
                    "decided_on": date.fromisoformat(decision_spec["decided_on"]),
                },
                red_line_conflicts=picture.recommendation.red_line_conflicts,
            )
            if not form.is_valid():
                raise DemoAppraisalError(f"{where}, decision: {form.errors.as_text()}")
            record_decision(
                workspace=workspace,
                partnership=partnership,
                user=User.objects.filter(username=decision_spec.get("decider", "")).first(),
                picture=picture,
                decision=form.save(commit=False),
                seen_version=picture.version,
                seen_latest=None,
            )
    return created
