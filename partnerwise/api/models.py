"""API tokens: how programs sign in to the JSON API.

Only a hash of each token is stored; the token itself is shown once, when it is made. A token
acts as its user, so it sees exactly the workspaces and roles that user has. Every token
expires (90 days unless chosen otherwise), can be revoked on the tokens page or with
`partnerwise api_token --revoke`, and is revoked when its user's password changes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

from partnerwise.workspaces.models import User

PREFIX_LENGTH = 8
DEFAULT_LIFETIME = timedelta(days=90)
# Recording the last use at most once a minute keeps a busy program from writing every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def default_expiry() -> datetime:
    return timezone.now() + DEFAULT_LIFETIME


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked__isnull=True, expires__gt=timezone.now())

    def revoke(self) -> int:
        return self.filter(revoked__isnull=True).update(revoked=timezone.now())

    def find(self, token: str) -> ApiToken | None:
        found = self.usable().filter(key_hash=hash_token(token)).select_related("user").first()
        if found is None or not found.user.is_active:
            return None
        return found


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, help_text="Shown to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(default=default_expiry)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls, *, user: User, name: str, lifetime: timedelta = DEFAULT_LIFETIME
    ) -> tuple[ApiToken, str]:
        """Make a token; returns the row and the token text, which is not kept anywhere."""
        token = "pw_" + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user,
            name=name,
            prefix=token[:PREFIX_LENGTH],
            key_hash=hash_token(token),
            expires=timezone.now() + lifetime,
        )
        return row, token

    @property
    def is_usable(self) -> bool:
        return self.revoked is None and self.expires > timezone.now()

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used is None or now - self.last_used >= LAST_USED_RESOLUTION:
            self.last_used = now
            ApiToken.objects.filter(pk=self.pk).update(last_used=now)
