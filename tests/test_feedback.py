"""The feedback loop, end to end: 👍/👎 under answers through the real Application against
FakeBotAPI, the store's ratings table, the editors' queue (declined + 👎, grouped), and the
round trip an editor makes: ``newsbot unanswered --export`` → ``newsbot eval`` fails → add a
synonym → the same file passes.  Real SQLite files, real jieba, no mocks.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from fakebotapi import FakeBotAPI
from test_telegram_e2e import QUESTION, data_of, labels, make_settings, running, service

from bot.admin.questions import group_questions
from bot.cli import main
from bot.evaluate import evaluate, load_questions
from bot.service import NewsService
from bot.store import Store
from bot.store.errors import InvalidArgumentError

ROOT = Path(__file__).resolve().parent.parent
__all__ = ["service"]  # the module-scoped NewsService fixture, shared with the e2e tests
MISSING = "AIHUA投资了多少钱？"  # declined: nothing says AIHUA is 艾华集团 until an editor does


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2024, 3, 1, 1, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_ratings_keep_text_for_thumbs_down_only(tmp_path: Path) -> None:
    clock = Clock()
    with Store(tmp_path / "s.sqlite3", clock=clock) as store:
        store.record_question(7, QUESTION, True, "ask_amount", 0.9, 1.0, "0123456789")
        declined = store.record_question(7, MISSING, False, "ask_amount", 0.1, 1.0)
        answered = "0123456789"
        assert store.rate(answered, 7, 70, 1, QUESTION)
        assert store.editor_queue(clock.now - dt.timedelta(days=1), 10)[0].reason == "declined"
        clock.now += dt.timedelta(minutes=5)
        assert store.rate(answered, 7, 71, -1, QUESTION)
        assert not store.rate(answered, 8, 71, -1, QUESTION)  # another chat: forged data
        assert not store.rate("ffffffffff", 7, 71, -1, "x")  # no such question
        with pytest.raises(InvalidArgumentError):
            store.rate(answered, 7, 71, 0, None)
        assert store.ratings(clock.now - dt.timedelta(days=1)) == (1, 1)
        queue = store.editor_queue(clock.now - dt.timedelta(days=1), 10)
        assert [(q.question, q.reason) for q in queue] == [
            (QUESTION, "disliked"),
            (MISSING, "declined"),
        ]
        assert store.rate(answered, 7, 71, 1, QUESTION)  # changed their mind: 👍 replaces 👎
        assert store.ratings(clock.now - dt.timedelta(days=1)) == (2, 0)
        assert [q.id for q in store.editor_queue(clock.now - dt.timedelta(days=1), 10)] == [
            declined
        ]
        clock.now += dt.timedelta(days=30)
        store.prune(clock.now - dt.timedelta(days=1))
        assert store.ratings(dt.datetime(2000, 1, 1, tzinfo=dt.UTC)) == (0, 0)


async def test_thumbs_down_reaches_the_editors_queue_and_the_export_round_trip(
    service: NewsService, tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings) as bot:
            answer = await bot.reply(QUESTION)
            assert labels(answer)[-2:] == ["👍 有用", "👎 不对"]
            up, down = data_of(answer, "👍 有用"), data_of(answer, "👎 不对")
            assert up.startswith("f:") and QUESTION not in up and len(down.encode()) <= 64
            token = up.split(":")[1]
            await fake.wait_for(lambda: logged(settings.db, token), what="the question row")
            fake.push_callback(answer, down)
            await fake.wait_for_calls("answerCallbackQuery", 1)  # in order: updates run at once
            fake.push_callback(answer, "f:abcdef0123:d", check_button=False)  # forged data
            toasts = await fake.wait_for_calls("answerCallbackQuery", 2)
            assert [t.get("text") for t in toasts] == [
                "谢谢，已转给编辑核对。",
                "这个按钮已失效（内容可能已更新），请重新提问。",
            ]
            decline = await bot.reply(MISSING)
            assert decline["text"].startswith("抱歉")
            assert "👍 有用" not in labels(decline)  # declines queue themselves
            again = await bot.reply("AIHUA投资了多少钱")
            assert again["text"].startswith("抱歉")
            await bot.settle()
        assert fake.rejected() == []

    with Store(settings.db) as store:
        queue = store.editor_queue(dt.datetime.now(dt.UTC) - dt.timedelta(days=1), 50)
    groups = group_questions(queue)
    assert [(g.question, g.count, g.disliked) for g in groups[:2]] == [
        ("AIHUA投资了多少钱", 2, 0),
        (QUESTION, 1, 1),
    ]

    export = tmp_path / "queue.yaml"
    assert main(["--db", str(settings.db), "unanswered", "--export", str(export)]) == 0
    printed = capsys.readouterr().out
    assert "2×  👎0" in printed and "also: AIHUA投资了多少钱？" in printed
    assert "1×  👎1" in printed and QUESTION in printed
    text = export.read_text(encoding="utf-8")
    assert text.startswith("# Questions readers asked")
    items = yaml.safe_load(text)
    assert {item["expect"] for item in items} == {"any"}
    assert [item["q"] for item in items][:2] == ["AIHUA投资了多少钱", MISSING]

    aihua = [i for i in load_questions(export) if "AIHUA" in i.question]
    before = evaluate(aihua, loaded(ROOT / "intents", cache_dir), "x")
    assert [r.right for r in before.results] == [False, False]

    intents = tmp_path / "intents"  # the editor's fix: one synonym
    shutil.copytree(ROOT / "intents", intents)
    synonyms = intents / "synonyms.yaml"
    original = synonyms.read_text(encoding="utf-8")
    fixed = original.replace("  艾华集团: [艾华, ", "  艾华集团: [AIHUA, 艾华, ")
    assert fixed != original
    synonyms.write_text(fixed, encoding="utf-8")
    after = evaluate(aihua, loaded(intents, cache_dir), "x")
    assert [r.right for r in after.results] == [True, True]
    assert all("4.56亿元" in (r.answer.quote or "") for r in after.results)


def loaded(intents: Path, cache_dir: Path) -> NewsService:
    news = NewsService(ROOT / "seeds", intents, cache_dir)
    news.load()
    return news


def logged(db: Path, token: str) -> bool:
    """Has the bot written the question with this token (after its reply)?"""
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute("SELECT count(*) FROM questions WHERE token = ?", (token,)).fetchone()
    return bool(row[0])
