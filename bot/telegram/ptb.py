"""Type aliases for python-telegram-bot generics, named once so signatures stay readable."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeAlias

from telegram import Update
from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

logger = logging.getLogger(__name__)

Ctx: TypeAlias = ContextTypes.DEFAULT_TYPE
#: The application ``build_application`` returns (its rate limiter makes the bot ``ExtBot[int]``).
App: TypeAlias = Application[
    ExtBot[int], Ctx, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Ctx]
]
HandlerFn: TypeAlias = Callable[[Update, Ctx], Coroutine[Any, Any, None]]
