"""Secret links (colleague invitations, partner rating invitations).

The link carries a random token; only its SHA-256 is stored, so the database alone cannot
be used to forge or replay a link.
"""

from __future__ import annotations

import hashlib
import secrets

from django.utils.crypto import salted_hmac


def new_token() -> tuple[str, str]:
    """A fresh (token, hash) pair: the token goes in the link, the hash in the database."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(nonce: str) -> str:
    """The token in a colleague invitation's link, derived from its stored random nonce.

    Derived with the site's secret key, so an admin can be shown the link again while the
    database alone still cannot rebuild it (only its hash is stored beside the nonce).
    """
    return salted_hmac("partnerwise.invitation", nonce, algorithm="sha256").hexdigest()
