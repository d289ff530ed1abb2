"""Hostile input never crashes the answerer and is handled in bounded time.

`make test` runs a few hundred generated cases; `make fuzz` sets NEWSBOT_FUZZ_EXAMPLES to
10,000 and more.  The Telegram formatter has its own property tests (test_telegram_format).
"""

from __future__ import annotations

import copy
import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer.context import Conversation
from bot.answer.engine import Answerer

EXAMPLES = int(os.environ.get("NEWSBOT_FUZZ_EXAMPLES", "300"))
WORST_CASE_MS = 250.0  # per message, on the 2-core CI machine, including pathological input

HOSTILE = [
    '<b>艾华</b>投资了多少钱？</blockquote>&amp;<a href="javascript:alert(1)">x</a>',
    "'; DROP TABLE chats; -- 艾华集团投资了多少钱",
    "{0}{1}%s%d{__class__.__mro__} 和天电子的董事长是谁",
    "*_`[链接](http://x)`_* __粗体__ ~删除~ ||剧透||",
    "\u202e艾华\u200b集团\u200d投资\ufeff了多少钱\u2066",
    "a" * 100_000,
    "多" * 50_000 + "少钱",
    "(((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))" * 50,
    "艾华" * 20_000,
    "\ud800\udfff孤立代理对",
    "\x00\x01\x07\x1b[31m控制字符",
    "🤖🔥💯" * 500,
    "ｐｃｂ　產業基地排第幾？？？？？？？？",
    "呢呢呢呢呢呢呢呢呢呢" * 100,
    "他们他们他们他们他们" * 100,
]

text_strategy = st.one_of(
    st.text(max_size=500),
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=300),
    st.lists(
        st.sampled_from(
            [
                "艾华",
                "多少",
                "钱",
                "谁",
                "呢",
                "他们",
                "<",
                "&",
                "{0}",
                "%s",
                "\u200b",
                "資陽區",
                "第几",
                "为什么",
                "？",
                "\n",
                "pcb",
            ]
        ),
        max_size=80,
    ).map("".join),
    st.sampled_from(HOSTILE),
)


def check(answerer: Answerer, conversation: Conversation, text: str) -> float:
    started = time.perf_counter()
    answer = answerer.answer(text, conversation)
    elapsed = (time.perf_counter() - started) * 1000
    data = answer.as_dict()
    json.dumps(data, ensure_ascii=False)
    assert isinstance(answer.summary, str) and answer.summary
    if answer.quote is not None:
        assert len(answer.quote) <= 200
        assert answer.source is not None
    return elapsed


def test_known_hostile_messages(answerer: Answerer) -> None:
    conversation = Conversation()
    worst = max(check(answerer, conversation, text) for text in HOSTILE)
    assert worst < WORST_CASE_MS, f"worst case {worst:.1f} ms"


# Hypothesis warns when a generated example's repr passes 30 kB (four long hostile messages
# do); under ``filterwarnings = error`` that warning failed the run for no fault of the bot.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(text_strategy, min_size=1, max_size=4))
def test_generated_conversations(answerer: Answerer, messages: list[str]) -> None:
    conversation = Conversation()
    for text in messages:
        before = copy.deepcopy(conversation)
        elapsed = check(answerer, conversation, text)
        if elapsed >= WORST_CASE_MS:  # a slow input is slow twice; a busy machine once (GC, CI)
            elapsed = min(elapsed, check(answerer, before, text))
        assert elapsed < WORST_CASE_MS, f"{elapsed:.1f} ms for {text[:80]!r}"
