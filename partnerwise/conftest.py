"""The shared cast for tests: a workspace with an admin, an editor and a viewer, and an
outsider who belongs to another workspace. Permission tests then read like prose."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from partnerwise.api.models import ApiToken
from partnerwise.assessments.models import Assessment, RaterKind
from partnerwise.assessments.rating import record_rating
from partnerwise.organisations.models import Kind, Organisation, set_our_organisation
from partnerwise.partnerships.models import Form, Participation, Partnership, Role
from partnerwise.workspaces.models import Membership, User, Workspace
from partnerwise.workspaces.models import Role as MemberRole

PASSWORD = "correct horse battery staple"


@dataclass
class Cast:
    workspace: Workspace
    admin: User
    editor: User
    viewer: User
    other_workspace: Workspace
    outsider: User
    us: Organisation
    prime: Organisation
    partnership: Partnership


class Api:
    """A program calling the JSON API with its own bearer token."""

    def __init__(self, user: User) -> None:
        _, self.token = ApiToken.issue(user=user, name="tests")
        self.client = Client()

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = self.client.generic(
            method,
            "/api" + path,
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
        )
        return response.status_code, response.json() if response.content else None


def make_user(username: str) -> User:
    return User.objects.create_user(username=username, email=username, password=PASSWORD)


def rate(
    workspace: Workspace,
    partnership: Partnership,
    subject: Organisation,
    rater: User | None,
    answers: Mapping[str, int | None],
    *,
    on: date = date(2026, 10, 1),
    rater_name: str = "",
    rater_kind: RaterKind = RaterKind.COLLEAGUE,
) -> Assessment:
    assessment = record_rating(
        workspace=workspace,
        partnership=partnership,
        subject=subject,
        answers={key: (value, "") for key, value in answers.items()},
        rater=rater,
        rater_name=rater_name or (rater.username if rater else "Partner"),
        rater_kind=rater_kind,
        assessed_on=on,
    )
    return assessment


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> None:
    # Test databases reuse primary keys, so a cache entry keyed on them could outlive its test.
    # The cache is the database's own table, so only tests that use the database clear it.
    wanted = [name for name in ("transactional_db", "db") if name in request.fixturenames]
    if wanted:
        request.getfixturevalue(wanted[0])  # the test database first, then its cache table
        cache.clear()


@pytest.fixture
def cast(db: None) -> Cast:
    us = Organisation.objects.create(name="Hope Housing", kind=Kind.CHARITY)
    us.add_identifier("GB-CHC-1082947", primary=True)
    prime = Organisation.objects.create(name="Big Prime Ltd", kind=Kind.COMPANY)
    prime.add_identifier("GB-COH-3911478", primary=True)
    workspace = Workspace.objects.create(name="Hope Housing", slug="hope")
    set_our_organisation(workspace, us)
    other = Workspace.objects.create(name="Elsewhere Trust", slug="elsewhere")
    users = {}
    for name, role in [
        ("admin@hope.org", MemberRole.ADMIN),
        ("editor@hope.org", MemberRole.EDITOR),
        ("viewer@hope.org", MemberRole.VIEWER),
    ]:
        users[role] = make_user(name)
        Membership.objects.create(workspace=workspace, user=users[role], role=role)
    outsider = make_user("outsider@elsewhere.org")
    Membership.objects.create(workspace=other, user=outsider, role=MemberRole.ADMIN)
    partnership = Partnership.objects.create(
        workspace=workspace, name="Restart sub-contract", form=Form.SUPPLY_CHAIN
    )
    for org, part in [(prime, Role.PRIME), (us, Role.SUBCONTRACTOR)]:
        Participation.objects.create(
            workspace=workspace, partnership=partnership, organisation=org, role=part
        )
    return Cast(
        workspace=workspace,
        admin=users[MemberRole.ADMIN],
        editor=users[MemberRole.EDITOR],
        viewer=users[MemberRole.VIEWER],
        other_workspace=other,
        outsider=outsider,
        us=us,
        prime=prime,
        partnership=partnership,
    )


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """Argon2 is deliberately slow; tests sign in hundreds of times, so they hash with MD5.
    `hosting/tests/test_serve.py` checks that production itself still uses Argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
