"""Reading updates: who is asking, in which language, and whether a group message is for us.

Group rules (DESIGN "Telegram"): in groups the bot answers commands, messages that mention it
and replies to its own messages, and nothing else.  A message in a forum topic carries the
topic's creation message as ``reply_to_message``; that is not a reply to the bot even when the
bot created the topic, so topic service messages never count.
"""

from __future__ import annotations

import logging

from telegram import Message, MessageEntity, User
from telegram.constants import ChatType
from telegram.ext.filters import MessageFilter

logger = logging.getLogger(__name__)

GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})


def interface_language(user: User | None) -> str:
    """English interface for ``en*`` clients, Chinese for everybody else."""
    code = (user.language_code or "") if user else ""
    return "en" if code.lower().startswith("en") else "zh"


def is_group(message: Message) -> bool:
    return message.chat.type in GROUP_TYPES


def conversation_key(chat_id: int, chat_type: str, user: User | None) -> object:
    """Follow-up context: per chat in private, per (chat, user) in groups, so two members'
    questions do not resolve against each other's."""
    if chat_type in GROUP_TYPES and user is not None:
        return (chat_id, user.id)
    return chat_id


def is_reply_to_bot(message: Message, bot_id: int) -> bool:
    target = message.reply_to_message
    if target is None or target.from_user is None or target.from_user.id != bot_id:
        return False
    return not (message.is_topic_message and target.forum_topic_created is not None)


def _bot_mentions(message: Message, username: str | None, bot_id: int) -> list[MessageEntity]:
    found = []
    wanted = f"@{username}".lower() if username else None
    for entity, text in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    ).items():
        if (entity.type == MessageEntity.MENTION and wanted and text.lower() == wanted) or (
            entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id
        ):
            found.append(entity)
    return found


def mentions_bot(message: Message, username: str | None, bot_id: int) -> bool:
    return bool(message.text) and bool(_bot_mentions(message, username, bot_id))


def strip_bot_mentions(message: Message, username: str | None, bot_id: int) -> str:
    """The message text without the mentions of the bot (the question that remains)."""
    text = message.text or ""
    entities = _bot_mentions(message, username, bot_id)
    if not entities:
        return text
    # Entity offsets are UTF-16 units: cut in UTF-16 and decode back.
    data = text.encode("utf-16-le", "surrogatepass")
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        data = data[: entity.offset * 2] + b" \x00" + data[(entity.offset + entity.length) * 2 :]
    return " ".join(data.decode("utf-16-le", "surrogatepass").split())


def command_target(message: Message) -> str | None:
    """``name`` of a leading ``/cmd@name``, lower-case; None for a bare ``/cmd``."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    head = text.split(maxsplit=1)[0] if text.strip() else ""
    _, at, name = head.partition("@")
    return name.lower() if at else None


def command_for_us(message: Message, username: str | None) -> bool:
    """In groups only ``/cmd@ourbot`` is surely ours (``/cmd`` may be for another bot)."""
    if not is_group(message):
        return True
    target = command_target(message)
    return target is not None and username is not None and target == username.lower()


class AddressedToBot(MessageFilter):
    """Group messages for the bot: a mention of it, or a reply to one of its messages."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        return is_reply_to_bot(message, bot.id) or mentions_bot(message, bot.username, bot.id)


class CommandForUs(MessageFilter):
    """Commands the bot should answer even if it does not know them: any in private, only
    ``/cmd@ourbot`` in groups."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return command_for_us(message, message.get_bot().username)
