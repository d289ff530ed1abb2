"""Small pure parts of the Telegram front end: the flood window, reading group messages, the
token filter for logs."""

from __future__ import annotations

import logging

from telegram import Chat, Message, MessageEntity, User

from bot.telegram.errors import Redactor
from bot.telegram.flood import FloodGuard, Verdict
from bot.telegram.incoming import (
    command_target,
    conversation_key,
    interface_language,
    strip_bot_mentions,
)


def test_flood_window_notifies_once_and_reopens() -> None:
    now = [0.0]
    guard = FloodGuard(limit=3, window=60.0, clock=lambda: now[0])
    assert [guard.check(1) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert guard.check(1) is Verdict.NOTIFY
    assert guard.check(1) is Verdict.DROP
    assert guard.check(2) is Verdict.ALLOW  # other users are not affected
    now[0] = 59.0
    assert guard.check(1) is Verdict.DROP  # dropped messages do not extend the window
    now[0] = 60.0
    assert guard.check(1) is Verdict.ALLOW
    assert FloodGuard(limit=0).check(1) is Verdict.ALLOW


def test_interface_language() -> None:
    def user(code: str | None) -> User:
        return User(1, "A", False, language_code=code)

    assert interface_language(user("en")) == "en"
    assert interface_language(user("en-GB")) == "en"
    assert interface_language(user("zh-hans")) == "zh"
    assert interface_language(user(None)) == "zh"
    assert interface_language(None) == "zh"


def test_conversation_keys() -> None:
    user = User(7, "A", False)
    assert conversation_key(5, "private", user) == 5
    assert conversation_key(-5, "supergroup", user) == (-5, 7)


def test_mentions_are_cut_by_utf16_offsets() -> None:
    text = "😀 @Newsbot_Test_Bot 艾华投资了多少？ @other"
    entities = (MessageEntity("mention", 3, 17), MessageEntity("mention", 30, 6))
    message = Message(1, None, Chat(-1, "group"), text=text, entities=entities)  # type: ignore[arg-type]
    assert strip_bot_mentions(message, "newsbot_test_bot", 99) == "😀 艾华投资了多少？ @other"


def test_command_target() -> None:
    def message(text: str) -> Message:
        return Message(1, None, Chat(-1, "group"), text=text)  # type: ignore[arg-type]

    assert command_target(message("/ask@NewsBot 问题")) == "newsbot"
    assert command_target(message("/ask 问题")) is None
    assert command_target(message("问题")) is None


def test_redactor_hides_the_token_in_messages_and_tracebacks() -> None:
    redactor = Redactor(["123:SECRET"])
    try:
        raise RuntimeError("POST https://api/bot123:SECRET/getMe failed")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            "f",
            1,
            "url %s",
            ("bot123:SECRET",),
            (type(exc), exc, exc.__traceback__),
        )
    redactor.filter(record)
    text = logging.Formatter().format(record)
    assert "SECRET" not in text and "<token>" in text
