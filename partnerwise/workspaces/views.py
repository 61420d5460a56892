"""Signing in, members and roles, and colleague invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerwise.hosting import mail
from partnerwise.workspaces import accounts, inviting, throttle
from partnerwise.workspaces.access import refuse_unless_post, signed_in, workspace_access
from partnerwise.workspaces.forms import (
    InvitationForm,
    MemberRoleForm,
    NewAccountForm,
)
from partnerwise.workspaces.history import record_change
from partnerwise.workspaces.models import Invitation, Role, User
from partnerwise.workspaces.tokens import hash_token

_login_view = auth_views.LoginView.as_view(
    template_name="registration/login.html", redirect_authenticated_user=True
)


def login(request: HttpRequest) -> HttpResponseBase:
    """Django's sign-in, refused for a while after repeated failures (see `throttle`)."""
    username = request.POST.get("username", "") if request.method == "POST" else ""
    if request.method == "POST" and throttle.is_throttled(request, username):
        return render(request, "registration/throttled.html", status=429)
    response = _login_view(request)
    if request.method == "POST":
        if response.status_code == 302 and request.user.is_authenticated:
            throttle.clear_failures(request, username)
        else:
            throttle.record_failure(request, username)
            waiting = accounts.existing(username) if username else None
            if (
                waiting
                and not waiting.is_active
                and waiting.check_password(request.POST.get("password", ""))
            ):
                messages.info(
                    request,
                    "Your account is waiting for you to confirm your email address: open the "
                    "link we sent you.",
                )
    return response


def _send_invitation(request: HttpRequest, found: Invitation, token: str) -> tuple[str, bool]:
    """The invitation's link, and whether the mail went (sent after the invitation is saved,
    so a mail server that is down loses no invitation: the admin can copy the link)."""
    link = request.build_absolute_uri(reverse("invitation", args=[token]))
    workspace = found.workspace
    sent = mail.send(
        subject=f"You are invited to {workspace.name} on Partnerwise",
        body=f"{request.user} invited you to join {workspace.name} on Partnerwise.\n\n"
        f"Open this link within 7 days to accept:\n{link}\n\n"
        f"Sign in (or create your account) with this email address, {found.email}: the link "
        "works for no other.\n",
        to=[found.email],
    )
    return link, sent


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    form = InvitationForm()
    new_link = None
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                found, token = inviting.invite(
                    workspace=workspace,
                    by=access.user,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except inviting.InvitationError as error:
                form.add_error(error.field, str(error))
            else:
                new_link, sent = _send_invitation(request, found, token)
                if sent:
                    messages.success(request, f"Invitation sent to {found.email}.")
                else:
                    messages.warning(request, mail.not_sent(found.email))
                form = InvitationForm()
    memberships = workspace.memberships.select_related("user").order_by("user__username")
    waiting = []
    for item in inviting.pending(workspace):
        again = inviting.link_token(item)
        link = request.build_absolute_uri(reverse("invitation", args=[again])) if again else ""
        waiting.append({"invitation": item, "link": link})
    return render(
        request,
        "workspaces/members.html",
        {
            **access.context(),
            "memberships": memberships,
            "pending": waiting,
            "form": form,
            "new_link": new_link,
            "roles": Role.choices,
        },
    )


@login_required
def invitation_resend(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    """Email a fresh link (the old one stops working), valid for another week."""
    access = workspace_access(request, slug, Role.ADMIN)
    if refused := refuse_unless_post(request):
        return refused
    found = get_object_or_404(
        access.workspace.invitations.filter(accepted__isnull=True), pk=invitation_id
    )
    token = inviting.renew(found=found, by=access.user)
    _, sent = _send_invitation(request, found, token)
    if sent:
        messages.success(
            request, f"A new link was sent to {found.email}; the old one no longer works."
        )
    else:
        messages.warning(request, mail.not_sent(found.email))
    return redirect("members", slug)


@login_required
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    if refused := refuse_unless_post(request):
        return refused
    membership = get_object_or_404(workspace.memberships.select_related("user"), pk=membership_id)
    if request.POST.get("remove"):
        if membership.user_id == request.user.pk:
            messages.error(request, "You cannot remove yourself. Ask another admin.")
            return redirect("members", slug)
        with transaction.atomic():
            record_change(
                workspace=workspace,
                user=request.user,
                obj=membership,
                action="removed member",
                summary=str(membership.user),
            )
            membership.delete()
        messages.success(request, f"{membership.user} is no longer a member.")
        return redirect("members", slug)
    old_role = membership.role
    form = MemberRoleForm(request.POST, instance=membership)
    if not form.is_valid():
        messages.error(request, "Choose a role: viewer, editor or admin.")
        return redirect("members", slug)
    if membership.user_id == request.user.pk and form.cleaned_data["role"] != Role.ADMIN:
        messages.error(request, "You cannot take away your own admin role. Ask another admin.")
        return redirect("members", slug)
    with transaction.atomic():
        form.save()
        record_change(
            workspace=workspace,
            user=request.user,
            obj=membership,
            action="changed role",
            changes={"role": (old_role, membership.role)},
            summary=str(membership.user),
        )
    messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    return redirect("members", slug)


@login_required
def invitation_cancel(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    access = workspace_access(request, slug, Role.ADMIN)
    workspace = access.workspace
    if refused := refuse_unless_post(request):
        return refused
    found = get_object_or_404(workspace.invitations.filter(accepted__isnull=True), pk=invitation_id)
    with transaction.atomic():
        found.expires = timezone.now()
        found.save(update_fields=["expires"])
        record_change(
            workspace=workspace,
            user=request.user,
            obj=found,
            action="cancelled an invitation",
            summary=found.email,
        )
    messages.success(request, f"The invitation for {found.email} no longer works.")
    return redirect("members", slug)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """A colleague's invitation link: join the workspace, making an account if needed.

    Only the invited email address can accept: someone signed in as anyone else is refused
    and nothing changes.
    """
    found = (
        Invitation.objects.select_related("workspace").filter(token_hash=hash_token(token)).first()
    )
    if found is None or found.accepted is not None or found.expires <= timezone.now():
        return render(request, "workspaces/invitation_invalid.html", status=404)
    workspace = found.workspace
    form = None
    context = {"invitation": found, "invited_to": workspace}
    if request.user.is_authenticated:
        user = signed_in(request)
        if not inviting.may_accept(found, user):
            return render(request, "workspaces/invitation_not_yours.html", context, status=403)
        if request.method == "POST":
            inviting.accept(found=found, user=user)
            messages.success(request, f"You have joined {workspace.name}.")
            return redirect("workspace_home", workspace.slug)
    else:
        form = NewAccountForm(request.POST or None, email=found.email)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                user = User.objects.create_user(
                    username=found.email,
                    email=found.email,
                    password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["name"],
                )
                inviting.accept(found=found, user=user)
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome. You have joined {workspace.name}.")
            return redirect("workspace_home", workspace.slug)
    return render(request, "workspaces/invitation.html", {**context, "form": form})
