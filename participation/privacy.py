"""Pseudonymous tokens: random cookie values stored only as HMACs keyed per purpose and scope."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from flask import current_app, request
from werkzeug.wrappers import Response  # a redirect() is one; Flask's Response is a subclass

DEVICE_COOKIE = "delaktig_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def is_token(value: str | None) -> bool:
    return bool(value) and bool(_TOKEN_RE.match(value or ""))


def keyed_hash(purpose: str, scope: object, token: str) -> str:
    """HMAC of token under a key derived for (purpose, scope), so hashes never link across scopes."""
    secret = current_app.config["SECRET_KEY"].encode()
    key = hmac.new(secret, f"{purpose}:{scope}".encode(), hashlib.sha256).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def device_token() -> str | None:
    """This device's random token from its cookie, if it has a well-formed one."""
    value = request.cookies.get(DEVICE_COOKIE)
    return value if is_token(value) else None


def set_private_cookie(
    response: Response, name: str, value: str, max_age: int, *, samesite: str = "Lax"
) -> None:
    """A first-party cookie scripts cannot read, not sent cross-site, Secure behind HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite=samesite,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]) or request.is_secure,
    )


def set_device_cookie(response: Response, token: str) -> None:
    set_private_cookie(response, DEVICE_COOKIE, token, DEVICE_COOKIE_MAX_AGE)


def client_key() -> str:
    """A rate-limit key for the client: an HMAC of its address, never the address itself."""
    return keyed_hash("rate-limit", "client", request.remote_addr or "unknown")


def device_key() -> str:
    """A rate-limit key per device (its cookie token), falling back to the client when it has none.

    Phones at a youth centre share one address behind its router, so limits per address would stop
    a whole forum at once; limits per device stop one phone that sends too much.
    """
    token = device_token()
    return keyed_hash("rate-limit", "device", token) if token else client_key()


def truncate_to_hour(moment: datetime) -> datetime:
    """Submission times are kept to the hour, never finer."""
    return moment.replace(minute=0, second=0, microsecond=0)
