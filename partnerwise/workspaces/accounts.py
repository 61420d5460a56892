"""Signing up: an account that can be used only once its email address is confirmed.

The account is made inactive, and a link (Django's password-reset token generator: signed,
expiring, and spent once the account changes) is emailed to the address. Signing up again
with an address that already has an account reveals nothing on the page: the owner of the
address gets an email saying so (or, if it was never confirmed, a fresh link).
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from partnerwise.workspaces.models import User


class ConfirmationTokens(PasswordResetTokenGenerator):
    # A salt of its own, so a confirmation link can never serve as a password-reset link.
    key_salt = "partnerwise.workspaces.accounts.ConfirmationTokens"
    algorithm = "sha256"


confirmation_tokens = ConfirmationTokens()


def existing(email: str) -> User | None:
    return (
        User.objects.filter(username__iexact=email.strip()).first()
        or User.objects.filter(email__iexact=email.strip()).first()
    )


def sign_up(*, name: str, email: str, password: str) -> tuple[User, bool]:
    """The account for `email` and whether it was made now (False: it existed already)."""
    found = existing(email)
    if found is not None:
        if not found.is_active:
            # Never confirmed, so never used: the latest sign-up's name and password stand,
            # and only the owner of the address can confirm them.
            found.first_name = name.strip()
            found.set_password(password)
            found.save(update_fields=["first_name", "password"])
        else:
            # Hash the password all the same (and throw it away): every sign-up costs one
            # hash, so the time taken does not tell that the address has an account.
            make_password(password)
        return found, False
    with transaction.atomic():
        user = User.objects.create_user(
            username=email.strip(),
            email=email.strip(),
            password=password,
            first_name=name.strip(),
            is_active=False,
        )
    return user, True


def confirmation_path_args(user: User) -> tuple[str, str]:
    """The (uidb64, token) pair for the user's confirmation link."""
    return urlsafe_base64_encode(force_bytes(user.pk)), confirmation_tokens.make_token(user)


def confirm(*, uidb64: str, token: str) -> User | None:
    """Activate the account the link names, or None if the link is wrong, spent or expired."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except ValueError:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or user.is_active or not confirmation_tokens.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
