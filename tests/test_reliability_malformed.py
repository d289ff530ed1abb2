"""Malformed content through a running bot's ``/reload``: every case of
tests/fixtures/bad/cases.yaml (bad YAML, wrong types, unknown keys, duplicate ids, invalid and
catastrophic regexes, non-UTF-8, BOM+CRLF, empty, binary, no articles, …) plus a 50 MB page
is dropped into the bot's seeds/ or intents/ and an admin reloads.

What is proven: the admin's reply names ``file:line`` and the plain reason (the same finding
``newsbot check`` reports, tests/test_loader.py); the bot keeps serving its old content,
unchanged, between the cases; the one odd-but-valid case loads.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import yaml
from fakebotapi import FakeBotAPI
from reliability_support import ADMIN, ANSWER, QUESTION, Harness, make_settings, running
from tests_paths import FIXTURES, INTENTS, SEEDS

from bot.service import NewsService
from bot.telegram.deps import BotOptions

BAD = FIXTURES / "bad"
CASES = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))
FAILED = "重新加载失败，继续使用原来的内容"
RELOADED = "已重新加载"


async def reload(bot: Harness) -> str:
    """``/reload`` as the admin; the text of every message of the reply."""
    before = len(bot.fake.sent_messages(ADMIN))
    bot.fake.push_message("/reload", chat_id=ADMIN, user_id=ADMIN)
    await bot.fake.wait_for_messages(ADMIN, before + 1, timeout=60)
    await bot.idle()
    return "\n".join(m["text"] for m in bot.fake.sent_messages(ADMIN)[before:])


async def test_every_bad_input_is_reported_by_reload_and_old_content_keeps_serving(
    tmp_path: Path, cache_dir: Path
) -> None:
    seeds, intents = tmp_path / "seeds", tmp_path / "intents"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(INTENTS, intents)
    service = NewsService(seeds, intents, cache_dir)
    service.load()
    version = service.knowledge.version
    results = []
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir, seeds=seeds, intents=intents)
        async with running(
            fake, service, settings, digests=False, options=BotOptions(flood_limit=0)
        ) as bot:
            huge = {"file": "huge.txt", "into": "seeds", "line": None, "message": "too large"}
            for case in [*CASES, huge]:
                target = seeds if case["into"] == "seeds" else intents
                added = [target / str(case["file"])]
                if case is huge:
                    with added[0].open("wb") as handle:  # 50 MB, sparse
                        handle.seek(50 * 1024 * 1024 - 1)
                        handle.write(b"\n")
                else:
                    shutil.copy(BAD / str(case["file"]), added[0])
                if case.get("with"):
                    added.append(target / str(case["with"]))
                    shutil.copy(BAD / str(case["with"]), added[-1])
                started = time.perf_counter()
                text = await reload(bot)
                seconds = time.perf_counter() - started
                label = f"{target.name}/{case['file']}"
                if case.get("ok"):
                    assert text.startswith(RELOADED), text
                else:
                    assert text.startswith(FAILED), (label, text)
                    where = f"{label}:{case['line']}:" if case["line"] else f"{label}:"
                    found = [ln for ln in text.splitlines() if where in ln]
                    assert found and any(str(case["message"]) in ln for ln in found), (
                        label,
                        text,
                    )
                    assert service.knowledge.version == version  # the old content …
                answer = await bot.reply(QUESTION, chat_id=1001, user_id=1001)
                assert answer["text"].startswith(ANSWER)  # … still answers
                results.append({"file": label, "ok": bool(case.get("ok")), "s": round(seconds, 2)})
                for path in added:
                    path.unlink()
                if case.get("ok"):
                    assert (await reload(bot)).startswith(RELOADED)
                    assert service.knowledge.version == version  # back to the original
            assert "报道没有变化" in await reload(bot)
        assert fake.rejected() == []
    refused = [r for r in results if not r["ok"]]
    assert len(refused) >= 21
    print("MALFORMED-RELOAD", json.dumps({"cases": len(results), "refused": len(refused)}))
