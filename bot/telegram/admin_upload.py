"""Admins add and remove pages from Telegram: a ``.txt``/``.md`` document, ``/remove``.

Thin on purpose: every check and file operation is :mod:`bot.admin.pages`; this module reads
the update, downloads the file, asks for confirmation with buttons, and replies.  The admin gate
in ``app`` has already let only admins through (buttons included: their data can be forged).

Flows:

- upload: name, size (declared, then actual), then — holding the reload lock — the page check;
  an existing name asks 覆盖/取消 first (the checked text waits in memory under a random
  token, for :attr:`confirm_seconds`, for the admin who sent it); then write, reload, reply with
  the diff.  If the reload fails, the write is undone: an upload is either served or not on
  disk, never left waiting for a restart to break things.
- ``/remove``: the pages with their articles, a button per page (``admrm:<index>:<check>``),
  then a confirmation (``admrmy:…``); the index is checked against the page's name, so a
  button pressed after the list changed is refused as expired, as is one older than
  :attr:`list_seconds`/:attr:`confirm_seconds` (by the date Telegram gives the message).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import (
    CallbackQuery,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError

from bot.admin.audit import CANCELLED, FAILED, OK, REJECTED, Auditor
from bot.admin.pages import (
    CheckedPage,
    PageEntry,
    Rejected,
    check_size,
    check_upload,
    list_pages,
    remove_page,
    restore_moved,
    safe_page_name,
    undo_write,
    write_page,
)
from bot.admin.reload import Reloader, ReloadOutcome, Session
from bot.admin.report import page_lines, rejection_lines, reload_lines, titles_text
from bot.rules.model import Responses
from bot.service import NewsService
from bot.telegram.callbacks import NO_CHECK, CallbackData, CallbackError, encode, text_check
from bot.telegram.format import format_lines, plain
from bot.telegram.incoming import interface_language
from bot.telegram.ptb import Ctx
from bot.telegram.send import Where, answer_query, reply, send_chunks

logger = logging.getLogger(__name__)

OVERWRITE, CANCEL, PICK, REMOVE = "admow", "admno", "admrm", "admrmy"
BUTTON_LABEL = 48
MAX_PENDING = 20  # overwrite offers kept at once (each holds up to 1 MB of text)


@dataclass(frozen=True, slots=True)
class PendingUpload:
    user_id: int
    page: CheckedPage
    offered: dt.datetime


class PageEditor:
    """The upload, overwrite-confirmation and removal handlers of the admin feature."""

    def __init__(
        self,
        seeds: Path,
        service: NewsService,
        reloader: Reloader,
        auditor: Auditor,
        *,
        clock: Callable[[], dt.datetime],
        confirm_seconds: float,
        list_seconds: float,
    ) -> None:
        self.seeds = seeds
        self.service = service
        self.reloader = reloader
        self.auditor = auditor
        self.clock = clock
        self.confirm = dt.timedelta(seconds=confirm_seconds)
        self.list_age = dt.timedelta(seconds=list_seconds)
        self._pending: dict[str, PendingUpload] = {}

    @property
    def responses(self) -> Responses:
        return self.service.knowledge.rules.responses

    # --- upload ------------------------------------------------------------------------------

    async def on_document(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or message.document is None:
            return
        language = interface_language(user)
        document = message.document
        name = document.file_name or "?"  # as sent, for the audit, until it is sanitised
        try:
            name = safe_page_name(document.file_name)
            check_size(document.file_size)
            raw = await self._download(document)
            async with self.reloader.exclusive() as session:
                page = await asyncio.to_thread(check_upload, self.seeds, name, raw)
                if not page.exists:
                    lines, result = await self._apply(session, page, user.id, language)
        except Rejected as exc:
            logger.info("upload refused: %s", exc.key)
            await self.auditor.record(user.id, "upload", name, f"{REJECTED}: {exc.key}")
            await reply(message, format_lines(rejection_lines(exc, self.responses, language)))
            return
        if page.exists:  # nothing written: ask first (outside the lock)
            await self._offer_overwrite(message, user.id, page, language)
            return
        await self.auditor.record(user.id, "upload", name, result)
        await reply(message, format_lines(lines, bold_first=True))

    async def _download(self, document: Document) -> bytes:
        try:
            file = await document.get_file()
            data = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            logger.warning("could not download an uploaded document: %s", exc)
            raise Rejected("admin_upload_download_failed") from exc
        check_size(len(data))
        return data

    async def _offer_overwrite(
        self, message: Message, user_id: int, page: CheckedPage, language: str
    ) -> None:
        now = self.clock()
        self._pending = {k: v for k, v in self._pending.items() if now - v.offered < self.confirm}
        while len(self._pending) >= MAX_PENDING:
            self._pending.pop(next(iter(self._pending)))
        token = secrets.token_urlsafe(6)
        self._pending[token] = PendingUpload(user_id, page, now)
        current = next(
            (p for p in list_pages(self.seeds, self.service.knowledge) if p.name == page.name),
            PageEntry(page.name),
        )
        say = self.responses.text
        text = say(
            "admin_upload_exists",
            language,
            name=page.name,
            count=len(current.titles),
            new_count=len(page.titles),
        )
        keyboard = _keyboard(
            [
                (say("admin_button_overwrite", language), encode(OVERWRITE, token)),
                (say("admin_button_cancel", language), encode(CANCEL, token)),
            ]
        )
        await reply(message, format_lines([text]), keyboard)

    async def on_overwrite(self, update: Update, context: Ctx, data: CallbackData) -> None:
        query = _query(update)
        data.expect(1)
        pending = self._pending.get(data.field(0))
        language = interface_language(query.from_user)
        if (
            pending is None
            or pending.user_id != query.from_user.id
            or self.clock() - pending.offered >= self.confirm
        ):
            raise CallbackError("overwrite offer expired")
        del self._pending[data.field(0)]
        await answer_query(query)
        await _drop_buttons(query)
        name = pending.page.name
        try:
            async with self.reloader.exclusive() as session:
                # Check again: the page or its sidecar may have changed since the offer.
                page = await asyncio.to_thread(
                    check_upload, self.seeds, name, pending.page.text.encode("utf-8")
                )
                lines, result = await self._apply(session, page, query.from_user.id, language)
        except Rejected as exc:
            await self.auditor.record(query.from_user.id, "upload", name, f"{REJECTED}: {exc.key}")
            await self._send(query, rejection_lines(exc, self.responses, language))
            return
        await self.auditor.record(query.from_user.id, "upload", f"{name} (overwrite)", result)
        await self._send(query, lines, bold_first=True)

    async def on_cancel(self, update: Update, context: Ctx, data: CallbackData) -> None:
        query = _query(update)
        data.expect(1)
        pending = self._pending.pop(data.field(0), None)
        language = interface_language(query.from_user)
        await answer_query(query, self.responses.text("admin_cancelled", language))
        await _drop_buttons(query)
        detail = pending.page.name if pending is not None else "remove"
        await self.auditor.record(query.from_user.id, "cancel", detail, CANCELLED)

    async def _apply(
        self, session: Session, page: CheckedPage, user_id: int, language: str
    ) -> tuple[list[str], str]:
        """Write, reload, undo on failure: the reply's lines and the audit result."""
        say = self.responses.text
        try:
            written = await asyncio.to_thread(write_page, self.seeds, page)
        except OSError as exc:
            logger.error("could not write an uploaded page: %s", exc.strerror)
            return [say("admin_write_failed", language, error=exc.strerror or "?")], FAILED
        outcome = await session.reload(user_id=user_id, source="upload", detail=page.name)
        if not outcome.ok:
            await asyncio.to_thread(undo_write, written)
            return [say("admin_upload_rolled_back", language), *self._reload(outcome, language)], (
                f"{REJECTED}: reload failed"
            )
        saved = say("admin_upload_saved", language, name=page.name, count=len(page.titles))
        return [saved, *self._reload(outcome, language)], OK

    def _reload(self, outcome: ReloadOutcome, language: str) -> list[str]:
        return reload_lines(outcome, self.responses, language)

    # --- removal -----------------------------------------------------------------------------

    async def on_remove_command(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        pages = list_pages(self.seeds, self.service.knowledge)
        say = self.responses.text
        keyboard = _keyboard(
            [
                (
                    say("admin_remove_button", language, index=index, name=page.name),
                    encode(PICK, index, text_check(page.name)),
                )
                for index, page in enumerate(pages, start=1)
            ]
        )
        await reply(message, format_lines(page_lines(pages, self.responses, language)), keyboard)

    async def on_pick(self, update: Update, context: Ctx, data: CallbackData) -> None:
        query = _query(update)
        index, page = self._resolve(query, data, self.list_age)
        language = interface_language(query.from_user)
        say = self.responses.text
        text = say(
            "admin_remove_confirm",
            language,
            name=page.name,
            count=len(page.titles),
            titles=titles_text(page.titles, self.responses, language),
        )
        keyboard = _keyboard(
            [
                (
                    say("admin_button_remove", language),
                    encode(REMOVE, index, text_check(page.name)),
                ),
                (say("admin_button_cancel", language), encode(CANCEL, NO_CHECK)),
            ]
        )
        await answer_query(query)
        await self._send(query, [text], keyboard=keyboard)

    async def on_remove(self, update: Update, context: Ctx, data: CallbackData) -> None:
        query = _query(update)
        _, page = self._resolve(query, data, self.confirm)
        language = interface_language(query.from_user)
        await answer_query(query)
        await _drop_buttons(query)
        user_id = query.from_user.id
        say = self.responses.text
        try:
            async with self.reloader.exclusive() as session:
                moved = await asyncio.to_thread(remove_page, self.seeds, page.name)
                outcome = await session.reload(user_id=user_id, source="remove", detail=page.name)
                if not outcome.ok:
                    await asyncio.to_thread(restore_moved, moved)
        except Rejected as exc:
            await self.auditor.record(user_id, "remove", page.name, f"{REJECTED}: {exc.key}")
            await self._send(query, rejection_lines(exc, self.responses, language))
            return
        except OSError as exc:
            logger.error("could not remove a page: %s", exc.strerror)
            await self.auditor.record(user_id, "remove", page.name, f"{FAILED}: {exc.strerror}")
            error = exc.strerror or type(exc).__name__
            await self._send(query, [say("admin_write_failed", language, error=error)])
            return
        if outcome.ok:
            head = say("admin_removed", language, name=page.name)
            result = OK
        else:
            head = say("admin_remove_rolled_back", language, name=page.name)
            result = f"{REJECTED}: reload failed"
        await self.auditor.record(user_id, "remove", page.name, result)
        await self._send(query, [head, *self._reload(outcome, language)], bold_first=True)

    def _resolve(
        self, query: CallbackQuery, data: CallbackData, max_age: dt.timedelta
    ) -> tuple[int, PageEntry]:
        """The page a remove button points at, or CallbackError (expired, list changed)."""
        data.expect(2)
        index, check = data.index(0), data.check(1)
        message = query.message
        sent = message.date if message is not None else None
        if sent is None or self.clock() - sent >= max_age:
            raise CallbackError("remove button expired")
        pages = list_pages(self.seeds, self.service.knowledge)
        if not 1 <= index <= len(pages) or text_check(pages[index - 1].name) != check:
            raise CallbackError("page list changed")
        return index, pages[index - 1]

    async def _send(
        self,
        query: CallbackQuery,
        lines: list[str],
        *,
        bold_first: bool = False,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        if query.message is None:
            return
        where = Where.answering(query.message)
        await send_chunks(
            query.get_bot(), where, format_lines(lines, bold_first=bold_first), keyboard
        )


def _query(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise CallbackError("not a button press")
    return update.callback_query


def _keyboard(buttons: list[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(plain(label, BUTTON_LABEL), callback_data=data)]
            for label, data in buttons
        ]
    )


async def _drop_buttons(query: CallbackQuery) -> None:
    """Take the buttons off a confirmation once used, so it cannot be pressed twice."""
    if not isinstance(query.message, Message) or query.message.reply_markup is None:
        return  # nothing to take off (Telegram refuses an edit that changes nothing)
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as exc:
        logger.debug("could not remove the buttons: %s", exc)
