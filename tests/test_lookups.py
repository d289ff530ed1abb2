"""The lookups that replaced per-question scans: each gives what the scan gave, and what it
remembers belongs to one snapshot."""

from __future__ import annotations

from dataclasses import replace

from bot.answer.article_finder import ArticleFinder
from bot.knowledge.build import Knowledge
from bot.nlu import known
from bot.nlu.understand import understand
from bot.text import tokenizer


def test_the_grounding_word_lists_follow_the_bound_snapshots_lexicon(
    knowledge: Knowledge,
) -> None:
    lexicon = replace(knowledge.lexicon, org_suffixes=("研究所",))
    other = replace(knowledge, rules=replace(knowledge.rules, lexicon=lexicon))
    with knowledge.bound():
        mine = known.words()
    with other.bound():
        theirs = known.words()
    assert theirs.org_suffixes == ("研究所",)
    assert mine.org_suffixes != theirs.org_suffixes
    with knowledge.bound():
        assert known.words() is mine  # gathered once per lexicon


def test_a_remembered_cut_is_the_cut_and_belongs_to_its_segmenter(knowledge: Knowledge) -> None:
    text = "城市更新让群众生活更美好"
    plain = tokenizer.Segmenter()
    with_word = plain.with_words({"城市更新让"})
    first = list(plain.cut_with_offsets(text))
    assert list(plain.cut_with_offsets(text)) == first  # remembered, the same
    assert [token for token, _ in first] == plain.cut(text)
    assert all(text[at : at + len(token)] == token for token, at in first)
    assert next(token for token, _ in with_word.cut_with_offsets(text)) == "城市更新让"


def test_a_shortened_name_is_found_by_bisection_as_by_a_scan(knowledge: Knowledge) -> None:
    table = knowledge.entities
    aliases = [a for e in table.entities.values() for a in e.aliases]
    for alias in aliases[:: max(1, len(aliases) // 40)]:
        for span in (alias[:2], alias[:-1], alias, alias + "某"):
            expected = any(a.startswith(span) for a in aliases)
            assert table.starts_an_alias(span) is expected, span


def test_an_article_is_found_by_a_title_written_in_the_question(knowledge: Knowledge) -> None:
    finder = ArticleFinder(knowledge)
    for article in knowledge.articles:
        with knowledge.bound():
            query = understand(f"说说{article.title}这篇", knowledge)
        found = finder.find(query)
        assert found is not None
        assert found.title == article.title


def test_the_article_most_about_the_words_asked_is_found(knowledge: Knowledge) -> None:
    finder = ArticleFinder(knowledge)
    with knowledge.bound():
        query = understand("介绍一下海关那篇", knowledge)
    found = finder.find(query)
    assert found is not None and "海关" in found.text


def test_an_unknown_words_characters_count_only_close_together() -> None:
    from bot.answer.surfaces import spread_in

    assert spread_in("新工厂投资5000多万元", "新厂", 2)
    assert not spread_in("地下停车场设有车位，病人做检查不淋雨", "下雨", 2)
    assert not spread_in("厂里来了新人", "新厂", 2)  # out of order
