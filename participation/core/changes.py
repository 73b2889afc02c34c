"""Changes that counts kept outside the answers must see (the needs map's tally), recorded as rows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.database import Base


class DataChange(Base):
    """A change that the needs map's cached counts must see: one row per flush that made one.

    New responses need no row (the cache notices them by the response ids and reads only those); staff
    changes do: moderation and coding ("text": only the free-text counts are read again), anything else
    that can change a count, such as a theme tag or a deleted response ("all": everything is read again).
    Written by participation.insights.tally; holds no personal data.
    """

    __tablename__ = "data_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(10))
