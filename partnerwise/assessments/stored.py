"""Profiles kept as data: computed when ratings or typologies change, read by pages.

A workspace of a prime's size has thousands of (partnership, subject) pairs; computing every
profile from every rating on each page view took seconds. Instead each change recomputes the
profiles it touches, in the same transaction: a rating changes one group (partnership,
subject, typology, kind of rater), its current profile and its history; a typology change
recomputes every group rated on it. `rebuild_profiles` recomputes everything (after an engine
upgrade, or to repair). Only the engine's public `profile()` and `Profile.to_dict()` are used,
so a new engine needs no change here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from partnerwise import typology as engine
from partnerwise.assessments.models import Assessment, ProfilePoint, StoredProfile, Typology
from partnerwise.assessments.profiles import latest_per_rater, raters_for
from partnerwise.assessments.typologies import engine_typology
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.models import Workspace

Group = tuple[int, int, int, str]  # partnership id, subject id, typology id, rater kind


def profile_fields(profile: engine.Profile) -> dict[str, Any]:
    """The stored fields of an engine profile."""
    data = profile.to_dict()
    return {
        "verdict": profile.verdict,
        "best": profile.best or "",
        "leading": list(profile.leading),
        "confidence": float(profile.confidence),
        "raters": list(profile.raters),
        "fits": dict(data.get("fits", {})),
        "data": data,
    }


def _compute_group(
    workspace: Workspace, group: Group, items: list[Assessment], model: engine.Typology
) -> tuple[StoredProfile | None, list[ProfilePoint]]:
    partnership_id, subject_id, typology_id, rater_kind = group
    key = {
        "workspace": workspace,
        "partnership_id": partnership_id,
        "subject_id": subject_id,
        "typology_id": typology_id,
        "rater_kind": rater_kind,
    }
    ordered = sorted(items, key=lambda a: (a.assessed_on, a.pk))
    if not ordered:
        return None, []
    points = []
    profile = None
    for index, assessment in enumerate(ordered):
        standing = latest_per_rater(ordered[: index + 1])
        profile = engine.profile(model, raters_for(standing))
        points.append(
            ProfilePoint(
                **key,
                assessment=assessment,
                assessed_on=assessment.assessed_on,
                rater_name=assessment.rater_name,
                **profile_fields(profile),
            )
        )
    # The last point is the current profile: every rater's latest rating.
    last = points[-1]
    current = StoredProfile(
        **key,
        **{name: getattr(last, name) for name in profile_fields_names()},
        rater_answers=answers_by_rater(profile) if profile is not None else [],
    )
    return current, points


def answers_by_rater(profile: engine.Profile) -> list[list[Any]]:
    """Each rater's own answers as the engine read them, in its order of raters: a rater
    whose answers were set aside (flagged) has none. One rater's are the profile's."""
    if profile.rater_profiles:
        return [[name, dict(own.answers)] for name, own in profile.rater_profiles.items()]
    return [[name, dict(profile.answers)] for name in profile.raters[:1]]


def profile_fields_names() -> tuple[str, ...]:
    return ("verdict", "best", "leading", "confidence", "raters", "fits", "data")


def _compute_all(
    workspace: Workspace,
    groups: dict[Group, list[Assessment]],
    models: Callable[[int], engine.Typology],
) -> tuple[list[StoredProfile], list[ProfilePoint]]:
    """Each group's current profile (if it has one) and its history, computed afresh."""
    currents: list[StoredProfile] = []
    points: list[ProfilePoint] = []
    for group, items in groups.items():
        current, history = _compute_group(workspace, group, items, models(group[2]))
        if current is not None:
            currents.append(current)
        points.extend(history)
    return currents, points


def _write(
    workspace: Workspace,
    groups: dict[Group, list[Assessment]],
    models: Callable[[int], engine.Typology],
) -> None:
    """Replace the stored profiles and history of `groups` with fresh computations."""
    currents, points = _compute_all(workspace, groups, models)
    for partnership_id, subject_id, typology_id, rater_kind in groups:
        selector = {
            "partnership_id": partnership_id,
            "subject_id": subject_id,
            "typology_id": typology_id,
            "rater_kind": rater_kind,
        }
        workspace.storedprofiles.filter(**selector).delete()
        workspace.profilepoints.filter(**selector).delete()
    StoredProfile.objects.bulk_create(currents, batch_size=500)
    ProfilePoint.objects.bulk_create(points, batch_size=500)


def refresh_profile(
    *,
    workspace: Workspace,
    partnership_id: int,
    subject_id: int,
    typology: Typology,
    rater_kind: str,
    model: engine.Typology | None = None,
) -> None:
    """Recompute one group's current profile and history (after a rating in it changed)."""
    group: Group = (partnership_id, subject_id, typology.pk, str(rater_kind))
    # One refresh of a partnership's profiles at a time, until the caller's transaction ends:
    # on PostgreSQL two ratings saved at once would each miss the other's answers and both
    # insert the group's profile (a unique-constraint 500, found by bench/load.py). NO KEY
    # UPDATE, as the rating's own row already holds a KEY SHARE lock on the partnership.
    # SQLite writes one transaction at a time already and ignores the lock.
    with transaction.atomic():
        locked = Partnership.objects.select_for_update(no_key=True).filter(pk=partnership_id)
        list(locked.values_list("pk", flat=True))
        items = list(
            workspace.assessments.filter(
                partnership_id=partnership_id,
                subject_id=subject_id,
                typology=typology,
                rater_kind=rater_kind,
            ).prefetch_related("answers")
        )
        resolved = model or engine_typology(typology, workspace)
        _write(workspace, {group: items}, lambda _: resolved)


def _typology_models(workspace: Workspace) -> Callable[[int], engine.Typology]:
    cache: dict[int, engine.Typology] = {}

    def model(typology_id: int) -> engine.Typology:
        if typology_id not in cache:
            cache[typology_id] = engine_typology(Typology.objects.get(pk=typology_id), workspace)
        return cache[typology_id]

    return model


BATCH = 200


def rebuild_profiles(
    *,
    workspace: Workspace,
    typology: Typology | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute every stored profile of `workspace` (on `typology` only, if given).

    Runs in one transaction, so pages see the old profiles or the new, never a mixture.
    Calls `progress(n)` after each batch of n groups; returns the number of groups.
    """
    rows = workspace.assessments.all()
    if typology is not None:
        rows = rows.filter(typology=typology)
    keys = sorted(
        set(rows.values_list("partnership_id", "subject_id", "typology_id", "rater_kind"))
    )
    models = _typology_models(workspace)
    with transaction.atomic():
        stale_profiles = workspace.storedprofiles.all()
        stale_points = workspace.profilepoints.all()
        if typology is not None:
            stale_profiles = stale_profiles.filter(typology=typology)
            stale_points = stale_points.filter(typology=typology)
        stale_profiles.delete()
        stale_points.delete()
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            groups: dict[Group, list[Assessment]] = {key: [] for key in batch}
            partnerships = {key[0] for key in batch}
            for assessment in rows.filter(partnership_id__in=partnerships).prefetch_related(
                "answers"
            ):
                key = (
                    assessment.partnership_id,
                    assessment.subject_id,
                    assessment.typology_id,
                    assessment.rater_kind,
                )
                if key in groups:
                    groups[key].append(assessment)
            currents, points = _compute_all(workspace, groups, models)
            StoredProfile.objects.bulk_create(currents, batch_size=500)
            ProfilePoint.objects.bulk_create(points, batch_size=500)
            if progress is not None:
                progress(len(batch))
    return len(keys)


def rebuild_for_typology(*, workspace: Workspace | None, typology: Typology) -> None:
    """After a typology's archetypes changed: recompute the profiles on it, in the workspace
    that changed it, or in every workspace when a shipped typology changed."""
    workspaces: Iterable[Workspace]
    if workspace is not None:
        workspaces = [workspace]
    else:
        ids = Assessment.objects.filter(typology=typology).values("workspace_id").distinct()
        workspaces = Workspace.objects.filter(pk__in=ids)
    for each in workspaces:
        rebuild_profiles(workspace=each, typology=typology)


def stored_equals_fresh(workspace: Workspace) -> list[Group]:
    """The groups whose stored profile or history differs from a fresh computation (empty
    when all is well): what the tests and `rebuild_profiles --check` look at."""
    grouped: dict[Group, list[Assessment]] = defaultdict(list)
    for assessment in workspace.assessments.prefetch_related("answers"):
        grouped[
            (
                assessment.partnership_id,
                assessment.subject_id,
                assessment.typology_id,
                assessment.rater_kind,
            )
        ].append(assessment)
    models = _typology_models(workspace)
    stored = {
        (p.partnership_id, p.subject_id, p.typology_id, p.rater_kind): p
        for p in workspace.storedprofiles.all()
    }
    stored_points: dict[int, ProfilePoint] = {
        p.assessment_id: p for p in workspace.profilepoints.all()
    }
    wrong = [key for key in stored if key not in grouped]
    for group, items in grouped.items():
        current, history = _compute_group(workspace, group, items, models(group[2]))
        have = stored.get(group)
        if (
            have is None
            or current is None
            or _fields(have) != _fields(current)
            or have.rater_answers != current.rater_answers
        ):
            wrong.append(group)
            continue
        for point in history:
            kept = stored_points.get(point.assessment.pk)
            if kept is None or _fields(kept) != _fields(point):
                wrong.append(group)
                break
    return sorted(wrong)


def _fields(row: StoredProfile | ProfilePoint) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in profile_fields_names())
