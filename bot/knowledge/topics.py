"""Tag every section with topics from the topics' keywords, so new articles need no YAML edit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.content.model import Article
from bot.rules.model import Topic
from bot.text.normalize import normalize

# A section belongs to a topic when it mentions this many different keywords of it, or one
# keyword this many times.
MIN_DISTINCT_KEYWORDS = 2
MIN_REPEATS = 3


@dataclass(frozen=True, slots=True)
class TopicTags:
    by_section: Mapping[tuple[str, int], tuple[str, ...]]  # (article id, section) → topic ids
    by_topic: Mapping[str, tuple[tuple[str, int], ...]]
    by_article: Mapping[str, tuple[str, ...]]  # article id → its sections' topics, in order

    def article_topics(self, article_id: str) -> tuple[str, ...]:
        return self.by_article.get(article_id, ())


def expand_keywords(topic: Topic, synonyms: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    words = set(topic.keywords)
    for canonical, variants in synonyms.items():
        group = {canonical, *variants}
        if words & group:
            words |= group
    return tuple(sorted(words, key=len, reverse=True))


def tag_sections(
    articles: Sequence[Article],
    topics: Sequence[Topic],
    synonyms: Mapping[str, tuple[str, ...]],
    known: Mapping[str, tuple[tuple[str, ...], ...]] | None = None,
) -> TopicTags:
    """Tag every section; ``known`` (article id → its sections' tags from an earlier build
    with the same rules and the same article) is reused instead of counting again."""
    keywords = {t.id: expand_keywords(t, synonyms) for t in topics}
    by_section: dict[tuple[str, int], tuple[str, ...]] = {}
    by_topic: dict[str, list[tuple[str, int]]] = {t.id: [] for t in topics}
    by_article: dict[str, tuple[str, ...]] = {}
    for article in articles:
        tags = (known or {}).get(article.id)
        if tags is None:
            tags = tag_article(article, topics, keywords)
        for index, section_tags in enumerate(tags):
            by_section[(article.id, index)] = section_tags
            for topic_id in section_tags:
                by_topic[topic_id].append((article.id, index))
        by_article[article.id] = tuple(dict.fromkeys(t for ts in tags for t in ts))
    return TopicTags(by_section, {k: tuple(v) for k, v in by_topic.items()}, by_article)


def tag_article(
    article: Article, topics: Sequence[Topic], keywords: Mapping[str, tuple[str, ...]]
) -> tuple[tuple[str, ...], ...]:
    """Per section of ``article``, the ids of the topics it belongs to."""
    title = normalize(article.title)
    result = []
    for section in article.sections:
        text = normalize(
            " ".join([title, section.heading or "", *(p.text for p in section.paragraphs)])
        )
        tags = []
        for topic in topics:
            counts = [text.count(k) for k in keywords[topic.id]]
            distinct = sum(1 for c in counts if c)
            if distinct >= MIN_DISTINCT_KEYWORDS or max(counts, default=0) >= MIN_REPEATS:
                tags.append(topic.id)
        result.append(tuple(tags))
    return tuple(result)
