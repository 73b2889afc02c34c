"""When a participant who hit a rate limit may try again, said in their language."""

from __future__ import annotations

import math
import time
from datetime import timedelta

from flask_babel import format_timedelta
from flask_babel import gettext as _

from participation.extensions import limiter


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets the next one through (at least one)."""
    current = limiter.current_limit
    if current is None:
        return 60
    # reset_at is rounded up a second; never promise more than one window.
    return min(max(1, math.ceil(current.reset_at - time.time())), current.limit.get_expiry())


def try_again_message(seconds: int) -> str:
    """'… please send it again in 40 seconds.', with the time in the participant's language."""
    when = format_timedelta(timedelta(seconds=seconds), add_direction=True, threshold=1)
    return _(
        "That was a lot in a short time. Everything you wrote is still here: please send it again %(when)s.",
        when=when,
    )
