"""Asking someone at a partner how they see us: an expiring, single-use rating link that
needs no account, the form it opens, and cancelling it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerwise.assessments.forms import AskPartnersForm, AssessmentForm, RatingInvitationForm
from partnerwise.assessments.inviting import (
    Ask,
    InvitingError,
    LinkFor,
    Sent,
    current_invitations,
    invite_partners,
    partner_organisations,
    resend,
    state_of,
)
from partnerwise.assessments.models import RaterKind, RatingInvitation
from partnerwise.assessments.rating import RatingError, record_rating
from partnerwise.assessments.typologies import default_typology, engine_typology
from partnerwise.partnerships.models import Partnership
from partnerwise.workspaces.access import Access, refuse_unless_post, workspace_access
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Role
from partnerwise.workspaces.tokens import hash_token


def _link_for(request: HttpRequest) -> LinkFor:
    return lambda token: request.build_absolute_uri(reverse("rate", args=[token]))


def _report_mail(request: HttpRequest, sent: list[Sent]) -> None:
    for item in sent:
        if item.mail_error:
            messages.error(request, f"{item.invitation.rater_name}: {item.mail_error}.")


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
    partners = partner_organisations(workspace, partnership)
    form = RatingInvitationForm(request.POST or None, partners=partners)
    link = None
    if request.method == "POST" and form.is_valid():
        sent = invite_partners(
            workspace=workspace,
            partnership=partnership,
            user=request.user,
            asks=[
                Ask(
                    organisation_id=form.cleaned_data["rater_organisation"].pk,
                    name=form.cleaned_data["rater_name"],
                    email=form.cleaned_data["rater_email"],
                )
            ],
            link_for=_link_for(request),
        )
        _report_mail(request, sent)
        link = sent[0].link
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
def invitations(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Ask several partners at once, see who has answered, resend to those who have not."""
    role = Role.EDITOR if request.method == "POST" else Role.VIEWER
    access = workspace_access(request, slug, role)
    workspace = access.workspace
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    partners = partner_organisations(workspace, partnership)
    form = AskPartnersForm(request.POST if request.method == "POST" else None, partners=partners)
    sent: list[Sent] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = invite_partners(
                    workspace=workspace,
                    partnership=partnership,
                    user=request.user,
                    asks=[Ask(org_id, name, email) for org_id, name, email in form.asked()],
                    link_for=_link_for(request),
                )
            except InvitingError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                _report_mail(request, sent)
                form = AskPartnersForm(partners=partners)
        else:
            status = 400
    return _invitations_page(request, access, partnership, form, sent, status)


def _invitations_page(
    request: HttpRequest,
    access: Access,
    partnership: Partnership,
    form: AskPartnersForm | None,
    sent: list[Sent],
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    rows = [(inv, state_of(inv, now)) for inv in current_invitations(partnership)]
    partners = partner_organisations(access.workspace, partnership)
    return render(
        request,
        "assessments/invitations.html",
        {
            "partnership": partnership,
            "us": access.workspace.organisation,
            "form": form or AskPartnersForm(partners=partners),
            "sent": sent,
            "rows": rows,
            "unanswered": [inv for inv, state in rows if state in ("waiting", "expired")],
            **access.context(),
        },
        status=status,
    )


@login_required
def invitation_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A fresh link for one person (`invitation`) or everyone who has not answered (`all`)."""
    access = workspace_access(request, slug, Role.EDITOR)
    if refused := refuse_unless_post(request):
        return refused
    workspace = access.workspace
    partnership = get_object_or_404(workspace.partnerships, pk=pk)
    if request.POST.get("all"):
        now = timezone.now()
        ids = [
            inv.pk
            for inv in current_invitations(partnership)
            if state_of(inv, now) in ("waiting", "expired")
        ]
    else:
        raw = request.POST.get("invitation", "")
        ids = [int(raw)] if raw.isdigit() else []
    try:
        sent = resend(
            workspace=workspace,
            partnership=partnership,
            user=request.user,
            invitation_ids=ids,
            link_for=_link_for(request),
        )
    except InvitingError as error:
        messages.error(request, f"Nothing was resent: {error.message}.")
        return redirect("rating_invitations", slug, pk)
    _report_mail(request, sent)
    return _invitations_page(request, access, partnership, None, sent)


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
    model = engine_typology(default_typology(workspace), workspace)
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
