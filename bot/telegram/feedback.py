"""👍/👎 under answers: readers say whether an answer was right, editors see the 👎.

Why the button carries a token of the logged question and not its text: callback data is 64
bytes and forgeable.  The token (ten random hex digits, ``questions.token``) is chosen before
the question is logged, so the reply goes out without waiting for the database.  The store
keeps an answered question's text only once it is rated 👎, so the text waits in a small
bounded memory of recent answers (:mod:`bot.telegram.feedback_memory`) until the reader
presses a button.  After a restart (or once a thousand newer answers have pushed it out) a 👎
is still counted, with the wording unknown; the token is checked against the chat it was
asked in, so forged data cannot rate someone else's question.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery

from bot.store import StoreError
from bot.telegram.callbacks import CallbackError, FeedbackRef
from bot.telegram.deps import BotDeps
from bot.telegram.send import answer_query

logger = logging.getLogger(__name__)


async def on_feedback(
    deps: BotDeps, query: CallbackQuery, ref: FeedbackRef, language: str
) -> None:
    """Store the rating and thank the reader with a toast (no new message in the chat)."""
    if deps.store is None or query.message is None:
        raise CallbackError("ratings need a store")
    chat_id = query.message.chat.id
    wording = deps.recent.wording(ref.token, chat_id) if ref.rating < 0 else None
    try:
        known = await deps.store.rate(ref.token, chat_id, query.from_user.id, ref.rating, wording)
    except StoreError as exc:
        logger.warning("could not store a rating in chat %d: %s", chat_id, exc)
        await answer_query(query, deps.text("error", language))
        return
    if not known:
        raise CallbackError("no such question in this chat")
    logger.info("chat %d: answer rated %+d", chat_id, ref.rating)
    key = "tg_feedback_up" if ref.rating > 0 else "tg_feedback_down"
    await answer_query(query, deps.text(key, language))
