"""Admin core: what editors do to a running bot, without Telegram.

- :mod:`bot.admin.reload` — one :class:`Reloader` shared by ``/reload``, SIGHUP, ``--watch``
  and uploads: rebuild off the event loop, swap, audit (the service announces new content).
- :mod:`bot.admin.pages` — checking an uploaded page before anything is written (size, name,
  encoding, parse), writing it atomically, removing a page with its sidecar.
- :mod:`bot.admin.audit` — the audit trail (who, what, result), best effort.
- :mod:`bot.admin.questions` — declined questions grouped by similarity for ``/unanswered``.
- :mod:`bot.admin.report` — the plain-text lines of admin replies (localised via responses).

Nothing here imports ``telegram``: the Telegram layer (:mod:`bot.telegram.admin`) is thin
glue around these pieces, and the CLI/runner reuse them.
"""

from __future__ import annotations
