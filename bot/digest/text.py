"""The plain-text renderer of digests and notices (CLI, console, tests).

Its :func:`text_layout` reports exactly the sizes :func:`render_text` writes, which is the
contract the message plan relies on; the Telegram HTML renderer implements the same pair over
the same :class:`~bot.digest.plan.DigestMessage` plan. Strings come from the ``responses``
rules (Chinese first, English second); the defaults below only keep an older rules directory
that lacks the digest keys from showing raw key names.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Final

from bot.digest.build import Notice
from bot.digest.entries import DigestEntry
from bot.digest.items import DigestItem, clip
from bot.digest.plan import TELEGRAM_MESSAGE_LIMIT, DigestMessage, MessageLayout
from bot.rules.model import Responses, Topic

logger = logging.getLogger(__name__)

# Widest numbers the title and footer are sized for (a digest never has 10,000 messages).
_WIDEST_NUMBER: Final = 9999

FALLBACK_TEXTS: Final[Mapping[str, tuple[str, str]]] = {
    "digest_title": ("📰 订阅摘要（{index}/{total}）", "📰 Your digest ({index}/{total})"),
    "digest_title_single": ("📰 订阅摘要", "📰 Your digest"),
    "digest_topic": ("【{topic}】", "[{topic}]"),
    "digest_topic_continued": ("【{topic}】（续）", "[{topic}] (continued)"),
    "digest_item_heading": ("《{title}》· {section}", "《{title}》· {section}"),
    "digest_item_heading_no_section": ("《{title}》", "《{title}》"),
    "digest_fact": ("· {fact}", "· {fact}"),
    "digest_entry_heading": ("《{title}》 {date}", "《{title}》 {date}"),
    "digest_entry_heading_no_date": ("《{title}》", "《{title}》"),
    "digest_date": ("{year}年{month}月{day}日", "{iso}"),
    "digest_link": ("原文：{url}", "Full text: {url}"),
    "digest_question": ("可以问我：{question}", "Ask me: {question}"),
    "digest_deferred": (
        "还有{count}条内容，将在下一期摘要中发送。",
        "{count} more items will come in your next digest.",
    ),
    "digest_empty": ("你订阅的话题暂时没有新内容。", "Nothing new in your topics right now."),
    "digest_no_subscriptions": ("你还没有订阅任何话题。", "You have no subscriptions yet."),
    "digest_unknown_topic": (
        "没有找到话题「{query}」。可以订阅的话题：{topics}",
        "No topic matches 「{query}」. Topics: {topics}",
    ),
    "notice_title": (
        "新内容：你订阅的话题有{count}条新的或更新的报道",
        "New: {count} new or updated items in your topics",
    ),
    "notice_item": ("· 《{title}》· {section}", "· 《{title}》· {section}"),
    "notice_item_no_section": ("· 《{title}》", "· 《{title}》"),
    "notice_more": ("……还有{count}条", "… and {count} more"),
    "notice_footer": ("发送 /digest 可以立即查看。", "Send /digest to read them now."),
}


def text_size(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def say(responses: Responses, key: str, language: str, /, **values: object) -> str:
    """The response ``key`` in ``language``, from the rules or else the built-in default."""
    if responses.has(key):
        return responses.text(key, language, **values)
    default = FALLBACK_TEXTS.get(key)
    if default is None:
        return key
    logger.debug("response %r missing from the rules; using the built-in text", key)
    return (default[1] if language == "en" else default[0]).format(**values)


def item_heading(responses: Responses, item: DigestItem, language: str) -> str:
    """``《title》· section`` (or just the title for a section without a heading)."""
    if item.section_heading:
        return say(
            responses,
            "digest_item_heading",
            language,
            title=item.article_title,
            section=item.section_heading,
        )
    return say(responses, "digest_item_heading_no_section", language, title=item.article_title)


def page_date(responses: Responses, date: dt.date, language: str) -> str:
    """``2026年1月23日`` / ``2026-01-23``: the day the article's page is dated."""
    return say(
        responses,
        "digest_date",
        language,
        year=date.year,
        month=date.month,
        day=date.day,
        iso=date.isoformat(),
    )


def entry_heading(responses: Responses, entry: DigestEntry, language: str) -> str:
    """``《title》 2026年1月23日`` (just the title when the page has no date)."""
    if entry.date is None:
        return say(responses, "digest_entry_heading_no_date", language, title=entry.title)
    date = page_date(responses, entry.date, language)
    return say(responses, "digest_entry_heading", language, title=entry.title, date=date)


def entry_lines(responses: Responses, entry: DigestEntry, language: str) -> list[str]:
    """An entry's lines: heading with date, the one-line summary, the link if the page has one."""
    lines = [entry_heading(responses, entry, language)]
    if entry.summary:
        lines.append(entry.summary)
    if entry.url:
        lines.append(say(responses, "digest_link", language, url=entry.url))
    return lines


def render_entry(responses: Responses, entry: DigestEntry, language: str) -> str:
    """An entry's block: a blank line, then :func:`entry_lines`."""
    return "\n" + "".join(f"{line}\n" for line in entry_lines(responses, entry, language))


def render_topic(responses: Responses, topic: Topic, continued: bool, language: str) -> str:
    """A topic heading block (marked "continued" when the topic began in an earlier message)."""
    key = "digest_topic_continued" if continued else "digest_topic"
    return "\n" + say(responses, key, language, topic=topic.name(language)) + "\n"


def _title(responses: Responses, index: int, total: int, language: str) -> str:
    if total == 1:
        return say(responses, "digest_title_single", language) + "\n"
    return say(responses, "digest_title", language, index=index, total=total) + "\n"


def _footer(responses: Responses, deferred: int, language: str) -> str:
    return "\n" + say(responses, "digest_deferred", language, count=deferred) + "\n"


def text_layout(
    responses: Responses, language: str, limit: int = TELEGRAM_MESSAGE_LIMIT
) -> MessageLayout:
    """The sizes :func:`render_text` will produce, for :func:`~bot.digest.plan.plan_messages`.

    Sizes are in UTF-16 code units, as Telegram counts its 4,096 limit. An HTML renderer whose
    visible text is the same as :func:`render_text`'s (tags around it, entities escaped) can
    use this layout as is: Telegram measures the text after parsing the entities.
    """
    widest = _WIDEST_NUMBER
    overhead = max(
        text_size(_title(responses, widest, widest, language)),
        text_size(_title(responses, 1, 1, language)),
    )
    overhead += text_size(_footer(responses, widest, language))
    return MessageLayout(
        limit=limit,
        item_size=lambda entry: text_size(render_entry(responses, entry, language)),
        header_size=lambda topic, continued: text_size(
            render_topic(responses, topic, continued, language)
        ),
        overhead=overhead,
    )


def render_text(message: DigestMessage, responses: Responses, language: str = "zh") -> str:
    """One planned message as plain text (the "nothing new" note for an empty message)."""
    if message.empty:
        return say(responses, "digest_empty", language)
    pieces = [_title(responses, message.index + 1, message.total, language)]
    for part in message.parts:
        pieces.append(render_topic(responses, part.topic, part.continued, language))
        pieces.extend(render_entry(responses, entry, language) for entry in part.entries)
    if message.deferred:
        pieces.append(_footer(responses, message.deferred, language))
    return "".join(pieces).rstrip("\n")


def render_notice_text(
    notice: Notice,
    responses: Responses,
    language: str = "zh",
    limit: int = TELEGRAM_MESSAGE_LIMIT,
) -> str:
    """A new-content notice as one message: a line per item, "… and N more" if they overflow."""
    head = say(responses, "notice_title", language, count=len(notice.items)) + "\n"
    foot = "\n" + say(responses, "notice_footer", language)
    lines: list[str] = []
    for item in notice.items:
        if item.section_heading:
            line = say(
                responses,
                "notice_item",
                language,
                title=item.article_title,
                section=item.section_heading,
            )
        else:
            line = say(responses, "notice_item_no_section", language, title=item.article_title)
        lines.append(clip(line, limit // 4) + "\n")
    more_room = text_size(say(responses, "notice_more", language, count=len(lines))) + 1
    used = text_size(head) + text_size(foot)
    shown: list[str] = []
    for position, line in enumerate(lines):
        rest = len(lines) - position - 1
        reserve = more_room if rest else 0
        if used + text_size(line) + reserve > limit:
            break
        shown.append(line)
        used += text_size(line)
    body = "".join(shown)
    hidden = len(lines) - len(shown)
    if hidden:
        body += say(responses, "notice_more", language, count=hidden) + "\n"
    return (head + body).rstrip("\n") + "\n" + foot
