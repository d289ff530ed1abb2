"""The digests feature on Telegram: topic subscriptions, the daily digest, new-content notices.

Commands (replies in the user's language, zh or en; digests in the chat's language):

- ``/topics`` — the topics with a ✓ toggle each; pressing one subscribes or unsubscribes and
  edits the keyboard in place (replaces the built-in ``/topics``, which only listed them).
- ``/subscribe [topic …]`` / ``/unsubscribe [topic|all]`` — no argument: the toggles.
- ``/subscriptions`` — the chat's topics, digest time and zone, next digest, paused or not.
- ``/digest`` — now, what the next scheduled digest would hold; recorded, so not sent again.
- ``/settime HH:MM``, ``/timezone Area/City``, ``/pause``, ``/resume`` — the schedule.

Group rule: anyone may read (``/topics`` as a list, ``/subscriptions``); changing the group's
subscriptions or schedule needs a chat administrator (``getChatMember``; an anonymous admin
posting as the group counts).  The buttons follow the same rule on every press.

One job per module: :mod:`.common` (the request every command sees, the admin rule, shared
texts), :mod:`.topics` (choosing topics, by command or button), :mod:`.schedule` (time, zone,
pause), :mod:`.now` (``/digest`` and the ask-about-it button of older digests),
:mod:`.feature` (naming the parts to the wiring); the 阅读 button under each digest entry and
the article's pages are :mod:`bot.telegram.article_view`.  Delivery (scheduler tick,
``/digest``, notices) lives in :mod:`bot.telegram.digest_delivery`; HTML and buttons in
:mod:`bot.telegram.digest_render`.  After a reload that added or changed articles the
service calls the feature's ``on_content`` (``DigestRuntime.announce``), registered by
:mod:`bot.telegram.app`.
"""

from __future__ import annotations

from bot.telegram.digests.feature import Digests, digest_feature

__all__ = ["Digests", "digest_feature"]
