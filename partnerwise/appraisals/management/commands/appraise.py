"""`partnerwise appraise WORKSPACE PARTNERSHIP_ID [--json]`: print a partnership's appraisal."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.appraisals.appraising import appraise
from partnerwise.appraisals.terms import term_rows
from partnerwise.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Print a partnership's appraisal: recommendation, reasons, conditions, risks, terms."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workspace", help="The workspace's slug")
        parser.add_argument("partnership", type=int, help="The partnership's id")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug '{options['workspace']}'")
        partnership = workspace.partnerships.filter(pk=options["partnership"]).first()
        if partnership is None:
            raise CommandError(
                f"Workspace '{workspace.slug}' has no partnership with id {options['partnership']}"
            )
        picture = appraise(workspace=workspace, partnership=partnership)
        tracked = term_rows(
            workspace=workspace, partnership=partnership, terms=picture.recommendation.terms
        )
        if options["json"]:
            data = picture.to_dict()
            data["term_states"] = [row.to_dict() for row in tracked]
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
            return
        rec = picture.recommendation
        lines = [f"{partnership.name} ({partnership.get_form_display()})", ""]
        lines.append(f"Recommendation: {rec.label}")
        lines += [f"  - {reason}" for reason in rec.reasons]
        if rec.conditions:
            lines += ["", "Conditions:"] + [f"  {n}. {c}" for n, c in enumerate(rec.conditions, 1)]
        lines += ["", "Risks:"]
        lines += [f"  [{hit.entry.severity}] {hit.entry.title}" for hit in rec.risks] or ["  none"]
        lines += ["", "Terms to negotiate:"]
        lines += [
            f"  [{row.severity or 'no longer suggested'}] {row.title}: {row.state_label}"
            + (" (WALK-AWAY TERM REFUSED)" if row.walk_away_refused else "")
            for row in tracked
        ] or ["  none"]
        decision = picture.latest_decision
        lines += [""]
        if decision:
            lines.append(
                f"Decision: {decision.get_outcome_display()}, approved by {decision.approved_by} "
                f"on {decision.decided_on.isoformat()}"
            )
        else:
            lines.append("Decision: none recorded")
        self.stdout.write("\n".join(lines))
