"""Rating partners (and ourselves) on the instrument, the profile page, and partners' ratings
of us through an expiring, single-use link that needs no account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerwise import typology as engine
from partnerwise.assessments.forms import SCALE, AssessmentForm, RatingInvitationForm
from partnerwise.assessments.models import Answer, Assessment, RaterKind, RatingInvitation
from partnerwise.assessments.profiles import can_be_rated, profile_for, profile_history
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.hosting import mail
from partnerwise.opendata.directory import suggested_facts
from partnerwise.organisations.models import Organisation
from partnerwise.partnerships.models import Partnership
from partnerwise.web.pages import (
    is_admin,
    posted_version,
    refuse_unless_post,
    role_context,
    signed_in,
)
from partnerwise.workspaces.access import get_workspace_for_user
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Role, Workspace
from partnerwise.workspaces.tokens import hash_token, new_token

INVITATION_LIFETIME = timedelta(days=14)
NEXT_QUESTIONS_SHOWN = 3
SCALE_LABELS = dict(SCALE)


def _subject(workspace: Workspace, partnership: Partnership, org_id: int) -> Organisation:
    if not can_be_rated(workspace, partnership, org_id):
        raise Http404("That organisation is not in this partnership")
    return get_object_or_404(Organisation.objects.visible_to(workspace), pk=org_id)


def save_assessment(
    *,
    workspace: Workspace,
    partnership: Partnership,
    subject: Organisation,
    form: AssessmentForm,
    rater: Any,
    rater_kind: RaterKind,
    assessed_on: Any,
) -> Assessment:
    """Store one rater's answers (call inside a transaction)."""
    assessment = Assessment.objects.create(
        workspace=workspace,
        partnership=partnership,
        subject=subject,
        typology=default_typology(),
        rater=rater,
        rater_name=form.cleaned_data["rater_name"],
        rater_kind=rater_kind,
        assessed_on=assessed_on,
        notes=form.cleaned_data.get("notes", ""),
    )
    Answer.objects.bulk_create(
        Answer(
            workspace=workspace,
            assessment=assessment,
            indicator=key,
            rating=rating,
            evidence=evidence,
        )
        for key, (rating, evidence) in form.answers().items()
    )
    return assessment


@login_required
def assess(request: HttpRequest, slug: str, pk: int, org_id: int) -> HttpResponse:
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    subject = _subject(workspace, partnership, org_id)
    model = engine_typology(default_typology(), workspace)
    user = signed_in(request)
    user_name = user.get_full_name() or user.get_username()
    form = AssessmentForm(
        request.POST or None,
        indicators=model.indicators,
        initial={"rater_name": user_name},
        suggestions=_suggestions(subject, workspace),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            assessment = save_assessment(
                workspace=workspace,
                partnership=partnership,
                subject=subject,
                form=form,
                rater=request.user,
                rater_kind=RaterKind.COLLEAGUE,
                assessed_on=form.cleaned_data["assessed_on"],
            )
            answered = sum(1 for rating, _ in form.answers().values() if rating is not None)
            summary = f"{subject.name}: {answered} of {len(model.indicators)} statements rated"
            record_change(
                workspace=workspace,
                user=request.user,
                obj=assessment,
                action="rated",
                summary=summary,
            )
            record_change(
                workspace=workspace,
                user=request.user,
                obj=partnership,
                action="added a rating",
                summary=f"{assessment.rater_name} on {summary}",
            )
        messages.success(request, "Your rating has been saved.")
        return redirect("profile", slug, pk, org_id)
    return render(
        request,
        "assessments/assess.html",
        {
            "partnership": partnership,
            "subject": subject,
            "is_us": subject.pk == workspace.organisation_id,
            "form": form,
            "action": reverse("assess", args=[slug, pk, org_id]),
            **role_context(workspace),
        },
    )


def _answer_label(pair: tuple[int | None, str] | None) -> str:
    label = "Don't know" if pair is None or pair[0] is None else SCALE_LABELS[str(pair[0])]
    return f"{label}; {pair[1]}" if pair and pair[1] else label


@login_required
def assessment_edit(request: HttpRequest, slug: str, pk: int, assessment_id: int) -> HttpResponse:
    """Change a colleague rating, refusing a save based on answers someone changed since."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    assessment = get_object_or_404(
        workspace.assessments.filter(partnership=partnership, rater_kind=RaterKind.COLLEAGUE)
        .select_related("subject", "typology")
        .prefetch_related("answers"),
        pk=assessment_id,
    )
    user = signed_in(request)
    if assessment.rater_id != user.pk and not is_admin(workspace):
        raise PermissionDenied("Only the person who rated, or an admin, can change these answers")
    model = engine_typology(assessment.typology, workspace)
    statements = {i.id: i.statement for i in model.indicators}
    before = {a.indicator: (a.rating, a.evidence) for a in assessment.answers.all()}
    initial: dict[str, Any] = {
        "rater_name": assessment.rater_name,
        "assessed_on": assessment.assessed_on,
        "notes": assessment.notes,
    }
    for key, (rating, evidence) in before.items():
        initial[f"rating_{key}"] = str(rating) if rating is not None else "dk"
        initial[f"evidence_{key}"] = evidence
    form = AssessmentForm(request.POST or None, indicators=model.indicators, initial=initial)
    conflict: list[dict[str, str]] | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        after = form.answers()
        with transaction.atomic():
            updated = workspace.assessments.filter(
                pk=assessment.pk, version=posted_version(request)
            ).update(
                rater_name=form.cleaned_data["rater_name"],
                assessed_on=form.cleaned_data["assessed_on"],
                notes=form.cleaned_data["notes"],
                version=F("version") + 1,
                updated=timezone.now(),
            )
            if updated:
                assessment.answers.all().delete()
                Answer.objects.bulk_create(
                    Answer(
                        workspace=workspace,
                        assessment=assessment,
                        indicator=key,
                        rating=rating,
                        evidence=evidence,
                    )
                    for key, (rating, evidence) in after.items()
                )
                record_change(
                    workspace=workspace,
                    user=user,
                    obj=assessment,
                    action="changed a rating",
                    changes={
                        statements.get(key, key): (
                            _answer_label(before.get(key)),
                            _answer_label(after[key]),
                        )
                        for key in after
                        if before.get(key, (None, "")) != after[key]
                    },
                    summary=f"{assessment.rater_name} on {assessment.subject.name}",
                )
        if updated:
            messages.success(request, "Your changes to the rating have been saved.")
            return redirect("profile", slug, pk, assessment.subject_id)
        current = Assessment.objects.prefetch_related("answers").get(pk=assessment.pk)
        saved = {a.indicator: (a.rating, a.evidence) for a in current.answers.all()}
        conflict = [
            {
                "label": statements.get(key, key),
                "yours": _answer_label(after[key]),
                "current": _answer_label(saved.get(key)),
            }
            for key in after
            if saved.get(key, (None, "")) != after[key]
        ]
        assessment = current
        status = 409
    return render(
        request,
        "assessments/assess.html",
        {
            "partnership": partnership,
            "subject": assessment.subject,
            "is_us": assessment.subject_id == workspace.organisation_id,
            "form": form,
            "editing": assessment,
            "version": assessment.version,
            "conflict": conflict,
            "action": reverse("assessment_edit", args=[slug, pk, assessment.pk]),
            **role_context(workspace),
        },
        status=status,
    )


def _suggestions(subject: Organisation, workspace: Workspace) -> dict[str, str]:
    """Open-data hints for indicators such as size_gap and gov_prime, in plain words."""
    if subject.pk == workspace.organisation_id:
        return {}
    hints = {}
    for item in suggested_facts(subject, relative_to=workspace.organisation):
        label = SCALE_LABELS.get(str(item.value), "")
        hints[item.indicator_id] = f"{item.reason} That suggests “{label.lower()}”. ({item.source})"
    return hints


def describe(profile: engine.Profile, model: engine.Typology) -> dict[str, Any]:
    """What the templates need from a profile, in plain words."""
    names = {a.id: a.name for a in model.archetypes}
    statements = {i.id: i.statement for i in model.indicators}
    fits = [
        {
            "id": key,
            "name": names.get(key, key),
            "fit": fit,
            "percent": round(fit * 100),
            "best": key == profile.best or key in profile.leading,
        }
        for key, fit in profile.ranked()
    ]
    if profile.verdict == "match" and profile.best:
        verdict = f"Most like: {names.get(profile.best, profile.best)}"
    elif profile.verdict == "mixed":
        verdict = "Mixed: " + " or ".join(names.get(k, k) for k in profile.leading)
    else:
        verdict = "Not enough evidence yet"
    return {
        "profile": profile,
        "verdict": verdict,
        "confidence": round(profile.confidence * 100),
        "fits": fits,
        "reasons": profile.reasons,
        "disagreements": [
            {
                "statement": statements.get(item.indicator, item.indicator),
                "answers": [(name, SCALE_LABELS[str(value)]) for name, value in item.answers],
            }
            for item in profile.disagreements
        ],
        "next_questions": [
            statements.get(key, key) for key in profile.next_questions[:NEXT_QUESTIONS_SHOWN]
        ],
        "raters": profile.raters,
    }


@login_required
def profile(request: HttpRequest, slug: str, pk: int, org_id: int) -> HttpResponse:
    workspace = get_workspace_for_user(request, slug)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    subject = _subject(workspace, partnership, org_id)
    typology = default_typology()
    model = engine_typology(typology, workspace)
    is_us = subject.pk == workspace.organisation_id
    ours = profile_for(workspace, partnership, subject, typology)
    theirs = (
        profile_for(workspace, partnership, subject, typology, rater_kind=RaterKind.PARTNER)
        if is_us
        else None
    )
    assessments = list(
        workspace.assessments.filter(partnership=partnership, subject=subject)
        .select_related("rater")
        .order_by("-assessed_on", "-pk")
    )
    history = [
        {"point": point, "verdict": describe(point.profile, model)["verdict"]}
        for point in profile_history(workspace, partnership, subject, typology)
    ]
    # Who rated and who changed a rating, for the ratings on this page.
    changes = workspace.changerecords.filter(
        content_type=ContentType.objects.get_for_model(Assessment),
        object_id__in=[a.pk for a in assessments],
    ).select_related("user")[:30]
    return render(
        request,
        "assessments/profile.html",
        {
            "partnership": partnership,
            "subject": subject,
            "is_us": is_us,
            "ours": describe(ours, model),
            "theirs": describe(theirs, model) if theirs and theirs.raters else None,
            "assessments": assessments,
            "user_id": signed_in(request).pk,
            "drift": history,
            "history": changes,
            **role_context(workspace),
        },
    )


@login_required
def invitation_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Ask someone at a partner to rate us, through a link that needs no account."""
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    us = workspace.organisation
    if us is None:
        messages.error(request, "Set which organisation this workspace speaks for first.")
        return redirect("partnership_detail", slug, pk)
    partners = [
        p.organisation
        for p in partnership.participations.select_related("organisation")
        if p.organisation_id != us.pk
    ]
    form = RatingInvitationForm(request.POST or None, partners=partners)
    link = None
    if request.method == "POST" and form.is_valid():
        token, token_hash = new_token()
        with transaction.atomic():
            invitation = RatingInvitation.objects.create(
                workspace=workspace,
                partnership=partnership,
                subject=us,
                rater_organisation=form.cleaned_data["rater_organisation"],
                rater_name=form.cleaned_data["rater_name"],
                rater_email=form.cleaned_data["rater_email"],
                token_hash=token_hash,
                created_by=signed_in(request),
                expires=timezone.now() + INVITATION_LIFETIME,
            )
            record_change(
                workspace=workspace,
                user=request.user,
                obj=partnership,
                action="invited a partner to rate us",
                summary=f"{invitation.rater_name} ({invitation.rater_organisation})",
            )
        link = request.build_absolute_uri(reverse("rate", args=[token]))
        if invitation.rater_email and not mail.send(
            subject=f"{us.name} asks how you see them as a partner",
            body=f"{us.name} would value your view of them as a partner in "
            f"{partnership.name}.\n\nThe form takes about ten minutes and needs no account. "
            f"The link works once "
            f"and expires in 14 days:\n{link}\n",
            to=[invitation.rater_email],
        ):
            messages.warning(request, mail.not_sent(invitation.rater_email))
    return render(
        request,
        "assessments/invitation_new.html",
        {
            "partnership": partnership,
            "us": us,
            "form": form,
            "link": link,
            "has_partners": bool(partners),
            **role_context(workspace),
        },
    )


@login_required
def invitation_cancel(request: HttpRequest, slug: str, pk: int, invitation_id: int) -> HttpResponse:
    workspace = get_workspace_for_user(request, slug, Role.EDITOR)
    if refused := refuse_unless_post(request):
        return refused
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    invitation = get_object_or_404(
        partnership.rating_invitations.filter(used__isnull=True), pk=invitation_id
    )
    with transaction.atomic():
        invitation.expires = timezone.now()
        invitation.save(update_fields=["expires"])
        record_change(
            workspace=workspace,
            user=request.user,
            obj=partnership,
            action="cancelled a rating invitation",
            summary=invitation.rater_name,
        )
    messages.success(request, f"The link for {invitation.rater_name} no longer works.")
    return redirect("partnership_detail", slug, pk)


def _rater_label(invitation: RatingInvitation, name: str) -> str:
    partner = invitation.rater_organisation
    return f"{name} ({partner.name})" if partner else name


def _live_invitation(token: str) -> RatingInvitation | None:
    found = (
        RatingInvitation.objects.select_related(
            "workspace", "partnership", "subject", "rater_organisation"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if found is None or found.used is not None or found.expires <= timezone.now():
        return None
    return found


def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The partner's form: no account, sees only this form, works once."""
    invitation = _live_invitation(token)
    if invitation is None:
        return render(request, "assessments/rate_invalid.html", status=404)
    workspace = invitation.workspace
    model = engine_typology(default_typology(), workspace)
    form = AssessmentForm(
        request.POST or None,
        indicators=model.indicators,
        ask_date=False,
        initial={"rater_name": invitation.rater_name},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = RatingInvitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.used is not None:
                return render(request, "assessments/rate_invalid.html", status=404)
            assessment = save_assessment(
                workspace=workspace,
                partnership=invitation.partnership,
                subject=invitation.subject,
                form=form,
                rater=None,
                rater_kind=RaterKind.PARTNER,
                assessed_on=timezone.localdate(),
            )
            locked.used = timezone.now()
            locked.assessment = assessment
            locked.save(update_fields=["used", "assessment"])
            record_change(
                workspace=workspace,
                user=None,
                obj=invitation.partnership,
                action="rated us through a partner link",
                summary=_rater_label(invitation, assessment.rater_name),
            )
        return render(request, "assessments/rate_thanks.html", {"invitation": invitation})
    return render(
        request,
        "assessments/rate.html",
        {"invitation": invitation, "form": form, "action": request.path},
    )
