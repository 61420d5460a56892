"""Gather what an appraisal needs from the database and run the recommendation on it.

`appraise` reads a partnership's participants and their latest profiles, the workspace's
values and commitments with this partnership's ratings, and the workspace's playbook, in a
fixed number of queries however many values, ratings or entries there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from partnerwise import typology as engine
from partnerwise.appraisals import playbook as pb
from partnerwise.appraisals.models import Appraisal, Decision, PlaybookEntry, Principle, Rating
from partnerwise.appraisals.recommendation import Rated, Recommendation, recommend
from partnerwise.assessments.summaries import archetype_names, latest_profiles, verdict_label
from partnerwise.assessments.typologies import default_typology
from partnerwise.partnerships.models import Participation, Partnership
from partnerwise.workspaces.models import Workspace


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
    profile: engine.Profile | None
    verdict: str


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
                    "kind": row.principle.kind,
                    "name": row.principle.name,
                    "red_line": row.principle.is_red_line,
                    "score": row.score,
                    "evidence": row.rating.evidence if row.rating else "",
                }
                for row in self.values + self.commitments
            ],
            **self.recommendation.to_dict(),
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
    ratings = list(appraisal.ratings.all()) if appraisal else []
    values, commitments = principle_rows(principles, ratings)

    typology = default_typology()
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
        decisions = list(partnership.decisions.select_related("decided_by"))
    return Picture(
        partnership=partnership,
        appraisal=appraisal,
        rows=rows,
        values=values,
        commitments=commitments,
        situation=situation,
        recommendation=recommendation,
        decisions=decisions,
    )
