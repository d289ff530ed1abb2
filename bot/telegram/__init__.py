"""Telegram front end: ``newsbot run`` on python-telegram-bot 22.

Layout (one job per module): ``format`` renders every message as Telegram HTML, ``callbacks``
encodes button data, ``lookup`` resolves button data against the current knowledge,
``keyboards`` builds the buttons, ``incoming`` reads updates, ``send`` delivers, the handler
modules (``handlers``, ``buttons``, ``inline``, ``chats``, ``errors``) are thin, ``features`` is
the plug-in API for later features (digests, admin), ``app`` is the one module that wires
handlers and jobs, and ``runner`` runs it (polling or webhook).

``PTB_TIMEDELTA`` is set here, before anything imports ``telegram``: without it PTB 22 builds
``RetryAfter.retry_after`` as an int and emits a ``PTBDeprecationWarning`` every time Telegram
answers 429.  Opting in makes it a ``timedelta`` (PTB 23's behaviour), keeps logs and
``filterwarnings = error`` test runs clean, and is what our code expects.
"""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")
