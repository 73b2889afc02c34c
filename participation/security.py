"""Security headers on every response, no caching of staff pages and the API, and safe redirect targets."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        # The survey pages' service worker (static/js/sw.js), first-party like every script.
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Staff pages and API answers carry names, e-mail addresses and participants' raw text: a shared
# computer's browser cache or a proxy must not keep them.
NO_STORE_PREFIXES = ("/staff/", "/api/")

# Browsers drop tabs and line breaks anywhere in a URL and refuse other control characters.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def register_security_headers(app: Flask) -> None:
    """Add the headers to every response; HSTS when the public address is HTTPS and the request came so.

    Behind the reverse proxy the request's scheme is the proxy's X-Forwarded-Proto (trusted through
    PARTICIPATION_TRUSTED_PROXIES); RFC 6797 has HSTS sent only over a secure connection.
    """
    hsts = app.config["PUBLIC_BASE_URL"].startswith("https://")

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if is_private_path(request.path):
            response.headers["Cache-Control"] = "no-store"
        return response


def is_private_path(path: str) -> bool:
    """True for the staff workspace and the API, whose answers no cache may keep."""
    return path == "/staff" or path.startswith(NO_STORE_PREFIXES)


def local_path(target: str | None) -> str | None:
    r"""The target as a path on this site, read as a browser reads it, or None if it could lead elsewhere.

    A browser drops tabs and line breaks and takes a backslash for a slash, so `/<tab>/evil.example` and
    `/\evil.example` both go to `//evil.example`, another site: the target is judged, and returned, in
    that form, which also keeps line breaks out of the Location header.
    """
    if not target:
        return None
    path = _CONTROL_CHARACTERS.sub("", target).replace("\\", "/")
    if not path.startswith("/") or path.startswith("//"):
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return None
    return path


def is_local_path(target: str | None) -> bool:
    """True for a path on this site ('/staff/…'); false for anything a browser could take elsewhere."""
    return local_path(target) is not None
