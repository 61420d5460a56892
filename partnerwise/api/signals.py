"""A password change revokes the user's API tokens: whoever learned the old password may
have made one, and a reset is how a person takes their account back."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save

from partnerwise.api.models import ApiToken
from partnerwise.workspaces.models import User


def note_password_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = stored is not None and stored != instance.password  # type: ignore[attr-defined]


def revoke_after_password_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    if getattr(instance, "_password_changed", False):
        ApiToken.objects.filter(user=instance).revoke()
        instance._password_changed = False  # type: ignore[attr-defined]


def connect() -> None:
    pre_save.connect(note_password_change, sender=User, dispatch_uid="api-token-password")
    post_save.connect(revoke_after_password_change, sender=User, dispatch_uid="api-token-revoke")
