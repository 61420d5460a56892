"""API tokens: how programs sign in to the JSON API.

Only a hash of each token is stored; the token itself is shown once, when it is made. A token
acts as its user, so it sees exactly the workspaces and roles that user has.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone

from partnerwise.workspaces.models import User

PREFIX_LENGTH = 8


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def find(self, token: str) -> ApiToken | None:
        found = (
            self.filter(key_hash=hash_token(token), revoked__isnull=True)
            .select_related("user")
            .first()
        )
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

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        """Make a token; returns the row and the token text, which is not kept anywhere."""
        token = "pw_" + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user, name=name, prefix=token[:PREFIX_LENGTH], key_hash=hash_token(token)
        )
        return row, token

    def touch(self) -> None:
        self.last_used = timezone.now()
        self.save(update_fields=["last_used"])
