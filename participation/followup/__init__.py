"""Follow-up: a personal code that links one young person's answers over time, only if they opt in."""

from __future__ import annotations

from typing import Any

from flask import Flask

from participation.core import signals
from participation.followup.routes import own_response
from participation.followup.services import find, may_opt_in
from participation.surveys.routes import ThanksPart


def init_app(app: Flask) -> None:
    signals.thanks_parts.connect(_offer, sender=app, weak=False)
    signals.follow_up_of_code.connect(_link_of_code, sender=app, weak=False)


def _offer(_app: Flask, *, survey: Any, already: bool, kiosk: bool = False) -> Any:
    """The offer of a follow-up code to a first-time answerer old enough, right after the results' summary.

    The thank-you page rewards first (issue 12): the thanks, what happens next, what was done and what
    others said fit in two phone screens, and the one thing that asks something (consent) follows them,
    still on the second screen, not on the third. Above the results it pushed them three screens down.
    A kiosk tablet never offers one: the code is personal, and the next person would find it there.
    """
    if already or kiosk or not may_opt_in(own_response(survey)):
        return None
    return ThanksPart(50, "followup/_offer.html")


def _link_of_code(_app: Flask, *, code: str) -> int | None:
    link = find(code)
    return link.id if link is not None else None
