"""The digests feature on Telegram: topic subscriptions, the daily digest, new-content notices.

Commands (replies in the user's language, zh or en; digests in the chat's language):

- ``/topics`` — the topics with a ✓ toggle each; pressing one subscribes or unsubscribes and
  edits the keyboard in place (replaces the built-in ``/topics``, which only listed them).
- ``/subscribe [topic …]`` — no argument: the toggles; topic names match fuzzily in zh or en
  (``/subscribe 城市`` → 城市更新; ``/subscribe 城市 金融`` takes both).
- ``/unsubscribe [topic|all]`` — no argument: a usage line and the toggles.
- ``/subscriptions`` — the chat's topics, digest time and zone, next digest, paused or not.
- ``/digest`` — now, what the next scheduled digest would hold; recorded, so it is not sent
  again; says so plainly when nothing is pending or nothing is subscribed.
- ``/settime HH:MM`` — the chat's local digest time (``7:05`` and full-width digits accepted;
  ``24:00``, ``7:5``, ``25:61`` get the usage line).
- ``/timezone Area/City`` — an IANA zone (case-insensitive); an unknown one gets the usage
  line with examples.
- ``/pause`` / ``/resume`` — stop and restart scheduled digests (subscriptions kept).

Group rule: anyone may read (``/topics`` as a list, ``/subscriptions``); changing the group's
subscriptions or schedule needs a chat administrator (``getChatMember``; an anonymous admin
posting as the group counts).  ``/digest`` in a group is a change only when it would send
something — it consumes the group's pending items, which would otherwise arrive at the agreed
time — so members are told plainly that nothing is pending (or nothing subscribed), and only
admins can make it send.  The 订阅「topic」 button under answers and the ``/topics`` toggles
follow the same rule (button data can be forged; the check runs on every press).

Handlers are thin: read the update, call the store or the core, render with
:mod:`bot.telegram.format`, reply.  Delivery (scheduler tick, ``/digest``, notices) lives in
:mod:`bot.telegram.digest_delivery`; HTML and buttons in :mod:`bot.telegram.digest_render`.

For the admin feature: after a successful reload call
``await announce_reload(application, diff, previous)`` (see its docstring).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final, cast

from telegram import Bot, InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update
from telegram import Chat as TgChat
from telegram.error import BadRequest, TelegramError

from bot.config import Settings
from bot.digest import SendNowStatus, catalog_for, find_topic, pending_for_chat, rank_topics
from bot.knowledge.build import Knowledge
from bot.knowledge.diff import KnowledgeDiff
from bot.rules.model import Responses, Topic
from bot.service import NewsService
from bot.store import AsyncStore, Chat, InvalidSetting, StoreError
from bot.telegram.app import DEPS_KEY
from bot.telegram.callbacks import CallbackData, CallbackError, text_check
from bot.telegram.chats import STORE_CHAT_TYPES
from bot.telegram.deps import BotDeps
from bot.telegram.digest_delivery import DigestOptions, DigestRuntime
from bot.telegram.digest_render import AskRef, ToggleRef, topics_keyboard
from bot.telegram.features import ButtonSpec, CommandSpec, Feature, JobSpec
from bot.telegram.format import format_lines, plain
from bot.telegram.handlers import Questions
from bot.telegram.incoming import GROUP_TYPES, conversation_key, interface_language
from bot.telegram.ptb import App, Ctx
from bot.telegram.send import Where, answer_query, reply
from bot.telegram.subscribe import SubscribeReply, SubscribeRequest, is_chat_admin

logger = logging.getLogger(__name__)

DIGESTS_KEY: Final = "newsbot.digests"  # app.bot_data[DIGESTS_KEY] is the running Digests
ALL_WORDS: Final = frozenset({"all", "全部", "所有", "全部话题", "所有话题"})
_TOPIC_SPLIT: Final = re.compile(r"[\s,，、;；/]+")
#: How much of a rejected argument a reply quotes back: enough to recognise it, too little to
#: make the bot repost a stranger's text (a 4,000-character "/timezone …" in a group).
ECHO_LIMIT: Final = 40
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


async def announce_reload(
    application: App, diff: KnowledgeDiff, previous: Knowledge | None
) -> int:
    """Tell subscribers about a reload's new or changed articles, once; returns notices sent.

    Call it after ``NewsService.reload()`` succeeded, with the diff it returned and the
    snapshot that served before (``previous = service.knowledge`` read before reloading), so
    only sections whose text really changed count.  Each active, unpaused subscriber of a
    touched topic gets one "新内容" message; the ledger makes a repeated call (or a crash and
    retry) send nothing twice.  Sending is paced like digests (about 30 chats a second), so
    from a command handler schedule it rather than wait:
    ``application.create_task(announce_reload(application, diff, previous))``.
    Returns 0 when the digests feature is not running.
    """
    digests = application.bot_data.get(DIGESTS_KEY)
    if not isinstance(digests, Digests):
        logger.info("digests feature not running; no new-content notices")
        return 0
    return await digests.runtime.announce(diff, previous)


def digest_feature(
    settings: Settings,
    service: NewsService,
    store: AsyncStore,
    options: DigestOptions | None = None,
) -> Feature:
    """The feature ``newsbot run`` adds (see ``runner.optional_features``)."""
    return Digests(settings, service, store, options).feature()


class Digests:
    """Commands, buttons, the subscribe hook and the scheduler job of the digests feature."""

    def __init__(
        self,
        settings: Settings,
        service: NewsService,
        store: AsyncStore,
        options: DigestOptions | None = None,
    ) -> None:
        self.service = service
        self.store = store
        self.runtime = DigestRuntime(settings, service, store, options)

    def feature(self) -> Feature:
        interval = self.runtime.options.tick_interval  # the first tick runs at start
        return Feature(
            name="digests",
            commands=(
                CommandSpec("topics", self.topics, "tg_cmd_topics"),
                CommandSpec("subscribe", self.subscribe, "tg_digest_cmd_subscribe"),
                CommandSpec("unsubscribe", self.unsubscribe, "tg_digest_cmd_unsubscribe"),
                CommandSpec("subscriptions", self.subscriptions, "tg_digest_cmd_subscriptions"),
                CommandSpec("digest", self.digest, "tg_digest_cmd_digest"),
                CommandSpec("settime", self.settime, "tg_digest_cmd_settime"),
                CommandSpec("timezone", self.timezone, "tg_digest_cmd_timezone"),
                CommandSpec("pause", self.pause, "tg_digest_cmd_pause"),
                CommandSpec("resume", self.resume, "tg_digest_cmd_resume"),
            ),
            buttons=(
                ButtonSpec(ToggleRef.ACTION, self.on_toggle),
                ButtonSpec(AskRef.ACTION, self.on_ask),
            ),
            jobs=(JobSpec("digest-tick", self._job, interval, first=interval),),
            on_start=self._start,
            on_stop=self._stop,
            subscribe=self.subscribe_hook,
        )

    # --- lifecycle and the job --------------------------------------------------------------

    async def _start(self, app: App) -> None:
        app.bot_data[DIGESTS_KEY] = self
        self.runtime.gate = cast(BotDeps, app.bot_data[DEPS_KEY]).limiter.bulk_turn
        await self.runtime.start()

    async def _stop(self, app: App) -> None:
        app.bot_data.pop(DIGESTS_KEY, None)
        await self.runtime.stop()

    async def _job(self, context: Ctx) -> None:
        self.runtime.spawn_tick()

    # --- helpers ------------------------------------------------------------------------------

    @property
    def knowledge(self) -> Knowledge:
        return self.service.knowledge

    @property
    def responses(self) -> Responses:
        return self.service.knowledge.rules.responses

    def _t(self, key: str, language: str, /, **values: object) -> str:
        return self.responses.text(key, language, **values)

    async def _send(
        self, message: Message, lines: Sequence[str], keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        await reply(message, format_lines(lines), keyboard)

    async def _record(self, chat: TgChat, language: str) -> Chat:
        """The chat's row (created, or reactivated: it is talking to us), in step with the
        private user's language so digests follow a client switched to English."""
        stored = await self.store.upsert_chat(chat.id, chat.type, chat.title, language)
        if chat.type == "private" and stored.language != language:
            stored = await self.store.set_language(chat.id, language)
        return stored

    async def _may_change(self, message: Message) -> bool:
        """Private chats: yes.  Groups: chat administrators (checked now, with Telegram)."""
        chat = message.chat
        if chat.type not in GROUP_TYPES:
            return True
        if message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True  # an anonymous administrator posting as the group
        user = message.from_user
        return user is not None and await is_chat_admin(message.get_bot(), chat.id, user.id)

    async def _refuse(self, message: Message, language: str) -> None:
        await self._send(message, [self._t("tg_digest_admins_only", language)])

    def _topic_names(self, topic_ids: Sequence[str], language: str) -> str:
        rules = self.knowledge.rules
        names = [t.name(language) if (t := rules.topic(i)) else i for i in topic_ids]
        return ("、" if language == "zh" else ", ").join(names)

    def _ordered(self, topic_ids: Sequence[str]) -> list[str]:
        """Topic ids in the rules' order (the order /topics shows), unknown ones last."""
        order = {t.id: n for n, t in enumerate(self.knowledge.rules.topics)}
        return sorted(topic_ids, key=lambda t: (order.get(t, len(order)), t))

    def _schedule(self, chat: Chat, language: str) -> str:
        """``每天 08:00（Asia/Shanghai）发送摘要。下一期：3月2日 08:00`` or the paused note."""
        if chat.paused:
            return self._t("tg_digest_paused_note", language)
        text = self._t("tg_digest_schedule", language, time=chat.digest_time, zone=chat.timezone)
        if chat.next_digest_at is not None:
            when = _when(chat.next_digest_at, chat, language)
            text += " " + self._t("tg_digest_next", language, when=when)
        return text

    def _keyboard(self, subscribed: Sequence[str], language: str) -> InlineKeyboardMarkup | None:
        return topics_keyboard(self.knowledge.rules.topics, subscribed, self.responses, language)

    def _match(self, query: str) -> list[Topic] | None:
        """The topics a query names: one (fuzzy, zh or en) or several separated by spaces or
        commas; None when any part matches nothing or is ambiguous."""
        topics = self.knowledge.rules.topics
        topic = find_topic(query, topics)
        if topic is not None:
            return [topic]
        parts = [p for p in _TOPIC_SPLIT.split(query) if p]
        if len(parts) < 2:
            return None
        found = [find_topic(part, topics) for part in parts]
        if any(t is None for t in found):
            return None
        return list({t.id: t for t in found if t is not None}.values())

    def _unknown(self, query: str, language: str) -> str:
        topics = self.knowledge.rules.topics
        candidates = [m.topic.id for m in rank_topics(query, topics)[:3]]
        names = self._topic_names(candidates or [t.id for t in topics], language)
        return self._t(
            "digest_unknown_topic", language, query=plain(query, ECHO_LIMIT), topics=names
        )

    # --- commands ---------------------------------------------------------------------------

    async def topics(self, update: Update, context: Ctx) -> None:
        """The topic list with a ✓ toggle per topic (anyone may look; toggles check admins)."""
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        chat = await self._record(message.chat, language)
        await self._show_topics(message, chat, language)

    async def _show_topics(
        self, message: Message, chat: Chat, language: str, note: str | None = None
    ) -> None:
        snapshot = self.service.snapshot
        listing = snapshot.answerer.meta.topic_list("/topics", "list_topics", language)
        lines = listing.summary.split("\n")
        lines.append(self._t("tg_digest_topics_hint", language))
        if note:
            lines.insert(0, note)
        subscribed = await self.store.subscriptions(chat.chat_id)
        await reply(
            message, format_lines(lines, bold_first=True), self._keyboard(subscribed, language)
        )

    async def subscribe(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        chat = await self._record(message.chat, language)
        query = _argument(message)
        if not query:
            await self._show_topics(message, chat, language)
            return
        topics = self._match(query)
        if topics is None:
            await self._send(message, [self._unknown(query, language)])
            return
        if not await self._may_change(message):
            await self._refuse(message, language)
            return
        lines = []
        for topic in topics:
            added = await self.store.subscribe(chat.chat_id, topic.id)
            key = "tg_subscribed" if added else "tg_already_subscribed"
            lines.append(self._t(key, language, topic=topic.name(language)))
        chat = await self.store.get_chat(chat.chat_id) or chat
        lines.append(self._schedule(chat, language))
        lines.append(self._t("tg_digest_now_hint", language))
        await self._send(message, lines)

    async def unsubscribe(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        chat = await self._record(message.chat, language)
        query = _argument(message)
        if not query:
            note = self._t("tg_digest_unsubscribe_usage", language)
            await self._show_topics(message, chat, language, note)
            return
        everything = query.casefold() in ALL_WORDS
        topics = [] if everything else self._match(query)
        if topics is None:
            await self._send(message, [self._unknown(query, language)])
            return
        if not await self._may_change(message):
            await self._refuse(message, language)
            return
        if everything:
            count = await self.store.unsubscribe_all(chat.chat_id)
            key = "tg_digest_unsubscribed_all" if count else "digest_no_subscriptions"
            await self._send(message, [self._t(key, language, count=count)])
            return
        lines = []
        for topic in topics:
            removed = await self.store.unsubscribe(chat.chat_id, topic.id)
            key = "tg_digest_unsubscribed" if removed else "tg_digest_not_subscribed"
            lines.append(self._t(key, language, topic=topic.name(language)))
        await self._send(message, lines)

    async def subscriptions(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        chat = await self._record(message.chat, language)
        topic_ids = self._ordered(await self.store.subscriptions(chat.chat_id))
        if not topic_ids:
            await self._send(message, [self._t("digest_no_subscriptions", language)])
            return
        names = self._topic_names(topic_ids, language)
        lines = [self._t("tg_digest_subscriptions", language, topics=names)]
        lines.append(self._schedule(chat, language))
        await self._send(message, lines)

    async def digest(self, update: Update, context: Ctx) -> None:
        """Send the pending digest now.  In a group, members only hear whether anything is
        pending; sending it (which records it) is an administrator's change."""
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        chat = await self._record(message.chat, language)
        if not await self._may_change(message):
            snapshot = self.service.snapshot
            pending = await pending_for_chat(
                self.store, snapshot.knowledge, chat.chat_id, answerer=snapshot.answerer
            )
            if not pending.subscribed:
                key = "digest_no_subscriptions"
            elif pending.empty:
                key = "digest_empty"
            else:
                key = "tg_digest_send_admins_only"
            await self._send(message, [self._t(key, language, count=len(pending))])
            return
        result = await self.runtime.send_now(chat.chat_id)
        logger.info(
            "/digest in chat %d: %s, %d messages, %d items",
            chat.chat_id,
            result.status,
            result.messages_sent,
            result.items_delivered,
        )
        replies = {
            SendNowStatus.NOTHING_PENDING: "digest_empty",
            SendNowStatus.NO_SUBSCRIPTIONS: "digest_no_subscriptions",
            SendNowStatus.FAILED: "tg_digest_failed",
        }
        answer = replies.get(result.status)
        if answer is not None:  # SENT: the digest is the answer; UNREACHABLE: nobody to tell
            await self._send(message, [self._t(answer, language)])

    async def settime(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        chat = await self._record(message.chat, language)
        value = _argument(message)
        usage = self._t(
            "tg_digest_settime_usage", language, time=chat.digest_time, zone=chat.timezone
        )
        if not value:
            await self._send(message, [usage])
            return
        if not await self._may_change(message):
            await self._refuse(message, language)
            return
        try:
            chat = await self.store.set_digest_time(chat.chat_id, value)
        except InvalidSetting:
            bad = self._t("tg_digest_settime_invalid", language, value=plain(value, ECHO_LIMIT))
            await self._send(message, [bad, usage])
            return
        done = self._t("tg_digest_settime_done", language, time=chat.digest_time)
        await self._send(message, [done, self._schedule(chat, language)])

    async def timezone(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        chat = await self._record(message.chat, language)
        value = _argument(message)
        usage = self._t("tg_digest_timezone_usage", language, zone=chat.timezone)
        if not value:
            await self._send(message, [usage])
            return
        if not await self._may_change(message):
            await self._refuse(message, language)
            return
        try:
            chat = await self.store.set_timezone(chat.chat_id, value)
        except InvalidSetting:
            bad = self._t("tg_digest_timezone_unknown", language, value=plain(value, ECHO_LIMIT))
            await self._send(message, [bad, usage])
            return
        done = self._t("tg_digest_timezone_done", language, zone=chat.timezone)
        await self._send(message, [done, self._schedule(chat, language)])

    async def pause(self, update: Update, context: Ctx) -> None:
        await self._set_paused(update, paused=True)

    async def resume(self, update: Update, context: Ctx) -> None:
        await self._set_paused(update, paused=False)

    async def _set_paused(self, update: Update, *, paused: bool) -> None:
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        chat = await self._record(message.chat, language)
        if not await self._may_change(message):
            await self._refuse(message, language)
            return
        chat = await self.store.set_paused(chat.chat_id, paused)
        lines = [self._t("tg_digest_paused" if paused else "tg_digest_resumed", language)]
        if not paused:
            if await self.store.subscriptions(chat.chat_id):
                lines.append(self._schedule(chat, language))
            else:
                lines.append(self._t("digest_no_subscriptions", language))
        await self._send(message, lines)

    # --- buttons ----------------------------------------------------------------------------

    async def on_toggle(self, update: Update, context: Ctx, data: CallbackData) -> None:
        """A ``/topics`` toggle: flip the subscription, answer with a toast, redraw the keys."""
        query = update.callback_query
        if query is None:
            return
        ref = ToggleRef.parse(data)
        topic = self.knowledge.rules.topic(ref.topic_id)
        target = query.message
        if topic is None or target is None or target.chat.type not in STORE_CHAT_TYPES:
            raise CallbackError("unknown topic")
        language = interface_language(query.from_user)
        tg_chat = target.chat
        bot = query.get_bot()
        if tg_chat.type in GROUP_TYPES and not await is_chat_admin(
            bot, tg_chat.id, query.from_user.id
        ):
            await answer_query(query, self._t("tg_subscribe_admins_only", language))
            return
        chat = await self._record(tg_chat, language)
        name = topic.name(language)
        if topic.id in await self.store.subscriptions(chat.chat_id):
            await self.store.unsubscribe(chat.chat_id, topic.id)
            toast = self._t("tg_digest_unsubscribed", language, topic=name)
        else:
            await self.store.subscribe(chat.chat_id, topic.id)
            toast = self._t("tg_subscribed", language, topic=name)
        await answer_query(query, toast)
        subscribed = await self.store.subscriptions(chat.chat_id)
        await _edit_keyboard(bot, target, self._keyboard(subscribed, ref.language))

    async def on_ask(self, update: Update, context: Ctx, data: CallbackData) -> None:
        """A digest item's "ask about it" button: ask its question here, as if typed."""
        query = update.callback_query
        if query is None:
            return
        ref = AskRef.parse(data)
        if query.message is None:
            raise CallbackError("no message to answer below")
        deps = cast(BotDeps, context.bot_data[DEPS_KEY])
        snapshot = self.service.snapshot
        catalog = catalog_for(snapshot.knowledge, snapshot.answerer)
        if ref.item_id not in catalog:
            raise CallbackError("digest item gone")
        question = catalog.item(ref.item_id).question
        if text_check(question) != ref.check:
            raise CallbackError("digest item changed")
        await answer_query(query)
        chat = query.message.chat
        key = conversation_key(chat.id, chat.type, query.from_user)
        await Questions(deps).answer_in(
            query.get_bot(),
            Where.answering(query.message),
            key,
            query.from_user,
            question,
            asked=question,
        )

    # --- the 订阅「topic」 button under answers ------------------------------------------------

    async def subscribe_hook(
        self, request: SubscribeRequest, bot: Bot, responses: Responses
    ) -> SubscribeReply:
        """Subscribe like ``/subscribe topic`` (same admin rule), confirming the schedule."""
        language = request.language
        group = request.chat_type in GROUP_TYPES
        if group and not await is_chat_admin(bot, request.chat_id, request.user_id):
            return SubscribeReply(responses.text("tg_subscribe_admins_only", language))
        name = request.topic.name(language)
        try:
            await self.store.upsert_chat(
                request.chat_id, request.chat_type, request.chat_title, language
            )
            added = await self.store.subscribe(request.chat_id, request.topic.id)
            chat = await self.store.get_chat(request.chat_id)
        except StoreError as exc:
            logger.error("subscribing chat %d failed: %s", request.chat_id, exc)
            return SubscribeReply(responses.text("error", language))
        if not added:
            return SubscribeReply(responses.text("tg_already_subscribed", language, topic=name))
        text = responses.text("tg_subscribed", language, topic=name)
        if chat is not None:
            text += " " + self._schedule(chat, language)
        return SubscribeReply(text, announce=group)


def _argument(message: Message) -> str:
    """What follows ``/command`` (or ``/command@bot``), stripped."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def _when(moment: datetime, chat: Chat, language: str) -> str:
    """A digest time in the chat's zone: ``3月2日 08:00`` / ``Mar 2, 08:00``."""
    local = moment.astimezone(chat.zone)
    if language == "en":
        return f"{_MONTHS[local.month - 1]} {local.day}, {local:%H:%M}"
    return f"{local.month}月{local.day}日 {local:%H:%M}"


async def _edit_keyboard(
    bot: Bot, message: MaybeInaccessibleMessage, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Redraw a message's keyboard; "message is not modified" (two quick presses that end
    where they began) is fine, and any other refusal only costs the redraw."""
    try:
        await bot.edit_message_reply_markup(
            message.chat.id, message.message_id, reply_markup=keyboard
        )
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            logger.debug("keyboard already up to date")
        else:
            logger.warning("could not redraw the topics keyboard: %s", exc)
    except TelegramError as exc:
        logger.warning("could not redraw the topics keyboard: %s", exc)
