"""The conversations ``docs/screenshots/`` shows, through the real Application against
FakeBotAPI: a first contact with an answer and a decline, a digest, the settings screen.

The test checks what the pictures claim (an answer with its quote and buttons, a decline
naming the unknown company, a 📰 digest, the settings buttons).  With
``NEWSBOT_SCREENSHOT_JSON`` set it also writes the messages as the bot sent them (its HTML
and buttons), which ``tools/screenshots.py`` renders with headless Chromium.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from test_telegram_digests import Harness, bot, fake, service

__all__ = ["bot", "fake", "service"]  # the digests tests' fixtures

JSON = dict[str, Any]

#: scene → the messages a reader sends, each in its own chat
SCENES: dict[str, tuple[str, ...]] = {
    "conversation": ("/start", "艾华集团投资了多少钱？", "小米公司的董事长是谁？"),
    "digest": ("/subscribe 电子元器件", "/digest"),
    "settings": ("/settings",),
}


def buttons(message: JSON) -> list[list[str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [[str(b["text"]) for b in row] for row in rows]


async def capture(bot: Harness, chat_id: int, texts: tuple[str, ...]) -> list[JSON]:
    """The scene as bubbles: each reader message, then what the bot sent after it."""
    bubbles: list[JSON] = []
    for text in texts:
        before = len(bot.fake.sent_messages(chat_id))
        await bot.reply(text, chat_id=chat_id)
        bubbles.append({"from": "reader", "text": text})
        for message in bot.fake.sent_messages(chat_id)[before:]:
            bubbles.append(
                {"from": "bot", "html": message.get("html") or "", "buttons": buttons(message)}
            )
    return bubbles


async def test_the_screenshot_scenes(bot: Harness) -> None:
    scenes = {
        name: await capture(bot, 2001 + n, texts) for n, (name, texts) in enumerate(SCENES.items())
    }
    start, answer, decline = (b for b in scenes["conversation"] if b["from"] == "bot")
    assert len(start["buttons"]) >= 3  # three example questions
    assert "4.56亿元" in answer["html"] and "艾华集团投资4.56亿元" in answer["html"]
    assert any("👍" in label for row in answer["buttons"] for label in row)
    assert "小米公司" in decline["html"]
    digest = scenes["digest"][-1]
    assert digest["html"].startswith("<b>📰 ") and digest["buttons"]
    assert any("08:00" in label for row in scenes["settings"][-1]["buttons"] for label in row)
    out = os.environ.get("NEWSBOT_SCREENSHOT_JSON")
    if out:
        Path(out).write_text(json.dumps(scenes, ensure_ascii=False, indent=1), encoding="utf-8")
