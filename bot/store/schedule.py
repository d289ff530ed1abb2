"""When is a chat's next digest due? Pure functions over zoneinfo, no database.

Kept apart from the SQL so the DST rules can be tested directly and so the store only has to
answer "which local dates already ran".
"""

from __future__ import annotations

import logging
from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.store.settings import split_digest_time
from bot.store.timeutil import require_aware

logger = logging.getLogger(__name__)


def local_date(now: datetime, zone: ZoneInfo) -> str:
    """Return the ISO date (``YYYY-MM-DD``) it is in ``zone`` at the instant ``now``."""
    return require_aware(now, "now").astimezone(zone).date().isoformat()


def local_occurrence(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of wall-clock ``hour:minute`` on ``day`` in ``zone``.

    An ambiguous time (clocks going back) resolves to its first occurrence, so a digest is not
    sent twice that night. A time that does not exist (clocks jumping forward over it) rolls
    forward to the first instant after the gap — the moment the clocks jump — which is the
    closest real time to what the user asked for.
    """
    wall = datetime.combine(day, time(hour, minute))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # In a gap, fold=1 applies the post-transition offset and lands before the gap, fold=0 the
    # pre-transition one and lands after it; the transition lies between. Binary-search it.
    low = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def next_occurrence(
    now: datetime, zone: ZoneInfo, digest_time: str, done_dates: Container[str]
) -> datetime:
    """Return the first occurrence of ``digest_time`` at or after ``now`` not yet run.

    ``done_dates`` are local dates (``YYYY-MM-DD``) that already have a digest run; skipping
    them is what makes "one digest per local day" hold across restarts and time changes.
    Occurrences before ``now`` are never returned, so a bot that was down for days owes at most
    the one overdue digest already stored, not one per missed day.
    """
    now_utc = require_aware(now, "now")
    hour, minute = split_digest_time(digest_time)
    day = now_utc.astimezone(zone).date()
    # Each day is skipped either for being in the past (only today can be) or for having a
    # run; runs are finite, so this terminates. The bound only guards against a logic error.
    for _ in range(3660):
        occurrence = local_occurrence(day, hour, minute, zone)
        if occurrence >= now_utc and day.isoformat() not in done_dates:
            return occurrence
        day += timedelta(days=1)
    raise RuntimeError(f"no digest occurrence found within ten years of {now_utc.isoformat()}")
