"""What in a workspace's portfolio needs someone's attention, each with a reason in words.

`needs_attention` lists partners not rated for the workspace's re-rating period (default six
months), renewals and notice deadlines in the next 90 days, partnerships being explored or
negotiated with no decision, decisions that went ahead over a red line, and partners whose
profile has changed since the decision was taken. It runs a fixed number of queries however
many partnerships, partners and ratings there are. The portfolio shows the list; the
`send_reminders` command emails the dated items (re-rating, renewals, notice deadlines).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Max
from django.urls import reverse

from partnerwise import typology as engine
from partnerwise.appraisals.models import AttentionSetting, Decision
from partnerwise.assessments.models import Assessment, RaterKind
from partnerwise.assessments.profiles import latest_per_rater, raters_for
from partnerwise.assessments.summaries import archetype_names, verdict_label
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.partnerships.models import Partnership, Status
from partnerwise.workspaces.models import Workspace

DEFAULT_RERATE_MONTHS = 6
SOON = timedelta(days=90)
# Partnerships that are over or never happened need no attention.
CLOSED = {Status.ENDED, Status.DECLINED}
# Partnerships where a decision is due: someone is weighing them up.
UNDECIDED = {Status.EXPLORING, Status.NEGOTIATING}
# Reminders go out for these kinds only: the rest are judgements, not dates.
DATED_KINDS = ("rerate", "renewal", "notice")


@dataclass(frozen=True)
class Item:
    """One thing that needs attention. `key` names it and the date it is about, so that a
    reminder for it is sent once (a new date is a new reminder)."""

    kind: str
    reason: str
    url: str
    partnership: str
    key: str
    due: date | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


KIND_LABELS = {
    "notice": "Notice deadline",
    "renewal": "Renewal",
    "rerate": "Re-rate",
    "pending": "Decision pending",
    "override": "Red-line override",
    "profile_changed": "Profile changed",
}


# The portfolio shows this many items; the rest sit in a disclosure below them.
SHOWN = 12


@dataclass(frozen=True)
class Attention:
    items: list[Item]
    rerate_months: int

    @property
    def first(self) -> list[Item]:
        return self.items[:SHOWN]

    @property
    def rest(self) -> list[Item]:
        return self.items[SHOWN:]


def rerate_months(workspace: Workspace) -> int:
    setting = workspace.attentionsettings.first()
    return setting.rerate_after_months if setting else DEFAULT_RERATE_MONTHS


def attention_setting(workspace: Workspace) -> AttentionSetting:
    """The workspace's setting row (unsaved, with the defaults, if it has none yet)."""
    return workspace.attentionsettings.first() or AttentionSetting(
        workspace=workspace, rerate_after_months=DEFAULT_RERATE_MONTHS, version=0
    )


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day if it has no such day)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _when(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _in_days(day: date, today: date) -> str:
    days = (day - today).days
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def _dated(partnerships: Sequence[Partnership], today: date, detail: str) -> list[Item]:
    items = []
    for p in partnerships:
        url = reverse(detail, args=[p.workspace.slug, p.pk])
        if p.notice_date and today <= p.notice_date <= today + SOON:
            items.append(
                Item(
                    kind="notice",
                    reason=f"Last day to give notice on {p.name} is {_when(p.notice_date)} "
                    f"({_in_days(p.notice_date, today)}).",
                    url=url,
                    partnership=p.name,
                    key=f"notice:{p.pk}:{p.notice_date.isoformat()}",
                    due=p.notice_date,
                )
            )
        if p.renewal_date and today <= p.renewal_date <= today + SOON:
            items.append(
                Item(
                    kind="renewal",
                    reason=f"{p.name} renews on {_when(p.renewal_date)} "
                    f"({_in_days(p.renewal_date, today)}).",
                    url=url,
                    partnership=p.name,
                    key=f"renewal:{p.pk}:{p.renewal_date.isoformat()}",
                    due=p.renewal_date,
                )
            )
    return items


def _rerates(
    workspace: Workspace, by_id: dict[int, Partnership], today: date, months: int
) -> list[Item]:
    """Partners last rated by a colleague before the cut-off, in partnerships still live."""
    cutoff = months_before(today, months)
    us = workspace.organisation_id
    latest = (
        workspace.assessments.filter(
            rater_kind=RaterKind.COLLEAGUE, partnership_id__in=list(by_id), assessed_on__lt=cutoff
        )
        .exclude(subject_id=us)
        .values("partnership_id", "subject_id", "subject__name")
        .annotate(last=Max("assessed_on"))
    )
    recent = set(
        workspace.assessments.filter(
            rater_kind=RaterKind.COLLEAGUE,
            partnership_id__in=list(by_id),
            assessed_on__gte=cutoff,
        ).values_list("partnership_id", "subject_id")
    )
    items = []
    for row in latest:
        pair = (row["partnership_id"], row["subject_id"])
        if pair in recent:
            continue
        p = by_id[row["partnership_id"]]
        last: date = row["last"]
        items.append(
            Item(
                kind="rerate",
                reason=f"{row['subject__name']} in {p.name} was last rated on {_when(last)}, "
                f"more than {months} months ago.",
                url=reverse("partnership_detail", args=[workspace.slug, p.pk]),
                partnership=p.name,
                key=f"rerate:{p.pk}:{row['subject_id']}:{last.isoformat()}",
            )
        )
    return items


def _profile(model: engine.Typology, assessments: list[Assessment]) -> engine.Profile | None:
    return engine.profile(model, raters_for(latest_per_rater(assessments))) if assessments else None


def _profile_changes(
    workspace: Workspace, decisions: dict[int, Decision], by_id: dict[int, Partnership]
) -> list[Item]:
    """Partners whose profile from colleagues' ratings reads differently now than it did
    when the latest decision on their partnership was recorded."""
    if not decisions:
        return []
    typology = default_typology()
    model = engine_typology(typology, workspace)
    names = archetype_names(workspace, typology)
    rows = (
        workspace.assessments.filter(
            typology=typology, rater_kind=RaterKind.COLLEAGUE, partnership_id__in=list(decisions)
        )
        .exclude(subject_id=workspace.organisation_id)
        .select_related("subject")
        .prefetch_related("answers")
    )
    grouped: dict[tuple[int, int], list[Assessment]] = defaultdict(list)
    for assessment in rows:
        grouped[(assessment.partnership_id, assessment.subject_id)].append(assessment)
    items = []
    for (partnership_id, _), found in sorted(grouped.items()):
        decided_at: datetime = decisions[partnership_id].recorded_at
        if all(a.created <= decided_at for a in found):
            continue
        before = verdict_label(
            _profile(model, [a for a in found if a.created <= decided_at]), names
        )
        now = verdict_label(_profile(model, found), names)
        if before == now:
            continue
        p = by_id[partnership_id]
        decision = decisions[partnership_id]
        items.append(
            Item(
                kind="profile_changed",
                reason=f"{found[0].subject.name} in {p.name} read as {before} when the decision "
                f"of {_when(decision.decided_on)} was recorded; it now reads as {now}.",
                url=reverse("appraisals:appraisal", args=[workspace.slug, p.pk]),
                partnership=p.name,
                key=f"profile:{p.pk}:{decision.pk}",
            )
        )
    return items


def needs_attention(*, workspace: Workspace, today: date) -> Attention:
    """Everything that needs attention on `today`: deadlines first, soonest first."""
    partnerships = [
        p for p in workspace.partnerships.order_by("name", "pk") if p.status not in CLOSED
    ]
    for p in partnerships:
        p.workspace = workspace  # the links need its slug; no query per row
    by_id = {p.pk: p for p in partnerships}
    items = _dated(partnerships, today, "partnership_detail")
    months = rerate_months(workspace)
    items += _rerates(workspace, by_id, today, months)
    latest: dict[int, Decision] = {}
    for row in workspace.decisions.filter(partnership_id__in=list(by_id)):
        latest.setdefault(row.partnership_id, row)  # newest first by Meta.ordering
    for p in partnerships:
        decision = latest.get(p.pk)
        appraisal = reverse("appraisals:appraisal", args=[workspace.slug, p.pk])
        if p.status in UNDECIDED and decision is None:
            items.append(
                Item(
                    kind="pending",
                    reason=f"{p.name} is {p.get_status_display().lower()} and no decision is "
                    "recorded.",
                    url=appraisal,
                    partnership=p.name,
                    key=f"pending:{p.pk}",
                )
            )
        if decision is not None and decision.override_reason:
            lines = ", ".join(f"'{name}'" for name in decision.red_line_conflicts) or "a red line"
            items.append(
                Item(
                    kind="override",
                    reason=f"{p.name} went ahead ({decision.get_outcome_display()}) over {lines} "
                    f"on {_when(decision.decided_on)}: {decision.override_reason}",
                    url=appraisal,
                    partnership=p.name,
                    key=f"override:{p.pk}:{decision.pk}",
                )
            )
    items += _profile_changes(workspace, latest, by_id)
    order = {kind: n for n, kind in enumerate(KIND_LABELS)}
    items.sort(key=lambda item: (order[item.kind], item.due or today, item.key))
    return Attention(items=items, rerate_months=months)
