"""Console front end: readable answers and an interactive chat with history.

The chat is one conversation of the shared :class:`~bot.service.NewsService` (key
:data:`CONSOLE_CONVERSATION`), so follow-ups behave exactly as they do on Telegram.
"""

from __future__ import annotations

import contextlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from bot.answer.model import Answer

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.service import NewsService

HISTORY_LENGTH = 500
PROMPT = "问> "
CONSOLE_CONVERSATION = "console"  # the console's one conversation in the service


def render_answer(answer: Answer, *, color: bool = False) -> str:
    bold, dim, reset = ("\033[1m", "\033[2m", "\033[0m") if color else ("", "", "")
    lines = [f"{bold}{answer.summary}{reset}"]
    if answer.quote:
        lines.append(f"  「{answer.quote}」")
    if answer.source:
        section = f" · {answer.source.section}" if answer.source.section else ""
        if answer.source.date is not None:
            section += f" · {answer.source.date.isoformat()}"
        lines.append(
            f"{dim}  —— 《{answer.source.article}》{section}  "
            f"({answer.source.file}:{answer.source.line}){reset}"
        )
    if answer.suggestions:
        lines.append(f"{dim}  相关问题：" + " / ".join(answer.suggestions) + reset)
    return "\n".join(lines)


def interactive_chat(service: NewsService, settings: Settings) -> int:
    """A pleasant REPL: history across sessions, /reset, /quit, /help."""
    history = settings.cache_dir / "chat_history"
    readline = _setup_readline(history)
    color = sys.stdout.isatty()
    count = len(service.knowledge.articles)
    print(f"newsbot — {count} 篇报道已载入。直接提问；/reset 清空上下文，/quit 退出，/help 帮助。")
    try:
        while True:
            try:
                line = input(PROMPT)
            except EOFError:
                print()
                break
            text = line.strip()
            if text in ("/quit", "/exit", "/q"):
                break
            if text == "/reset":
                service.reset(CONSOLE_CONVERSATION)
                print("（上下文已清空）")
                continue
            if text == "/help":
                text = "帮助"
            if not text:
                continue
            answer = service.ask(text, CONSOLE_CONVERSATION)
            print(render_answer(answer, color=color))
            print()
    except KeyboardInterrupt:
        print()
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                history.parent.mkdir(parents=True, exist_ok=True)
                readline.write_history_file(str(history))
    return 0


def _setup_readline(history: object) -> ModuleType | None:
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return None
    readline.set_history_length(HISTORY_LENGTH)
    with contextlib.suppress(OSError):
        readline.read_history_file(str(history))
    return readline
