"""Conversions between aware datetimes and the UTC epoch seconds stored in SQLite.

Everything in the database is an integer count of UTC seconds: it sorts and compares correctly
in SQL, is immune to the server's local zone, and is indexable. Naive datetimes are refused
because guessing their zone is exactly the bug this module exists to prevent.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from bot.store.errors import InvalidArgumentError

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    """Return the current time; the default clock, injected so tests can replace it."""
    return datetime.now(UTC)


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """Return ``value`` in UTC, refusing naive datetimes whose zone would be a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgumentError(f"{what} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def to_epoch(value: datetime, what: str = "datetime") -> int:
    """Convert an aware datetime to whole UTC epoch seconds (floored, so ordering is kept)."""
    return math.floor(require_aware(value, what).timestamp())


def from_epoch(seconds: float) -> datetime:
    """Convert stored UTC epoch seconds back to an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)
