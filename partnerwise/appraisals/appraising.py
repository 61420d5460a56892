"""Gather what an appraisal needs from the database and run the recommendation on it.

`appraise` reads a partnership's participants and their latest profiles, the workspace's
values and commitments with this partnership's ratings, and the workspace's playbook, in a
fixed number of queries however many values, ratings or entries there are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from partnerwise.appraisals import playbook as pb
from partnerwise.appraisals.models import Appraisal, Decision, PlaybookEntry, Principle, Rating
from partnerwise.appraisals.recommendation import Rated, Recommendation, recommend
from partnerwise.assessments.models import StoredProfile
from partnerwise.assessments.summaries import archetype_names, latest_profiles, verdict_label
from partnerwise.assessments.typologies import default_typology
from partnerwise.opendata.signs import register_signs_for
from partnerwise.partnerships.models import Participation, Partnership
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Workspace
from partnerwise.workspaces.versioning import StaleVersion, save_if_current


def entry_from_row(row: PlaybookEntry) -> pb.Entry:
    return pb.Entry(
        id=row.key,
        title=row.title,
        kind=row.kind,  # type: ignore[arg-type]
        severity=row.severity,  # type: ignore[arg-type]
        text=row.text,
        source=row.source,
        archetypes=tuple(row.archetypes),
        partner_roles=tuple(row.partner_roles),
        forms=tuple(row.forms),
        our_roles=tuple(row.our_roles),
        enabled=row.enabled,
    )


def workspace_playbook(workspace: Workspace) -> list[pb.Entry]:
    """The shipped playbook with the workspace's edits, disabled entries and additions."""
    rows = workspace.playbookentrys.order_by("pk")
    return pb.merge(pb.shipped_playbook(), [entry_from_row(row) for row in rows])


@dataclass
class PartnerRow:
    participation: Participation
    is_us: bool
    profile: StoredProfile | None
    verdict: str


@dataclass(frozen=True)
class RegisterWarning:
    """One of the register's warning signs about a partner, as evidence for the risks."""

    organisation: str
    evidence: str  # the finding, its source and extract date, and what to ask


@dataclass
class PrincipleRow:
    principle: Principle
    rating: Rating | None

    @property
    def score(self) -> int | None:
        return self.rating.score if self.rating else None


@dataclass
class Picture:
    """Everything the appraisal page, board paper and CLI show for one partnership."""

    partnership: Partnership
    appraisal: Appraisal | None
    rows: list[PartnerRow]
    values: list[PrincipleRow]
    commitments: list[PrincipleRow]
    situation: pb.Situation
    recommendation: Recommendation
    decisions: list[Decision] = field(default_factory=list)
    register_warnings: list[RegisterWarning] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.appraisal.version if self.appraisal else 0

    @property
    def latest_decision(self) -> Decision | None:
        return self.decisions[0] if self.decisions else None

    @property
    def self_rows(self) -> list[PartnerRow]:
        return [row for row in self.rows if row.is_us]

    def to_dict(self) -> dict[str, Any]:
        decision = self.latest_decision
        return {
            "partnership": {
                "id": self.partnership.pk,
                "name": self.partnership.name,
                "form": self.partnership.form,
                "status": self.partnership.status,
            },
            "our_roles": list(self.situation.our_roles),
            "partners": [
                {
                    "name": p.name,
                    "role": p.role,
                    "verdict": p.verdict,
                    "archetypes": list(p.archetypes),
                    "confidence": round(p.confidence, 3),
                }
                for p in self.situation.partners
            ],
            "ratings": [
                {
                    "principle_id": row.principle.pk,
                    "kind": row.principle.kind,
                    "name": row.principle.name,
                    "red_line": row.principle.is_red_line,
                    "score": row.score,
                    "evidence": row.rating.evidence if row.rating else "",
                }
                for row in self.values + self.commitments
            ],
            **self.recommendation.to_dict(),
            "register_warnings": [
                {"organisation": w.organisation, "evidence": w.evidence}
                for w in self.register_warnings
            ],
            "decision": None
            if decision is None
            else {
                "outcome": decision.outcome,
                "decided_on": decision.decided_on.isoformat(),
                "approved_by": decision.approved_by,
                "reasons": decision.reasons,
                "conditions": decision.conditions,
                "override_reason": decision.override_reason,
            },
        }


def _partner(row: PartnerRow) -> pb.Partner:
    profile = row.profile
    organisation = row.participation.organisation
    if profile is None or not profile.raters:
        return pb.Partner(name=organisation.name, role=row.participation.role)
    archetypes: tuple[str, ...] = ()
    if profile.verdict == "match" and profile.best:
        archetypes = (profile.best,)
    elif profile.verdict == "mixed":
        archetypes = tuple(profile.leading)
    return pb.Partner(
        name=organisation.name,
        role=row.participation.role,
        archetypes=archetypes,
        verdict=profile.verdict,
        confidence=profile.confidence,
    )


def principle_rows(
    principles: Sequence[Principle], ratings: Sequence[Rating]
) -> tuple[list[PrincipleRow], list[PrincipleRow]]:
    by_principle = {rating.principle_id: rating for rating in ratings}
    rows = [PrincipleRow(p, by_principle.get(p.pk)) for p in principles]
    return (
        [row for row in rows if row.principle.kind == "value"],
        [row for row in rows if row.principle.kind == "commitment"],
    )


def appraise(
    *, workspace: Workspace, partnership: Partnership, with_decisions: bool = True
) -> Picture:
    """The appraisal of `partnership` as it stands, with the recommendation and its reasons."""
    appraisal = workspace.appraisals.filter(partnership=partnership).first()
    principles = list(workspace.principles.order_by("kind", "position", "name", "pk"))
    ratings = (
        list(workspace.ratings.filter(appraisal=appraisal).select_related("rated_by"))
        if appraisal
        else []
    )
    values, commitments = principle_rows(principles, ratings)

    typology = default_typology(workspace)
    names = archetype_names(workspace, typology)
    profiles = latest_profiles(workspace, partnership_ids=[partnership.pk], typology=typology)
    us_id = workspace.organisation_id
    rows = [
        PartnerRow(
            participation=item,
            is_us=us_id is not None and item.organisation_id == us_id,
            profile=profiles.get((partnership.pk, item.organisation_id)),
            verdict=verdict_label(profiles.get((partnership.pk, item.organisation_id)), names),
        )
        for item in partnership.participations.select_related("organisation").order_by("role", "pk")
    ]
    situation = pb.Situation(
        form=partnership.form,
        our_roles=tuple(dict.fromkeys(row.participation.role for row in rows if row.is_us)),
        partners=tuple(_partner(row) for row in rows if not row.is_us),
        archetype_names=names,
    )
    rated = [
        Rated(
            name=row.principle.name,
            kind=row.principle.kind,  # type: ignore[arg-type]
            is_red_line=row.principle.is_red_line,
            score=row.score,
            evidence=row.rating.evidence if row.rating else "",
        )
        for row in values + commitments
    ]
    recommendation = recommend(
        situation=situation, ratings=rated, playbook=workspace_playbook(workspace)
    )
    decisions: list[Decision] = []
    if with_decisions:
        decisions = list(
            workspace.decisions.filter(partnership=partnership).select_related("decided_by")
        )
    return Picture(
        partnership=partnership,
        appraisal=appraisal,
        rows=rows,
        values=values,
        commitments=commitments,
        situation=situation,
        recommendation=recommendation,
        decisions=decisions,
        register_warnings=register_warnings(rows),
    )


def register_warnings(rows: Sequence[PartnerRow]) -> list[RegisterWarning]:
    """The register's warning signs for every partner (not us), in one batch of queries.
    A partner the register does not know, or whose figures are missing, gives none."""
    partners = list(
        {
            row.participation.organisation_id: row.participation.organisation
            for row in rows
            if not row.is_us
        }.values()
    )
    signs = register_signs_for(partners)
    return [
        RegisterWarning(organisation=org.name, evidence=sign.evidence)
        for org in partners
        for sign in (signs[org.pk].warnings if org.pk in signs else [])
    ]


# --- what changed since the decision ---------------------------------------------------------

SCORE_WORDS = {2: "+2", 1: "+1", 0: "0", -1: "-1 (strain)", -2: "-2 (in conflict)"}


def _score_words(score: int | None) -> str:
    return "not rated" if score is None else SCORE_WORDS.get(score, str(score))


def snapshot(picture: Picture) -> dict[str, Any]:
    """What a decision answered: the recommendation, each partner's profile, each rating."""
    return {
        "recommendation": picture.recommendation.label,
        "partners": {
            row.participation.organisation.name: row.verdict
            for row in picture.rows
            if not row.is_us
        },
        "ratings": {
            row.principle.name: _score_words(row.score)
            for row in picture.values + picture.commitments
        },
    }


def compare_snapshots(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """What differs between two snapshots, in words; parts missing from either are skipped."""
    changes = []
    old_outcome, new_outcome = before.get("recommendation"), now.get("recommendation")
    if old_outcome and new_outcome and old_outcome != new_outcome:
        changes.append(f"The recommendation was {old_outcome}; now it is {new_outcome}.")
    for part, absent in (("partners", "not in it"), ("ratings", "not set out")):
        if part not in before or part not in now:
            continue
        old, new = before[part], now[part]
        for name in sorted(set(old) | set(new)):
            was, is_now = old.get(name) or absent, new.get(name) or absent
            if was != is_now:
                what = f"{name}'s profile" if part == "partners" else f"The rating of '{name}'"
                changes.append(f"{what} was {was}; now it is {is_now}.")
    return changes


def changed_since_decision(picture: Picture) -> list[str]:
    """What has changed since the latest decision was recorded (empty if nothing, or none)."""
    decision = picture.latest_decision
    if decision is None:
        return []
    if not decision.snapshot:
        # Recorded before decisions kept a snapshot: the version says whether, not what.
        if decision.appraisal_version != picture.version:
            return ["The appraisal has been changed."]
        return []
    return compare_snapshots(decision.snapshot, snapshot(picture))


def portfolio_changes(
    workspace: Workspace, verdicts: Mapping[tuple[int, int], str]
) -> dict[int, list[str]]:
    """For each partnership with a decision, what its partners' profiles and its ratings have
    changed to since (the recommendation is left to the partnership page), in three queries.

    `verdicts` is {(partnership id, organisation id): verdict label}, as the portfolio has it.
    """
    latest: dict[int, Decision] = {}
    for decision in workspace.decisions.order_by("partnership_id", "-recorded_at", "-pk"):
        latest.setdefault(decision.partnership_id, decision)
    if not latest:
        return {}
    us = workspace.organisation_id
    partners: dict[int, dict[str, str]] = {pk: {} for pk in latest}
    for item in workspace.participations.filter(partnership_id__in=latest).select_related(
        "organisation"
    ):
        if item.organisation_id != us:
            partners[item.partnership_id][item.organisation.name] = verdicts.get(
                (item.partnership_id, item.organisation_id), ""
            )
    principles = list(workspace.principles.all())
    scores: dict[int, dict[int, int | None]] = {pk: {} for pk in latest}
    for rating in workspace.ratings.filter(appraisal__partnership_id__in=latest).select_related(
        "appraisal"
    ):
        scores[rating.appraisal.partnership_id][rating.principle_id] = rating.score
    result = {}
    for pk, decision in latest.items():
        if not decision.snapshot:
            continue
        now = {
            "partners": partners[pk],
            "ratings": {p.name: _score_words(scores[pk].get(p.pk)) for p in principles},
        }
        changes = compare_snapshots(decision.snapshot, now)
        if changes:
            result[pk] = changes
    return result


# --- saving ---------------------------------------------------------------------------------


def _rating_text(score: int | None, evidence: str) -> str | None:
    if score is None and not evidence:
        return None
    shown = "not rated" if score is None else f"{score:+d}"
    return f"{shown}; {evidence}" if evidence else shown


def save_appraisal(
    *,
    workspace: Workspace,
    partnership: Partnership,
    user: Any,
    seen_version: int,
    scores: Mapping[int, tuple[int | None, str]],
    notes: str | None = None,
    picture: Picture | None = None,
) -> Appraisal:
    """Save ratings ({principle id: (score or None, evidence)}) if `seen_version` is current.

    Principles not in `scores` keep their ratings; `notes=None` keeps the notes. A rating with
    neither score nor evidence is dropped. Raises StaleVersion if someone saved since the
    caller read version `seen_version` (0: no appraisal yet), and ValueError naming the
    principle for an unknown id or a score outside -2 to +2.
    """
    picture = picture or appraise(workspace=workspace, partnership=partnership)
    rows = {row.principle.pk: row for row in picture.values + picture.commitments}
    for principle_id, (score, _) in scores.items():
        if principle_id not in rows:
            raise ValueError(f"principle {principle_id}: not one of this workspace's")
        if score is not None and not -2 <= score <= 2:
            name = rows[principle_id].principle.name
            raise ValueError(f"'{name}': score {score} is outside -2 to +2")
    try:
        with transaction.atomic():
            appraisal, _ = Appraisal.objects.get_or_create(
                workspace=workspace, partnership=partnership, defaults={"version": 0}
            )
            new_notes = appraisal.notes if notes is None else notes.strip()
            save_if_current(
                workspace.appraisals,
                pk=appraisal.pk,
                seen=seen_version,
                values={
                    "notes": new_notes,
                    "updated_by": user if getattr(user, "is_authenticated", False) else None,
                },
            )
            changes = _store_ratings(
                workspace=workspace, user=user, appraisal=appraisal, rows=rows, scores=scores
            )
            if new_notes != appraisal.notes:
                changes["notes"] = (appraisal.notes, new_notes)
            record_change(
                workspace=workspace,
                user=user,
                obj=appraisal,
                action="rated" if changes else "saved unchanged",
                changes=changes,
            )
    except IntegrityError as error:
        # Two first saves raced to create the appraisal: the loser is stale.
        raise StaleVersion(
            "Someone else saved this appraisal at the same moment; nothing was saved.",
            seen=seen_version,
        ) from error
    appraisal.refresh_from_db()
    return appraisal


def _store_ratings(
    *,
    workspace: Workspace,
    user: Any,
    appraisal: Appraisal,
    rows: Mapping[int, PrincipleRow],
    scores: Mapping[int, tuple[int | None, str]],
) -> dict[str, tuple[object, object]]:
    """Create, update or drop ratings in three statements at most; returns the changes."""
    changes: dict[str, tuple[object, object]] = {}
    creates: list[Rating] = []
    updates: list[Rating] = []
    drops: list[int] = []
    now = timezone.now()
    rater = user if getattr(user, "is_authenticated", False) else None
    for principle_id, (score, raw_evidence) in scores.items():
        row = rows[principle_id]
        evidence = raw_evidence.strip()
        old = row.rating
        old_text = _rating_text(old.score, old.evidence) if old else None
        new_text = _rating_text(score, evidence)
        if old_text == new_text:
            continue
        changes[row.principle.name] = (old_text, new_text)
        if new_text is None and old is not None:
            drops.append(old.pk)
        elif old is None:
            creates.append(
                Rating(
                    workspace=workspace,
                    appraisal=appraisal,
                    principle=row.principle,
                    score=score,
                    evidence=evidence,
                    rated_by=rater,
                    rated_at=now,
                )
            )
        else:
            old.score, old.evidence, old.rated_by, old.rated_at = score, evidence, rater, now
            updates.append(old)
    if drops:
        workspace.ratings.filter(pk__in=drops).delete()
    if creates:
        Rating.objects.bulk_create(creates)
    if updates:
        Rating.objects.bulk_update(updates, ["score", "evidence", "rated_by", "rated_at"])
    return changes


def _who(decision: Decision) -> str:
    user = decision.decided_by
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def record_decision(
    *,
    workspace: Workspace,
    partnership: Partnership,
    user: Any,
    picture: Picture,
    decision: Decision,
    seen_version: int,
    seen_latest: int | None,
) -> Decision:
    """Keep a (validated, unsaved) decision with a snapshot of the recommendation it answers.

    Refused with StaleVersion if the appraisal changed since the caller read version
    `seen_version`, or if a decision newer than `seen_latest` (its id; None or -1: none) was
    recorded meanwhile, so nobody decides on a picture that is no longer true.
    """
    recommendation = picture.recommendation
    with transaction.atomic():
        appraisal, _ = Appraisal.objects.get_or_create(
            workspace=workspace, partnership=partnership, defaults={"version": 0}
        )
        # Lock the appraisal so two decisions on one partnership are recorded one at a time.
        appraisal = workspace.appraisals.select_for_update().get(pk=appraisal.pk)
        latest = (
            workspace.decisions.filter(partnership=partnership).select_related("decided_by").first()
        )
        current = appraisal.version if picture.appraisal else 0
        if seen_version != current or picture.version != appraisal.version:
            raise StaleVersion(
                "The appraisal was changed while you were writing this decision, so its "
                "recommendation may have changed. Nothing was recorded; your text is below. "
                "Check the recommendation, then record the decision again."
            )
        if latest is not None and seen_latest != latest.pk:
            raise StaleVersion(
                f"{_who(latest)} recorded a decision ({latest.get_outcome_display()}) while you "
                "were writing this one. Nothing was recorded; your text is below. Read their "
                "decision, then record yours again if it still stands."
            )
        decision.workspace = workspace
        decision.partnership = partnership
        decision.decided_by = user if getattr(user, "is_authenticated", False) else None
        decision.recommendation = recommendation.outcome
        decision.red_line_conflicts = list(recommendation.red_line_conflicts)
        decision.appraisal_version = picture.version
        decision.snapshot = snapshot(picture)
        decision.save()
        record_change(
            workspace=workspace,
            user=user,
            obj=appraisal,
            action="recorded a decision",
            summary=f"outcome {decision.get_outcome_display()}, approved by {decision.approved_by}"
            + (" (red-line override)" if decision.override_reason else ""),
        )
    return decision
