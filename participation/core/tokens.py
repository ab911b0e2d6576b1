"""Links sent by mail (confirmations, invitations, registrations): the raw token
goes in the mail, only its digest is stored, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import secrets


def make_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_digest(raw: str | None) -> str:
    """SHA-256 of the token: a random secret needs no salt or slow hash, unlike a password."""
    return hashlib.sha256((raw or "").encode()).hexdigest()
