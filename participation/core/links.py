"""The public addresses printed on posters and shown on the projector."""

from __future__ import annotations

from flask import current_app


def public_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/q/{code}"


def short_url(code: str) -> str:
    """The address as printed for people who cannot scan: no scheme, no trailing slash."""
    return public_url(code).split("://", 1)[-1]


def is_local_address() -> bool:
    """True while printed codes would point at this computer instead of the public site."""
    host = current_app.config["PUBLIC_BASE_URL"].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host in {"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"} or host.endswith(".local")


def short_address(path: str) -> str:
    """A page of the public site as said aloud or typed: "127.0.0.1:5000/f" for path "/f"."""
    return current_app.config["PUBLIC_BASE_URL"].split("://", 1)[-1].rstrip("/") + path
