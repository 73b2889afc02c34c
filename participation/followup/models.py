"""Personal follow-up codes: opt-in, 13+, stored only as an HMAC, with the consent version recorded."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.database import Base, UTCDateTime


class FollowUp(Base):
    """One participant's follow-up link. Deleting it (withdrawal) unlinks every response it joined."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    consent_version: Mapped[str] = mapped_column(sa.String(20))
    created_hour: Mapped[datetime] = mapped_column(UTCDateTime)
