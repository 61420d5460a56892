"""Same organisation, several sources: merging on identifiers, proposing on names.

Two reference organisations that share an org-id are one organisation, and
`merge_organisations` makes them one (the `links` importer does this for the published
charity <-> company number lists). A shared *name* proves nothing — two charities are called
St Giles Trust — so `propose_name_matches` only records a `CandidateMatch` with the
evidence, and a person confirms (`confirm_match`, which merges) or rejects it.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from partnerwise.opendata.models import (
    CandidateMatch,
    CharityOtherName,
    MatchStatus,
    SearchName,
)
from partnerwise.organisations.models import Identifier, Organisation

_SOURCE_NAMES = {
    "ccew": "Charity Commission register",
    "360giving": "360Giving grants",
    "ocds": "contracts (OCDS)",
}


class MergeError(Exception):
    """The two organisations cannot be merged; nothing was changed."""


def _label(organisation: Organisation) -> str:
    identifier = organisation.primary_identifier()
    return f"{organisation.name} ({identifier})" if identifier else organisation.name


def survivor_first(a: Organisation, b: Organisation) -> tuple[Organisation, Organisation]:
    """The register's record survives a merge; otherwise the older one."""

    def rank(organisation: Organisation) -> tuple[bool, int]:
        on_register = organisation.identifiers.filter(scheme="GB-CHC").exists()
        return (not on_register, organisation.pk)

    return (a, b) if rank(a) <= rank(b) else (b, a)


@transaction.atomic
def merge_organisations(keep: Organisation, drop: Organisation) -> Organisation:
    """Move everything that points at `drop` to `keep`, then delete `drop`.

    Only reference organisations (no workspace) are merged: a workspace's own records are
    its business.
    """
    if keep.pk == drop.pk:
        return keep
    if keep.workspace_id is not None or drop.workspace_id is not None:
        raise MergeError("only shared reference organisations can be merged")
    SearchName.objects.filter(
        organisation=drop,
        normalised__in=SearchName.objects.filter(organisation=keep).values("normalised"),
    ).delete()
    Identifier.objects.filter(organisation=drop).update(is_primary=False)
    # Open proposals about `drop` are void (the next proposal run sees the merged record);
    # decided ones keep their labels and lose the link when `drop` goes.
    CandidateMatch.objects.filter(
        models.Q(left=drop) | models.Q(right=drop), status=MatchStatus.PROPOSED
    ).delete()
    for relation in Organisation._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        related = relation.related_model
        field_name = relation.field.name  # type: ignore[union-attr]
        if related is CandidateMatch:
            continue
        try:
            with transaction.atomic():
                related._base_manager.filter(**{field_name: drop}).update(**{field_name: keep})  # type: ignore[union-attr]
        except IntegrityError:
            raise MergeError(
                f"both organisations already appear in the same "
                f"{related._meta.verbose_name} records; resolve that first"  # type: ignore[union-attr]
            ) from None
    for name in ("latest_income", "latest_income_year_end", "registered_on", "is_vcse"):
        if getattr(keep, name) is None and getattr(drop, name) is not None:
            setattr(keep, name, getattr(drop, name))
    for name in ("website", "description"):
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
    keep.sources = list(dict.fromkeys([*keep.sources, *drop.sources]))
    keep.save()
    drop.delete()
    return keep


def propose_name_matches() -> int:
    """Record a `CandidateMatch` for each pair of reference organisations known by the same
    normalised name in different sources (grants or contracts on one side). Returns how many
    new proposals there are; pairs already proposed, confirmed or rejected are left alone."""
    outside = SearchName.objects.filter(source__in=["360giving", "ocds"])
    by_name: dict[str, set[tuple[int, str]]] = defaultdict(set)
    names = SearchName.objects.filter(
        normalised__in=outside.values("normalised"), organisation__workspace__isnull=True
    ).values_list("normalised", "organisation_id", "source")
    for normalised, organisation_id, source in names:
        by_name[normalised].add((organisation_id, source))
    register: dict[str, set[int]] = defaultdict(set)
    for normalised, number in CharityOtherName.objects.filter(
        normalised__in=list(by_name)
    ).values_list("normalised", "registered_number"):
        register[normalised].add(number)
    existing = set(CandidateMatch.objects.values_list("left_id", "right_id"))
    created = 0
    for normalised, members in sorted(by_name.items()):
        organisation_ids = sorted({organisation_id for organisation_id, _ in members})
        if len(organisation_ids) < 2:
            continue
        organisations = Organisation.objects.in_bulk(organisation_ids)
        sources: dict[int, set[str]] = defaultdict(set)
        for organisation_id, source in members:
            sources[organisation_id].add(_SOURCE_NAMES.get(source, source))
        crowded = len(organisation_ids) > 2
        for i, left_id in enumerate(organisation_ids):
            for right_id in organisation_ids[i + 1 :]:
                if (left_id, right_id) in existing:
                    continue
                left, right = organisations[left_id], organisations[right_id]
                evidence = (
                    f"Both are known by the name {normalised!r}: {_label(left)} in "
                    f"{', '.join(sorted(sources[left_id]))}; {_label(right)} in "
                    f"{', '.join(sorted(sources[right_id]))}. Name only: check the numbers."
                )
                if crowded:
                    evidence += (
                        f" Ambiguous: {len(organisation_ids)} organisations share this name."
                    )
                if register[normalised]:
                    numbers = ", ".join(str(n) for n in sorted(register[normalised]))
                    evidence += (
                        f" The Charity Commission register lists it as another name of "
                        f"charity {numbers}."
                    )
                    claimed = {
                        value.removeprefix("GB-CHC-")
                        for value in Identifier.objects.filter(
                            organisation_id__in=[left_id, right_id], scheme="GB-CHC"
                        ).values_list("value", flat=True)
                    }
                    conflicting = claimed - {str(n) for n in register[normalised]}
                    if conflicting:
                        evidence += (
                            f" Conflict: {', '.join(sorted(conflicting))} is not among them."
                        )
                CandidateMatch.objects.create(
                    left=left,
                    right=right,
                    left_label=_label(left)[:400],
                    right_label=_label(right)[:400],
                    normalised_name=normalised[:300],
                    evidence=evidence,
                )
                existing.add((left_id, right_id))
                created += 1
    return created


@transaction.atomic
def confirm_match(match: CandidateMatch, *, user: object) -> Organisation:
    """A person says the two are one organisation: merge them, and record who said so."""
    if match.status != MatchStatus.PROPOSED or match.left is None or match.right is None:
        raise MergeError("this match has already been decided")
    keep, drop = survivor_first(match.left, match.right)
    match.status = MatchStatus.CONFIRMED
    match.decided_by = user  # type: ignore[assignment]
    match.decided_at = timezone.now()
    match.save()
    return merge_organisations(keep, drop)


def reject_match(match: CandidateMatch, *, user: object) -> None:
    """A person says the two are different: never propose the pair again."""
    if match.status != MatchStatus.PROPOSED:
        raise MergeError("this match has already been decided")
    match.status = MatchStatus.REJECTED
    match.decided_by = user  # type: ignore[assignment]
    match.decided_at = timezone.now()
    match.save(update_fields=["status", "decided_by", "decided_at"])
