"""Finding an organisation by name or number, for the directory, the participant chooser and
the API: one search, so a page and the API always find the same organisations.

Every query it makes is served by an index, on SQLite and PostgreSQL alike (issue 15; the
plans are checked in `tests/test_search_plans.py`): identifiers by value, names by prefix
(`directory.names_starting`), and names containing the query through the index of migration
0013 (a pg_trgm GIN index on PostgreSQL, an FTS5 trigram table on SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import prefetch_related_objects
from django.db.models.expressions import RawSQL

from partnerwise.opendata.directory import (
    identifier_lookups,
    is_identifier_query,
    search_organisations,
)
from partnerwise.opendata.loaders.sql import NAME_FTS  # migration 0013, SQLite only
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.models import Workspace

SEARCH_LIMIT = 50
# The API pages through at most this many matches, best first: past it, a person narrows
# the search rather than reading on.
MOST_MATCHES = 200
# A trigram is three characters: a shorter query is matched by name prefix and number only,
# since no index serves "contains" for it.
SHORTEST_CONTAINS = 3


def names_containing(
    *, workspace: Workspace, query: str, exclude: set[int], limit: int
) -> list[Organisation]:
    """Organisations the workspace may see whose name contains `query` (any case), by name."""
    query = query.strip()
    if limit <= 0 or len(query) < SHORTEST_CONTAINS:
        return []
    rows = Organisation.objects.visible_to(workspace)
    if connection.vendor == "sqlite":
        phrase = '"' + query.replace('"', '""') + '"'
        rows = rows.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {NAME_FTS} WHERE {NAME_FTS} MATCH %s", [phrase])
        )
    else:
        # UPPER(name::text) LIKE UPPER('%query%'): the expression of the trigram index.
        rows = rows.filter(name__icontains=query)
    if exclude:
        rows = rows.exclude(pk__in=exclude)
    return list(rows.order_by("name", "pk")[:limit])


def search(workspace: Workspace, query: str, limit: int = SEARCH_LIMIT) -> list[Organisation]:
    """Organisations the workspace may see, by name or number: the open-data index first (name
    prefixes, other names, charity and company numbers), then any name containing the query."""
    found = _matches(workspace, query, limit)
    prefetch_related_objects(found, "identifiers")
    return found


def _matches(workspace: Workspace, query: str, limit: int) -> list[Organisation]:
    query = query.strip()
    if not query:
        return list(workspace.organisations.order_by("name", "pk")[:limit])
    found = [hit.organisation for hit in search_organisations(query, workspace, limit=limit)]
    seen = {organisation.pk for organisation in found}
    if not is_identifier_query(query):
        # An identifier written in another form, then names containing the query anywhere.
        # A number or org-id was looked up in the identifier indexes above (and the
        # workspace's own records by name).
        number = query.upper().replace(" ", "")
        for rows in identifier_lookups([number, number.lower()], workspace):
            if len(found) >= limit:
                break
            for identifier in rows.select_related("organisation")[: limit - len(found)]:
                if identifier.organisation_id not in seen:
                    seen.add(identifier.organisation_id)
                    found.append(identifier.organisation)
        found.extend(
            names_containing(
                workspace=workspace, query=query, exclude=seen, limit=limit - len(found)
            )
        )
    return found


@dataclass(frozen=True)
class SearchPage:
    """One page of a search's matches, best first, and how many there are (up to
    MOST_MATCHES; `more` says the search found that many and stopped)."""

    results: list[Organisation]
    count: int
    page: int
    pages: int
    size: int
    more: bool


SEARCH_PAGE_SIZES = (10, 20, 50, 100)


class SearchPageError(ValueError):
    """A page or size that cannot be used; `field` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def search_page(*, workspace: Workspace, query: str, page: int, size: int) -> SearchPage:
    """Page `page` (from 1) of `size` matches of `search`, over its first MOST_MATCHES."""
    if size not in SEARCH_PAGE_SIZES:
        raise SearchPageError("size", f"size: give one of {', '.join(map(str, SEARCH_PAGE_SIZES))}")
    if page < 1:
        raise SearchPageError("page", f"page: {page} is not a page number (1 or more)")
    matches = _matches(workspace, query, MOST_MATCHES + 1)
    more = len(matches) > MOST_MATCHES
    matches = matches[:MOST_MATCHES]
    pages = max(1, -(-len(matches) // size))
    if page > pages:
        raise SearchPageError("page", f"page: {page} is past the last page ({pages})")
    start = (page - 1) * size
    results = matches[start : start + size]
    prefetch_related_objects(results, "identifiers")
    return SearchPage(
        results=results,
        count=len(matches),
        page=page,
        pages=pages,
        size=size,
        more=more,
    )
