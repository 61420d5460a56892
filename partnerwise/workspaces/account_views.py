"""Signing up and confirming an email address (the rules are in `accounts`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerwise.hosting import mail, outbox
from partnerwise.workspaces import accounts, throttle
from partnerwise.workspaces.forms import SignUpForm
from partnerwise.workspaces.models import User


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()
        # Counted apart from sign-in failures, per email address and per client address.
        if not throttle.allow(throttle.SIGN_UP, request, email):
            return render(request, "registration/signup_throttled.html", status=429)
        if form.is_valid():
            user, _ = accounts.sign_up(
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
            _send_confirmation(request, user)
            request.session["signed_up_as"] = user.email
            return redirect("signup_sent")
    return render(request, "registration/signup.html", {"form": form})


def _send_confirmation(request: HttpRequest, user: User) -> None:
    sign_in = request.build_absolute_uri(reverse("login"))
    if user.is_active:
        # Someone signed up with an address that already has an account: tell its owner,
        # and show the visitor the same page as a new sign-up, so the page reveals nothing.
        body = (
            "Someone (perhaps you) tried to create a Partnerwise account with this email "
            f"address, which already has one. Sign in at {sign_in}, or reset your password "
            "from there if you have forgotten it.\n"
        )
    else:
        link = request.build_absolute_uri(
            reverse("confirm_email", args=accounts.confirmation_path_args(user))
        )
        body = (
            f"Welcome to Partnerwise{', ' + user.first_name if user.first_name else ''}.\n\n"
            f"Confirm your email address by opening this link:\n{link}\n\n"
            "Until you do, the account cannot be used. If you did not sign up, ignore this "
            "email and nothing more will happen.\n"
        )
    subject = (
        "Your Partnerwise account"
        if user.is_active
        else "Confirm your email address for Partnerwise"
    )
    # Sent after the response, with retries, whichever email it is: the page answers in the
    # same time for a taken address as for a new one, and a mail server that is down is no
    # 500 (signing up again sends a fresh link).
    address = user.email
    outbox.later(lambda: mail.send(subject=subject, body=body, to=[address]))


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "registration/signup_sent.html", {"email": request.session.get("signed_up_as")}
    )


def confirm_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    if request.method != "POST":
        # Mail scanners open links: confirming takes a button press, not a page view.
        return render(request, "registration/confirm_email.html", {"valid": True})
    user = accounts.confirm(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "registration/confirm_email.html", {"valid": False}, status=404)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "Your email address is confirmed. Welcome to Partnerwise.")
    return redirect("home")
