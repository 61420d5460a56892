"""`partnerwise propose_matches`: offer same-name organisations for a person to confirm."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from partnerwise.opendata.matches import propose_name_matches
from partnerwise.opendata.models import CandidateMatch, MatchStatus


class Command(BaseCommand):
    help = "Propose candidate matches (same name, different sources); nothing is merged."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = propose_name_matches()
        waiting = CandidateMatch.objects.filter(status=MatchStatus.PROPOSED).count()
        self.stdout.write(f"{created} new candidate matches; {waiting} waiting for a person.")
