"""`partnerwise create_workspace NAME --admin EMAIL [--organisation ORG_ID]`, for hosts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from partnerwise.organisations.creating import (
    WorkspaceError,
    create_workspace,
    directory_organisation,
)
from partnerwise.workspaces.models import User


class Command(BaseCommand):
    help = (
        "Create a workspace with EMAIL's account as its admin, optionally speaking for the "
        "directory's organisation with org-id ORG_ID (e.g. GB-CHC-1082947)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the workspace's name")
        parser.add_argument("--admin", required=True, metavar="EMAIL", help="its first admin")
        parser.add_argument(
            "--organisation",
            metavar="ORG_ID",
            help="which organisation the workspace is, by org-id, from the shared directory",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["admin"].strip()
        admin = User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).first()
        if admin is None:
            raise CommandError(
                f"--admin: no account for {email}; they sign up at /accounts/signup/ first, "
                "or make one with `partnerwise createsuperuser`"
            )
        organisation = None
        try:
            if options["organisation"]:
                organisation = directory_organisation(options["organisation"])
                if organisation is None:
                    raise CommandError(
                        f"--organisation: {options['organisation']} is not in the shared "
                        "directory; import the register first (`partnerwise import ccew ...`) "
                        "or leave it out and choose later in the workspace's settings"
                    )
            workspace = create_workspace(
                name=options["name"], admin=admin, organisation=organisation
            )
        except WorkspaceError as error:
            flag = {"name": "NAME", "admin": "--admin"}.get(error.field, f"--{error.field}")
            raise CommandError(f"{flag}: {error}") from error
        us = f", speaking for {organisation.name}" if organisation else ""
        self.stdout.write(
            f"Created workspace '{workspace.name}' at /w/{workspace.slug}/ with {email} as "
            f"admin{us}."
        )
