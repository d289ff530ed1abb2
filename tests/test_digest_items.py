"""Digest items, digest building, the message plan, the text renderer, topic matching, the CLI.

Everything here is pure over a Knowledge snapshot (built once per session by conftest) and a
copy of the seeds with one sentence edited; no database and no event loop.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_digest_support import EDITED_ARTICLE, EDITED_ITEM, INTENTS, ROOT, SEEDS, variant

from bot.cli import main
from bot.content.model import Article, ArticleHead
from bot.digest import (
    Digest,
    DigestEntry,
    DigestItem,
    ItemTooLargeError,
    MessageLayout,
    Notice,
    TopicGroup,
    UnknownTopicError,
    build_digest,
    catalog_for,
    find_topic,
    make_item_id,
    match_topic,
    new_subscriber_digest,
    parse_item_id,
    plan_messages,
    render_notice_text,
    render_text,
    text_layout,
)
from bot.digest.items import MAX_FACT_CHARS, MAX_FACTS, MAX_SUMMARY_CHARS, ItemDetails
from bot.digest.text import say, text_size
from bot.knowledge.build import Knowledge, build_knowledge
from bot.rules.model import Responses, Topic
from bot.text.wellformed import is_wellformed


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Knowledge:
    return variant("changed", tmp_path_factory.getbasetemp(), cache_dir)


def all_topics(knowledge: Knowledge) -> list[str]:
    return [t.id for t in knowledge.rules.topics]


# -- items -----------------------------------------------------------------------------------


def test_item_ids_and_hashes_are_stable_across_rebuilds(
    knowledge: Knowledge, cache_dir: Path
) -> None:
    again = build_knowledge(SEEDS, INTENTS, cache_dir)
    assert again is not knowledge
    first, second = catalog_for(knowledge), catalog_for(again)
    assert first is not second
    assert first.item_ids == second.item_ids
    assert [first.key(i) for i in first.item_ids] == [second.key(i) for i in second.item_ids]
    assert len(first) == sum(len(a.sections) for a in knowledge.articles) > 0


def test_a_changed_section_changes_its_hash_only(knowledge: Knowledge, changed: Knowledge) -> None:
    old, new = catalog_for(knowledge), catalog_for(changed)
    assert old.item_ids == new.item_ids  # same ids: the article id survives the edit
    differing = [i for i in old.item_ids if old.item_hash(i) != new.item_hash(i)]
    assert differing == [EDITED_ITEM]


def test_item_ids_round_trip() -> None:
    assert make_item_id("02d9191c9d", 3) == "02d9191c9d:3"
    assert parse_item_id("02d9191c9d:3") == ("02d9191c9d", 3)
    for bad in ("", "abc", ":3", "abc:", "abc:x", "abc:-1"):
        assert parse_item_id(bad) is None
    assert len(make_item_id("02d9191c9d", 12).encode()) <= 24  # fits in callback data


def test_items_carry_title_summary_facts_question_and_topics(knowledge: Knowledge) -> None:
    catalog = catalog_for(knowledge)
    for item_id in catalog.item_ids:
        item = catalog.item(item_id)
        assert item.item_id == item_id and item.key == catalog.key(item_id)
        assert item.article_title and item.summary and item.question
        assert "\n" not in item.summary and len(item.summary) <= MAX_SUMMARY_CHARS
        assert len(item.facts) <= MAX_FACTS
        for fact in item.facts:
            assert fact.fact and fact.context and len(fact.label) <= MAX_FACT_CHARS
        assert item.topics == knowledge.topics.by_section[parse_item_id(item_id) or ("", 0)]
        assert catalog.item(item_id) is item  # memoised
    rich = catalog.item("02d9191c9d:1")
    assert rich.section_heading == "从一枝独秀到“三足鼎立”"
    labels = [f.label for f in rich.facts]
    assert any("120亿元" in label for label in labels)  # the biggest amount leads
    assert sorted(f.kind for f in rich.facts) == ["money", "percent", "rank"]  # kinds take turns
    assert rich.question.endswith("？")


def test_the_question_is_one_the_bot_answers_from_that_section(knowledge: Knowledge) -> None:
    from bot.answer.engine import Answerer

    answerer = Answerer(knowledge)
    item = catalog_for(knowledge).item("02d9191c9d:2")
    answer = answerer.answer(item.question)
    assert answer.answered and answer.source is not None
    assert answer.source.article_id == "02d9191c9d"


# -- building digests ------------------------------------------------------------------------


def test_a_new_subscription_gets_the_topics_current_items(knowledge: Knowledge) -> None:
    digest = new_subscriber_digest(knowledge, "electronics")
    expected = [make_item_id(a, i) for a, i in knowledge.topics.by_topic["electronics"]]
    assert [item.item_id for item in digest.items] == expected
    assert [g.topic.id for g in digest.groups] == ["electronics"]
    assert digest.keys == tuple(catalog_for(knowledge).key(i) for i in expected)


def test_the_second_digest_is_empty(knowledge: Knowledge) -> None:
    first = build_digest(knowledge, ["electronics", "urban"], {})
    second = build_digest(knowledge, ["electronics", "urban"], dict(first.keys))
    assert len(first) > 0 and second.empty and len(second) == 0


def test_an_item_in_two_topics_is_listed_once_under_the_first(knowledge: Knowledge) -> None:
    digest = build_digest(knowledge, ["innovation", "electronics", "policy"], {})
    ids = [item.item_id for item in digest.items]
    assert len(ids) == len(set(ids))
    order = [g.topic.id for g in digest.groups]
    assert order == [t for t in all_topics(knowledge) if t in order]  # the rules' order
    assert order[0] == "electronics"  # first in topics.yaml, though subscribed second
    electronics = {i.item_id for i in digest.groups[0].items}
    assert "02d9191c9d:1" in electronics  # tagged electronics and innovation
    for group in digest.groups:
        positions = [catalog_for(knowledge).position(i.item_id) for i in group.items]
        assert positions == sorted(positions)  # article, then section order
    union = {
        make_item_id(a, i)
        for t in ("innovation", "electronics", "policy")
        for a, i in knowledge.topics.by_topic[t]
    }
    assert set(ids) == union


def test_a_changed_section_is_pending_again_once(knowledge: Knowledge, changed: Knowledge) -> None:
    delivered = dict(build_digest(knowledge, ["electronics"], {}).keys)
    again = build_digest(changed, ["electronics"], delivered)
    assert [item.item_id for item in again.items] == [EDITED_ITEM]
    delivered.update(again.keys)
    assert build_digest(changed, ["electronics"], delivered).empty


def test_one_entry_per_article_under_the_topic_its_title_names(knowledge: Knowledge) -> None:
    digest = build_digest(knowledge, all_topics(knowledge), {})
    home = {e.title: g.topic.id for g in digest.groups for e in g.entries}
    assert home["海关“自报享惠”改革业务在湘实施"] == "trade"  # not 电子元器件, though tagged so
    assert home["益阳：鱼米之乡量产高端“工业大米”"] == "electronics"  # 工业大米 ↔ MLCC
    assert len(home) == len(knowledge.articles)
    (yiyang,) = [e for e in digest.entries if e.title.startswith("益阳")]
    assert [i.section_index for i in yiyang.items] == [0, 1, 2, 3]  # all its sections, once
    for limit in (200, 300, 4096):
        plan = plan_messages(digest, text_layout(knowledge.rules.responses, "zh", limit))
        where: dict[str, set[int]] = {}
        for message in plan:
            for item in message.items:
                where.setdefault(item.article_id, set()).add(message.index)
        assert all(len(messages) == 1 for messages in where.values())  # never split


def test_unknown_subscriptions_are_ignored(knowledge: Knowledge) -> None:
    digest = build_digest(knowledge, ["gone", "trade"], {})
    assert [g.topic.id for g in digest.groups] == ["trade"]
    assert digest.subscribed == ("gone", "trade")
    assert build_digest(knowledge, ["gone"], {}).empty


# -- the message plan ------------------------------------------------------------------------

TOPICS = [Topic(f"t{n}", f"话题{n}", f"Topic {n}", ("k",)) for n in range(4)]


def fake_item(n: int) -> DigestItem:
    return DigestItem(
        f"a{n}:0",
        f"h{n}",
        f"a{n}",
        0,
        f"标题{n}",
        None,
        "摘要",
        ItemDetails((), "问题？"),
        ("t0",),
        "seeds/x.txt",
        n,
    )


def fake_digest(sizes: list[list[int]]) -> tuple[Digest, dict[str, int]]:
    size_of: dict[str, int] = {}
    groups = []
    counter = 0
    for topic, group_sizes in zip(TOPICS, sizes, strict=False):
        items = []
        for size in group_sizes:
            item = fake_item(counter)
            size_of[item.item_id] = size
            items.append(item)
            counter += 1
        if items:
            groups.append(TopicGroup(topic, tuple(DigestEntry.of_item(i) for i in items)))
    return Digest(tuple(groups), "v", tuple(t.id for t in TOPICS)), size_of


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.lists(st.integers(1, 400), max_size=12), min_size=1, max_size=4),
    limit=st.integers(50, 1200),
    header=st.integers(0, 40),
    continued_extra=st.integers(0, 20),
    overhead=st.integers(0, 40),
    max_messages=st.one_of(st.none(), st.integers(1, 5)),
)
def test_the_plan_never_exceeds_the_limit(
    sizes: list[list[int]],
    limit: int,
    header: int,
    continued_extra: int,
    overhead: int,
    max_messages: int | None,
) -> None:
    digest, size_of = fake_digest(sizes)
    layout = MessageLayout(
        limit=limit,
        item_size=lambda item: size_of[item.item_id],
        header_size=lambda topic, continued: header + (continued_extra if continued else 0),
        overhead=overhead,
    )
    budget = limit - overhead
    try:
        plan = plan_messages(digest, layout, max_messages=max_messages)
    except ItemTooLargeError as exc:
        # only for an item that cannot fit under its heading even in an empty message
        assert exc.size > budget and header + continued_extra + size_of[exc.item_id] > budget
        return
    if max_messages is None:
        fits = [header + s <= budget for s in size_of.values()]
        assert all(fits)  # otherwise the plan had to refuse it
    planned = [i.item_id for i in plan.items]
    everything = [i.item_id for i in digest.items]
    assert planned + list(plan.deferred) == everything  # order kept, no loss
    assert len(planned) == len(set(planned))
    if max_messages is None:
        assert not plan.deferred
    else:
        assert len(plan) <= max_messages
    topic_last_message: dict[str, int] = {}
    for message in plan:
        assert message.total == len(plan) and (message.parts or digest.empty)
        used = overhead
        for part in message.parts:
            used += header + (continued_extra if part.continued else 0)
            used += sum(size_of[i.item_id] for i in part.items)
            assert part.items
            # "continued" exactly when the topic already had items in the previous message
            assert part.continued == (topic_last_message.get(part.topic.id) == message.index - 1)
            topic_last_message[part.topic.id] = message.index
        assert used <= limit
        topics_here = [p.topic.id for p in message.parts]
        assert len(topics_here) == len(set(topics_here))
    assert (plan[-1].deferred if len(plan) else 0) == len(plan.deferred)


class _CountedArticles(Sequence[Article]):
    """A snapshot's articles that count how often one is read, carrying their heads as an
    opened snapshot file does (so heads come without reading an article)."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._articles = tuple(articles)
        self.heads = tuple(ArticleHead.of(a) for a in articles)
        self.reads: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._articles)

    def __getitem__(self, index: int) -> Article:  # type: ignore[override]
        article = self._articles[index]
        self.reads[article.id] += 1
        return article


class _CountedById(Mapping[str, Article]):
    def __init__(self, articles: _CountedArticles) -> None:
        self._articles = articles
        self._positions = {head.id: n for n, head in enumerate(articles.heads)}

    def __getitem__(self, article_id: str) -> Article:
        return self._articles[self._positions[article_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


def test_a_digest_reads_only_the_articles_it_sends(knowledge: Knowledge) -> None:
    """Which sections are pending comes from ids, hashes and heads; an article is read only
    for an entry a message holds (an archive's topic may list thousands)."""
    counted = _CountedArticles(knowledge.articles)
    snapshot = dataclasses.replace(knowledge, articles=counted, by_id=_CountedById(counted))
    digest = new_subscriber_digest(snapshot, "policy")
    assert not counted.reads  # building the digest read no article
    assert len(digest) == len(catalog_for(knowledge).topic_item_ids("policy")) > 2
    layout = MessageLayout(200, lambda entry: 150, lambda topic, continued: 10)
    plan = plan_messages(digest, layout, max_messages=1)
    sent = {item.article_id for item in plan.items}
    assert plan.deferred and sent
    first_left = parse_item_id(plan.deferred[0])
    assert first_left is not None
    # the entries sent, and the one that did not fit, were read; no other
    assert set(counted.reads) <= sent | {first_left[0]}
    assert len(set(counted.reads)) < len(counted)
    assert plan.items[0].question  # details are still there when asked for


def test_an_empty_digest_plans_one_empty_message() -> None:
    digest, _ = fake_digest([[]])
    plan = plan_messages(digest, MessageLayout(100, lambda i: 1, lambda t, c: 1))
    assert len(plan) == 1 and plan[0].empty and plan[0].keys == ()


def test_bad_sizes_are_refused() -> None:
    digest, _ = fake_digest([[5]])
    with pytest.raises(ValueError, match="negative"):
        plan_messages(digest, MessageLayout(100, lambda i: -1, lambda t, c: 1))
    with pytest.raises(ValueError, match="max_messages"):
        plan_messages(digest, MessageLayout(100, lambda i: 1, lambda t, c: 1), max_messages=0)


# -- the text renderer -----------------------------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(limit=st.integers(700, 4096), language=st.sampled_from(["zh", "en"]))
def test_rendered_messages_fit_the_limit(knowledge: Knowledge, limit: int, language: str) -> None:
    responses = knowledge.rules.responses
    digest = build_digest(knowledge, all_topics(knowledge), {})
    plan = plan_messages(digest, text_layout(responses, language, limit), max_messages=None)
    texts = [render_text(m, responses, language) for m in plan]
    assert all(len(t) <= limit for t in texts)
    joined = "\n".join(texts)
    for entry in digest.entries:
        assert entry.title in joined and entry.summary in joined
    assert len(digest.entries) == len({e.article_id for e in digest.entries})  # each article once


def test_render_text_shows_topics_continuations_and_the_deferred_note(
    knowledge: Knowledge,
) -> None:
    responses = knowledge.rules.responses
    digest = build_digest(knowledge, all_topics(knowledge), {})
    layout = text_layout(responses, "zh", 200)
    full = plan_messages(digest, layout, max_messages=None)
    assert len(full) >= 3
    plan = plan_messages(digest, layout, max_messages=len(full) - 1)
    texts = [render_text(m, responses, "zh") for m in plan]
    assert texts[0].startswith(f"📰 订阅摘要（1/{len(plan)}）")
    assert "【电子元器件】" in texts[0]
    assert "【电子元器件】（续）" in texts[1]
    assert len(plan.deferred) > 0
    assert f"还有{len(plan.deferred)}条内容" in texts[-1]
    english = render_text(plan[1], responses, "en")
    assert "[Electronic components] (continued)" in english
    single = plan_messages(digest, text_layout(responses, "zh"))
    assert len(single) == 1
    assert render_text(single[0], responses, "zh").startswith("📰 订阅摘要\n")
    empty = plan_messages(build_digest(knowledge, [], {}), text_layout(responses, "zh"))
    assert render_text(empty[0], responses, "zh") == say(responses, "digest_empty", "zh")


def test_sizes_are_counted_as_telegram_counts_them() -> None:
    assert text_size("电子元器件") == 5
    assert text_size("📰 digest") == 9  # an emoji outside the BMP is two UTF-16 units


def test_missing_response_keys_fall_back_to_built_in_texts() -> None:
    bare = Responses()
    assert say(bare, "digest_topic", "zh", topic="民生") == "【民生】"
    assert say(bare, "digest_topic", "en", topic="Livelihood") == "[Livelihood]"
    assert say(bare, "no_such_key", "zh") == "no_such_key"


def test_notices_fit_one_message(knowledge: Knowledge) -> None:
    responses = knowledge.rules.responses
    items = tuple(catalog_for(knowledge).item(i) for i in catalog_for(knowledge).item_ids)
    notice = Notice(1, items * 10, ("electronics",))
    text = render_notice_text(notice, responses, "zh", limit=600)
    assert len(text) <= 600 and "……还有" in text and text.startswith("新内容")
    full = render_notice_text(Notice(1, items[:2], ("electronics",)), responses, "en")
    assert "… and" not in full and full.count("· 《") == 2 and "/digest" in full


# -- topic matching --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "topic"),
    [
        ("electronics", "electronics"),
        ("电子元器件", "electronics"),
        ("Electronic Components", "electronics"),
        ("电子", "electronics"),
        ("芯片", "electronics"),  # a keyword
        ("电子元器建", "electronics"),  # a typo
        ("城市", "urban"),
        ("urban", "urban"),
        ("城市更新", "urban"),
        ("  Urban   renewal ", "urban"),
        ("金融", "finance"),
        ("科技", "innovation"),
        ("海關外貿", "trade"),  # traditional characters
        ("民生", "livelihood"),
    ],
)
def test_topics_match_by_id_name_keyword_and_fuzzily(
    knowledge: Knowledge, query: str, topic: str
) -> None:
    found = find_topic(query, knowledge.rules.topics)
    assert found is not None and found.id == topic
    assert match_topic(query, knowledge.rules.topics).id == topic


@pytest.mark.parametrize("query", ["", "   ", "x", "天气预报", "sports"])
def test_unknown_topics_match_nothing(knowledge: Knowledge, query: str) -> None:
    assert find_topic(query, knowledge.rules.topics) is None
    with pytest.raises(UnknownTopicError):
        match_topic(query, knowledge.rules.topics)


# -- newsbot digest --------------------------------------------------------------------------


def run_cli(cache_dir: Path, *args: str) -> int:
    return main(
        [
            "--seeds",
            str(SEEDS),
            "--intents",
            str(INTENTS),
            "--cache-dir",
            str(cache_dir),
            "digest",
            *args,
        ]
    )


def test_cli_prints_the_digest_of_a_new_subscriber(
    knowledge: Knowledge, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(cache_dir, "电子元器件") == 0
    out = capsys.readouterr().out
    assert out.startswith("📰 订阅摘要") and "【电子元器件】" in out
    digest = new_subscriber_digest(knowledge, "electronics")
    for entry in digest.entries:
        assert entry.date is not None
        day = f"{entry.date.year}年{entry.date.month}月{entry.date.day}日"
        assert f"《{entry.title}》 {day}\n{entry.summary}\n" in out
        assert out.count(f"《{entry.title}》") == 1  # one entry per article, not per section


def test_cli_json_lists_the_items(
    knowledge: Knowledge, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(cache_dir, "城市", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topic"]["id"] == "urban"
    expected = [make_item_id(a, i) for a, i in knowledge.topics.by_topic["urban"]]
    assert [item["item_id"] for item in data["items"]] == expected
    for item in data["items"]:
        assert set(item) >= {
            "item_id",
            "item_hash",
            "topic",
            "article",
            "section",
            "summary",
            "facts",
            "question",
        }
        assert item["topic"] == "urban" and isinstance(item["facts"], list)
        assert all(is_wellformed(fact) for fact in item["facts"])  # no figure cut out
    assert Counter(i for m in data["messages"] for i in m) == Counter(expected)
    entries = data["entries"]
    assert [i for e in entries for i in e["item_ids"]] == expected  # every section, once
    assert len({e["article_id"] for e in entries}) == len(entries)
    assert all(e["date"].startswith("2026-01-2") and is_wellformed(e["summary"]) for e in entries)


def test_cli_unknown_topic_exits_2_with_the_topic_list(
    cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(cache_dir, "天气预报") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown topic '天气预报'" in captured.err
    for name in ("electronics", "城市更新", "Customs & trade"):
        assert name in captured.err


def test_edited_article_keeps_its_id(knowledge: Knowledge, changed: Knowledge) -> None:
    assert EDITED_ARTICLE in changed.by_id and EDITED_ARTICLE in knowledge.by_id
    assert (
        changed.by_id[EDITED_ARTICLE].content_hash != knowledge.by_id[EDITED_ARTICLE].content_hash
    )


def test_the_digest_core_never_imports_telegram() -> None:
    code = (
        "import sys, bot.digest, bot.digest.cli\n"
        "bad = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'))\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)
