"""Security: the checks docs/security.md lists, each against the real bot (in process or as a
``newsbot run`` process) and the strict fake Bot API.

- the admin gate covers every admin path: each admin command, each admin button (forged data),
  uploads from readers and in groups, inline queries — found by introspecting the features
  ``newsbot run`` wires, so a new admin path cannot be added outside the gate unnoticed;
- group subscription changes need a chat admin, checked on every press, also for forged or
  replayed buttons, and callback data never reaches another chat's settings;
- webhook mode refuses updates without the secret token, and refuses to start without one;
  requests are refused on their headers (secret, size) before a body is read, and an update
  that does not parse is logged without its text;
- the token never appears in logs or error messages, at DEBUG, through every failure; user
  text is not logged at INFO;
- all SQL is parameterised (a static scan of the code);
- uploaded file names are sanitised (traversal, absolute paths, NUL, Unicode tricks).
"""

from __future__ import annotations

import ast
import json
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import FakeBotAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from polling_support import wait_for_port
from reliability_support import (
    ADMIN,
    ANSWER,
    BOT_USERNAME,
    QUESTION,
    free_port,
    make_settings,
    running,
    start_bot,
    stop_bot,
    wait_until,
)
from tests_paths import INTENTS, SECOND_PAGE, SEEDS

from bot.admin.pages import PAGE_SUFFIXES, Rejected, safe_page_name
from bot.service import NewsService
from bot.telegram.admin import AdminFeature
from bot.telegram.deps import BotOptions
from bot.telegram.digests import Digests

ROOT = Path(__file__).resolve().parent.parent
READER = 1001
SECOND_ADMIN = 4343
GROUP = -1007770000001
REFUSAL = "只对编辑（管理员）开放"
GROUP_REFUSAL = "只有管理员"
NEW_PAGE = SECOND_PAGE / "001_second_page.txt"
JSON = dict[str, Any]


@pytest.fixture(scope="module")
def service(cache_dir: Path) -> NewsService:
    news = NewsService(SEEDS, INTENTS, cache_dir)
    news.load()
    return news


def content_copy(tmp_path: Path) -> tuple[Path, Path]:
    seeds, intents = tmp_path / "seeds", tmp_path / "intents"
    import shutil

    shutil.copytree(SEEDS, seeds)
    shutil.copytree(INTENTS, intents)
    for path in seeds.iterdir():
        path.chmod(0o644)
    return seeds, intents


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- the admin gate -------------------------------------------------------------------------


def test_every_admin_path_is_marked_admin_only(service: NewsService, tmp_path: Path) -> None:
    """Structural: whatever the admin feature registers is behind the gate, and no other
    feature registers an admin handler (app.py wraps everything marked ``admin_only``)."""
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, tmp_path)
        from bot.store import AsyncStore, Store

        store = AsyncStore(Store(tmp_path / "s.sqlite3"))
        admin = AdminFeature(settings, service, store).feature()
        digests = Digests(settings, service, store).feature()
        store.store.close()
    assert admin.commands and admin.buttons and admin.messages
    assert all(c.admin_only and not c.groups for c in admin.commands)
    assert all(b.admin_only for b in admin.buttons)
    assert all(m.admin_only for m in admin.messages)
    assert not admin.handlers  # nothing wired around the gate
    for spec in (*digests.commands, *digests.buttons):
        owner = getattr(spec.handler, "__self__", None)
        assert not isinstance(owner, AdminFeature)
        assert not type(owner).__module__.startswith("bot.telegram.admin")


async def test_readers_are_refused_on_every_admin_path(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    seeds, intents = content_copy(tmp_path)
    own = NewsService(seeds, intents, cache_dir)
    own.load()
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir, seeds=seeds, intents=intents)
        async with running(fake, own, settings, options=BotOptions(flood_limit=0)) as bot:
            assert bot.admin is not None
            feature = bot.admin.feature()
            version = own.knowledge.version
            before = tree(seeds)
            # every admin command, from a reader
            for spec in feature.commands:
                reply = await bot.reply(f"/{spec.name}", chat_id=READER, user_id=READER)
                assert REFUSAL in reply["text"], spec.name
            # every admin button, forged by a reader (valid-looking data of each action)
            message = fake.sent_messages(READER)[-1]
            for spec in feature.buttons:
                for data in (f"{spec.action}:1:000000", f"{spec.action}:abcdefgh", spec.action):
                    assert REFUSAL in await bot.toast(message, data, user_id=READER), data
            # uploads: from a reader; in a group from the admin and from a reader
            fake.push_document("page.txt", NEW_PAGE.read_bytes(), chat_id=READER, user_id=READER)
            await fake.wait_for_messages(READER, len(feature.commands) + 1)
            assert REFUSAL in fake.sent_messages(READER)[-1]["text"]
            group = {"chat_id": GROUP, "chat_type": "supergroup", "chat_title": "G"}
            fake.push_document("page.txt", NEW_PAGE.read_bytes(), user_id=ADMIN, **group)
            fake.push_document(
                "page.txt",
                NEW_PAGE.read_bytes(),
                user_id=READER,
                caption=f"@{BOT_USERNAME}",
                **group,
            )
            # admin commands do not exist in groups, not even for admins
            reply = await bot.reply(f"/reload@{BOT_USERNAME}", user_id=ADMIN, **group)
            assert "没有这个命令" in reply["text"]
            # inline mode has no admin path: an admin command as a query is just a question
            for user in (READER, ADMIN):
                for query in ("/reload", "/remove 1", "/stats"):
                    fake.push_inline_query(query, user_id=user)
            await fake.wait_for_calls("answerInlineQuery", 6)
            await bot.idle()
            assert own.knowledge.version == version
            assert tree(seeds) == before
            audit = [(e.user_id, e.action, e.result) for e in await bot.store.audit_log(100)]
            assert all(user == READER and result == "refused" for user, _, result in audit)
            actions = {action for _, action, _ in audit}
            assert {f"/{c.name}" for c in feature.commands} <= actions
            assert {f"button:{b.action}" for b in feature.buttons} <= actions
            assert "upload" in actions
        assert fake.rejected() == []


async def test_an_overwrite_offer_is_only_good_for_the_admin_it_was_made_to(
    tmp_path: Path, cache_dir: Path
) -> None:
    seeds, intents = content_copy(tmp_path)
    own = NewsService(seeds, intents, cache_dir)
    own.load()
    page = next(seeds.glob("*.txt"))
    with FakeBotAPI() as fake:
        settings = make_settings(
            fake,
            tmp_path,
            cache_dir,
            seeds=seeds,
            intents=intents,
            admins=frozenset({ADMIN, SECOND_ADMIN}),
        )
        async with running(fake, own, settings, options=BotOptions(flood_limit=0)) as bot:
            content = page.read_bytes().replace("3700元".encode(), "3800元".encode())
            fake.push_document(page.name, content, chat_id=ADMIN, user_id=ADMIN)
            (offer,) = await fake.wait_for_messages(ADMIN, 1)
            data = [b for row in offer["reply_markup"]["inline_keyboard"] for b in row]
            overwrite = data[0]["callback_data"]
            other = await bot.reply("/stats", chat_id=SECOND_ADMIN, user_id=SECOND_ADMIN)
            reader = await bot.reply(QUESTION, chat_id=READER, user_id=READER)
            assert "失效" in await bot.toast(other, overwrite, user_id=SECOND_ADMIN)
            assert REFUSAL in await bot.toast(reader, overwrite, user_id=READER)
            assert page.read_bytes() != content  # nothing written by either
            saved = await bot.toast(offer, overwrite, user_id=ADMIN)
            assert "失效" not in saved
            await fake.wait_for_messages(ADMIN, 2, timeout=30)
            assert page.read_bytes() == content
            assert "失效" in await bot.toast(offer, overwrite, user_id=ADMIN)  # used once
        assert fake.rejected() == []


# --- group settings and forged callback data ------------------------------------------------


async def test_group_changes_need_a_chat_admin_on_every_press(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    group = {"chat_id": GROUP, "chat_type": "supergroup", "chat_title": "读报群"}
    chat_admin = 5005
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions(flood_limit=0)) as bot:
            fake.set_chat_admins(GROUP, [chat_admin])
            private = await bot.reply("/topics", chat_id=READER, user_id=READER)
            listing = await bot.reply(f"/topics@{BOT_USERNAME}", user_id=READER, **group)
            toggles = [b for row in listing["reply_markup"]["inline_keyboard"] for b in row]
            # a member presses the group's toggles, and replays data from elsewhere on them
            forged = [
                toggles[0]["callback_data"],
                toggles[1]["callback_data"],
                [b for r in private["reply_markup"]["inline_keyboard"] for b in r][2][
                    "callback_data"
                ],
                "t:urban",  # the 订阅 button under answers
                "dt:urban:en",
            ]
            for data in forged:
                assert GROUP_REFUSAL in await bot.toast(listing, data, user_id=READER), data
            assert await bot.store.subscriptions(GROUP) == []
            # the chat admin may; a demoted one may not (checked on every press)
            assert "已订阅" in await bot.toast(listing, "dt:urban:zh", user_id=chat_admin)
            fake.set_chat_admins(GROUP, [])
            assert GROUP_REFUSAL in await bot.toast(listing, "dt:urban:zh", user_id=chat_admin)
            assert await bot.store.subscriptions(GROUP) == ["urban"]
            assert await bot.store.subscriptions(READER) == []  # nothing leaked into private
        assert fake.rejected() == []


async def test_forged_callback_data_never_reaches_another_chat(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """Button data names topics, articles and items, never chats: whatever a user forges on a
    message in their chat acts in that chat (or is refused as expired), never in another."""
    victim = 2002
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions(flood_limit=0)) as bot:
            await bot.reply("/subscribe 城市更新", chat_id=victim, user_id=victim)
            victim_messages = len(fake.sent_messages(victim))
            answer = await bot.reply(QUESTION, chat_id=READER, user_id=READER)
            real = [
                b["callback_data"] for r in answer["reply_markup"]["inline_keyboard"] for b in r
            ]
            rng = random.Random(7)
            actions = ["p", "r", "q", "t", "a", "dt", "dq", "admrm", "admrmy", "admow", "admno"]
            fields = [str(victim), str(-victim), "urban", "electronics", "zh", "0", "-", "ffffff"]
            forged = real + [
                ":".join([rng.choice(actions), *rng.sample(fields, rng.randint(0, 4))])
                for _ in range(60)
            ]
            forged = [f for f in forged if len(f.encode()) <= 64]
            for data in forged:
                fake.push_callback(answer, data, check_button=False, user_id=READER)
            await fake.wait_for_calls("answerCallbackQuery", len(forged), timeout=60)
            await bot.idle()
            assert await bot.store.subscriptions(victim) == ["urban"]
            assert len(fake.sent_messages(victim)) == victim_messages
            assert all(int(m["chat"]["id"]) in (READER, victim) for m in fake.sent_messages())
        assert fake.rejected() == []


# --- webhook secret -------------------------------------------------------------------------


def post_update(port: int, update: JSON, secret: str | None) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hook",
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json"}
        | ({"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def forged_update(update_id: int, chat_id: int, user_id: int, text: str) -> JSON:
    user = {"id": user_id, "is_bot": False, "first_name": "X"}
    chat = {"id": chat_id, "type": "private", "first_name": "X"}
    message = {"message_id": 1, "from": user, "chat": chat, "date": 1_700_000_000, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


async def test_webhook_refuses_updates_without_the_secret(tmp_path: Path, cache_dir: Path) -> None:
    port = free_port()
    with FakeBotAPI() as fake:
        fake.add_chat(ADMIN)
        fake.add_chat(1001)
        hook = ("--webhook-url", f"http://127.0.0.1:{port}/hook", "--port", str(port))
        process = start_bot(fake, tmp_path, cache_dir, *hook, "--secret-token", "s3cret-Token_1")
        try:
            await fake.wait_for(lambda: fake.webhook_url != "", timeout=60, what="setWebhook")
            await wait_for_port(port)
            # A forged "/reload" as the admin, and a forged question: refused without the secret.
            for n, secret in enumerate((None, "", "wrong", "s3cret-token_1", "s3cret-Token_")):
                assert (
                    post_update(port, forged_update(900 + n, ADMIN, ADMIN, "/reload"), secret)
                    == 403
                )
            assert (
                post_update(port, forged_update(950, 1001, 1001, QUESTION), "s3cret-Token_1")
                == 200
            )
            await fake.wait_for_messages(1001, 1, timeout=30)
            assert fake.sent_messages(ADMIN) == []  # no forged /reload ran
        finally:
            assert stop_bot(process, signal.SIGINT) == 0
        assert fake.rejected() == []
    # and webhook mode without a (valid) secret does not start at all
    for extra in ((), ("--secret-token", "has spaces!")):
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run", *hook, *extra],
            env={**clean_env(), "TELEGRAM_BOT_TOKEN": "1:x", "NEWSBOT_DB": str(tmp_path / "x.db")},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2 and "secret token" in result.stderr, result.stderr


def raw_request(port: int, head: str, body: bytes = b"") -> str:
    """Send a request head (and maybe part of a body) and read the answer; a server that waits
    for the rest of a body it should have refused unread times out here."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n" + body)
        try:
            return sock.recv(4096).decode("latin-1")
        except TimeoutError:
            return "(no answer within 5 s)"


def webhook_head(length: int, secret: str | None, path: str = "/hook") -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: bot", "Content-Type: application/json"]
    lines.append(f"Content-Length: {length}")
    if secret is not None:
        lines.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    return "\r\n".join(lines)


async def test_webhook_refuses_before_reading_and_never_logs_update_text(
    tmp_path: Path, cache_dir: Path
) -> None:
    """A stranger's 100 MB POST is refused on its headers — no secret: 403; the right secret
    but over the 1 MiB cap: 413 — without the body being read (PTB's server read up to 100 MB
    first).  An update that does not parse is answered 400 and logged as one short line: no
    text from it (PTB logged the whole update at CRITICAL).  The receiver keeps serving."""
    port = free_port()
    secret = "s3cret-Token_1"
    marker = "用户隐私标记-webhook"
    with FakeBotAPI() as fake:
        fake.add_chat(1001)
        hook = ("--webhook-url", f"http://127.0.0.1:{port}/hook", "--port", str(port))
        process = start_bot(fake, tmp_path, cache_dir, *hook, "--secret-token", secret)
        try:
            await fake.wait_for(lambda: fake.webhook_url != "", timeout=60, what="setWebhook")
            await wait_for_port(port)
            huge = 100_000_000
            began = time.perf_counter()
            assert raw_request(port, webhook_head(huge, None), b"{" * 1000).startswith(
                "HTTP/1.1 403"
            )
            assert raw_request(port, webhook_head(huge, "wrong")).startswith("HTTP/1.1 403")
            assert raw_request(port, webhook_head(huge, secret)).startswith("HTTP/1.1 413")
            refusals_ms = (time.perf_counter() - began) * 1000 / 3
            assert raw_request(port, webhook_head(2, secret, "/other")).startswith("HTTP/1.1 404")
            chat = {"id": 1001, "type": "private"}
            for broken in (
                {"update_id": 7, "message": {"message_id": 1, "date": 1, "chat": marker}},
                {
                    "update_id": 8,
                    "message": {
                        "message_id": 1,
                        "date": 1,
                        "chat": chat,
                        "text": marker,
                        "entities": [{"type": "bold"}],
                    },
                },
            ):
                body = json.dumps(broken, ensure_ascii=False).encode()
                answer = raw_request(port, webhook_head(len(body), secret), body)
                assert answer.startswith("HTTP/1.1 400"), answer
            assert post_update(port, forged_update(950, 1001, 1001, QUESTION), secret) == 200
            await fake.wait_for_messages(1001, 1, timeout=30)
        finally:
            assert stop_bot(process, signal.SIGINT) == 0
        assert fake.rejected() == []
    text = (tmp_path / "run-0.err").read_text(encoding="utf-8")
    assert marker not in text
    assert "webhook update 7 could not be parsed" in text
    assert "webhook update 8 could not be parsed" in text
    assert "CRITICAL" not in text
    print("WEBHOOK-REFUSAL", json.dumps({"claimed_bytes": huge, "ms": round(refusals_ms, 1)}))


def clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "TELEGRAM_"))}


# --- the token and user text in logs --------------------------------------------------------


TOKEN = "987654321:AAHsecretPartOfTheTokenNeverToBeSeen_x"
SECRET_HALF = TOKEN.split(":", 1)[1]


async def test_the_token_never_appears_in_logs_or_errors(tmp_path: Path, cache_dir: Path) -> None:
    """A full run at DEBUG through every failure the fake can produce, an upload (the file URL
    carries the token too), a failed reload and hostile input: the secret part of the token is
    in no log line, no message and no error text; at INFO no user text is logged either."""
    seeds, intents = content_copy(tmp_path)
    marker = "用户隐私标记"
    plans = {  # (getUpdates faults, sendMessage faults); getUpdates back-off costs seconds
        "DEBUG": (("502", "409"), ("500", "reset", "403", "timeout")),
        "INFO": ((), ("500", "403")),
    }
    for level, (poll_faults, send_faults) in plans.items():
        with FakeBotAPI(token=TOKEN, timeout_fault_delay=7) as fake:
            fake.add_chat(ADMIN)
            process = start_bot(
                fake, tmp_path, cache_dir, seeds=seeds, intents=intents, level=level
            )
            try:
                await fake.wait_for_calls("getUpdates", timeout=60)
                for kind in poll_faults:
                    fake.fail_next("getUpdates", kind, retry_after=1)
                for kind in send_faults:
                    fake.fail_next("sendMessage", kind, chat_id=3000 + len(kind))
                    fake.push_message(
                        f"{marker} {QUESTION}", chat_id=3000 + len(kind), user_id=3000 + len(kind)
                    )
                fake.fail_next("getFile", "500")
                fake.push_document("x.txt", NEW_PAGE.read_bytes(), chat_id=ADMIN, user_id=ADMIN)
                fake.push_document("y.txt", NEW_PAGE.read_bytes(), chat_id=ADMIN, user_id=ADMIN)
                (intents / "broken.yaml").write_text(
                    f"version: 1\nintents: {marker}\n", encoding="utf-8"
                )
                fake.push_message("/reload", chat_id=ADMIN, user_id=ADMIN)
                fake.push_message(f"{marker}<b>&{{0}}%s", chat_id=1001, user_id=1001)
                fake.push_inline_query(f"{marker} {QUESTION}")
                await fake.wait_for_messages(1001, 1, timeout=60)
                await fake.wait_for_messages(ADMIN, 3, timeout=60)
                injected = len(send_faults) + 1  # and getFile's

                def all_injected(fake: FakeBotAPI = fake, injected: int = injected) -> bool:
                    return len([r for r in fake.requests if r.fault]) >= injected

                await wait_until(all_injected, "the faults", 30)
                (intents / "broken.yaml").unlink()
            finally:
                assert stop_bot(process) == 0
            for message in fake.sent_messages():
                assert SECRET_HALF not in json.dumps(message, ensure_ascii=False)
    for path in tmp_path.glob("run-*"):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert SECRET_HALF not in text, path.name
    debug, info = ((tmp_path / f"run-{n}.err").read_text(encoding="utf-8") for n in (0, 1))
    assert "<token>" in debug  # the redaction ran (PTB logs the API URL at DEBUG)
    assert marker in debug  # DEBUG shows updates (so the marker test below means something)
    assert marker not in info  # no user text at INFO
    # start-up failures: a token the API refuses, an API that is not there
    with FakeBotAPI() as fake:
        for api in (fake.base_url, f"http://127.0.0.1:{free_port()}/bot"):
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    "--seeds",
                    str(seeds),
                    "--intents",
                    str(intents),
                ],
                env={
                    **clean_env(),
                    "TELEGRAM_BOT_TOKEN": TOKEN,
                    "NEWSBOT_API_URL": api,
                    "NEWSBOT_DB": str(tmp_path / "other.sqlite3"),
                    "NEWSBOT_CACHE": str(cache_dir),
                    "NEWSBOT_LOG_LEVEL": "DEBUG",
                },
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert result.returncode in (1, 2), result.stderr[-2000:]
            assert SECRET_HALF not in result.stderr + result.stdout
            assert "newsbot run:" in result.stderr


# --- SQL ------------------------------------------------------------------------------------


def _execute_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "executemany", "executescript")
        ):
            yield node


class _Static:
    """Is an expression built only from string literals and module constants — never from a
    value that arrives at run time?  A name is followed to where it comes from: a module
    constant, a local assigned only static values, a loop over static values, or a parameter
    that every caller in the module fills with a static value.  f-string parts formatted as
    integers (``:d``) count as static: they cannot carry SQL."""

    def __init__(self, module: ast.Module, others: list[_Static] | None = None) -> None:
        self.module = module
        self.others = others if others is not None else []  # where callers may live
        self.constants: dict[str, ast.expr] = {}
        for node in module.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    self.constants[target.id] = node.value
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value is not None
            ):
                self.constants[node.target.id] = node.value
        self.functions = [f for f in ast.walk(module) if isinstance(f, ast.FunctionDef)]
        self._seen: set[tuple[str, str]] = set()

    def check(self, node: ast.expr, scope: ast.FunctionDef | None) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str | int)
        if isinstance(node, ast.Name):
            return self._name(node.id, scope)
        if isinstance(node, ast.JoinedStr):
            return all(self.check(value, scope) for value in node.values)
        if isinstance(node, ast.FormattedValue):
            spec = node.format_spec
            as_int = (
                isinstance(spec, ast.JoinedStr)
                and len(spec.values) == 1
                and isinstance(spec.values[0], ast.Constant)
                and spec.values[0].value == "d"
            )
            return as_int or self.check(node.value, scope)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.check(node.left, scope) and self.check(node.right, scope)
        if isinstance(node, ast.Dict):  # a table of literal statements, looked up by name
            return all(v is not None and self.check(v, scope) for v in node.values)
        if isinstance(node, ast.Tuple | ast.List):
            return all(self.check(e, scope) for e in node.elts)
        if isinstance(node, ast.Subscript):
            return self.check(node.value, scope)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return node.func.id in ("tuple", "Migration", "len") and all(
                self.check(a, scope) for a in node.args
            )
        return False

    def _name(self, name: str, scope: ast.FunctionDef | None) -> bool:
        if scope is not None:
            params = [a.arg for a in scope.args.args]
            loops = [
                n.iter
                for n in ast.walk(scope)
                if isinstance(n, ast.For)
                and isinstance(n.target, ast.Name)
                and n.target.id == name
            ]
            assigned = [
                n.value
                for n in ast.walk(scope)
                if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
            ]
            if loops or assigned:
                return all(self.check(v, scope) for v in (*loops, *assigned))
            if name in params:
                return self._callers(scope, name)
        if name in self.constants:
            return self.check(self.constants[name], None)
        return False

    def _callers(self, function: ast.FunctionDef, parameter: str) -> bool:
        """Every call of ``function`` in the module passes a static ``parameter`` (its
        default counts when a call leaves it out)."""
        key = (function.name, parameter)
        if key in self._seen:
            return True  # recursion: judged by the other callers
        self._seen.add(key)
        names = [a.arg for a in function.args.args]
        position = names.index(parameter) - (1 if names and names[0] in ("self", "cls") else 0)
        defaults = dict(zip(reversed(names), reversed(function.args.defaults), strict=False))
        calls = [
            (where, n)
            for where in {id(m): m for m in (self, *self.others)}.values()
            for n in ast.walk(where.module)
            if isinstance(n, ast.Call)
            and (
                (isinstance(n.func, ast.Attribute) and n.func.attr == function.name)
                or (isinstance(n.func, ast.Name) and n.func.id == function.name)
            )
        ]
        if not calls:
            return False
        for where, call in calls:
            value = next((k.value for k in call.keywords if k.arg == parameter), None)
            if value is None and position < len(call.args):
                ok = where.check(call.args[position], where._scope_of(call))
            elif value is not None:
                ok = where.check(value, where._scope_of(call))
            else:  # left out: the default, in the function's own module
                default = defaults.get(parameter)
                ok = default is not None and self.check(default, None)
            if not ok:
                return False
        return True

    def _scope_of(self, node: ast.AST) -> ast.FunctionDef | None:
        """The innermost function containing ``node``."""
        best = None
        for function in self.functions:
            if any(n is node for n in ast.walk(function)) and (
                best is None or any(f is function for f in ast.walk(best))
            ):
                best = function
        return best


def test_all_sql_is_parameterised() -> None:
    """Every ``execute`` in bot/ gets SQL built only from literals and constants, so values
    always travel as ``?`` parameters; a string-formatted value anywhere fails this test."""
    checked = 0
    everything: list[_Static] = []
    scanned = {
        path: _Static(ast.parse(path.read_text(encoding="utf-8")), everything)
        for path in sorted((ROOT / "bot").rglob("*.py"))
    }
    everything.extend(scanned.values())
    for path, static in scanned.items():
        for call in _execute_calls(static.module):
            checked += 1
            assert call.args and static.check(call.args[0], static._scope_of(call)), (
                f"{path.relative_to(ROOT)}:{call.lineno}: SQL built from a run-time value"
            )
    assert checked >= 40  # the scan really saw the store's statements


def test_the_sql_scan_catches_formatted_values() -> None:
    bad = [
        "def f(conn, name):\n    conn.execute(f'SELECT * FROM t WHERE n = {name}')\n",
        "def f(conn, name):\n    conn.execute('SELECT * FROM t WHERE n = %s' % name)\n",
        "def f(conn, name):\n    conn.execute('SELECT * FROM t WHERE n = {}'.format(name))\n",
        "def f(conn, name):\n    conn.execute('SELECT ' + name)\n",
        "def f(conn, name):\n    q = 'SELECT ' + name\n    conn.execute(q)\n",
        "def g(conn, q):\n    conn.execute(q)\ndef h(conn, x):\n    g(conn, x)\n",
    ]
    good = [
        "Q = 'SELECT 1'\ndef f(conn, n):\n    conn.execute(Q + ' WHERE n = ?', (n,))\n",
        "def f(conn, n):\n    conn.execute(f'PRAGMA user_version = {n + 1:d}')\n",
        "def g(conn, q):\n    conn.execute(q)\ndef h(conn):\n    g(conn, 'SELECT 1')\n",
    ]
    for source in bad + good:
        module = ast.parse(source)
        static = _Static(module)
        (call,) = _execute_calls(module)
        assert static.check(call.args[0], static._scope_of(call)) == (source in good), source


# --- upload names ---------------------------------------------------------------------------


TRICKS = [
    "../../etc/passwd.txt",
    "/etc/passwd.txt",
    "..\\..\\boot.ini.txt",
    "C:\\Windows\\x.txt",
    "x.txt\x00.md",
    "..／..／x.txt",  # full-width solidus
    "\u202etxt.md",  # right-to-left override: shows as "dm.txt"
    "x.tx\u200bt",  # zero-width space in the extension
    "ｘ．ｔｘｔ",  # full-width dot: no extension at all
    "\u2024\u2024/x.txt",  # one-dot leaders
    ".bashrc.txt",
    "....txt",
    "CON.txt",
    "a" * 1000 + ".md",
    "页面\u0301\u0301.md",
    "~/.ssh/authorized_keys.txt",
    "%2e%2e%2fx.txt",
    "x.txt/",
    " .txt",
    "\udc00.txt",
]


def assert_safe(name: str) -> None:
    seeds = Path("/srv/newsbot/seeds")
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and ".." not in name
    assert Path(name).suffix in PAGE_SUFFIXES
    assert (seeds / name).parent == seeds and (seeds / name).name == name
    assert len(name.encode("utf-8", "surrogatepass")) <= 255
    stem = name[: -len(Path(name).suffix)]
    assert all(ch.isalnum() or ch in "_.-" for ch in stem), name
    name.encode("utf-8")  # no lone surrogates


@pytest.mark.parametrize("raw", TRICKS)
def test_upload_name_tricks_are_refused_or_made_safe(raw: str) -> None:
    try:
        name = safe_page_name(raw)
    except Rejected:
        return
    assert_safe(name)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["", ".txt", ".md", ".TXT", ".yaml", "/.txt"]))
def test_any_upload_name_is_refused_or_safe(raw: str, suffix: str) -> None:
    try:
        name = safe_page_name(raw + suffix)
    except Rejected:
        return
    assert_safe(name)


async def test_uploads_with_tricky_names_never_write_outside_seeds(
    tmp_path: Path, cache_dir: Path
) -> None:
    seeds, intents = content_copy(tmp_path)
    own = NewsService(seeds, intents, cache_dir)
    own.load()
    outside = tree(tmp_path)
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir, seeds=seeds, intents=intents)
        async with running(fake, own, settings, options=BotOptions(flood_limit=0)) as bot:
            for n, raw in enumerate(TRICKS[:12]):
                fake.push_document(raw, NEW_PAGE.read_bytes(), chat_id=ADMIN, user_id=ADMIN)
                await fake.wait_for_messages(ADMIN, n + 1, timeout=30)
            await bot.idle()
            answer = await bot.reply(QUESTION, chat_id=READER, user_id=READER)
            assert answer["text"].startswith(ANSWER)
        assert fake.rejected() == []
    written = [p for p in tree(seeds) if p not in tree(SEEDS) and not p.startswith(".trash")]
    for name in written:
        assert_safe(name)
    new_elsewhere = [
        p
        for p in tree(tmp_path)
        if p not in outside and not p.startswith(("seeds", "bot.sqlite3"))
    ]
    assert new_elsewhere == []
