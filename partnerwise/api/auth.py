"""Who is calling the API: a bearer token, or the signed-in browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from partnerwise.api.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.find(token)
        if found is None:
            return None
        found.touch()
        # The access helpers read request.user, so a token acts exactly as its user.
        request.user = found.user
        return found.user
