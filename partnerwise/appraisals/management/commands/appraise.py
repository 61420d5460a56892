"""`partnerwise appraise WORKSPACE PARTNERSHIP_ID [--json]`: print a partnership's appraisal."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.appraisals.appraising import appraise
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
        if options["json"]:
            self.stdout.write(json.dumps(picture.to_dict(), indent=2, ensure_ascii=False))
            return
        rec = picture.recommendation
        lines = [f"{partnership.name} ({partnership.get_form_display()})", ""]
        lines.append(f"Recommendation: {rec.label}")
        lines += [f"  - {reason}" for reason in rec.reasons]
        if rec.conditions:
            lines += ["", "Conditions:"] + [f"  {n}. {c}" for n, c in enumerate(rec.conditions, 1)]
        for title, found in (("Risks", rec.risks), ("Terms to negotiate", rec.terms)):
            lines += ["", f"{title}:"]
            lines += [f"  [{hit.entry.severity}] {hit.entry.title}" for hit in found] or ["  none"]
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
