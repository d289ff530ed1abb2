"""How later features (digests, admin, health, watch) plug into the bot without editing it.

Why declarative: DESIGN says only one module wires handlers and jobs.  A feature therefore
*describes* what it needs — commands, button actions, jobs, extra handlers, start/stop hooks, the
subscribe hook, what to do when content changes — as a :class:`Feature`, and
:mod:`bot.telegram.app` does all the wiring: flood
protection and admin checks around commands, command menus in both languages, callback-data
dispatch by action name, the job queue.

Example (a digests feature)::

    Feature(
        name="digests",
        commands=(CommandSpec("subscribe", subscribe_cmd, "tg_cmd_subscribe"), ...),
        buttons=(ButtonSpec("u", unsubscribe_button),),       # data "u:<topic>" via encode()
        jobs=(JobSpec("digest-tick", tick, timedelta(minutes=1)),),
        subscribe=my_subscribe_hook,                           # the 订阅「topic」 button
    )

Every message is sent as HTML by default (the application's ``Defaults``): build texts with
:mod:`bot.telegram.format` and send them with :func:`bot.telegram.send.send_chunks`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler
from telegram.ext.filters import BaseFilter

from bot.service import ContentListener
from bot.telegram.callbacks import CallbackData
from bot.telegram.ptb import App, Ctx, HandlerFn
from bot.telegram.subscribe import SubscribeHook

logger = logging.getLogger(__name__)

ButtonFn = Callable[[Update, Ctx, CallbackData], Coroutine[Any, Any, None]]
JobFn = Callable[[Ctx], Coroutine[Any, Any, None]]
LifecycleFn = Callable[[App], Coroutine[Any, Any, None]]
StartPayloadFn = Callable[[Update, Ctx, str], Coroutine[Any, Any, bool]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """``/name``: ``description`` is a responses key (zh/en) shown in the command menu.

    ``admin_only`` commands run only for user ids in ``Settings.admins`` (others get a short
    refusal and the attempt is audited, see ``guards.AdminGate``) and appear only in the
    admins' own menus.  ``groups=False`` commands are answered in private chats only.
    ``section`` places the command in ``/help`` (one of :data:`HELP_SECTIONS`; admin-only
    commands are always listed under "admin", for admins only).  An alias (``alias_of`` names
    the command it repeats, e.g. ``/sub`` → ``subscribe``) is kept out of the menu, which stays
    short, and shown next to its command in ``/help``.
    """

    name: str
    handler: HandlerFn
    description: str
    admin_only: bool = False
    groups: bool = True
    in_menu: bool = True
    section: str = "ask"
    alias_of: str | None = None


HELP_SECTIONS = ("ask", "subscriptions", "settings", "admin")  # /help's order


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    """Buttons whose callback data starts with ``action`` (see ``callbacks.encode``).

    The handler gets the decoded data and must answer the callback query (if it raises, the
    error handler answers it); ``CallbackError`` raised by the handler is answered as a stale
    button.  ``admin_only`` buttons go through the admin gate like admin commands (button data
    can be forged, so the command's check alone is not enough).
    """

    action: str
    handler: ButtonFn
    admin_only: bool = False


@dataclass(frozen=True, slots=True)
class MessageSpec:
    """New messages matching ``filters`` (e.g. documents in private chats), handled before the
    question and non-text catch-alls.  ``action`` names the path in the audit log;
    ``admin_only`` puts it behind the admin gate, with flood protection as for commands.
    """

    action: str
    filters: BaseFilter
    handler: HandlerFn
    admin_only: bool = False


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A repeating job on the application's job queue."""

    name: str
    callback: JobFn
    interval: timedelta
    first: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    commands: tuple[CommandSpec, ...] = ()
    buttons: tuple[ButtonSpec, ...] = ()
    jobs: tuple[JobSpec, ...] = ()
    #: Extra handlers (e.g. an admin's document upload), tried before the question and
    #: non-text catch-alls.
    handlers: tuple[BaseHandler[Any, Any, Any], ...] = ()
    #: Message handlers wired by ``app`` (flood guard, admin gate), after ``handlers``.
    messages: tuple[MessageSpec, ...] = ()
    on_start: LifecycleFn | None = None
    on_stop: LifecycleFn | None = None
    #: What the 订阅「topic」 button does; at most one feature provides it.
    subscribe: SubscribeHook | None = None
    #: Update types the feature needs beyond the bot's own (``app.BASE_UPDATES``).
    update_types: tuple[str, ...] = ()
    #: Told after any reload that added or changed articles (``/reload``, an upload, SIGHUP,
    #: ``--watch``): ``app`` registers it with the service while the bot runs and runs each
    #: call as a background task, so a fan-out never holds up the reload or the admin's reply.
    on_content: ContentListener | None = None
    #: ``/start <payload>`` deep links (``t.me/bot?start=sub_urban``): returns True when it
    #: handled the payload; the plain /start runs when no feature does.
    start_payload: StartPayloadFn | None = None
