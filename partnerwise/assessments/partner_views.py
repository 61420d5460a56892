"""Asking someone at a partner how they see us: an expiring, single-use rating link that
needs no account, the form it opens, and cancelling it."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerwise.assessments.forms import AssessmentForm, RatingInvitationForm
from partnerwise.assessments.models import RaterKind, RatingInvitation
from partnerwise.assessments.rating import RatingError, record_rating
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.workspaces.access import refuse_unless_post, signed_in, workspace_access
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Role
from partnerwise.workspaces.tokens import hash_token, new_token

INVITATION_LIFETIME = timedelta(days=14)


@login_required
def invitation_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Ask someone at a partner to rate us, through a link that needs no account."""
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
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
        if invitation.rater_email:
            send_mail(
                subject=f"{us.name} asks how you see them as a partner",
                message=f"{us.name} would value your view of them as a partner in "
                f"{partnership.name}.\n\nThe form takes about ten minutes and needs no account. "
                f"The link works once "
                f"and expires in 14 days:\n{link}\n",
                from_email=None,
                recipient_list=[invitation.rater_email],
            )
    return render(
        request,
        "assessments/invitation_new.html",
        {
            "partnership": partnership,
            "us": us,
            "form": form,
            "link": link,
            "has_partners": bool(partners),
            **access.context(),
        },
    )


@login_required
def invitation_cancel(request: HttpRequest, slug: str, pk: int, invitation_id: int) -> HttpResponse:
    access = workspace_access(request, slug, Role.EDITOR)
    workspace = access.workspace
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
        try:
            with transaction.atomic():
                locked = RatingInvitation.objects.select_for_update().get(pk=invitation.pk)
                if locked.used is not None:
                    return render(request, "assessments/rate_invalid.html", status=404)
                assessment = record_rating(
                    workspace=workspace,
                    partnership=invitation.partnership,
                    subject=invitation.subject,
                    answers=form.answers(),
                    rater=None,
                    rater_name=form.cleaned_data["rater_name"],
                    rater_kind=RaterKind.PARTNER,
                    assessed_on=timezone.localdate(),
                    notes=form.cleaned_data.get("notes", ""),
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
        except RatingError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return render(request, "assessments/rate_thanks.html", {"invitation": invitation})
    return render(
        request,
        "assessments/rate.html",
        {"invitation": invitation, "form": form, "action": request.path},
    )
