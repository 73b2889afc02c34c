"""The public addresses printed on posters and shown on the projector."""

from __future__ import annotations

from flask import current_app


def public_url(code: str) -> str:
    return page_url(f"/q/{code}")


def page_url(path: str) -> str:
    """A page of this site at its public address, such as a survey's own page."""
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"


def short_url(code: str) -> str:
    """The address as printed for people who cannot scan: no scheme, no trailing slash."""
    return short_form(public_url(code))


def short_form(url: str) -> str:
    """Any public address without its scheme, as it is written for people to type."""
    return url.split("://", 1)[-1]


def is_local_address() -> bool:
    """True while printed codes would point at this computer instead of the public site."""
    host = current_app.config["PUBLIC_BASE_URL"].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host in {"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"} or host.endswith(".local")


def short_address(path: str) -> str:
    """A page of the public site as said aloud or typed: "127.0.0.1:5000/f" for path "/f"."""
    return current_app.config["PUBLIC_BASE_URL"].split("://", 1)[-1].rstrip("/") + path
