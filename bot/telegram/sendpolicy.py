"""The rules the fair limiter (``fairsend``) sends by, as one frozen config object.

Kept apart from the limiter so ``BotOptions`` can name them (``BotOptions.send``) without the
machinery, and so every number the limiter uses has a name and a reason here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SendPolicy:
    """How the application's bot paces its messages (``BotOptions.send``)."""

    rate: float = 30.0  # messages/s to all chats together (Telegram's limit); 0: no cap
    retries: int = 3  # resends of one request after 429s before the error reaches the caller
    group_messages: int = 20  # per group …
    group_window: float = 60.0  # … in any window of this many seconds (Telegram's limit)
    #: A 429 is taken as bot-wide when this many different chats get one within
    #: ``global_window`` seconds; until then a 429 holds only its own chat.
    global_after_chats: int = 3
    global_window: float = 2.0
    hold_margin: float = 0.1  # seconds added to every retry_after
    #: Digests and notices take turns only when no reply waits, except that at least one
    #: turn in this many goes to them while they wait (so a reply flood cannot starve them).
    bulk_share: int = 5
    #: Requests in flight at once (messages and button/inline answers together): without a
    #: bound, a burst of button presses opens a connection each.
    max_in_flight: int = 16

    def __post_init__(self) -> None:
        if self.rate < 0 or self.retries < 0 or self.group_messages < 1:
            raise ValueError("rate and retries must be >= 0, group_messages >= 1")
        if self.bulk_share < 1 or self.max_in_flight < 1:
            raise ValueError("bulk_share and max_in_flight must be >= 1")
        if self.global_after_chats < 1 or self.global_window < 0 or self.group_window < 0:
            raise ValueError("global_after_chats must be >= 1, windows >= 0")
