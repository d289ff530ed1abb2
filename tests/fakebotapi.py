"""A fake Telegram Bot API server for end-to-end tests.

Why it exists: the bot's tests run the *real* python-telegram-bot ``Application`` over real HTTP,
so that everything between our handlers and the wire (parameter encoding, retries, the rate
limiter, the mapping of error responses to exceptions) is exercised too. The real Telegram is out
of reach in tests, and mocking ``telegram.Bot`` would hide exactly the bugs that matter in
production: HTML that Telegram cannot parse, messages over 4,096 characters, callback data over
64 bytes, editing a message with the same content. So this server speaks the Bot API the way
Telegram does and *refuses* what Telegram refuses, with Telegram-shaped errors (and Telegram's
wording where it is known), so that PTB raises the same exceptions it would in production.

How it is built, and why:

* stdlib only, a ``ThreadingHTTPServer`` in daemon threads. The server is isolated from the test's
  event loop, so a long poll blocked in a handler thread never blocks the test, and a test can
  inject updates synchronously while the bot is polling.
* All state lives behind one re-entrant lock; a ``threading.Condition`` on that lock wakes long
  polls (and the webhook sender) when an update arrives.
* Every request is recorded (:attr:`FakeBotAPI.requests`). Refusals caused by the bot's own
  mistakes are also listed by :meth:`FakeBotAPI.rejected`, so a test can assert that the bot never
  sent anything Telegram would refuse. Refusals a test provokes on purpose (a blocked chat, a
  migrated group, injected faults) are recorded but are not "rejected".
* The HTML checks port tdlib's ``parse_html`` (byte offsets, tag rules, entity decoding) and are,
  by default, *stricter* than Telegram in three ways that catch missing escaping early: a bare
  ``&`` that does not start ``&lt;``/``&gt;``/``&amp;``/``&quot;``/``&#...;``, a bare ``>``
  outside tags, and ``<a>`` without a valid ``href`` are refused (Telegram would silently keep
  or drop them). Pass ``strict_html=False`` for Telegram's exact leniency.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import http.client
import json
import random
import re
import select
import socket
import struct
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar

__all__ = [
    "EntityParseError",
    "FakeBotAPI",
    "Request",
    "UploadedFile",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]

JSONDict = dict[str, Any]


def _words(text: str) -> tuple[str, ...]:
    """Split a long list of names written as words (easier to read than a quoted list)."""
    return tuple(text.split())


MESSAGE_TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
INLINE_RESULTS_LIMIT = 50
KEYBOARD_BUTTONS_LIMIT = 100
COMMANDS_LIMIT = 100
DOWNLOAD_LIMIT = 20 * 1024 * 1024
UPLOAD_LIMIT = 50 * 1024 * 1024

QUERY_ID_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)

FAULT_KINDS = frozenset(
    {"429", "500", "502", "timeout", "reset", "401", "403", "404", "409", "400-not-modified"}
)

#: Update types delivered when ``allowed_updates`` is empty or was never given (Telegram default).
DEFAULT_UPDATE_TYPES = frozenset(
    _words(
        "message edited_message channel_post edited_channel_post business_connection "
        "business_message edited_business_message deleted_business_messages inline_query "
        "chosen_inline_result callback_query shipping_query pre_checkout_query "
        "purchased_paid_media poll poll_answer my_chat_member chat_join_request chat_boost "
        "removed_chat_boost"
    )
)

#: Parameters that are strings in the Bot API. Everything else PTB sends JSON-encoded inside form
#: fields (numbers, booleans, objects, arrays), so the fake decodes it; these are kept verbatim,
#: because a text like ``123`` or ``true`` must stay a string.
STRING_PARAMS = frozenset(
    _words(
        "text caption parse_mode callback_query_id inline_query_id url secret_token ip_address "
        "description short_description name language_code action file_id next_offset "
        "switch_pm_text switch_pm_parameter business_connection_id inline_message_id "
        "message_effect_id title emoji custom_title question explanation address first_name "
        "last_name phone_number vcard sticker document photo audio video voice animation "
        "thumbnail foursquare_id foursquare_type google_place_id google_place_type payload "
        "currency provider_token start_parameter game_short_name user_id_str"
    )
)

#: Methods this fake implements, by canonical (camelCase) name.
IMPLEMENTED_METHODS = _words(
    "getMe logOut close getUpdates setWebhook deleteWebhook getWebhookInfo setMyCommands "
    "getMyCommands deleteMyCommands setMyDescription getMyDescription setMyShortDescription "
    "getMyShortDescription setMyName getMyName setChatMenuButton getChatMenuButton sendMessage "
    "sendDocument editMessageText editMessageCaption editMessageReplyMarkup deleteMessage "
    "deleteMessages answerCallbackQuery answerInlineQuery sendChatAction getChat getChatMember "
    "getChatAdministrators getChatMemberCount getFile leaveChat"
)

#: Real Bot API methods the fake does not implement: answered with 501 (and listed in
#: ``rejected()``) instead of 404, because PTB maps 404 to ``InvalidToken``, which would mislead.
KNOWN_UNIMPLEMENTED_METHODS = _words(
    "forwardMessage forwardMessages copyMessage copyMessages sendPhoto sendAudio sendVideo "
    "sendAnimation sendVoice sendVideoNote sendPaidMedia sendMediaGroup sendLocation sendVenue "
    "sendContact sendPoll sendChecklist sendDice sendMessageDraft setMessageReaction "
    "getUserProfilePhotos setUserEmojiStatus banChatMember unbanChatMember restrictChatMember "
    "promoteChatMember setChatAdministratorCustomTitle banChatSenderChat unbanChatSenderChat "
    "setChatPermissions exportChatInviteLink createChatInviteLink editChatInviteLink "
    "createChatSubscriptionInviteLink editChatSubscriptionInviteLink revokeChatInviteLink "
    "approveChatJoinRequest declineChatJoinRequest setChatPhoto deleteChatPhoto setChatTitle "
    "setChatDescription pinChatMessage unpinChatMessage unpinAllChatMessages setChatStickerSet "
    "deleteChatStickerSet getForumTopicIconStickers createForumTopic editForumTopic "
    "closeForumTopic reopenForumTopic deleteForumTopic unpinAllForumTopicMessages "
    "editGeneralForumTopic closeGeneralForumTopic reopenGeneralForumTopic hideGeneralForumTopic "
    "unhideGeneralForumTopic unpinAllGeneralForumTopicMessages getUserChatBoosts "
    "getBusinessConnection setMyDefaultAdministratorRights getMyDefaultAdministratorRights "
    "editMessageMedia editMessageLiveLocation stopMessageLiveLocation editMessageChecklist "
    "stopPoll sendSticker getStickerSet getCustomEmojiStickers uploadStickerFile "
    "createNewStickerSet addStickerToSet setStickerPositionInSet deleteStickerFromSet "
    "replaceStickerInSet setStickerEmojiList setStickerKeywords setStickerMaskPosition "
    "setStickerSetTitle setStickerSetThumbnail setCustomEmojiStickerSetThumbnail deleteStickerSet "
    "answerWebAppQuery savePreparedInlineMessage sendInvoice createInvoiceLink "
    "answerShippingQuery answerPreCheckoutQuery getStarTransactions refundStarPayment "
    "editUserStarSubscription sendGame setGameScore getGameHighScores setPassportDataErrors "
    "getAvailableGifts sendGift giftPremiumSubscription verifyUser verifyChat "
    "removeUserVerification removeChatVerification readBusinessMessage deleteBusinessMessages "
    "getMyStarBalance postStory editStory deleteStory"
)

_CANONICAL = {name.lower(): name for name in (*IMPLEMENTED_METHODS, *KNOWN_UNIMPLEMENTED_METHODS)}

CHAT_ACTIONS = frozenset(
    _words(
        "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
        "choose_sticker find_location record_video_note upload_video_note"
    )
)

_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_HTML_TAGS = frozenset(
    _words("a b strong i em s strike del u ins tg-spoiler tg-emoji span pre code blockquote")
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LANGUAGE_RE = re.compile(r"[a-z]{2}")


# --------------------------------------------------------------------------------------------
# Text: UTF-16 lengths, Telegram's HTML / MarkdownV2 / Markdown parsers, automatic entities
# --------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: Telegram counts lengths and entity offsets this way."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _utf16_prefix(text: str) -> list[int]:
    """UTF-16 offset of each character index (plus the end), to map str indexes to offsets."""
    out = [0]
    for ch in text:
        out.append(out[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return out


class EntityParseError(ValueError):
    """Text that Telegram would refuse with "Bad Request: can't parse entities: <message>"."""


_ENTITY_PRIORITY = {
    "mention": 50,
    "hashtag": 50,
    "cashtag": 50,
    "bot_command": 50,
    "url": 50,
    "email": 50,
    "phone_number": 50,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "code": 20,
    "pre": 11,
    "text_link": 49,
    "text_mention": 49,
    "custom_emoji": 99,
    "blockquote": 0,
    "expandable_blockquote": 0,
}

#: Entities other entities cannot overlap; automatic entities are not added inside them.
_CONTINUOUS_ENTITIES = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})


def _sort_entities(entities: list[JSONDict]) -> list[JSONDict]:
    """Telegram's order: by offset, longer first, then by type priority."""
    return sorted(
        entities,
        key=lambda e: (e["offset"], -e["length"], _ENTITY_PRIORITY.get(e["type"], 50)),
    )


def _is_html_space(c: int) -> bool:
    return c in (0x20, 0x09, 0x0D, 0x0A, 0x00, 0x0B, 0x0C)


def _decode_html_entity(data: bytes, pos: int) -> tuple[int, int, bool] | None:
    """tdlib's ``decode_html_entity``: (code point, end position, had ';') or None."""
    n = len(data)

    def at(i: int) -> int:
        return data[i] if i < n else 0

    end = pos + 1
    code = 0
    if at(pos + 1) == ord("#"):
        end += 1
        if at(pos + 2) == ord("x"):
            end += 1
            while chr(at(end)) in "0123456789abcdefABCDEF" and at(end):
                code = code * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while 0x30 <= at(end) <= 0x39:
                code = code * 10 + at(end) - 0x30
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while chr(at(end)).isascii() and chr(at(end)).isalpha():
            end += 1
        name = data[pos + 1 : end]
        named = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}
        if name not in named:
            return None
        code = named[name]
    if at(end) == ord(";"):
        return code, end + 1, True
    return code, end, False


def _checked_link(url: str) -> str | None:
    """A simplified ``LinkManager::get_checked_link``: the URL Telegram would keep, or None."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", "ftp"):
        return url if parts.netloc else None
    if scheme in ("tg", "ton", "mailto"):
        return url
    if not scheme and re.match(r"^[\w.-]+\.[a-zA-Z]{2,}(?:[:/?#]|$)", url):
        return "http://" + url + ("" if "/" in url else "/")
    return None


def _link_user_id(url: str) -> int | None:
    match = re.fullmatch(r"tg://user\?id=(\d+)", url.strip(), flags=re.IGNORECASE)
    return int(match.group(1)) if match else None


@dataclass
class _OpenTag:
    tag: str
    argument: str
    offset: int
    out_pos: int
    expandable: bool = False
    has_href: bool = False


def parse_html(
    text: str,
    *,
    strict: bool = True,
    users: Mapping[int, JSONDict] | None = None,
) -> tuple[str, list[JSONDict]]:
    """Parse Telegram HTML into (plain text, entities) the way tdlib's ``parse_html`` does.

    Offsets in error messages are UTF-8 byte offsets into ``text`` and entity offsets/lengths are
    UTF-16 code units, as in Telegram. Raises :class:`EntityParseError` with Telegram's wording.
    See the module docstring for what ``strict`` adds.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EntityParseError("Strings must be encoded in UTF-8") from exc
    n = len(data)

    def at(i: int) -> int:
        return data[i] if i < n else 0

    out = bytearray()
    u16 = 0
    entities: list[JSONDict] = []
    code_args: dict[int, str] = {}  # id(entity) -> language of a <code class="language-x">
    stack: list[_OpenTag] = []
    i = 0
    while i < n:
        c = data[i]
        if c == 0x26:  # '&'
            decoded = _decode_html_entity(data, i)
            if decoded is not None:
                code, end, terminated = decoded
                if strict and not terminated:
                    raise EntityParseError(
                        f'Unterminated character reference "{data[i:end].decode()}" at byte '
                        f'offset {i}; add ";"'
                    )
                out += chr(code).encode("utf-8", "surrogatepass")
                u16 += 2 if code > 0xFFFF else 1
                i = end
                continue
            if strict:
                raise EntityParseError(
                    f'Unescaped "&" at byte offset {i}; use "&amp;" for a literal "&"'
                )
        if c == 0x3E and strict:  # '>'
            raise EntityParseError(
                f'Unescaped ">" at byte offset {i}; use "&gt;" for a literal ">"'
            )
        if c != 0x3C:  # not '<'
            if c & 0xC0 != 0x80:
                u16 += 2 if c >= 0xF0 else 1
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != ord("/"):
            while not _is_html_space(at(i)) and at(i) != ord(">"):
                i += 1
            if at(i) == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].lower().decode("utf-8", "replace")
            if tag not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            open_tag = _OpenTag(tag, "", u16, len(out))
            while at(i) != ord(">"):
                while at(i) != 0 and _is_html_space(at(i)):
                    i += 1
                if at(i) == ord(">"):
                    break
                attr_begin = i
                while not _is_html_space(at(i)) and at(i) not in (ord("="), ord(">")):
                    i += 1
                attr_name = data[attr_begin:i].decode("utf-8", "replace")
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while at(i) != 0 and _is_html_space(at(i)):
                    i += 1
                if at(i) != ord("="):
                    if tag == "blockquote" and attr_name.lower() == "expandable":
                        open_tag.expandable = True
                        continue
                    raise EntityParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {begin}'
                    )
                i += 1
                while at(i) != 0 and _is_html_space(at(i)):
                    i += 1
                if at(i) == 0:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (ord("'"), ord('"')):
                    token_begin = i
                    while at(i) and (
                        (chr(at(i)).isascii() and chr(at(i)).isalnum()) or at(i) in b".-"
                    ):
                        i += 1
                    value = data[token_begin:i].lower().decode("utf-8", "replace")
                    if not _is_html_space(at(i)) and at(i) != ord(">"):
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    raw_value = bytearray()
                    while at(i) != quote and at(i) != 0:
                        if at(i) == 0x26:
                            decoded = _decode_html_entity(data, i)
                            if decoded is not None:
                                raw_value += chr(decoded[0]).encode("utf-8", "surrogatepass")
                                i = decoded[1]
                                continue
                        raw_value.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = raw_value.decode("utf-8", "replace")
                if at(i) == 0:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr_name == "href":
                    open_tag.argument = value
                    open_tag.has_href = True
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    open_tag.argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    open_tag.argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    open_tag.argument = value
            if tag == "span" and open_tag.argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            if strict and tag == "a" and not open_tag.has_href:
                raise EntityParseError(
                    f'Tag "a" must have an "href" attribute at byte offset {begin}'
                )
            if (
                strict
                and tag == "a"
                and _link_user_id(open_tag.argument) is None
                and _checked_link(open_tag.argument) is None
            ):
                raise EntityParseError(
                    f'Invalid URL "{open_tag.argument}" in tag "a" at byte offset {begin}'
                )
            stack.append(open_tag)
            i += 1
            continue

        # an end tag
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        while not _is_html_space(at(i)) and at(i) != ord(">"):
            i += 1
        end_tag = data[begin + 2 : i].lower().decode("utf-8", "replace")
        while _is_html_space(at(i)) and at(i) != 0:
            i += 1
        if at(i) != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        top = stack[-1]
        if end_tag and end_tag != top.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", found '
                f'"</{end_tag}>"'
            )
        if u16 > top.offset:
            offset, length = top.offset, u16 - top.offset
            simple = {
                "i": "italic",
                "em": "italic",
                "b": "bold",
                "strong": "bold",
                "s": "strikethrough",
                "strike": "strikethrough",
                "del": "strikethrough",
                "u": "underline",
                "ins": "underline",
                "tg-spoiler": "spoiler",
                "span": "spoiler",
            }
            if top.tag in simple:
                entities.append({"type": simple[top.tag], "offset": offset, "length": length})
            elif top.tag == "tg-emoji":
                if not top.argument.isdigit() or int(top.argument) == 0:
                    raise EntityParseError("Invalid custom emoji identifier specified")
                entities.append(
                    {
                        "type": "custom_emoji",
                        "offset": offset,
                        "length": length,
                        "custom_emoji_id": top.argument,
                    }
                )
            elif top.tag == "a":
                url = top.argument or out[top.out_pos :].decode("utf-8", "replace")
                user_id = _link_user_id(url)
                if user_id is not None:
                    user = dict((users or {}).get(user_id) or {})
                    user = user or {"id": user_id, "is_bot": False, "first_name": ""}
                    entities.append(
                        {"type": "text_mention", "offset": offset, "length": length, "user": user}
                    )
                else:
                    checked = _checked_link(url)
                    if checked is not None:
                        entities.append(
                            {
                                "type": "text_link",
                                "offset": offset,
                                "length": length,
                                "url": checked,
                            }
                        )
            elif top.tag == "pre":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "code"
                    and (last["offset"], last["length"]) == (offset, length)
                ):
                    language = code_args.pop(id(last), "")
                    entities.pop()
                    pre: JSONDict = {"type": "pre", "offset": offset, "length": length}
                    if language:
                        pre["language"] = language
                    entities.append(pre)
                else:
                    entities.append({"type": "pre", "offset": offset, "length": length})
            elif top.tag == "code":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "pre"
                    and (last["offset"], last["length"]) == (offset, length)
                ):
                    if top.argument:
                        last["language"] = top.argument
                else:
                    entity = {"type": "code", "offset": offset, "length": length}
                    entities.append(entity)
                    if top.argument:
                        code_args[id(entity)] = top.argument
            elif top.tag == "blockquote":
                kind = "expandable_blockquote" if top.expandable else "blockquote"
                entities.append({"type": kind, "offset": offset, "length": length})
        stack.pop()
        i += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    try:
        plain = out.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        ) from exc
    return plain, _sort_entities(entities)


_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MD_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    """Parse MarkdownV2 like tdlib's ``parse_markdown_v2`` (without expandable quotations)."""
    byte_at = [0]
    for ch in text:
        byte_at.append(byte_at[-1] + len(ch.encode("utf-8", "surrogatepass")))
    out: list[str] = []
    u16 = 0
    entities: list[JSONDict] = []
    stack: list[tuple[str, int, int, str, int]] = []  # type, utf-16 offset, byte, argument, index
    quote_start: int | None = None
    n = len(text)

    def nxt(k: int) -> str:
        return text[k] if k < n else ""

    def emit(ch: str) -> None:
        nonlocal u16
        out.append(ch)
        u16 += 2 if ord(ch) > 0xFFFF else 1

    i = 0
    while i < n:
        c = text[i]
        in_code = bool(stack) and stack[-1][0] in ("code", "pre")
        if (i == 0 or text[i - 1] == "\n") and not in_code:
            if c == ">":
                if quote_start is None:
                    quote_start = u16
                i += 1
                continue
            if quote_start is not None:
                end = u16 - 1 if out and out[-1] == "\n" else u16
                if end > quote_start:
                    entities.append(
                        {"type": "blockquote", "offset": quote_start, "length": end - quote_start}
                    )
                quote_start = None
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        reserved = "`" if in_code else _MDV2_RESERVED
        if c not in reserved:
            emit(c)
            i += 1
            continue
        is_end = False
        if stack:
            kind = stack[-1][0]
            is_end = {
                "bold": c == "*",
                "italic": c == "_" and nxt(i + 1) != "_",
                "code": c == "`",
                "pre": c == "`" and text[i : i + 3] == "```",
                "text_link": c == "]",
                "custom_emoji": c == "]",
                "underline": c == "_" and nxt(i + 1) == "_",
                "strikethrough": c == "~",
                "spoiler": c == "|" and nxt(i + 1) == "|",
            }[kind]
        if not is_end:
            begin_byte = byte_at[i]
            argument = ""
            if c == "_" and nxt(i + 1) == "_":
                kind = "underline"
                i += 1
            elif c == "_":
                kind = "italic"
            elif c == "*":
                kind = "bold"
            elif c == "~":
                kind = "strikethrough"
            elif c == "|" and nxt(i + 1) == "|":
                kind = "spoiler"
                i += 1
            elif c == "[":
                kind = "text_link"
            elif c == "`" and text[i : i + 3] == "```":
                kind = "pre"
                i += 3
                lang_end = i
                while lang_end < n and not text[lang_end].isspace() and text[lang_end] != "`":
                    lang_end += 1
                if lang_end != i and lang_end < n and text[lang_end] != "`":
                    argument = text[i:lang_end]
                    i = lang_end
                if nxt(i) in ("\n", "\r"):
                    i += 2 if nxt(i + 1) in ("\n", "\r") and nxt(i + 1) != nxt(i) else 1
                i -= 1
            elif c == "`":
                kind = "code"
            elif c == "!" and nxt(i + 1) == "[":
                kind = "custom_emoji"
                i += 1
            else:
                raise EntityParseError(
                    f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
                )
            stack.append((kind, u16, begin_byte, argument, len(out)))
            i += 1
            continue
        kind, offset, _begin_byte, argument, out_index = stack.pop()
        extra: JSONDict = {}
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind == "pre":
            i += 2
            if argument:
                extra["language"] = argument
        elif kind in ("text_link", "custom_emoji"):
            url = ""
            if nxt(i + 1) == "(":
                url_begin = byte_at[i + 1]
                i += 2
                chars: list[str] = []
                while i < n and text[i] != ")":
                    if text[i] == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
                        chars.append(text[i + 1])
                        i += 2
                        continue
                    chars.append(text[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
                url = "".join(chars)
            elif kind == "text_link":
                url = "".join(out[out_index:])
            if kind == "custom_emoji":
                match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
                if match is None:
                    raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
                extra["custom_emoji_id"] = match.group(1)
            else:
                user_id = _link_user_id(url)
                checked = _checked_link(url)
                if user_id is not None:
                    kind = "text_mention"
                    extra["user"] = {"id": user_id, "is_bot": False, "first_name": ""}
                elif checked is not None:
                    extra["url"] = checked
                else:
                    kind = ""
        if kind and u16 > offset:
            entities.append({"type": kind, "offset": offset, "length": u16 - offset, **extra})
        i += 1
    if stack:
        kind, _offset, begin_byte, _argument, _index = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MD_TYPE_NAMES[kind]} entity at byte offset {begin_byte}"
        )
    if quote_start is not None and u16 > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": u16 - quote_start})
    return "".join(out), _sort_entities(entities)


def parse_markdown(text: str) -> tuple[str, list[JSONDict]]:
    """Parse legacy Markdown (parse_mode "Markdown") like tdlib's ``parse_markdown``."""
    byte_at = [0]
    for ch in text:
        byte_at.append(byte_at[-1] + len(ch.encode("utf-8", "surrogatepass")))
    prefix = _utf16_prefix(text)
    out: list[str] = []
    u16 = 0
    entities: list[JSONDict] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            u16 += prefix[i + 1] - prefix[i]
            i += 1
            continue
        begin_byte = byte_at[i]
        is_pre = c == "`" and text[i : i + 3] == "```"
        end_char = "]" if c == "[" else c
        i += 3 if is_pre else 1
        language = ""
        if is_pre:
            lang_end = i
            while lang_end < n and not text[lang_end].isspace() and text[lang_end] != "`":
                lang_end += 1
            if lang_end != i and lang_end < n and text[lang_end] == "\n":
                language = text[i:lang_end]
                i = lang_end + 1
        offset = u16
        out_index = len(out)
        while i < n and not (text[i] == end_char and (not is_pre or text[i : i + 3] == "```")):
            out.append(text[i])
            u16 += prefix[i + 1] - prefix[i]
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {begin_byte}"
            )
        i += 3 if is_pre else 1
        length = u16 - offset
        if c == "[":
            url = "".join(out[out_index:])
            if i < n and text[i] == "(":
                close = text.find(")", i)
                if close < 0:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {byte_at[i]}"
                    )
                url = text[i + 1 : close]
                i = close + 1
            checked = _checked_link(url)
            if length and checked is not None:
                entities.append(
                    {"type": "text_link", "offset": offset, "length": length, "url": checked}
                )
            continue
        if length:
            kind = {"_": "italic", "*": "bold", "`": "pre" if is_pre else "code"}[c]
            entity: JSONDict = {"type": kind, "offset": offset, "length": length}
            if language:
                entity["language"] = language
            entities.append(entity)
    return "".join(out), _sort_entities(entities)


_MENTION_RE = re.compile(r"(?<!\w)@([A-Za-z0-9_]+)(?!\w)")
_COMMAND_ENTITY_RE = re.compile(
    r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])"
)
_HASHTAG_RE = re.compile(r"(?<![\w#])#(\w{1,256})(?![\w#])")
_URL_RE = re.compile(r"(?<![\w/])(?:https?|tg)://[^\s<>\"']+", re.IGNORECASE)


def find_auto_entities(text: str) -> list[JSONDict]:
    """Entities Telegram detects by itself: bot commands, mentions, hashtags and URLs."""
    found: list[tuple[int, int, str]] = []
    for match in _COMMAND_ENTITY_RE.finditer(text):
        found.append((match.start(), match.end(), "bot_command"))
    for match in _MENTION_RE.finditer(text):
        if 2 <= len(match.group(1)) <= 32:
            found.append((match.start(), match.end(), "mention"))
    for match in _HASHTAG_RE.finditer(text):
        if any(ch.isalpha() for ch in match.group(1)):
            found.append((match.start(), match.end(), "hashtag"))
    for match in _URL_RE.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in ".,;:!?)]}":
            end -= 1
        found.append((match.start(), end, "url"))
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    prefix = _utf16_prefix(text)
    result: list[JSONDict] = []
    last_end = -1
    for start, end, kind in found:
        if start < last_end:
            continue
        last_end = end
        result.append(
            {"type": kind, "offset": prefix[start], "length": prefix[end] - prefix[start]}
        )
    return result


def _finish_text(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """tdlib's ``fix_formatted_text``: trim, drop empty entities, add automatic entities."""
    total = utf16_len(text)
    cleaned: list[JSONDict] = []
    for entity in entities:
        offset, length = int(entity.get("offset", 0)), int(entity.get("length", 0))
        if offset < 0 or length <= 0 or offset >= total:
            continue
        cleaned.append({**entity, "offset": offset, "length": min(length, total - offset)})
    stripped = text.rstrip()
    new_total = utf16_len(stripped)
    clipped: list[JSONDict] = []
    for entity in cleaned:
        end = min(entity["offset"] + entity["length"], new_total)
        if end > entity["offset"]:
            clipped.append({**entity, "length": end - entity["offset"]})
    first_entity = min((e["offset"] for e in clipped), default=new_total)
    lead = 0
    while lead < len(stripped) and lead < first_entity and stripped[lead] in " \n":
        lead += 1
    text = stripped[lead:]
    entities = [{**e, "offset": e["offset"] - lead} for e in clipped]
    blocked = [
        (e["offset"], e["offset"] + e["length"])
        for e in entities
        if e["type"] in _CONTINUOUS_ENTITIES
    ]
    for auto in find_auto_entities(text):
        start, end = auto["offset"], auto["offset"] + auto["length"]
        if all(end <= b_start or start >= b_end for b_start, b_end in blocked):
            entities.append(auto)
    return text, _sort_entities(entities)


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    content: bytes


@dataclass
class Request:
    """One HTTP request to the fake, as the fake understood it.

    ``outcome`` is "pending" (still being answered, e.g. a long poll), "ok", "rejected" (refused
    by validation: the bot did something Telegram refuses), "refused" (refused because of chat
    state a test set up: blocked, migrated), "fault" (an injected fault), "abandoned" (the client
    went away before the answer, e.g. a cancelled long poll) or "error" (a bug in the fake).
    """

    method: str
    params: JSONDict
    time: float
    http_method: str = "POST"
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int | None = None
    outcome: str = "pending"
    description: str | None = None
    fault: str | None = None


@dataclass
class _MessageRecord:
    message: JSONDict
    by_bot: bool
    html: str | None = None
    parse_mode: str | None = None
    sent_markup: Any = None
    deleted: bool = False


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    auto: bool = False
    next_message_id: int = 1
    messages: dict[int, _MessageRecord] = field(default_factory=dict)
    admins: set[int] = field(default_factory=set)
    creator: int | None = None
    #: channel administrators without can_post_messages (see set_channel_rights)
    cannot_post: set[int] = field(default_factory=set)
    refusal: str | None = None
    migrated_to: int | None = None
    menu_button: JSONDict | None = None

    def obj(self) -> JSONDict:
        out: JSONDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.is_forum:
            out["is_forum"] = True
        return out


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


@dataclass
class _Fault:
    method: str
    kind: str
    remaining: int
    retry_after: int
    chat_id: int | str | None
    delay: float | None
    until: float | None = None  # time.monotonic() deadline of a fault_for() outage


@dataclass
class _FaultRate:
    method: str
    kind: str
    rate: float
    rng: random.Random
    retry_after: int
    chat_id: int | str | None
    delay: float | None


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


class ApiError(Exception):
    """A Telegram-shaped error answer; ``kind`` is "rejected" (validation) or "refused" (state)."""

    def __init__(
        self,
        code: int,
        description: str,
        parameters: JSONDict | None = None,
        *,
        kind: str = "rejected",
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.kind = kind


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


class _ClientGoneError(Exception):
    """The client is gone: close the connection without an answer."""


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


def _decode_value(name: str, value: str) -> Any:
    """Decode one form value the way the Bot API types it (see :data:`STRING_PARAMS`)."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _disposition_param(header: str, name: str) -> str | None:
    match = re.search(rf'(?:^|;)\s*{name}="((?:[^"\\]|\\.)*)"', header)
    if match:
        return match.group(1).replace('\\"', '"').replace("\\\\", "\\").replace("%22", '"')
    match = re.search(rf"(?:^|;)\s*{name}=([^;\s]+)", header)
    return match.group(1) if match else None


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], list[UploadedFile]]:
    match = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', content_type)
    if match is None:
        raise ValueError("multipart body without boundary")
    delimiter = b"--" + (match.group(1) or match.group(2)).encode("latin-1")
    fields: dict[str, str] = {}
    files: list[UploadedFile] = []
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        part = part.removeprefix(b"\r\n")
        head, _sep, content = part.partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _colon, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _disposition_param(disposition, "name")
        if name is None:
            continue
        filename = _disposition_param(disposition, "filename")
        if filename is None:
            fields[name] = content.decode("utf-8", "surrogateescape")
        else:
            files.append(
                UploadedFile(
                    name,
                    filename,
                    headers.get("content-type", "application/octet-stream"),
                    content,
                )
            )
    return fields, files


def _parse_params(
    content_type: str, body: bytes, query: str
) -> tuple[JSONDict, dict[str, UploadedFile]]:
    """Parse query string + body (JSON, url-encoded or multipart) into typed params and files."""
    params: JSONDict = {}
    files: dict[str, UploadedFile] = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        params[key] = _decode_value(key, value)
    media_type = content_type.split(";")[0].strip().lower()
    if not body:
        return params, files
    if media_type == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise ValueError(f"can't parse JSON encoded request: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError("JSON encoded request must be an Object")
        for key, value in data.items():
            if (
                key in STRING_PARAMS
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            ):
                value = str(value)
            elif isinstance(value, str):
                value = _decode_value(key, value)  # JSON-serialized objects are accepted too
            params[key] = value
    elif media_type == "multipart/form-data":
        fields, uploads = _parse_multipart(body, content_type)
        for key, text in fields.items():
            params[key] = _decode_value(key, text)
        for upload in uploads:
            files[upload.field] = upload
            params[upload.field] = {
                "upload": upload.filename,
                "size": len(upload.content),
                "mime_type": upload.content_type,
            }
    else:
        text = body.decode("utf-8", "replace")
        for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
            params[key] = _decode_value(key, value)
    return params, files


class _Params:
    """Typed access to a request's params, raising Telegram-like errors."""

    def __init__(self, data: JSONDict, files: dict[str, UploadedFile]) -> None:
        self.data = data
        self.files = files

    def has(self, name: str) -> bool:
        return self.data.get(name) not in (None, "")

    def string(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise _bad(f'parameter "{name}" is required')
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str):
            raise _bad(f'field "{name}" must be of type String')
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                raise _bad(f'parameter "{name}" is required')
            return None
        if isinstance(value, bool):
            raise _bad(f'field "{name}" must be of type Number')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        raise _bad(f'field "{name}" must be of type Number')

    def number(self, name: str) -> float | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return float(value)
        raise _bad(f'field "{name}" must be of type Number')

    def boolean(self, name: str) -> bool:
        value = self.data.get(name)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise _bad(f'field "{name}" must be of type Boolean')

    def json_value(self, name: str, what: str) -> Any:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise _bad(f"can't parse {what} JSON object") from exc
        return value

    def obj(self, name: str, what: str) -> JSONDict | None:
        value = self.json_value(name, what)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _bad(f"can't parse {what} JSON object")
        return value

    def array(self, name: str, what: str) -> list[Any] | None:
        value = self.json_value(name, what)
        if value is None:
            return None
        if not isinstance(value, list):
            raise _bad(f"can't parse {what} JSON array")
        return value


@dataclass
class _Ctx:
    """What an API method needs from the HTTP layer."""

    connection: socket.socket | None
    request: Request


def _peer_closed(sock: socket.socket | None) -> bool:
    """True if the client closed its end (used to notice cancelled long polls)."""
    if sock is None:
        return False
    try:
        if hasattr(select, "poll"):  # unlike select(), poll() works for any fd number
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            if not poller.poll(0):
                return False
        else:  # pragma: no cover - platforms without poll()
            readable, _w, _x = select.select([sock], [], [], 0)
            if not readable:
                return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """Tracks connection threads and sockets so that ``stop()`` can end them promptly."""

    daemon_threads = True

    def __init__(self, fake: FakeBotAPI, host: str) -> None:
        super().__init__((host, 0), _Handler)
        self.fake = fake
        self._tracking = threading.Lock()
        self.connection_threads: set[threading.Thread] = set()
        self.open_sockets: set[socket.socket] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="fakebotapi-connection",
            daemon=True,
        )
        with self._tracking:
            self.connection_threads.add(thread)
            self.open_sockets.add(request)
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._tracking:
                self.connection_threads.discard(threading.current_thread())
                self.open_sockets.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connections the client or ``stop()`` closed are normal; anything else is a bug."""
        if isinstance(sys.exc_info()[1], OSError | ValueError):
            return
        self.fake._note_internal_error(traceback.format_exc())

    def close_connections(self) -> None:
        with self._tracking:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def join_connections(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self._tracking:
                threads = list(self.connection_threads)
            if not threads:
                return
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()))
            if time.monotonic() >= deadline:
                return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes; with Nagle on, each answer stalls ~40 ms on the
    # client's delayed ACK, which would make a test suite of hundreds of calls crawl.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self.server.fake._serve(self, "GET")

    def do_POST(self) -> None:
        self.server.fake._serve(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log on stderr; the fake records requests itself."""


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks = bytearray()
        while True:
            size_line = handler.rfile.readline()
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(chunks)
            chunks += handler.rfile.read(size)
            handler.rfile.readline()
            if len(chunks) > UPLOAD_LIMIT + 1024 * 1024:
                raise OverflowError
    length = int(handler.headers.get("Content-Length") or 0)
    if length > UPLOAD_LIMIT + 1024 * 1024:
        raise OverflowError
    return handler.rfile.read(length) if length else b""


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeBotAPI:
    """A Telegram Bot API server on 127.0.0.1 for one bot; see the module docstring.

    Usage::

        with FakeBotAPI() as fake:
            app = (
                ApplicationBuilder().token(fake.token)
                .base_url(fake.base_url).base_file_url(fake.base_file_url).build()
            )
            fake.push_message("/start")
            ...
            await fake.wait_for_messages(chat_id=1001, count=1)
            assert fake.rejected() == []
    """

    _API_METHODS: ClassVar[dict[str, str]] = {
        "getMe": "_m_get_me",
        "logOut": "_m_true",
        "close": "_m_true",
        "getUpdates": "_m_get_updates",
        "setWebhook": "_m_set_webhook",
        "deleteWebhook": "_m_delete_webhook",
        "getWebhookInfo": "_m_get_webhook_info",
        "setMyCommands": "_m_set_my_commands",
        "getMyCommands": "_m_get_my_commands",
        "deleteMyCommands": "_m_delete_my_commands",
        "setMyDescription": "_m_set_my_description",
        "getMyDescription": "_m_get_my_description",
        "setMyShortDescription": "_m_set_my_short_description",
        "getMyShortDescription": "_m_get_my_short_description",
        "setMyName": "_m_set_my_name",
        "getMyName": "_m_get_my_name",
        "setChatMenuButton": "_m_set_chat_menu_button",
        "getChatMenuButton": "_m_get_chat_menu_button",
        "sendMessage": "_m_send_message",
        "sendDocument": "_m_send_document",
        "editMessageText": "_m_edit_message_text",
        "editMessageCaption": "_m_edit_message_caption",
        "editMessageReplyMarkup": "_m_edit_message_reply_markup",
        "deleteMessage": "_m_delete_message",
        "deleteMessages": "_m_delete_messages",
        "answerCallbackQuery": "_m_answer_callback_query",
        "answerInlineQuery": "_m_answer_inline_query",
        "sendChatAction": "_m_send_chat_action",
        "getChat": "_m_get_chat",
        "getChatMember": "_m_get_chat_member",
        "getChatAdministrators": "_m_get_chat_administrators",
        "getChatMemberCount": "_m_get_chat_member_count",
        "getFile": "_m_get_file",
        "leaveChat": "_m_leave_chat",
    }

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "newsbot_test_bot",
        bot_id: int = 123456,
        *,
        bot_first_name: str = "Newsbot Test",
        strict_html: bool = True,
        timeout_fault_delay: float = 30.0,
        webhook_retry_delay: float = 0.2,
        host: str = "127.0.0.1",
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_first_name = bot_first_name
        self.strict_html = strict_html
        #: How long a "timeout" fault holds the response (longer than the client's read timeout).
        self.timeout_fault_delay = timeout_fault_delay
        self.webhook_retry_delay = webhook_retry_delay
        self.host = host
        self.port = 0
        self.base_url = ""
        self.base_file_url = ""

        self._lock = threading.RLock()
        self._cv = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._server_thread: threading.Thread | None = None
        self._webhook_thread: threading.Thread | None = None

        self._requests: list[Request] = []
        self._in_flight = 0
        self._internal_errors: list[str] = []
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, JSONDict] = {}
        self._sent: list[tuple[int, int]] = []
        self._pending: list[JSONDict] = []
        self._dropped: list[JSONDict] = []
        self._next_update_id = 10_001
        self._poll_generation = 0
        self._allowed_updates: list[str] | None = None
        self._webhook: _Webhook | None = None
        self._open_callbacks: dict[str, JSONDict] = {}
        self._open_inline: dict[str, JSONDict] = {}
        self._next_query_id = 1
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._next_file = 1
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._faults: list[_Fault] = []
        self._fault_rates: list[_FaultRate] = []

    # ----------------------------------------------------------------- lifecycle

    @property
    def bot_user(self) -> JSONDict:
        """The bot as a Telegram ``User`` (``from`` of the bot's messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            return
        self._stopping.clear()
        server = _Server(self, self.host)
        self._server = server
        self.port = int(server.server_address[1])
        root = f"http://{self.host}:{self.port}"
        self.base_url = f"{root}/bot"
        self.base_file_url = f"{root}/file/bot"
        self._server_thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.01},  # stop() waits up to one interval
            name="fakebotapi-server",
            daemon=True,
        )
        self._server_thread.start()

    def stop(self) -> None:
        """Stop serving, wake and end every waiting request, close all sockets; never hangs."""
        server = self._server
        if server is None:
            return
        self._stopping.set()
        with self._cv:
            self._cv.notify_all()
        server.shutdown()
        # Woken long polls answer "no updates" now (and held "timeout" faults give up): let
        # them finish writing before the sockets are closed under them.
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            with self._lock:
                if self._in_flight == 0:
                    break
            time.sleep(0.005)
        server.close_connections()
        server.join_connections(timeout=5.0)
        server.server_close()
        if self._server_thread is not None:
            self._server_thread.join(timeout=5.0)
        if self._webhook_thread is not None:
            self._webhook_thread.join(timeout=10.0)
        self._server = None
        self._server_thread = None
        self._webhook_thread = None

    def __enter__(self) -> FakeBotAPI:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ----------------------------------------------------------------- inspection

    @property
    def requests(self) -> list[Request]:
        """A snapshot of every request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def calls(self, method: str) -> list[JSONDict]:
        """The params of each call to ``method`` (any case), including refused ones."""
        canonical = _CANONICAL.get(method.lower(), method)
        with self._lock:
            return [copy.deepcopy(r.params) for r in self._requests if r.method == canonical]

    def rejected(self) -> list[tuple[str, JSONDict, str]]:
        """(method, params, description) of each request refused by validation.

        Not included: injected faults, and refusals caused by chat state a test set up on
        purpose (blocked, migrated). Internal errors of the fake are included, so that a test
        asserting ``rejected() == []`` also notices them.
        """
        with self._lock:
            return [
                (r.method, copy.deepcopy(r.params), r.description or "")
                for r in self._requests
                if r.outcome in ("rejected", "error")
            ]

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """The bot's messages, oldest first, in their current (possibly edited) version.

        Each is the ``Message`` Telegram would return (``text`` parsed to plain text, with
        ``entities``), plus: ``html`` (the text or caption exactly as sent), ``parse_mode``,
        ``reply_markup`` (exactly as sent, any keyboard type) and ``deleted``.
        """
        with self._lock:
            out: list[JSONDict] = []
            for cid, mid in self._sent:
                if chat_id is not None and cid != chat_id:
                    continue
                record = self._chats[cid].messages[mid]
                view = copy.deepcopy(record.message)
                view["html"] = record.html
                view["parse_mode"] = record.parse_mode
                if record.sent_markup is not None:
                    view["reply_markup"] = copy.deepcopy(record.sent_markup)
                view["deleted"] = record.deleted
                out.append(view)
            return out

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """The current ``Message`` object for any message the fake knows, or None."""
        with self._lock:
            chat = self._chats.get(chat_id)
            record = chat.messages.get(message_id) if chat else None
            return copy.deepcopy(record.message) if record else None

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by getUpdates (or not yet delivered to the webhook)."""
        with self._lock:
            return copy.deepcopy(self._pending)

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command list set for exactly this scope and language."""
        with self._lock:
            key = (self._scope_key(scope or {"type": "default"}), language_code)
            return copy.deepcopy(self._commands.get(key, []))

    @property
    def webhook_url(self) -> str:
        with self._lock:
            return self._webhook.url if self._webhook else ""

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10.0, *, what: str | None = None
    ) -> None:
        """Poll ``predicate`` every 10 ms; on timeout raise AssertionError with recent traffic."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report(what or repr(predicate), timeout))
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 10.0
    ) -> list[JSONDict]:
        """Wait until the bot has sent ``count`` messages to ``chat_id``; return all of them."""
        await self.wait_for(
            lambda: len(self.sent_messages(chat_id)) >= count,
            timeout,
            what=f"{count} message(s) sent to chat {chat_id}",
        )
        return self.sent_messages(chat_id)

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 10.0
    ) -> list[JSONDict]:
        """Wait until ``method`` was called ``count`` times; return the params of all calls."""
        await self.wait_for(
            lambda: len(self.calls(method)) >= count, timeout, what=f"{count} call(s) of {method}"
        )
        return self.calls(method)

    def _timeout_report(self, what: str, timeout: float) -> str:
        with self._lock:
            recent = self._requests[-15:]
            lines = [
                f"  {r.method} -> {r.status} {r.outcome}"
                + (f" ({r.description})" if r.description else "")
                for r in recent
            ]
            rejected = [
                (r.method, r.description) for r in self._requests if r.outcome == "rejected"
            ]
            sent = [
                (cid, self._chats[cid].messages[mid].message.get("text"))
                for cid, mid in self._sent[-5:]
            ]
        return (
            f"timed out after {timeout:.1f}s waiting for {what}\n"
            f"last requests ({len(lines)}):\n" + "\n".join(lines or ["  (none)"]) + "\n"
            f"rejected: {rejected}\nlast sent messages: {sent}\n"
            f"internal errors: {self._internal_errors}"
        )

    def _note_internal_error(self, text: str) -> None:
        with self._lock:
            self._internal_errors.append(text)

    # ----------------------------------------------------------------- chat state

    def add_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        *,
        title: str | None = None,
        username: str | None = "tester",
        first_name: str = "Tester",
        is_forum: bool = False,
    ) -> JSONDict:
        """Make a chat known (so the bot may send to it) without pushing a message into it."""
        with self._lock:
            chat = self._ensure_chat(
                chat_id, chat_type, title=title, username=username, first_name=first_name
            )
            chat.is_forum = chat.is_forum or is_forum
            if chat_type == "private":
                self._ensure_user(chat_id, first_name, username, None)
            return chat.obj()

    def set_chat_admins(
        self, chat_id: int, user_ids: Iterable[int], *, creator: int | None = None
    ) -> None:
        """getChatMember answers "administrator" (or "creator") for these users, else "member"."""
        with self._lock:
            chat = self._chats.get(chat_id) or self._auto_chat(chat_id)
            chat.admins = set(user_ids)
            chat.creator = creator
            if creator is not None:
                chat.admins.add(creator)

    def set_channel_rights(self, chat_id: int, user_id: int, *, can_post: bool) -> None:
        """A channel administrator's can_post_messages right (all may post by default).  The
        bot itself needs it (and to be an administrator) to send into the channel, as on
        Telegram, which refuses with 400 "need administrator rights in the channel chat"."""
        with self._lock:
            chat = self._chats[chat_id]
            if chat.type != "channel":
                raise ValueError(f"chat {chat_id} is not a channel")
            if can_post:
                chat.cannot_post.discard(user_id)
            else:
                chat.cannot_post.add(user_id)

    def push_forwarded(
        self, text: str, *, from_chat: int, chat_id: int = 1001, user_id: int = 1001
    ) -> JSONDict:
        """The user forwards a post of channel ``from_chat`` to the bot (forward_origin of
        type "channel", as Bot API 7.0+ sends it)."""
        with self._lock:
            channel = self._chats[from_chat]
            if channel.type != "channel":
                raise ValueError(f"chat {from_chat} is not a channel")
            origin = {
                "type": "channel",
                "date": int(time.time()) - 60,
                "chat": channel.obj(),
                "message_id": 1,
            }
        text, entities = _finish_text(text, [])
        content: JSONDict = {"text": text, "forward_origin": origin}
        if entities:
            content["entities"] = entities
        return self._push_user_message(content, chat_id=chat_id, user_id=user_id)

    def block(self, chat_id: int) -> None:
        """The user blocked the bot (or the bot was removed from the group): sends get 403."""
        with self._lock:
            chat = self._chats.get(chat_id) or self._auto_chat(chat_id)
            chat.refusal = (
                BLOCKED
                if chat.type == "private"
                else f"Forbidden: bot was kicked from the {chat.type} chat"
            )

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is not None:
                chat.refusal = None

    def migrate(self, chat_id: int, new_chat_id: int, *, notify: bool = True) -> None:
        """The group became a supergroup: sends to the old id get 400 with migrate_to_chat_id.

        With ``notify`` the service messages Telegram sends (``migrate_to_chat_id`` in the old
        chat, ``migrate_from_chat_id`` in the new one) are pushed as updates.
        """
        with self._lock:
            old = self._chats.get(chat_id)
            if old is None or old.type != "group":
                raise ValueError(f"chat {chat_id} is not a known basic group")
            new = self._ensure_chat(new_chat_id, "supergroup", title=old.title)
            new.admins = set(old.admins)
            new.creator = old.creator
            if notify:
                user = self._ensure_user(1001, "Tester", "tester", "zh-hans")
                note = self._new_message(old, user, {"migrate_to_chat_id": new_chat_id})
                self._enqueue("message", note)
                note = self._new_message(new, user, {"migrate_from_chat_id": chat_id})
                self._enqueue("message", note)
            old.migrated_to = new_chat_id

    # ----------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        kind: str,
        count: int = 1,
        *,
        retry_after: int = 1,
        chat_id: int | str | None = None,
        delay: float | None = None,
    ) -> None:
        """Make the next ``count`` matching requests fail with ``kind`` (see FAULT_KINDS).

        ``method`` is a method name (any case) or "*"; ``chat_id`` narrows the match. The faulted
        request is not executed. "timeout" holds the answer ``delay`` seconds (default
        :attr:`timeout_fault_delay`) and then closes the connection; "reset" closes it at once.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        canonical = "*" if method == "*" else _CANONICAL.get(method.lower(), method)
        with self._lock:
            self._faults.append(_Fault(canonical, kind, count, retry_after, chat_id, delay))

    def fail_rate(
        self,
        method: str,
        kind: str,
        rate: float,
        *,
        seed: int = 0,
        retry_after: int = 1,
        chat_id: int | str | None = None,
        delay: float | None = None,
    ) -> None:
        """Fail a fraction ``rate`` of matching requests, deterministically for a given seed."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        canonical = "*" if method == "*" else _CANONICAL.get(method.lower(), method)
        with self._lock:
            self._fault_rates.append(
                _FaultRate(canonical, kind, rate, random.Random(seed), retry_after, chat_id, delay)
            )

    def fail_for(
        self,
        method: str,
        kind: str,
        seconds: float,
        *,
        chat_id: int | str | None = None,
        delay: float | None = None,
    ) -> None:
        """Fail every matching request with ``kind`` for the next ``seconds`` (an outage: a
        self-hosted Bot API server or a proxy restarting answers 404 or 401 for a while).
        ``clear_faults`` ends it early."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        canonical = "*" if method == "*" else _CANONICAL.get(method.lower(), method)
        until = time.monotonic() + seconds
        with self._lock:
            self._faults.append(_Fault(canonical, kind, 1, 1, chat_id, delay, until))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._fault_rates.clear()

    def _take_fault(self, method: str, params: JSONDict) -> _Fault | None:
        def matches(rule_method: str, rule_chat: int | str | None) -> bool:
            if rule_method not in ("*", method):
                return False
            return rule_chat is None or str(params.get("chat_id")) == str(rule_chat)

        with self._lock:
            now = time.monotonic()
            self._faults = [f for f in self._faults if f.until is None or f.until > now]
            for fault in self._faults:
                if fault.until is not None:
                    if matches(fault.method, fault.chat_id):
                        return fault
                    continue
                if fault.remaining > 0 and matches(fault.method, fault.chat_id):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
            for rule in self._fault_rates:
                if matches(rule.method, rule.chat_id) and rule.rng.random() < rule.rate:
                    return _Fault(
                        rule.method, rule.kind, 1, rule.retry_after, rule.chat_id, rule.delay
                    )
        return None

    # ----------------------------------------------------------------- injecting updates

    def push_message(
        self,
        text: str,
        *,
        chat_id: int = 1001,
        user_id: int = 1001,
        chat_type: str = "private",
        first_name: str = "Tester",
        username: str | None = "tester",
        language_code: str | None = "zh-hans",
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        is_topic_message: bool = False,
        chat_title: str | None = None,
    ) -> JSONDict:
        """A user sends ``text``; returns the update. Entities are detected as Telegram does."""
        if not text.strip():
            raise ValueError("Telegram never delivers an empty text message")
        text, entities = _finish_text(text, [])
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._push_user_message(
            content,
            chat_id=chat_id,
            user_id=user_id,
            chat_type=chat_type,
            first_name=first_name,
            username=username,
            language_code=language_code,
            reply_to_message_id=reply_to_message_id,
            message_thread_id=message_thread_id,
            is_topic_message=is_topic_message,
            chat_title=chat_title,
        )

    def push_raw_update(self, kind: str, payload: JSONDict) -> JSONDict:
        """Queue an update of ``kind`` with ``payload`` exactly as given, unchecked — for
        updates a client must survive even though Telegram would not send them (a malformed
        message from a buggy self-hosted server or proxy)."""
        with self._lock:
            return self._enqueue(kind, payload)

    def push_edited_message(
        self, message: JSONDict | int, text: str, *, chat_id: int = 1001
    ) -> JSONDict:
        """The user edits one of their pushed messages (a message dict or its message_id)."""
        with self._lock:
            if isinstance(message, dict):
                chat_id = int(message["chat"]["id"])
                message_id = int(message["message_id"])
            else:
                message_id = message
            chat = self._chats.get(chat_id)
            record = chat.messages.get(message_id) if chat else None
            if chat is None or record is None or record.by_bot:
                raise ValueError(f"no pushed message {message_id} in chat {chat_id}")
            text, entities = _finish_text(text, [])
            record.message["text"] = text
            record.message.pop("entities", None)
            if entities:
                record.message["entities"] = entities
            record.message["edit_date"] = int(time.time())
            kind = "edited_channel_post" if chat.type == "channel" else "edited_message"
            return self._enqueue(kind, record.message)

    def push_channel_post(
        self,
        text: str,
        *,
        chat_id: int = -1001000000001,
        chat_title: str = "Test Channel",
        username: str | None = None,
    ) -> JSONDict:
        """A post in a channel where the bot is a member."""
        with self._lock:
            chat = self._ensure_chat(chat_id, "channel", title=chat_title, username=username)
            text, entities = _finish_text(text, [])
            content: JSONDict = {"text": text, "sender_chat": chat.obj()}
            if entities:
                content["entities"] = entities
            message = self._new_message(chat, None, content)
            return self._enqueue("channel_post", message)

    def push_sticker(self, emoji: str = "👍", **kwargs: Any) -> JSONDict:
        """A user sends a sticker (a non-text message)."""
        file = self._store_file(b"RIFF-fake-webp", "stickers", "webp")
        sticker = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(file.content),
        }
        return self._push_user_message({"sticker": sticker}, **kwargs)

    def push_photo(self, caption: str | None = None, **kwargs: Any) -> JSONDict:
        """A user sends a photo (two sizes, as Telegram sends), optionally with a caption."""
        sizes = []
        for width, height, blob in ((90, 60, b"\xff\xd8small"), (800, 533, b"\xff\xd8large")):
            file = self._store_file(blob, "photos", "jpg")
            sizes.append(
                {
                    "file_id": file.file_id,
                    "file_unique_id": file.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(blob),
                }
            )
        content: JSONDict = {"photo": sizes}
        self._add_caption(content, caption)
        return self._push_user_message(content, **kwargs)

    def push_location(
        self, latitude: float = 28.2282, longitude: float = 112.9388, **kwargs: Any
    ) -> JSONDict:
        """A user shares a location (default: Changsha)."""
        return self._push_user_message(
            {"location": {"latitude": latitude, "longitude": longitude}}, **kwargs
        )

    def push_voice(self, duration: int = 3, **kwargs: Any) -> JSONDict:
        """A user sends a voice note."""
        file = self._store_file(b"OggS-fake-voice", "voice", "oga")
        voice = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(file.content),
        }
        return self._push_user_message({"voice": voice}, **kwargs)

    def push_document(
        self,
        file_name: str,
        content: bytes,
        *,
        mime_type: str = "text/plain",
        caption: str | None = None,
        chat_id: int = 1001,
        user_id: int = 1001,
        chat_type: str = "private",
        **kwargs: Any,
    ) -> JSONDict:
        """A user sends a file; the bot can fetch it with getFile + GET on the file URL."""
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        file = self._store_file(content, "documents", extension)
        document = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        message: JSONDict = {"document": document}
        self._add_caption(message, caption)
        return self._push_user_message(
            message, chat_id=chat_id, user_id=user_id, chat_type=chat_type, **kwargs
        )

    def push_callback(
        self,
        message: JSONDict,
        data: str,
        *,
        user_id: int = 1001,
        first_name: str = "Tester",
        username: str | None = "tester",
        language_code: str | None = "zh-hans",
        check_button: bool = True,
    ) -> JSONDict:
        """A user presses an inline button with ``data`` on a message the bot sent.

        ``message`` is a dict from :meth:`sent_messages` (or any dict with ``chat.id`` and
        ``message_id``); the update carries the message's *current* version. With
        ``check_button`` the message must currently show a button with that callback_data,
        because Telegram can only send data that is on a button.
        """
        with self._lock:
            chat_id = int(message["chat"]["id"])
            message_id = int(message["message_id"])
            chat = self._chats.get(chat_id)
            record = chat.messages.get(message_id) if chat else None
            if chat is None or record is None or not record.by_bot or record.deleted:
                raise ValueError(f"the bot has no message {message_id} in chat {chat_id}")
            if check_button:
                rows = (record.message.get("reply_markup") or {}).get("inline_keyboard", [])
                datas = [b.get("callback_data") for row in rows for b in row]
                if data not in datas:
                    raise ValueError(f"message {message_id} has no button with data {data!r}")
            user = self._ensure_user(user_id, first_name, username, language_code)
            query_id = str(4_300_000_000_000_000_000 + self._next_query_id)
            self._next_query_id += 1
            query = {
                "id": query_id,
                "from": user,
                "message": copy.deepcopy(record.message),
                "chat_instance": str(abs(chat_id) * 7919 + 1_000_003),
                "data": data,
            }
            self._open_callbacks[query_id] = query
            return self._enqueue("callback_query", query)

    def push_inline_query(
        self,
        query: str,
        *,
        user_id: int = 1001,
        first_name: str = "Tester",
        username: str | None = "tester",
        language_code: str | None = "zh-hans",
        offset: str = "",
        chat_type: str | None = "sender",
    ) -> JSONDict:
        """A user types ``@bot query`` in some chat."""
        with self._lock:
            user = self._ensure_user(user_id, first_name, username, language_code)
            query_id = str(5_100_000_000_000_000_000 + self._next_query_id)
            self._next_query_id += 1
            inline: JSONDict = {"id": query_id, "from": user, "query": query, "offset": offset}
            if chat_type is not None:
                inline["chat_type"] = chat_type
            self._open_inline[query_id] = inline
            return self._enqueue("inline_query", inline)

    def push_my_chat_member(
        self,
        chat_id: int = 1001,
        *,
        new_status: str = "kicked",
        old_status: str = "member",
        user_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        can_post: bool = True,
    ) -> JSONDict:
        """The bot's membership changed: "kicked" in a private chat = the user blocked the bot.

        Also updates the chat state: "kicked"/"left" make sends fail with 403, "member" or
        "administrator" undo it.  In a channel the bot's administrator status (and, with
        ``can_post``, its right to post) follows ``new_status`` too.
        """
        with self._lock:
            chat = self._ensure_chat(chat_id, chat_type, title=chat_title)
            if chat.type == "channel":
                if new_status == "administrator":
                    chat.admins.add(self.bot_id)
                else:
                    chat.admins.discard(self.bot_id)
                if can_post:
                    chat.cannot_post.discard(self.bot_id)
                else:
                    chat.cannot_post.add(self.bot_id)
            actor_id = (
                user_id if user_id is not None else (chat_id if chat.type == "private" else 1001)
            )
            actor = self._ensure_user(actor_id, "Tester", "tester", "zh-hans")
            if new_status in ("kicked", "left"):
                chat.refusal = (
                    BLOCKED
                    if chat.type == "private"
                    else f"Forbidden: bot was kicked from the {chat.type} chat"
                )
            elif new_status in ("member", "administrator"):
                chat.refusal = None
            update = {
                "chat": chat.obj(),
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": self._member_obj(old_status, self.bot_user),
                "new_chat_member": self._member_obj(new_status, self.bot_user, chat),
            }
            return self._enqueue("my_chat_member", update)

    def _add_caption(self, content: JSONDict, caption: str | None) -> None:
        if caption:
            caption, entities = _finish_text(caption, [])
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities

    def _push_user_message(
        self,
        content: JSONDict,
        *,
        chat_id: int = 1001,
        user_id: int = 1001,
        chat_type: str = "private",
        first_name: str = "Tester",
        username: str | None = "tester",
        language_code: str | None = "zh-hans",
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        is_topic_message: bool = False,
        chat_title: str | None = None,
    ) -> JSONDict:
        with self._lock:
            user = self._ensure_user(user_id, first_name, username, language_code)
            chat = self._ensure_chat(
                chat_id, chat_type, title=chat_title, username=username, first_name=first_name
            )
            if chat.migrated_to is not None:
                raise ValueError(f"chat {chat_id} migrated to {chat.migrated_to}")
            if chat.type == "private" and chat.refusal:
                chat.refusal = None  # writing to a bot you blocked means unblocking it first
            if is_topic_message:
                chat.is_forum = True
            extra = dict(content)
            if message_thread_id is not None:
                extra["message_thread_id"] = message_thread_id
                if is_topic_message:
                    extra["is_topic_message"] = True
            if reply_to_message_id is not None:
                target = chat.messages.get(reply_to_message_id)
                if target is None or target.deleted:
                    raise ValueError(f"no message {reply_to_message_id} in chat {chat_id}")
                extra["reply_to_message"] = self._embedded(target.message)
            message = self._new_message(chat, user, extra)
            return self._enqueue("message", message)

    @staticmethod
    def _embedded(message: JSONDict) -> JSONDict:
        """A message as embedded in reply_to_message: one level deep, like Telegram."""
        inner = copy.deepcopy(message)
        inner.pop("reply_to_message", None)
        return inner

    def _new_message(self, chat: _Chat, sender: JSONDict | None, content: JSONDict) -> JSONDict:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {"message_id": message_id}
        if sender is not None:
            message["from"] = copy.deepcopy(sender)
        message["chat"] = chat.obj()
        message["date"] = int(time.time())
        message.update(copy.deepcopy(content))
        chat.messages[message_id] = _MessageRecord(message, by_bot=False)
        return message

    def _enqueue(self, kind: str, payload: JSONDict) -> JSONDict:
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        allowed = self._webhook.allowed_updates if self._webhook else self._allowed_updates
        wanted = set(allowed) if allowed else DEFAULT_UPDATE_TYPES
        if kind in wanted:
            self._pending.append(update)
        else:
            self._dropped.append(update)
        self._cv.notify_all()
        return copy.deepcopy(update)

    def _ensure_user(
        self, user_id: int, first_name: str, username: str | None, language_code: str | None
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        return copy.deepcopy(user)

    def _ensure_chat(
        self,
        chat_id: int,
        chat_type: str,
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> _Chat:
        if chat_type not in ("private", "group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {chat_type!r}")
        chat = self._chats.get(chat_id)
        if chat is not None and chat.auto and chat.type != chat_type:
            chat.type = chat_type
            chat.auto = False
        if chat is not None:
            if chat.type != chat_type:
                raise ValueError(f"chat {chat_id} is a {chat.type} chat, not {chat_type}")
            chat.auto = False
            if title is not None and chat_type != "private":
                chat.title = title
            return chat
        if chat_type == "private":
            chat = _Chat(chat_id, "private", first_name=first_name or "Tester", username=username)
        else:
            chat = _Chat(chat_id, chat_type, title=title or f"Test {chat_type} {chat_id}")
            if chat_type == "channel":
                chat.username = username  # public channels are found by @username
        self._chats[chat_id] = chat
        return chat

    def _auto_chat(self, chat_id: int) -> _Chat:
        """A chat first mentioned by set_chat_admins/block; its type follows the first push."""
        if chat_id > 0:
            chat_type = "private"
        elif chat_id <= -1_000_000_000_000:
            chat_type = "supergroup"
        else:
            chat_type = "group"
        chat = self._ensure_chat(chat_id, chat_type)
        chat.auto = True
        return chat

    def _store_file(self, content: bytes, folder: str, extension: str) -> _StoredFile:
        with self._lock:
            n = self._next_file
            self._next_file += 1
            stored = _StoredFile(
                file_id=f"BQACAgUAAxkBAAIB{n:06d}FakeFileId",
                file_unique_id=f"AgAD{n:06d}",
                file_path=f"{folder}/file_{n}.{extension}",
                content=content,
            )
            self._files[stored.file_id] = stored
            self._files_by_path[stored.file_path] = stored
            return stored

    def _member_obj(self, status: str, user: JSONDict, chat: _Chat | None = None) -> JSONDict:
        member: JSONDict = {"status": status, "user": copy.deepcopy(user)}
        if status == "administrator" and chat is not None and chat.type == "channel":
            may_post = user["id"] not in chat.cannot_post
            member.update({"can_post_messages": may_post, "can_edit_messages": may_post})
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        elif status == "kicked":
            member["until_date"] = 0
        elif status == "restricted":
            member.update(
                {
                    "is_member": True,
                    "can_send_messages": False,
                    "can_send_audios": False,
                    "can_send_documents": False,
                    "can_send_photos": False,
                    "can_send_videos": False,
                    "can_send_video_notes": False,
                    "can_send_voice_notes": False,
                    "can_send_polls": False,
                    "can_send_other_messages": False,
                    "can_add_web_page_previews": False,
                    "can_change_info": False,
                    "can_invite_users": False,
                    "can_pin_messages": False,
                    "can_manage_topics": False,
                    "until_date": 0,
                }
            )
        return member

    # ----------------------------------------------------------------- HTTP dispatch

    def _record(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)

    def _serve(self, handler: _Handler, http_method: str) -> None:
        """Answer one HTTP request, counted as in flight until its answer is written."""
        with self._lock:
            self._in_flight += 1
        try:
            self._handle_http(handler, http_method)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _handle_http(self, handler: _Handler, http_method: str) -> None:
        split = urllib.parse.urlsplit(handler.path)
        path = urllib.parse.unquote(split.path)
        try:
            body = _read_body(handler)
        except OverflowError:
            self._answer_unparsed(handler, http_method, path, 413, "Request Entity Too Large")
            return
        except ValueError:
            self._answer_unparsed(handler, http_method, path, 400, "Bad Request: bad body")
            return
        if path.startswith("/file/bot"):
            self._serve_file(handler, path[len("/file/bot") :])
            return
        if not path.startswith("/bot"):
            self._answer_unparsed(handler, http_method, path, 404, "Not Found")
            return
        token, _slash, method_raw = path[len("/bot") :].partition("/")
        method_raw = method_raw.strip("/")
        try:
            params, files = _parse_params(
                handler.headers.get("Content-Type", ""), body, split.query
            )
        except ValueError as exc:
            self._answer_unparsed(handler, http_method, method_raw, 400, f"Bad Request: {exc}")
            return
        canonical = _CANONICAL.get(method_raw.lower())
        request = Request(
            method=canonical or method_raw,
            params=params,
            time=time.time(),
            http_method=http_method,
            files=files,
        )
        self._record(request)
        if token != self.token:
            self._answer_error(handler, request, ApiError(401, "Unauthorized"))
            return
        if canonical is None:
            self._answer_error(handler, request, ApiError(404, "Not Found"))
            return
        if canonical not in self._API_METHODS:
            error = ApiError(501, f"Not Implemented: the fake Bot API has no {canonical}")
            self._answer_error(handler, request, error)
            return
        fault = self._take_fault(canonical, params)
        if fault is not None:
            self._apply_fault(handler, request, fault)
            return
        implementation = getattr(self, self._API_METHODS[canonical])
        ctx = _Ctx(handler.connection, request)
        try:
            with self._cv:
                result = implementation(_Params(params, files), ctx)
        except ApiError as error:
            self._answer_error(handler, request, error)
            return
        except _ClientGoneError:
            request.outcome = "abandoned"
            handler.close_connection = True
            return
        except Exception:  # a bug in the fake: make it loud, in rejected() too
            self._note_internal_error(traceback.format_exc())
            request.outcome = "error"
            failure = ApiError(500, "Internal Server Error: fake Bot API bug, see internal errors")
            request.description = failure.description
            self._write_json(handler, 500, self._error_payload(failure))
            request.status = 500
            return
        payload: JSONDict = {"ok": True, "result": result}
        if isinstance(result, bool) and canonical in ("setWebhook", "deleteWebhook"):
            payload["description"] = ctx.request.description or ""
            ctx.request.description = None
        request.outcome = "ok"
        request.status = 200
        self._write_json(handler, 200, payload)

    def _answer_unparsed(
        self, handler: _Handler, http_method: str, method: str, status: int, description: str
    ) -> None:
        request = Request(method=method, params={}, time=time.time(), http_method=http_method)
        self._record(request)
        self._answer_error(handler, request, ApiError(status, description))

    @staticmethod
    def _error_payload(error: ApiError) -> JSONDict:
        payload: JSONDict = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        if error.parameters:
            payload["parameters"] = error.parameters
        return payload

    def _answer_error(self, handler: _Handler, request: Request, error: ApiError) -> None:
        request.outcome = error.kind
        request.status = error.code
        request.description = error.description
        self._write_json(handler, error.code, self._error_payload(error))

    def _write_json(self, handler: _Handler, status: int, payload: JSONDict) -> None:
        try:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate a test pushed: JSON escapes it (\ud800)
            body = json.dumps(payload).encode("ascii")
        self._write(handler, status, body, "application/json")

    @staticmethod
    def _write(handler: _Handler, status: int, body: bytes, content_type: str) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()
        except (OSError, ValueError):
            handler.close_connection = True

    def _apply_fault(self, handler: _Handler, request: Request, fault: _Fault) -> None:
        request.outcome = "fault"
        request.fault = fault.kind
        kind = fault.kind
        if kind == "timeout":
            delay = self.timeout_fault_delay if fault.delay is None else fault.delay
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline and not self._stopping.is_set():
                if _peer_closed(handler.connection):
                    break
                self._stopping.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            handler.close_connection = True
            return
        if kind == "reset":
            with contextlib.suppress(OSError):
                handler.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            handler.close_connection = True
            return
        if kind == "502":
            request.status = 502
            request.description = "Bad Gateway"
            page = (
                b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0"
                b"</center>\r\n</body>\r\n</html>\r\n"
            )
            self._write(handler, 502, page, "text/html")
            return
        errors = {
            "429": ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            ),
            "500": ApiError(500, "Internal Server Error"),
            "401": ApiError(401, "Unauthorized"),
            "403": ApiError(403, BLOCKED),
            "404": ApiError(404, "Not Found"),
            "409": ApiError(409, POLL_CONFLICT),
            "400-not-modified": ApiError(400, NOT_MODIFIED),
        }
        error = errors[kind]
        request.status = error.code
        request.description = error.description
        self._write_json(handler, error.code, self._error_payload(error))

    def _serve_file(self, handler: _Handler, rest: str) -> None:
        token, _slash, file_path = rest.partition("/")
        request = Request(
            method="file", params={"file_path": file_path}, time=time.time(), http_method="GET"
        )
        self._record(request)
        if token != self.token:
            self._answer_error(handler, request, ApiError(401, "Unauthorized"))
            return
        with self._lock:
            stored = self._files_by_path.get(file_path)
        if stored is None:
            self._answer_error(handler, request, ApiError(404, "Not Found"))
            return
        request.outcome = "ok"
        request.status = 200
        self._write(handler, 200, stored.content, "application/octet-stream")

    # ----------------------------------------------------------------- shared validation

    def _chat_of(self, p: _Params, name: str = "chat_id") -> _Chat:
        """Resolve a chat_id param: unknown → 400, migrated → 400 with migrate_to_chat_id."""
        raw = p.data.get(name)
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat: _Chat | None = None
        if isinstance(raw, str) and raw.startswith("@"):
            chat = next((c for c in self._chats.values() if c.username == raw[1:]), None)
            if chat is not None and chat.type == "private":
                chat = None
            if chat is None:
                # a @username comes from what a user typed: not finding it is an answer about
                # the world, not a malformed request (so not counted by rejected())
                raise ApiError(400, "Bad Request: chat not found", kind="refused")
        else:
            try:
                chat_id = int(raw)
            except (TypeError, ValueError) as exc:
                raise _bad("chat not found") from exc
            chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
                kind="refused",
            )
        return chat

    def _writable_chat(self, p: _Params) -> _Chat:
        chat = self._chat_of(p)
        if chat.refusal:
            raise ApiError(403, chat.refusal, kind="refused")
        if chat.type == "channel" and (
            self.bot_id not in chat.admins or self.bot_id in chat.cannot_post
        ):
            raise ApiError(
                400, "Bad Request: need administrator rights in the channel chat", kind="refused"
            )
        return chat

    def _format(
        self,
        raw: str | None,
        parse_mode: str | None,
        entities: list[Any] | None,
        *,
        limit: int,
        empty: str | None,
        too_long: str,
    ) -> tuple[str, list[JSONDict]]:
        """Parse a text or caption as Telegram does; ``empty=None`` allows an empty result."""
        raw = raw or ""
        mode = (parse_mode or "").strip().lower()
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _bad("strings must be encoded in UTF-8") from exc
        try:
            if entities:
                text, parsed = raw, self._given_entities(entities)
            elif mode == "html":
                text, parsed = parse_html(raw, strict=self.strict_html, users=self._users)
            elif mode == "markdownv2":
                text, parsed = parse_markdown_v2(raw)
            elif mode == "markdown":
                text, parsed = parse_markdown(raw)
            elif mode == "":
                text, parsed = raw, []
            else:
                raise _bad("unsupported parse_mode")
        except EntityParseError as exc:
            raise _bad(f"can't parse entities: {exc}") from exc
        text, parsed = _finish_text(text, parsed)
        if not text.strip():
            if empty is None:
                return "", []
            raise _bad(empty)
        if utf16_len(text) > limit:
            raise _bad(too_long)
        return text, parsed

    @staticmethod
    def _given_entities(entities: list[Any]) -> list[JSONDict]:
        out: list[JSONDict] = []
        for entity in entities:
            if not isinstance(entity, dict) or not isinstance(entity.get("type"), str):
                raise _bad("can't parse MessageEntity: Object expected")
            offset, length = entity.get("offset"), entity.get("length")
            if not isinstance(offset, int) or not isinstance(length, int):
                raise _bad('can\'t parse MessageEntity: Field "offset" must be of type Number')
            if offset < 0 or length < 0:
                raise _bad(f"receive an entity with incorrect offset {offset}")
            out.append(dict(entity))
        return out

    def _inline_keyboard(self, markup: JSONDict) -> JSONDict:
        """Validate an InlineKeyboardMarkup like Telegram; return it as Message.reply_markup."""
        rows = markup.get("inline_keyboard")
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        total = 0
        for row in rows:
            for button in row:
                total += 1
                self._check_inline_button(button)
        if total > KEYBOARD_BUTTONS_LIMIT:
            raise _bad("REPLY_MARKUP_TOO_LONG")
        return {"inline_keyboard": [[dict(b) for b in row if b] for row in rows if row]}

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise _bad(prefix + "InlineKeyboardButton must be an Object")
        text = button.get("text")
        if not isinstance(text, str):
            raise _bad(prefix + 'Field "text" must be of type String')
        if not text.strip():
            raise _bad("BUTTON_TEXT_EMPTY")
        actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
        if not actions:
            raise _bad(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise _bad(
                prefix + f"exactly one of the optional fields must be used, found {actions}"
            )
        action = actions[0]
        value = button[action]
        if action == "callback_data":
            if not isinstance(value, str):
                raise _bad(prefix + 'Field "callback_data" must be of type String')
            if not 1 <= len(value.encode("utf-8", "surrogatepass")) <= CALLBACK_DATA_LIMIT:
                raise _bad("BUTTON_DATA_INVALID")
        elif action == "url":
            if not isinstance(value, str):
                raise _bad(prefix + 'Field "url" must be of type String')
            FakeBotAPI._check_button_url(value)
        elif action in ("web_app", "login_url"):
            if not isinstance(value, dict) or not isinstance(value.get("url"), str):
                raise _bad(prefix + f'Field "{action}" must be of type Object')
            FakeBotAPI._check_button_url(value["url"])
            if action == "web_app" and not value["url"].lower().startswith("https://"):
                raise _bad("BUTTON_URL_INVALID")
        elif action in ("switch_inline_query", "switch_inline_query_current_chat"):
            if not isinstance(value, str):
                raise _bad(prefix + f'Field "{action}" must be of type String')
        elif action == "copy_text" and (
            not isinstance(value, dict) or not isinstance(value.get("text"), str)
        ):
            raise _bad(prefix + 'Field "copy_text" must be of type Object')

    @staticmethod
    def _check_button_url(url: str) -> None:
        parts = urllib.parse.urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme == "tg":
            return
        if scheme not in ("http", "https"):
            raise _bad(f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol")
        host = (parts.hostname or "").lower()
        if (
            not host
            or host == "localhost"
            or "." not in host
            or host.startswith("127.")
            or host.endswith(".local")
        ):
            raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_markup(
        self, p: _Params, *, inline_only: bool = False
    ) -> tuple[Any, JSONDict | None]:
        """(markup as sent, Message.reply_markup) after Telegram-like validation."""
        markup = p.obj("reply_markup", "reply keyboard markup")
        if not markup:
            return None, None
        if "inline_keyboard" in markup:
            return markup, self._inline_keyboard(markup)
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad(
                    'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    text = button if isinstance(button, str) else None
                    if isinstance(button, dict):
                        text = button.get("text")
                    if not isinstance(text, str) or not text:
                        raise _bad(
                            'can\'t parse keyboard button: Field "text" must be of type String'
                        )
            return markup, None
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup, None
        raise _bad("can't parse reply keyboard markup JSON object")

    def _reply_target(self, p: _Params, chat: _Chat) -> JSONDict | None:
        """Resolve reply_parameters / reply_to_message_id to the embedded message (or None)."""
        params = p.obj("reply_parameters", "reply parameters")
        allow_without = p.boolean("allow_sending_without_reply")
        message_id: Any = None
        target_chat = chat
        if params is not None:
            message_id = params.get("message_id")
            allow_without = bool(params.get("allow_sending_without_reply", allow_without))
            if params.get("chat_id") not in (None, ""):
                target_chat = self._chat_of(_Params({"chat_id": params["chat_id"]}, {}))
        elif p.has("reply_to_message_id"):
            message_id = p.integer("reply_to_message_id")
        if message_id is None:
            return None
        if not isinstance(message_id, int):
            raise _bad("message to be replied not found")
        record = target_chat.messages.get(message_id)
        if record is None or record.deleted:
            if allow_without:
                return None
            raise _bad("message to be replied not found")
        return self._embedded(record.message)

    def _add_bot_message(
        self,
        chat: _Chat,
        p: _Params,
        content: JSONDict,
        *,
        html: str | None,
        parse_mode: str | None,
        sent_markup: Any,
        markup_view: JSONDict | None,
        reply_to: JSONDict | None,
    ) -> JSONDict:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": chat.obj(),
            "date": int(time.time()),
        }
        thread_id = p.integer("message_thread_id")
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.is_forum:
                message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        if markup_view is not None:
            message["reply_markup"] = markup_view
        chat.messages[message_id] = _MessageRecord(
            message, by_bot=True, html=html, parse_mode=parse_mode, sent_markup=sent_markup
        )
        self._sent.append((chat.id, message_id))
        return copy.deepcopy(message)

    def _editable(self, p: _Params) -> tuple[_Chat, _MessageRecord]:
        if p.has("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        chat = self._writable_chat(p)
        message_id = p.integer("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        record = chat.messages.get(message_id)
        if record is None or record.deleted:
            raise _bad("message to edit not found")
        if not record.by_bot:
            raise _bad("message can't be edited")
        return chat, record

    @staticmethod
    def _set_text(message: JSONDict, key: str, text: str, entities: list[JSONDict]) -> None:
        entities_key = "entities" if key == "text" else "caption_entities"
        message.pop(entities_key, None)
        if text:
            message[key] = text
        else:
            message.pop(key, None)
        if entities:
            message[entities_key] = entities

    # ----------------------------------------------------------------- API: bot and updates

    def _m_true(self, p: _Params, ctx: _Ctx) -> Any:
        return True

    def _m_get_me(self, p: _Params, ctx: _Ctx) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_get_updates(self, p: _Params, ctx: _Ctx) -> Any:
        offset = p.integer("offset") or 0
        limit = max(1, min(p.integer("limit") or 100, 100))
        timeout = max(0.0, min(p.number("timeout") or 0.0, 50.0))
        allowed = p.array("allowed_updates", "allowed updates")
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        if allowed is not None:
            self._allowed_updates = [str(kind) for kind in allowed]
        self._poll_generation += 1
        generation = self._poll_generation
        self._cv.notify_all()
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        deadline = time.monotonic() + timeout
        while True:
            batch = [u for u in self._pending if u["update_id"] >= offset][:limit]
            if batch or self._stopping.is_set():
                return copy.deepcopy(batch)
            if self._poll_generation != generation:
                if _peer_closed(ctx.connection):
                    raise _ClientGoneError
                raise ApiError(409, POLL_CONFLICT)
            if self._webhook is not None:
                raise ApiError(409, WEBHOOK_CONFLICT)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._cv.wait(min(remaining, 0.05))
            if _peer_closed(ctx.connection):
                raise _ClientGoneError

    def _m_set_webhook(self, p: _Params, ctx: _Ctx) -> Any:
        url = (p.string("url") or "").strip()
        if not url:
            return self._m_delete_webhook(p, ctx)
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
        local = host in ("127.0.0.1", "localhost", "::1")
        if parts.scheme.lower() != "https" and not (local and parts.scheme.lower() == "http"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if not host:
            raise _bad("bad webhook: Failed to resolve host: Name or service not known")
        if not local and (parts.port or 443) not in (80, 88, 443, 8443):
            raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = p.string("secret_token")
        if secret is not None:
            if len(secret) > 256:
                raise _bad("secret token is too long")
            if not _SECRET_RE.fullmatch(secret):
                raise _bad("secret token contains unallowed characters")
        max_connections = p.integer("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        allowed = p.array("allowed_updates", "allowed updates")
        if p.boolean("drop_pending_updates"):
            self._pending.clear()
        was_set = self._webhook is not None
        self._webhook = _Webhook(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            ip_address=p.string("ip_address"),
            allowed_updates=[str(a) for a in allowed] if allowed is not None else None,
        )
        self._cv.notify_all()
        if self._webhook_thread is None:
            self._webhook_thread = threading.Thread(
                target=self._webhook_loop, name="fakebotapi-webhook", daemon=True
            )
            self._webhook_thread.start()
        ctx.request.description = "Webhook was updated" if was_set else "Webhook was set"
        return True

    def _m_delete_webhook(self, p: _Params, ctx: _Ctx) -> Any:
        was_set = self._webhook is not None
        self._webhook = None
        if p.boolean("drop_pending_updates"):
            self._pending.clear()
        self._cv.notify_all()
        ctx.request.description = (
            "Webhook was deleted" if was_set else "Webhook is already deleted"
        )
        return True

    def _m_get_webhook_info(self, p: _Params, ctx: _Ctx) -> Any:
        hook = self._webhook
        info: JSONDict = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    def _webhook_loop(self) -> None:
        """Deliver pending updates to the webhook one at a time, in order, retrying failures."""
        while not self._stopping.is_set():
            with self._cv:
                while not self._stopping.is_set() and not (self._webhook and self._pending):
                    self._cv.wait(0.1)
                if self._stopping.is_set() or self._webhook is None:
                    return
                hook = copy.copy(self._webhook)
                update = copy.deepcopy(self._pending[0])
            error = self._post_update(hook, update)
            with self._cv:
                if error is None:
                    self._pending = [
                        u for u in self._pending if u["update_id"] != update["update_id"]
                    ]
                    continue
                if self._webhook is not None:
                    self._webhook.last_error_date = int(time.time())
                    self._webhook.last_error_message = error
            self._stopping.wait(self.webhook_retry_delay)

    @staticmethod
    def _post_update(hook: _Webhook, update: JSONDict) -> str | None:
        parts = urllib.parse.urlsplit(hook.url)
        connection_type = (
            http.client.HTTPSConnection
            if parts.scheme.lower() == "https"
            else http.client.HTTPConnection
        )
        connection = connection_type(parts.hostname or "", parts.port, timeout=5.0)
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            connection.request("POST", target, json.dumps(update).encode("utf-8"), headers)
            response = connection.getresponse()
            response.read()
            if 200 <= response.status < 300:
                return None
            return f"Wrong response from the webhook: {response.status} {response.reason}"
        except OSError as exc:
            return f"Connection failed: {exc}"
        finally:
            connection.close()

    # ----------------------------------------------------------------- API: commands, profile

    def _scope_key(self, scope: JSONDict) -> str:
        kind = scope.get("type")
        kinds = (
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        )
        if kind not in kinds:
            raise _bad(f'unsupported bot command scope type "{kind}"')
        key: JSONDict = {"type": kind}
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat = self._chat_of(_Params({"chat_id": scope.get("chat_id")}, {}))
            key["chat_id"] = chat.id
        if kind == "chat_member":
            user_id = scope.get("user_id")
            if not isinstance(user_id, int):
                raise _bad("user not found")
            key["user_id"] = user_id
        return json.dumps(key, sort_keys=True)

    def _commands_key(self, p: _Params) -> tuple[str, str]:
        scope = p.obj("scope", "bot command scope") or {"type": "default"}
        language = p.string("language_code") or ""
        if language and not _LANGUAGE_RE.fullmatch(language):
            raise _bad("invalid language code specified")
        return self._scope_key(scope), language

    def _m_set_my_commands(self, p: _Params, ctx: _Ctx) -> Any:
        commands = p.array("commands", "bot commands")
        if commands is None:
            raise _bad('parameter "commands" is required')
        if len(commands) > COMMANDS_LIMIT:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        clean: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand: Object expected")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": description})
        self._commands[self._commands_key(p)] = clean
        return True

    def _m_get_my_commands(self, p: _Params, ctx: _Ctx) -> Any:
        return copy.deepcopy(self._commands.get(self._commands_key(p), []))

    def _m_delete_my_commands(self, p: _Params, ctx: _Ctx) -> Any:
        self._commands.pop(self._commands_key(p), None)
        return True

    def _profile_text(self, p: _Params, field_name: str, limit: int) -> Any:
        language = p.string("language_code") or ""
        if language and not _LANGUAGE_RE.fullmatch(language):
            raise _bad("invalid language code specified")
        value = p.string(field_name) or ""
        if len(value) > limit:
            raise _bad(f"{field_name.replace('_', ' ')} is too long")
        self._descriptions[(field_name, language)] = value
        return True

    def _m_set_my_description(self, p: _Params, ctx: _Ctx) -> Any:
        return self._profile_text(p, "description", 512)

    def _m_set_my_short_description(self, p: _Params, ctx: _Ctx) -> Any:
        return self._profile_text(p, "short_description", 120)

    def _m_set_my_name(self, p: _Params, ctx: _Ctx) -> Any:
        return self._profile_text(p, "name", 64)

    def _m_get_my_description(self, p: _Params, ctx: _Ctx) -> Any:
        language = p.string("language_code") or ""
        return {"description": self._descriptions.get(("description", language), "")}

    def _m_get_my_short_description(self, p: _Params, ctx: _Ctx) -> Any:
        language = p.string("language_code") or ""
        value = self._descriptions.get(("short_description", language), "")
        return {"short_description": value}

    def _m_get_my_name(self, p: _Params, ctx: _Ctx) -> Any:
        language = p.string("language_code") or ""
        return {"name": self._descriptions.get(("name", language), self.bot_first_name)}

    def _m_set_chat_menu_button(self, p: _Params, ctx: _Ctx) -> Any:
        button = p.obj("menu_button", "menu button") or {"type": "default"}
        if button.get("type") not in ("commands", "web_app", "default"):
            raise _bad("can't parse menu button: unsupported type")
        if p.has("chat_id"):
            chat = self._chat_of(p)
            if chat.type != "private":
                raise _bad("chat must be a private chat")
            chat.menu_button = button
        else:
            self._descriptions[("menu_button", "")] = json.dumps(button)
        return True

    def _m_get_chat_menu_button(self, p: _Params, ctx: _Ctx) -> Any:
        if p.has("chat_id"):
            chat = self._chat_of(p)
            if chat.menu_button is not None:
                return chat.menu_button
        stored = self._descriptions.get(("menu_button", ""))
        return json.loads(stored) if stored else {"type": "commands"}

    # ----------------------------------------------------------------- API: messages

    def _m_send_message(self, p: _Params, ctx: _Ctx) -> Any:
        raw = p.string("text")
        parse_mode = p.string("parse_mode")
        text, entities = self._format(
            raw,
            parse_mode,
            p.array("entities", "message entities"),
            limit=MESSAGE_TEXT_LIMIT,
            empty="message text is empty",
            too_long="message is too long",
        )
        sent_markup, markup_view = self._reply_markup(p)
        preview = p.obj("link_preview_options", "link preview options")
        chat = self._writable_chat(p)
        reply_to = self._reply_target(p, chat)
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        if preview is not None:
            content["link_preview_options"] = preview
        elif p.boolean("disable_web_page_preview"):
            content["link_preview_options"] = {"is_disabled": True}
        return self._add_bot_message(
            chat,
            p,
            content,
            html=raw,
            parse_mode=parse_mode,
            sent_markup=sent_markup,
            markup_view=markup_view,
            reply_to=reply_to,
        )

    def _m_send_document(self, p: _Params, ctx: _Ctx) -> Any:
        raw_caption = p.string("caption")
        parse_mode = p.string("parse_mode")
        caption, entities = self._format(
            raw_caption,
            parse_mode,
            p.array("caption_entities", "message entities"),
            limit=CAPTION_LIMIT,
            empty=None,
            too_long="message caption is too long",
        )
        sent_markup, markup_view = self._reply_markup(p)
        upload = p.files.get("document")
        document: JSONDict
        if upload is not None:
            if not upload.content:
                raise _bad("file must be non-empty")
            extension = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
            stored = self._store_file(upload.content, "documents", extension)
            document = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "file_size": len(upload.content),
            }
        else:
            reference = p.string("document")
            if not reference:
                raise _bad('parameter "document" is required')
            known = self._files.get(reference)
            if known is not None:
                document = {
                    "file_id": known.file_id,
                    "file_unique_id": known.file_unique_id,
                    "file_size": len(known.content),
                }
            elif reference.lower().startswith(("http://", "https://")):
                stored = self._store_file(b"", "documents", "bin")
                name = urllib.parse.urlsplit(reference).path.rsplit("/", 1)[-1] or "file"
                document = {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_name": name,
                }
            else:
                raise _bad("wrong file identifier/HTTP URL specified")
        chat = self._writable_chat(p)
        reply_to = self._reply_target(p, chat)
        content: JSONDict = {"document": document}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return self._add_bot_message(
            chat,
            p,
            content,
            html=raw_caption,
            parse_mode=parse_mode,
            sent_markup=sent_markup,
            markup_view=markup_view,
            reply_to=reply_to,
        )

    def _m_edit_message_text(self, p: _Params, ctx: _Ctx) -> Any:
        raw = p.string("text")
        parse_mode = p.string("parse_mode")
        text, entities = self._format(
            raw,
            parse_mode,
            p.array("entities", "message entities"),
            limit=MESSAGE_TEXT_LIMIT,
            empty="message text is empty",
            too_long="message is too long",
        )
        sent_markup, markup_view = self._reply_markup(p, inline_only=True)
        _chat, record = self._editable(p)
        message = record.message
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        old = (message.get("text"), message.get("entities", []), message.get("reply_markup"))
        if old == (text, entities, markup_view):
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._set_text(message, "text", text, entities)
        preview = p.obj("link_preview_options", "link preview options")
        if preview is not None:
            message["link_preview_options"] = preview
        self._set_markup(record, sent_markup, markup_view)
        message["edit_date"] = int(time.time())
        record.html = raw
        record.parse_mode = parse_mode
        return copy.deepcopy(message)

    def _m_edit_message_caption(self, p: _Params, ctx: _Ctx) -> Any:
        raw = p.string("caption")
        parse_mode = p.string("parse_mode")
        caption, entities = self._format(
            raw,
            parse_mode,
            p.array("caption_entities", "message entities"),
            limit=CAPTION_LIMIT,
            empty=None,
            too_long="message caption is too long",
        )
        sent_markup, markup_view = self._reply_markup(p, inline_only=True)
        _chat, record = self._editable(p)
        message = record.message
        if "text" in message:
            raise _bad("there is no caption in the message to edit")
        old = (
            message.get("caption", ""),
            message.get("caption_entities", []),
            message.get("reply_markup"),
        )
        if old == (caption, entities, markup_view):
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._set_text(message, "caption", caption, entities)
        self._set_markup(record, sent_markup, markup_view)
        message["edit_date"] = int(time.time())
        record.html = raw
        record.parse_mode = parse_mode
        return copy.deepcopy(message)

    def _m_edit_message_reply_markup(self, p: _Params, ctx: _Ctx) -> Any:
        sent_markup, markup_view = self._reply_markup(p, inline_only=True)
        _chat, record = self._editable(p)
        if record.message.get("reply_markup") == markup_view:
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._set_markup(record, sent_markup, markup_view)
        record.message["edit_date"] = int(time.time())
        return copy.deepcopy(record.message)

    @staticmethod
    def _set_markup(record: _MessageRecord, sent: Any, view: JSONDict | None) -> None:
        record.sent_markup = sent
        if view is None:
            record.message.pop("reply_markup", None)
        else:
            record.message["reply_markup"] = view

    def _deletable(self, chat: _Chat, message_id: int) -> _MessageRecord | None:
        record = chat.messages.get(message_id)
        if record is None or record.deleted:
            return None
        if not record.by_bot and chat.type != "private" and self.bot_id not in chat.admins:
            raise _bad("message can't be deleted")
        return record

    def _m_delete_message(self, p: _Params, ctx: _Ctx) -> Any:
        chat = self._chat_of(p)
        message_id = p.integer("message_id", required=True)
        assert message_id is not None
        record = self._deletable(chat, message_id)
        if record is None:
            raise _bad("message to delete not found")
        record.deleted = True
        return True

    def _m_delete_messages(self, p: _Params, ctx: _Ctx) -> Any:
        chat = self._chat_of(p)
        ids = p.array("message_ids", "message identifiers")
        if not ids or len(ids) > 100 or not all(isinstance(i, int) for i in ids):
            raise _bad("message_ids must contain 1-100 message identifiers")
        for message_id in ids:
            record = self._deletable(chat, message_id)
            if record is not None:
                record.deleted = True
        return True

    # ----------------------------------------------------------------- API: queries

    def _m_answer_callback_query(self, p: _Params, ctx: _Ctx) -> Any:
        query_id = p.string("callback_query_id", required=True)
        text = p.string("text") or ""
        if utf16_len(text) > CALLBACK_ANSWER_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        url = p.string("url")
        if url and not url.lower().startswith(("https://t.me/", "http://t.me/", "tg://")):
            raise _bad("URL_INVALID")
        cache_time = p.integer("cache_time")
        if cache_time is not None and cache_time < 0:
            raise _bad("cache_time must be non-negative")
        p.boolean("show_alert")
        if query_id not in self._open_callbacks:
            raise _bad(QUERY_ID_INVALID.removeprefix("Bad Request: "))
        del self._open_callbacks[query_id]
        return True

    def _m_answer_inline_query(self, p: _Params, ctx: _Ctx) -> Any:
        query_id = p.string("inline_query_id", required=True)
        results = p.array("results", "inline query results")
        if results is None:
            raise _bad('parameter "results" is required')
        if len(results) > INLINE_RESULTS_LIMIT:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen)
        next_offset = p.string("next_offset") or ""
        if len(next_offset.encode("utf-8")) > 64:
            raise _bad("next_offset is too long")
        button = p.obj("button", "inline query results button")
        if button is not None:
            if not isinstance(button.get("text"), str) or not button["text"]:
                raise _bad("can't parse InlineQueryResultsButton: text is empty")
            start = button.get("start_parameter")
            if start is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(start)):
                raise _bad("START_PARAM_INVALID")
        if query_id not in self._open_inline:
            raise _bad(QUERY_ID_INVALID.removeprefix("Bad Request: "))
        del self._open_inline[query_id]
        return True

    def _check_inline_result(self, result: Any, seen: set[str]) -> None:
        prefix = "can't parse inline query result: "
        if not isinstance(result, dict):
            raise _bad(prefix + "InlineQueryResult must be an Object")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= 64:
            raise _bad("RESULT_ID_INVALID")
        if result_id in seen:
            raise _bad("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        kind = result.get("type")
        if not isinstance(kind, str):
            raise _bad(prefix + 'Field "type" must be of type String')
        if kind == "article":
            title = result.get("title")
            if not isinstance(title, str) or not title.strip():
                raise _bad(prefix + 'Field "title" must be of type String')
            if not isinstance(result.get("input_message_content"), dict):
                raise _bad(prefix + 'Field "input_message_content" must be of type Object')
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            text = content["message_text"]
            if not isinstance(text, str):
                raise _bad(prefix + 'Field "message_text" must be of type String')
            entities = content.get("entities")
            self._format(
                text,
                content.get("parse_mode"),
                entities if isinstance(entities, list) else None,
                limit=MESSAGE_TEXT_LIMIT,
                empty="message text is empty",
                too_long="message is too long",
            )
        markup = result.get("reply_markup")
        if markup is not None:
            if not isinstance(markup, dict) or "inline_keyboard" not in markup:
                raise _bad("inline keyboard expected")
            self._inline_keyboard(markup)

    # ----------------------------------------------------------------- API: chats and files

    def _m_send_chat_action(self, p: _Params, ctx: _Ctx) -> Any:
        action = p.string("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._writable_chat(p)
        return True

    def _m_get_chat(self, p: _Params, ctx: _Ctx) -> Any:
        chat = self._chat_of(p)
        info = chat.obj()
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _user_or_stub(self, user_id: int) -> JSONDict:
        if user_id == self.bot_id:
            return self.bot_user
        user = self._users.get(user_id)
        return (
            copy.deepcopy(user)
            if user
            else {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )

    def _m_get_chat_member(self, p: _Params, ctx: _Ctx) -> Any:
        chat = self._chat_of(p)
        user_id = p.integer("user_id", required=True)
        assert user_id is not None
        known = user_id in self._users or user_id in chat.admins or user_id == self.bot_id
        if not known:
            raise _bad("user not found")
        user = self._user_or_stub(user_id)
        if chat.type == "private":
            return self._member_obj("member", user)
        if user_id == chat.creator:
            return self._member_obj("creator", user)
        if user_id in chat.admins:
            return self._member_obj("administrator", user, chat)
        return self._member_obj("member", user)

    def _m_get_chat_administrators(self, p: _Params, ctx: _Ctx) -> Any:
        chat = self._chat_of(p)
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        out = []
        for user_id in sorted(chat.admins, key=lambda uid: (uid != chat.creator, uid)):
            status = "creator" if user_id == chat.creator else "administrator"
            out.append(self._member_obj(status, self._user_or_stub(user_id)))
        return out

    def _m_get_chat_member_count(self, p: _Params, ctx: _Ctx) -> Any:
        chat = self._chat_of(p)
        if chat.type == "private":
            return 2
        senders = {r.message["from"]["id"] for r in chat.messages.values() if "from" in r.message}
        return len(senders | chat.admins | {self.bot_id})

    def _m_leave_chat(self, p: _Params, ctx: _Ctx) -> Any:
        chat = self._chat_of(p)
        if chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        chat.refusal = f"Forbidden: bot is not a member of the {chat.type} chat"
        return True

    def _m_get_file(self, p: _Params, ctx: _Ctx) -> Any:
        file_id = p.string("file_id")
        if not file_id:
            raise _bad("file_id is empty")
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.content) > DOWNLOAD_LIMIT:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }
