"""Render docs/screenshots/*.png from the bot's real messages, with headless Chromium.

Why a script and not hand-made pictures: the pictures in the README must show what the bot
sends today.  ``tests/test_screenshots.py`` drives the real Application against FakeBotAPI
(a conversation with an answer and a decline, a digest, the settings screen) and, with
``NEWSBOT_SCREENSHOT_JSON`` set, writes each message as the fake received it: the HTML the
bot sent and its buttons.  This script runs that test, lays the messages out as chat bubbles
(reader on the right, bot on the left, buttons under the bot's message) and screenshots each
scene with Chromium.

Needs Debian's ``chromium`` and a CJK font (``fonts-noto-cjk``); not part of ``make test``.
Run: make screenshots   (or .venv/bin/python tools/screenshots.py)
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTH = 480

STYLE = """
body { margin: 0; background: #dfe7ee; font: 15px/1.45 "Noto Sans CJK SC", sans-serif; }
.chat { padding: 14px 12px; width: %dpx; box-sizing: border-box; }
.row { display: flex; margin: 6px 0; }
.reader { justify-content: flex-end; }
.bubble { max-width: 82%%; padding: 7px 11px; border-radius: 12px; white-space: pre-wrap;
  word-break: break-word; box-shadow: 0 1px 1px rgba(0,0,0,.12); }
.reader .bubble { background: #e1fec6; }
.bot .bubble { background: #fff; }
blockquote { margin: 4px 0; padding: 2px 8px; border-left: 3px solid #5b9bd5;
  background: #f1f6fb; }
.keys { margin-top: 6px; }
.keys div { display: flex; gap: 4px; margin-top: 4px; }
.keys span { flex: 1; text-align: center; background: rgba(91,155,213,.16); color: #2b6cb0;
  border-radius: 8px; padding: 5px 4px; font-size: 13px; }
""" % WIDTH


def page(bubbles: list[dict[str, Any]]) -> str:
    """One scene as an HTML page: the bot's own HTML inside its bubbles, buttons below."""
    rows = []
    for bubble in bubbles:
        if bubble["from"] == "reader":
            body = html.escape(bubble["text"])
            rows.append(f'<div class="row reader"><div class="bubble">{body}</div></div>')
            continue
        keys = "".join(
            "<div>" + "".join(f"<span>{html.escape(label)}</span>" for label in row) + "</div>"
            for row in bubble["buttons"]
        )
        keys = f'<div class="keys">{keys}</div>' if keys else ""
        rows.append(
            f'<div class="row bot"><div class="bubble">{bubble["html"].strip()}{keys}</div></div>'
        )
    return (
        f'<!doctype html><meta charset="utf-8"><style>{STYLE}</style>'
        f'<div class="chat">{"".join(rows)}</div>'
    )


def height(bubbles: list[dict[str, Any]]) -> int:
    """A viewport tall enough for the scene: lines of about 26 characters, button rows."""
    total = 40
    for bubble in bubbles:
        text = bubble.get("text") or bubble.get("html", "")
        lines = sum(max(1, len(line) // 26 + 1) for line in text.split("\n"))
        total += 24 + 22 * lines + 34 * len(bubble.get("buttons", []))
    return total


def capture(scenes_json: Path) -> None:
    env = {**os.environ, "NEWSBOT_SCREENSHOT_JSON": str(scenes_json)}
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_screenshots.py"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def render(scenes: dict[str, list[dict[str, Any]]], browser: str) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="shots-") as tmp:
        for name, bubbles in scenes.items():
            source = Path(tmp) / f"{name}.html"
            source.write_text(page(bubbles), encoding="utf-8")
            target = OUT / f"{name}.png"
            subprocess.run(
                [
                    browser,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--hide-scrollbars",
                    f"--user-data-dir={tmp}/profile",
                    f"--window-size={WIDTH},{height(bubbles)}",
                    f"--screenshot={target}",
                    source.as_uri(),
                ],
                check=True,
                capture_output=True,
            )
            written.append(target)
    return written


def main() -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not found: apt-get install chromium fonts-noto-cjk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="scenes-") as tmp:
        scenes_json = Path(tmp) / "scenes.json"
        capture(scenes_json)
        scenes = json.loads(scenes_json.read_text(encoding="utf-8"))
    for path in render(scenes, browser):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
