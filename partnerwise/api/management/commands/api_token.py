"""`partnerwise api_token USERNAME`: make an API token for a user (shown once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnerwise.api.models import ApiToken
from partnerwise.workspaces.models import User


class Command(BaseCommand):
    help = "Make an API token that acts as USERNAME; it is printed once and not stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called '{options['username']}'")
        _, token = ApiToken.issue(user=user, name=options["name"])
        self.stdout.write(token)
