"""Where a lower capability tells the higher ones something, or asks them for a part of its page.

Capabilities import only downwards (README, Layout). When a lower one must show or do something that
belongs to a higher one — the thank-you page of a survey shows the partners' latest actions and the
follow-up offer — it sends a signal named here, and the higher capability connects its receiver in its
`init_app`, which the app factory calls. Signals are blinker's, as Flask's own are; receivers are
connected for one app (the sender), so two apps in one process (the tests) never hear each other.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import current_app

_signals = Namespace()

# Themes were added, renamed or merged (sender: the app; note: what changed). The needs map starts a new
# codebook version, so that codes given before the change are read with the themes they were given under.
themes_changed = _signals.signal("themes-changed")

# A survey's participant page asks for the placement a scanned code stands for (code, survey): a receiver
# returns the placement's id, or None when the code is unknown, retired or for another survey.
placement_of_code = _signals.signal("placement-of-code")

# A participant gave a follow-up code with their answers (code): a receiver returns the id it links to.
follow_up_of_code = _signals.signal("follow-up-of-code")

# A survey's participant page asks whether this request comes from a kiosk for it (survey_id): a receiver
# returns the kiosk's placement (a surveys.answering.Place), or None when the device is no kiosk, or one
# for another survey, or its kiosk mode has ended (see participation.placements.kiosk).
kiosk_placement = _signals.signal("kiosk-placement")

# The thank-you page asks for its further parts (survey; already: whether this device had answered
# before; kiosk: whether it is a shared kiosk tablet, where nothing personal may be offered): each
# receiver returns a ThanksPart or None.
thanks_parts = _signals.signal("thanks-parts")

# The staff home (/staff/) asks what needs doing (user: the signed-in account, now: an aware datetime):
# each receiver returns a participation.staff.home.HomePart or None.
staff_home_parts = _signals.signal("staff-home-parts")

# The moderation queue asks which other texts wait for a person (participant-proposed forum topics):
# each receiver returns a participation.moderation.queue.Source, which lists its waiting items for the
# queue's filters and takes the decisions on them with its own services and audit.
moderation_sources = _signals.signal("moderation-sources")


def send(signal: Any, **values: Any) -> None:
    """Tell every receiver connected for this app."""
    signal.send(current_app._get_current_object(), **values)  # type: ignore[attr-defined]


def answers(signal: Any, **values: Any) -> list[Any]:
    """Ask every receiver connected for this app; the answers that are not None, in connection order."""
    replies = signal.send(current_app._get_current_object(), **values)  # type: ignore[attr-defined]
    return [reply for _receiver, reply in replies if reply is not None]


def first_answer(signal: Any, **values: Any) -> Any:
    """The first receiver's answer that is not None, or None."""
    found = answers(signal, **values)
    return found[0] if found else None
