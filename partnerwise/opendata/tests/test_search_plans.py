"""Search by number reads indexes only, on SQLite and PostgreSQL: no query of a number search
scans the register's organisations (issue 15: 170 ms on SQLite, 490 ms on PostgreSQL over
the 400,000-charity register, from a name scan run for a number)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerwise.opendata.finding import search
from partnerwise.opendata.models import RegisterCharity
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.models import Workspace

# A full scan of a table, in either database's words (an index search reads "SEARCH" in
# SQLite and "Index Scan" in PostgreSQL).
SCANS = {
    "sqlite": re.compile(r"\bSCAN (organisations_organisation|organisations_identifier)\b"),
    "postgresql": re.compile(r"Seq Scan on (organisations_organisation|organisations_identifier)"),
}


def plans_of_search(workspace: Workspace, query: str) -> tuple[list[Organisation], list[str]]:
    with CaptureQueriesContext(connection) as captured:
        found = search(workspace, query)
    plans = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Test tables are tiny and the planner would scan them anyway; forbid scans to see
            # whether an index can serve each query at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
        for query_run in captured.captured_queries:
            sql = query_run["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(prefix + sql)
            plans.append("\n".join(" ".join(map(str, row)) for row in cursor.fetchall()))
    return found, plans


def test_search_by_number_uses_indexes_only(imported_sample: Callable[[], str]) -> None:
    imported_sample()
    ours = Workspace.objects.create(name="Ours", slug="ours")
    Organisation.objects.create(workspace=ours, name="Our own record")
    charity = (
        RegisterCharity.objects.filter(linked_number=0, organisation__isnull=False)
        .order_by("registered_number")
        .first()
    )
    assert charity is not None
    for query in (str(charity.registered_number), f"GB-CHC-{charity.registered_number}"):
        found, plans = plans_of_search(ours, query)
        assert charity.organisation_id in {o.pk for o in found}, query
        assert plans, "the search ran no query"
        scans = [plan for plan in plans if SCANS[connection.vendor].search(plan)]
        assert scans == [], scans


def test_a_number_still_finds_the_workspaces_own_record_written_differently(
    imported_sample: Callable[[], str],
) -> None:
    imported_sample()
    ours = Workspace.objects.create(name="Ours", slug="ours")
    own = Organisation.objects.create(workspace=ours, name="Project 4471 Outreach")
    assert own in search(ours, "4471")
    theirs = Workspace.objects.create(name="Theirs", slug="theirs")
    assert own not in search(theirs, "4471")


def _rare_word(name: str) -> str:
    """A word from the middle of a name: found only by "contains", not by prefix."""
    return max(name.split()[1:], key=len)


def test_a_rare_name_inside_a_name_is_found_through_an_index(
    imported_sample: Callable[[], str],
) -> None:
    imported_sample()
    ours = Workspace.objects.create(name="Ours", slug="ours")
    charity = (
        Organisation.objects.reference()
        .filter(name__contains=" ")
        .exclude(name__icontains="the ")
        .order_by("pk")
        .first()
    )
    assert charity is not None
    word = _rare_word(charity.name)
    found, plans = plans_of_search(ours, word.lower())
    assert charity.pk in {o.pk for o in found}, word
    assert plans, "the search ran no query"
    scans = [plan for plan in plans if SCANS[connection.vendor].search(plan)]
    assert scans == [], scans


def test_the_name_index_follows_new_renamed_and_deleted_organisations(db: None) -> None:
    ours = Workspace.objects.create(name="Ours", slug="ours")
    theirs = Workspace.objects.create(name="Theirs", slug="theirs")
    own = Organisation.objects.create(workspace=ours, name="Riverside Zanzibarite Project")
    Organisation.objects.create(workspace=theirs, name="Hidden Zanzibarite Group")
    assert [o.name for o in search(ours, "zibarit")] == ["Riverside Zanzibarite Project"]
    own.name = "Riverside Quokkaland Project"
    own.save()
    assert search(ours, "zibarit") == []
    assert [o.pk for o in search(ours, "OKKALAN")] == [own.pk]
    own.delete()
    assert search(ours, "okkalan") == []
