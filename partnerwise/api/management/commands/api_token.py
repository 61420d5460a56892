"""`partnerwise api_token`: make, list and revoke API tokens from the command line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.api.models import PREFIX_LENGTH, ApiToken
from partnerwise.workspaces.models import User


class Command(BaseCommand):
    help = (
        "Make an API token that acts as USERNAME (printed once, only its hash is kept); "
        "--list USERNAME shows a user's tokens; --revoke PREFIX revokes one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?")
        parser.add_argument("--name", default="command line", help="what the token is for")
        parser.add_argument("--days", type=int, default=90, help="days until it expires (90)")
        parser.add_argument("--list", action="store_true", help="list USERNAME's tokens")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the token with PREFIX")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["revoke"]:
            self._revoke(options["revoke"], options["username"])
            return
        if not options["username"]:
            raise CommandError("name the user: partnerwise api_token USERNAME")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called '{options['username']}'")
        if options["list"]:
            for row in ApiToken.objects.filter(user=user):
                state = "usable" if row.is_usable else "revoked" if row.revoked else "expired"
                used = row.last_used.isoformat() if row.last_used else "never"
                self.stdout.write(
                    f"{row.prefix}  {state:8}  expires {row.expires:%Y-%m-%d}  "
                    f"last used {used}  {row.name}"
                )
            return
        if not 1 <= options["days"] <= 3660:
            raise CommandError("--days must be between 1 and 3660")
        _, token = ApiToken.issue(
            user=user, name=options["name"], lifetime=timedelta(days=options["days"])
        )
        self.stdout.write(token)

    def _revoke(self, prefix: str, username: str | None) -> None:
        # The whole token is accepted too; the prefix is its first characters.
        prefix = prefix[:PREFIX_LENGTH]
        tokens = ApiToken.objects.filter(prefix=prefix, revoked__isnull=True)
        if username:
            tokens = tokens.filter(user__username=username)
        count = tokens.count()
        if count == 0:
            raise CommandError(f"no unrevoked token starts with '{prefix}'")
        if count > 1:
            raise CommandError(f"{count} tokens start with '{prefix}': name the user too")
        tokens.revoke()
        self.stdout.write(f"Revoked the token {prefix}…")
