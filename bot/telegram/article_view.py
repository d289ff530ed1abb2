"""Read a whole article in the chat: the digest's 阅读 button, paged with 上一页/下一页.

Why paged: an article is often longer than Telegram's 4,096 characters, and several messages
in a row would bury the digest.  So the article is cut (between paragraphs where it can be, by
the one formatter) into pages that each fit one message with its title line, and the buttons
turn the page by editing that one message in place.

Button data (``callbacks.encode``, well under 64 bytes): ``dr:<article>:<page>:<check>`` opens
the article as a new message (from a digest), ``dp:…`` turns the page of the message it is on.
The check is :func:`text_check` of the article's content hash, so a button whose article
changed in a reload is answered as stale instead of showing other text.  When the page's
sidecar gives the article a ``url``, every page carries a link button to it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar, Final, Self

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.content.model import Article
from bot.digest.entries import DigestEntry
from bot.digest.text import page_date
from bot.rules.model import Responses
from bot.service import NewsService
from bot.telegram.callbacks import CallbackData, CallbackError, encode, text_check
from bot.telegram.format import BLANK, MESSAGE_LIMIT, Block, block, clean, render, utf16_len
from bot.telegram.incoming import interface_language
from bot.telegram.ptb import Ctx
from bot.telegram.send import NO_PREVIEW, Where, answer_query, send_html

logger = logging.getLogger(__name__)

OPEN_ACTION: Final = "dr"
TURN_ACTION: Final = "dp"
#: Pages an article may have at most (a corrupt page must not become a thousand edits).
MAX_PAGES: Final = 99


@dataclass(frozen=True, slots=True)
class ReadRef:
    """A button that shows page ``page`` of an article (new message or turned in place)."""

    ACTIONS: ClassVar[tuple[str, str]] = (OPEN_ACTION, TURN_ACTION)
    action: str
    article_id: str
    page: int
    check: str

    @classmethod
    def to(cls, action: str, article: Article, page: int = 0) -> Self:
        return cls(action, article.id, page, article_check(article))

    @classmethod
    def opening(cls, entry: DigestEntry) -> Self:
        """The 阅读 button of a digest entry: the article's first page, as a new message."""
        return cls(OPEN_ACTION, entry.article_id, 0, text_check(entry.version))

    def encode(self) -> str:
        return encode(self.action, self.article_id, self.page, self.check)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(3)
        if data.action not in cls.ACTIONS:
            raise CallbackError(f"not an article button: {data.action!r}")
        return cls(data.action, data.field(0), data.index(1), data.check(2))


def article_check(article: Article) -> str:
    """What a button remembers of the article's text (its hash, or the title without one)."""
    return text_check(article.content_hash or article.title)


# --- pages ----------------------------------------------------------------------------------


def _head(article: Article, responses: Responses, language: str, page: int, total: int) -> str:
    """The title line of a page: ``《title》 date · 第2/5页`` (the page part when paged)."""
    parts = [f"《{article.title}》"]
    if article.date is not None:
        parts.append(page_date(responses, article.date, language))
    if total > 1:
        parts.append(responses.text("tg_read_page", language, page=page + 1, total=total))
    return " ".join(parts)


def _body(article: Article) -> list[Block]:
    blocks: list[Block] = []
    for section in article.sections:
        if section.heading:
            blocks += [BLANK, block(section.heading, bold=True)]
        for paragraph in section.paragraphs:
            blocks += [BLANK, block(paragraph.text)]
    return blocks


def article_pages(
    article: Article, responses: Responses, language: str, limit: int = MESSAGE_LIMIT
) -> list[str]:
    """The article as HTML pages, each one Telegram message with its title line on top."""
    widest = _head(article, responses, language, MAX_PAGES - 1, MAX_PAGES)
    room = limit - utf16_len(clean(widest)) - 2  # the head line and the blank line under it
    chunks = render(_body(article), max(2, room))[:MAX_PAGES]
    total = len(chunks)
    return [
        render([block(_head(article, responses, language, n, total), bold=True)])[0]
        + "\n\n"
        + chunk
        for n, chunk in enumerate(chunks)
    ]


def page_keyboard(
    article: Article, page: int, total: int, responses: Responses, language: str
) -> InlineKeyboardMarkup | None:
    """上一页 / 下一页 where there is one, and the link to the original when the page has it."""
    rows: list[list[InlineKeyboardButton]] = []
    turn: list[InlineKeyboardButton] = []
    try:
        if page > 0:
            data = ReadRef.to(TURN_ACTION, article, page - 1).encode()
            turn.append(
                InlineKeyboardButton(responses.text("tg_read_prev", language), callback_data=data)
            )
        if page + 1 < total:
            data = ReadRef.to(TURN_ACTION, article, page + 1).encode()
            turn.append(
                InlineKeyboardButton(responses.text("tg_read_next", language), callback_data=data)
            )
    except ValueError as exc:  # an article id the codec cannot carry: the page, no buttons
        logger.warning("page buttons of %s left out: %s", article.id, exc)
        turn = []
    if turn:
        rows.append(turn)
    if article.url:
        rows.append(
            [InlineKeyboardButton(responses.text("tg_read_link", language), url=article.url)]
        )
    return InlineKeyboardMarkup(rows) if rows else None


# --- the buttons ----------------------------------------------------------------------------


class ArticleReader:
    """Handlers of the 阅读 button (``dr``) and of 上一页/下一页 (``dp``)."""

    def __init__(self, service: NewsService) -> None:
        self.service = service

    def _article(self, ref: ReadRef) -> Article:
        article = self.service.knowledge.article(ref.article_id)
        if article is None:
            raise CallbackError("article gone")
        if article_check(article) != ref.check:
            raise CallbackError("article changed")
        return article

    async def on_press(self, update: Update, context: Ctx, data: CallbackData) -> None:
        """Show the page the button names: a new message from a digest, else edit in place."""
        query = update.callback_query
        if query is None:
            return
        ref = ReadRef.parse(data)
        if query.message is None:
            raise CallbackError("no message to answer below")
        article = self._article(ref)
        language = interface_language(query.from_user)
        responses = self.service.knowledge.rules.responses
        pages = article_pages(article, responses, language)
        if ref.page >= len(pages):
            raise CallbackError("no such page")
        html = pages[ref.page]
        keyboard = page_keyboard(article, ref.page, len(pages), responses, language)
        await answer_query(query)
        logger.info("article %s page %d/%d shown", article.id, ref.page + 1, len(pages))
        bot, message = query.get_bot(), query.message
        if ref.action == OPEN_ACTION:
            await send_html(
                bot, Where(message.chat.id, message.chat.type), html, keyboard=keyboard
            )
            return
        try:
            await bot.edit_message_text(
                html,
                message.chat.id,
                message.message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=keyboard,
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                logger.warning("could not turn the page of %s: %s", article.id, exc)
        except TelegramError as exc:
            logger.warning("could not turn the page of %s: %s", article.id, exc)
