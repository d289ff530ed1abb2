"""Validation and normalisation of values that users and Telegram hand to the store.

Each check lives here, not in SQL CHECK constraints alone, so a bad ``/settime`` or
``/timezone`` gets a readable :class:`InvalidSetting` message instead of an IntegrityError.
"""

from __future__ import annotations

import functools
import logging
import re
import zoneinfo
from typing import Final, Literal, cast, get_args

from bot.store.errors import InvalidArgumentError, InvalidSetting

logger = logging.getLogger(__name__)

ChatType = Literal["private", "group", "supergroup", "channel"]
Language = Literal["zh", "en"]
DeliveryKind = Literal["digest", "notice"]

CHAT_TYPES: Final[tuple[str, ...]] = get_args(ChatType)
LANGUAGES: Final[tuple[str, ...]] = get_args(Language)
DELIVERY_KINDS: Final[tuple[str, ...]] = get_args(DeliveryKind)

DEFAULT_LANGUAGE: Final[Language] = "zh"
DEFAULT_TIMEZONE: Final = "Asia/Shanghai"
DEFAULT_DIGEST_TIME: Final = "08:00"

# Chinese input methods type full-width digits and colons; accept them rather than make the
# user switch keyboards. Only ASCII digits survive the translation, so "٣:٠٠" stays invalid.
_FULL_WIDTH: Final = str.maketrans("０１２３４５６７８９：", "0123456789:")
_HHMM: Final = re.compile(r"([0-9]{1,2}):([0-9]{2})")
# What an IANA zone name can look like.  Checked before zoneinfo sees the name: zoneinfo turns
# "A/A/A/…" into a tzdata package path and recurses until RecursionError on a few KB of it.
_ZONE_NAME: Final = re.compile(r"[A-Za-z0-9_+-]{1,30}(?:/[A-Za-z0-9_+-]{1,30}){0,3}")


def parse_digest_time(text: str) -> str:
    """Normalise a user's digest time to ``HH:MM``.

    ``H:MM`` and ``HH:MM`` from 00:00 to 23:59 are accepted; a one-digit minute ("7:5") is
    refused because it is ambiguous (7:05 or 7:50?), and "24:00" because it is tomorrow.
    """
    candidate = text.strip().translate(_FULL_WIDTH)
    match = _HHMM.fullmatch(candidate)
    if match is None:
        raise InvalidSetting(f"digest time must look like HH:MM (e.g. 08:00), got {text!r}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise InvalidSetting(f"digest time must be between 00:00 and 23:59, got {text!r}")
    return f"{hour:02d}:{minute:02d}"


def split_digest_time(hhmm: str) -> tuple[int, int]:
    """Return (hour, minute) of an already normalised ``HH:MM`` string."""
    normalised = parse_digest_time(hhmm)
    return int(normalised[:2]), int(normalised[3:])


@functools.cache
def _zones_by_folded_name() -> dict[str, str]:
    """Map lower-cased IANA names to their canonical spelling (scanning tzdata is slow: cache)."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def validate_timezone(name: str) -> str:
    """Return the canonical IANA name for ``name`` or raise :class:`InvalidSetting`.

    The exact name is tried first; a case-insensitive match ("asia/tokyo") is accepted because
    users type zone names by hand in chat.
    """
    key = name.strip()
    try:
        if not _ZONE_NAME.fullmatch(key):
            raise ValueError("not a time zone name")
        zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        canonical = _zones_by_folded_name().get(key.casefold()) if key else None
        if canonical is None:
            raise InvalidSetting(
                f"unknown time zone {name!r}; use an IANA name such as Asia/Shanghai, "
                "Asia/Tokyo or Europe/London"
            ) from None
        return canonical
    return key


def zone_or_default(name: str) -> zoneinfo.ZoneInfo:
    """Return the zone called ``name``, or the default zone if tzdata no longer knows it.

    Names are validated on the way in, but tzdata can drop or rename zones between upgrades;
    one stale row must not stop every digest from being scheduled.
    """
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        logger.warning("stored time zone %r is unknown; using %s", name, DEFAULT_TIMEZONE)
        return zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)


def validate_language(value: str) -> Language:
    """Return ``value`` as a :data:`Language` or raise :class:`InvalidSetting`."""
    if value not in LANGUAGES:
        raise InvalidSetting(f"language must be one of {', '.join(LANGUAGES)}, got {value!r}")
    return cast(Language, value)


def validate_chat_type(value: str) -> ChatType:
    """Return ``value`` as a :data:`ChatType`; anything else is a caller bug, not user input."""
    if value not in CHAT_TYPES:
        raise InvalidArgumentError(
            f"chat type must be one of {', '.join(CHAT_TYPES)}, got {value!r}"
        )
    return cast(ChatType, value)


def validate_kind(value: str) -> DeliveryKind:
    """Return ``value`` as a :data:`DeliveryKind`; the ledger keeps digests and notices apart."""
    if value not in DELIVERY_KINDS:
        raise InvalidArgumentError(
            f"delivery kind must be one of {', '.join(DELIVERY_KINDS)}, got {value!r}"
        )
    return cast(DeliveryKind, value)
