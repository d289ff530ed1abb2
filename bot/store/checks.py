"""Checks on values code passes to the store, before they reach SQL.

Why here and not in SQLite: the schema's CHECKs catch some of these, but as an opaque
``IntegrityError`` mid-transaction; and some would not fail at all (a negative LIMIT means "no
limit", NaN is stored as NULL, an empty id silently matches nothing).  Every aggregate checks
its arguments with these and raises :class:`InvalidArgumentError` naming the value.
"""

from __future__ import annotations

import logging
import math
from datetime import date

from bot.store.errors import InvalidArgumentError

logger = logging.getLogger(__name__)


def check_text(value: str, what: str) -> str:
    """Refuse empty or non-string identifiers, which would silently match nothing later."""
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(f"{what} must be a non-empty string, got {value!r}")
    return value


def storable(text: str | None) -> str | None:
    """Text SQLite can store: a lone surrogate (JSON can carry one, UTF-8 cannot) becomes U+FFFD
    instead of failing the whole write with UnicodeEncodeError (a chat title, an audit detail)."""
    if text is None or not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def check_limit(limit: int) -> int:
    """Refuse non-positive limits; SQLite treats a negative LIMIT as "no limit"."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidArgumentError(f"limit must be a positive integer, got {limit!r}")
    return limit


def check_local_date(value: str) -> str:
    """Accept only ``YYYY-MM-DD``; ``date.fromisoformat`` alone also takes ``20240301``."""
    try:
        parsed = date.fromisoformat(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.isoformat() != value:
        raise InvalidArgumentError(f"local_date must be YYYY-MM-DD, got {value!r}")
    return value


def check_finite(value: float, what: str) -> float:
    """Refuse NaN and infinities: SQLite would store NaN as NULL and break the statistics."""
    number = float(value)
    if not math.isfinite(number):
        raise InvalidArgumentError(f"{what} must be a finite number, got {value!r}")
    return number
