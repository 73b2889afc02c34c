"""A step that asks before something that cannot be undone: the first POST shows what will happen.

Works without JavaScript: the first POST (with its CSRF token) renders a page naming the thing, with a
Confirm button that posts again with confirm=yes and a fresh token, and a Cancel link back.
"""

from __future__ import annotations

from flask import render_template, request


def confirmed() -> bool:
    """Whether this POST is the second one, from the confirmation page."""
    return request.form.get("confirm") == "yes"


def ask(
    *,
    title: str,
    thing: str,
    consequence: str,
    button: str,
    cancel_url: str,
    fields: dict[str, str] | None = None,
) -> str:
    """The confirmation page; it posts back to the same address with `fields` and confirm=yes."""
    return render_template(
        "staff/confirm.html",
        title=title,
        thing=thing,
        consequence=consequence,
        button=button,
        action_url=request.path,
        cancel_url=cancel_url,
        fields=fields or {},
    )
