"""Finding an organisation by name or number, for the directory and the participant chooser."""

from __future__ import annotations

from django.db.models import Q, prefetch_related_objects

from partnerwise.opendata.directory import is_identifier_query, search_organisations
from partnerwise.organisations.models import Organisation
from partnerwise.workspaces.models import Workspace

SEARCH_LIMIT = 50


def search(workspace: Workspace, query: str, limit: int = SEARCH_LIMIT) -> list[Organisation]:
    """Organisations the workspace may see, by name or number: the open-data index first (name
    prefixes, other names, charity and company numbers), then any name containing the query."""
    query = query.strip()
    if not query:
        return list(workspace.organisations.order_by("name", "pk")[:limit])
    found = [hit.organisation for hit in search_organisations(query, workspace, limit=limit)]
    seen = {organisation.pk for organisation in found}
    if not is_identifier_query(query):
        # Names containing the query anywhere, or an identifier written in another form.
        # A number or org-id was looked up in the identifier indexes above (and the
        # workspace's own records by name); scanning every organisation of the register
        # for it as well took most of a search's time (issue 15).
        number = query.upper().replace(" ", "")
        matches = Q(name__icontains=query) | Q(identifiers__value__iexact=number)
        extra = (
            Organisation.objects.visible_to(workspace)
            .filter(matches)
            .exclude(pk__in=seen)
            .distinct()
            .order_by("name", "pk")[: max(0, limit - len(found))]
        )
        found.extend(extra)
    prefetch_related_objects(found, "identifiers")
    return found
