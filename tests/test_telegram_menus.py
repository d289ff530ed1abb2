"""Command menus against FakeBotAPI: an admin's own menu (with the admin commands) is set at
start only for admins the bot has a chat with, and otherwise on their first message — so a
fresh deployment whose admins have not opened the bot yet sends nothing Telegram refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fakebotapi import FakeBotAPI
from polling_support import polling
from tests_paths import INTENTS, SEEDS

from bot.config import Settings
from bot.service import NewsService
from bot.store import AsyncStore, Store
from bot.telegram.admin import AdminFeature, AdminOptions
from bot.telegram.app import build_application
from bot.telegram.deps import BotOptions

ADMIN = 4242
ADMIN_COMMANDS = {"reload", "remove", "stats", "unanswered"}
Prepare = Callable[[FakeBotAPI, Store], None]


def admin_menu(fake: FakeBotAPI, language_code: str = "") -> set[str]:
    scope = {"type": "chat", "chat_id": ADMIN}
    return {c["command"] for c in fake.commands(scope, language_code)}


def admin_menu_calls(fake: FakeBotAPI) -> list[dict[str, object]]:
    return [c for c in fake.calls("setMyCommands") if "scope" in c]


@asynccontextmanager
async def running(
    tmp_path: Path, cache_dir: Path, prepare: Prepare | None = None
) -> AsyncIterator[FakeBotAPI]:
    service = NewsService(SEEDS, INTENTS, cache_dir)
    service.load()
    db = tmp_path / "bot.sqlite3"
    with FakeBotAPI() as fake:
        store = Store(db)
        if prepare is not None:
            prepare(fake, store)
        settings = Settings(
            seeds=SEEDS,
            intents=INTENTS,
            db=db,
            cache_dir=cache_dir,
            admins=frozenset({ADMIN}),
            api_url=fake.base_url,
            file_url=fake.base_file_url,
            token=fake.token,
        )
        astore = AsyncStore(store)
        admin = AdminFeature(settings, service, astore, AdminOptions())
        app = build_application(
            settings, service, store=astore, features=[admin.feature()], options=BotOptions()
        )
        try:
            async with polling(app):
                yield fake
        finally:
            await astore.aclose()


async def test_an_admin_who_never_opened_the_bot_gets_the_menu_on_the_first_message(
    tmp_path: Path, cache_dir: Path
) -> None:
    async with running(tmp_path, cache_dir) as fake:
        assert fake.commands()  # everyone's menu is set at start
        assert admin_menu_calls(fake) == []  # no chat with the admin yet: nothing tried
        fake.push_message("/start", chat_id=ADMIN, user_id=ADMIN)
        await fake.wait_for_messages(ADMIN, 1)
        # set before the reply (group -1), in both languages
        assert admin_menu(fake) >= ADMIN_COMMANDS
        assert admin_menu(fake, "en") >= ADMIN_COMMANDS
        fake.push_message("/help", chat_id=ADMIN, user_id=ADMIN)
        await fake.wait_for_messages(ADMIN, 2)
        assert len(admin_menu_calls(fake)) == 2  # once per language, not once per message
        assert fake.rejected() == []


async def test_an_admin_the_store_knows_gets_the_menu_at_start(
    tmp_path: Path, cache_dir: Path
) -> None:
    def prepare(fake: FakeBotAPI, store: Store) -> None:
        fake.add_chat(ADMIN)
        store.upsert_chat(ADMIN, "private", language="zh")

    async with running(tmp_path, cache_dir, prepare) as fake:
        assert admin_menu(fake) >= ADMIN_COMMANDS
        assert admin_menu(fake, "en") >= ADMIN_COMMANDS
        assert fake.rejected() == []


async def test_a_chat_telegram_no_longer_has_waits_for_the_next_message(
    tmp_path: Path, cache_dir: Path
) -> None:
    def prepare(fake: FakeBotAPI, store: Store) -> None:
        store.upsert_chat(ADMIN, "private", language="zh")  # known here, unknown to the server

    async with running(tmp_path, cache_dir, prepare) as fake:
        refused = [(method, error) for method, _, error in fake.rejected()]
        assert refused == [("setMyCommands", "Bad Request: chat not found")]  # one, not two
        assert len(admin_menu_calls(fake)) == 1
        fake.push_message("/start", chat_id=ADMIN, user_id=ADMIN)
        await fake.wait_for_messages(ADMIN, 1)
        assert admin_menu(fake) >= ADMIN_COMMANDS


async def test_a_message_in_a_group_does_not_set_the_menu(tmp_path: Path, cache_dir: Path) -> None:
    """The admin's menu is scoped to their private chat: a group message proves nothing about
    it (Telegram would refuse the call if they never opened the bot), so it waits."""
    async with running(tmp_path, cache_dir) as fake:
        fake.push_message("/help", chat_id=-500, user_id=ADMIN, chat_type="group")
        await fake.wait_for_messages(-500, 1)
        assert admin_menu_calls(fake) == []
        fake.push_message("/help", chat_id=ADMIN, user_id=ADMIN)
        await fake.wait_for_messages(ADMIN, 1)
        assert admin_menu(fake) >= ADMIN_COMMANDS
        assert fake.rejected() == []
