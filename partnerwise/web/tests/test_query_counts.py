"""List and detail pages make the same number of SQL queries for 2 rows as for 10."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerwise.assessments.models import RaterKind
from partnerwise.conftest import Cast, make_user, rate
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Form, Participation, Partnership, Role, Status
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Invitation, Membership
from partnerwise.workspaces.models import Role as MemberRole

ANSWERS = {"power": 5, "size_gap": 5, "gov_prime": 4, "slack": 1, "price_first": 5}


def grow(cast: Cast, start: int, stop: int) -> None:
    """Add rows numbered start..stop-1 of everything the pages list."""
    for n in range(start, stop):
        partner = Organisation.objects.create(name=f"Partner {n}")
        partner.add_identifier(f"GB-CHC-{1000000 + n}")
        partnership = Partnership.objects.create(
            workspace=cast.workspace,
            name=f"Partnership {n}",
            form=Form.CONSORTIUM,
            status=Status.ACTIVE,
            value=1000 * n,
        )
        for org, role in [(partner, Role.PRIME), (cast.prime, Role.COMMISSIONER)]:
            Participation.objects.create(
                workspace=cast.workspace, partnership=partnership, organisation=org, role=role
            )
        # The prime and the first partnership gather ratings, changes, members, invitations.
        rate(cast.workspace, partnership, cast.prime, cast.editor, ANSWERS)
        rate(cast.workspace, cast.partnership, cast.prime, make_user(f"r{n}@hope.org"), ANSWERS)
        rate(
            cast.workspace,
            cast.partnership,
            cast.us,
            None,
            ANSWERS,
            rater_name=f"P{n}",
            rater_kind=RaterKind.PARTNER,
        )
        Participation.objects.create(
            workspace=cast.workspace,
            partnership=cast.partnership,
            organisation=partner,
            role=Role.MEMBER,
        )
        record_change(
            workspace=cast.workspace,
            user=cast.editor,
            obj=cast.partnership,
            action="edited",
            changes={"name": (str(n), str(n + 1))},
        )
        Membership.objects.create(
            workspace=cast.workspace, user=make_user(f"m{n}@hope.org"), role=MemberRole.VIEWER
        )
        Invitation.objects.create(
            workspace=cast.workspace,
            email=f"i{n}@hope.org",
            token_hash=f"{n:064d}",
            expires="2099-01-01T00:00Z",
        )


def count(client: Client, url: str) -> int:
    # Count the most a page does: the portfolio's totals recounted, not read from the cache.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def urls(cast: Cast) -> dict[str, Callable[[], str]]:
    slug, pk = "hope", cast.partnership.pk
    return {
        "portfolio": lambda: reverse("workspace_home", args=[slug]),
        "partnerships": lambda: reverse("partnership_list", args=[slug]),
        "partnership": lambda: reverse("partnership_detail", args=[slug, pk]),
        "edit": lambda: reverse("partnership_edit", args=[slug, pk]),
        "organisations": lambda: reverse("organisation_list", args=[slug]) + "?q=Partner",
        "organisation": lambda: reverse("organisation_detail", args=[slug, cast.prime.pk]),
        "profile": lambda: reverse("profile", args=[slug, pk, cast.prime.pk]),
        "our profile": lambda: reverse("profile", args=[slug, pk, cast.us.pk]),
        "members": lambda: reverse("members", args=[slug]),
        "home": lambda: reverse("home"),
    }


def test_queries_do_not_grow_with_rows(cast: Cast, client: Client) -> None:
    # In two workspaces, so the home page lists them rather than redirecting.
    Membership.objects.create(
        workspace=cast.other_workspace, user=cast.admin, role=MemberRole.VIEWER
    )
    client.force_login(cast.admin)
    grow(cast, 0, 2)
    # A first visit fills per-process caches (content types), which is not about rows.
    for url in urls(cast).values():
        client.get(url())
    few = {name: count(client, url()) for name, url in urls(cast).items()}
    grow(cast, 2, 10)
    many = {name: count(client, url()) for name, url in urls(cast).items()}
    assert many == few
