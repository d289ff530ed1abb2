"""The one error handler, and a log filter that keeps the bot token out of every log line.

Why a filter: the token is part of every Bot API URL, so network errors and HTTP-library
debug lines can carry it.  ``install_redaction`` puts :class:`Redactor` on the root handlers,
so whatever logs it — our code, PTB, httpx — prints ``<token>`` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, NetworkError, TelegramError, TimedOut

from bot.telegram.chats import mark_gone
from bot.telegram.deps import BotDeps
from bot.telegram.format import format_text
from bot.telegram.incoming import interface_language
from bot.telegram.ptb import Ctx
from bot.telegram.send import Where, answer_query, send_chunks

logger = logging.getLogger(__name__)

MASK = "<token>"


class Redactor(logging.Filter):
    """Replace secrets in a record's message and traceback text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install_redaction(token: str | None) -> Redactor:
    """Add a :class:`Redactor` for ``token`` (and its secret half) to every root handler."""
    secrets = [token or ""]
    if token and ":" in token:
        secrets.append(token.split(":", 1)[1])
    redactor = Redactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor


class ErrorHandler:
    """Log the failure (no user text, no token) and tell the user briefly."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    async def __call__(self, update: object, context: Ctx) -> None:
        error = context.error
        self.deps.service.metrics.inc("errors_total")
        if not isinstance(update, Update):
            logger.error("error outside an update: %s", error, exc_info=error)
            return
        chat = update.effective_chat
        if isinstance(error, Forbidden):
            logger.info("chat %s refused a message: %s", chat.id if chat else "?", error)
            if chat is not None:
                await mark_gone(self.deps, chat.id)
            return
        if isinstance(error, TimedOut):  # the reply may have arrived: do not add a notice
            logger.warning("update %d: Bot API timed out: %s", update.update_id, error)
            return
        if isinstance(error, NetworkError):
            logger.warning("update %d: network problem: %s", update.update_id, error)
        else:
            logger.error(
                "update %d failed: %s", update.update_id, type(error).__name__, exc_info=error
            )
        language = interface_language(update.effective_user)
        text = self.deps.text("error", language)
        try:
            if update.callback_query is not None:
                await answer_query(update.callback_query, text)
            elif (
                update.effective_message is not None
                and chat is not None
                and chat.type != ChatType.CHANNEL
            ):
                await send_chunks(
                    context.bot, Where.answering(update.effective_message), format_text(text)
                )
        except TelegramError as exc:
            logger.warning(
                "could not tell chat %s about the error: %s", chat.id if chat else "?", exc
            )
