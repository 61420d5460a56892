"""`partnerwise match list|confirm ID|reject ID --user NAME`: decide candidate matches.

Merging reference organisations changes the directory for every workspace, so it is done
by a named person: an operator here, or a site admin on `/site/matches/` (opendata/views.py,
the same functions); never by a workspace's pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.opendata.matches import MergeError, confirm_match, reject_match
from partnerwise.opendata.models import CandidateMatch, MatchStatus


class Command(BaseCommand):
    help = "List, confirm (merge) or reject candidate matches between reference organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "confirm", "reject"])
        parser.add_argument("match_id", nargs="?", type=int, metavar="ID")
        parser.add_argument("--user", help="username of the person deciding")
        parser.add_argument("--all", action="store_true", help="list decided matches too")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            matches = CandidateMatch.objects.all()
            if not options["all"]:
                matches = matches.filter(status=MatchStatus.PROPOSED)
            for listed in matches:
                self.stdout.write(f"#{listed.pk} [{listed.status}] {listed.evidence}")
            return
        if options["match_id"] is None or not options["user"]:
            raise CommandError(f"{options['action']} needs a match ID and --user NAME")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"--user {options['user']!r}: no such user")
        found = CandidateMatch.objects.filter(pk=options["match_id"]).first()
        if found is None:
            raise CommandError(f"no candidate match #{options['match_id']}")
        match = found
        try:
            if options["action"] == "confirm":
                survivor = confirm_match(match, user=user)
                self.stdout.write(f"Merged into {survivor.name} (#{survivor.pk}).")
            else:
                reject_match(match, user=user)
                self.stdout.write(f"Rejected #{match.pk}: they stay separate.")
        except MergeError as error:
            raise CommandError(f"match #{match.pk}: {error}") from None
