"""Lists of partnerships, for the pages and the API alike: filtered by status, form, partner
and the archetype we see a partner as, sorted, and cut into pages with a total.

A prime's workspace holds a thousand partnerships or more; a list shows one page of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import F, OrderBy, QuerySet

from partnerwise.partnerships.models import Form, Partnership, Status
from partnerwise.workspaces.models import Workspace

# Partnerships without a value or renewal date go last either way, on both databases
# (PostgreSQL would put them first when descending).
SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "value": (F("value").asc(nulls_last=True), "name", "pk"),
    "-value": (F("value").desc(nulls_last=True), "name", "pk"),
    "renewal": (F("renewal_date").asc(nulls_last=True), "name", "pk"),
    "-renewal": (F("renewal_date").desc(nulls_last=True), "name", "pk"),
    "status": ("status", "name", "pk"),
    "form": ("form", "name", "pk"),
}
SORT_LABELS = {
    "name": "Name, A to Z",
    "-name": "Name, Z to A",
    "value": "Value, smallest first",
    "-value": "Value, largest first",
    "renewal": "Renewal, soonest first",
    "-renewal": "Renewal, latest first",
    "status": "Status",
    "form": "Form",
}
PAGE_SIZE = 25
PAGE_SIZES = (25, 50, 100, 200)


class ListError(ValueError):
    """A filter, sort or page that cannot be used; `field` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PartnershipFilter:
    status: str = ""
    form: str = ""
    partner: int | None = None
    archetype: str = ""
    sort: str = "name"

    def params(self) -> dict[str, str]:
        """The filter as query parameters, for links to other pages of the same list."""
        values = {
            "status": self.status,
            "form": self.form,
            "partner": str(self.partner) if self.partner else "",
            "archetype": self.archetype,
            "sort": "" if self.sort == "name" else self.sort,
        }
        return {key: value for key, value in values.items() if value}


def read_filter(params: Mapping[str, str]) -> PartnershipFilter:
    """A filter from query parameters; raises ListError naming the parameter at fault."""
    status = params.get("status", "") or ""
    if status and status not in Status.values:
        raise ListError("status", f"status: '{status}' is not one of {', '.join(Status.values)}")
    form = params.get("form", "") or ""
    if form and form not in Form.values:
        raise ListError("form", f"form: '{form}' is not one of {', '.join(Form.values)}")
    sort = params.get("sort", "") or "name"
    if sort not in SORTS:
        raise ListError("sort", f"sort: '{sort}' is not one of {', '.join(SORTS)}")
    raw_partner = params.get("partner", "") or ""
    partner = None
    if raw_partner:
        if not raw_partner.isdigit():
            raise ListError("partner", f"partner: '{raw_partner}' is not an organisation number")
        partner = int(raw_partner)
    archetype = (params.get("archetype", "") or "").strip()
    return PartnershipFilter(
        status=status, form=form, partner=partner, archetype=archetype, sort=sort
    )


def filter_partnerships(workspace: Workspace, chosen: PartnershipFilter) -> QuerySet[Partnership]:
    rows = workspace.partnerships.all()
    if chosen.status:
        rows = rows.filter(status=chosen.status)
    if chosen.form:
        rows = rows.filter(form=chosen.form)
    if chosen.partner is not None:
        rows = rows.filter(
            pk__in=workspace.participations.filter(organisation_id=chosen.partner).values(
                "partnership_id"
            )
        )
    if chosen.archetype:
        # A partner our colleagues see as this archetype, on the default typology, by the
        # profiles stored when ratings changed (assessments.StoredProfile).
        matched = Partnership.objects.filter(
            workspace=workspace,
            storedprofiles__workspace=workspace,
            storedprofiles__rater_kind="colleague",
            storedprofiles__typology__workspace__isnull=True,
            storedprofiles__typology__key="default",
            storedprofiles__verdict="match",
            storedprofiles__best=chosen.archetype,
        )
        rows = rows.filter(pk__in=matched.values("pk"))
    return rows.order_by(*SORTS[chosen.sort])


def page_of(
    rows: QuerySet[Partnership], page: str | int | None, size: str | int | None
) -> Page[Partnership]:
    """One page of `rows` (Django's Paginator: it counts once and slices in the database)."""
    try:
        per_page = int(size) if size not in (None, "") else PAGE_SIZE
    except (TypeError, ValueError):
        raise ListError("size", f"size: '{size}' is not a number") from None
    if per_page not in PAGE_SIZES:
        raise ListError("size", f"size: give one of {', '.join(map(str, PAGE_SIZES))}")
    paginator = Paginator(rows, per_page)
    try:
        return paginator.page(page or 1)
    except PageNotAnInteger:
        raise ListError("page", f"page: '{page}' is not a number") from None
    except EmptyPage:
        raise ListError(
            "page", f"page: {page} is past the last page ({paginator.num_pages})"
        ) from None
