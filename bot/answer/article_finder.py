"""Which article a reader means: "第二篇", "海关那篇", "说说担保计划那篇文章".

By its place in the list the bot shows, by a title written out in the question, by the words
of its title, kicker, column and byline, then by how often its text says the question's names
and words.  Every step is a lookup (a phrase matcher over the titles, the index's posting
lists), so it costs about the same with six articles or six thousand.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import chain

from bot.answer.archive import PageDates
from bot.content.model import Article
from bot.content.numbers import parse_number
from bot.knowledge.analysis import ENTITY_PREFIX
from bot.knowledge.build import Knowledge
from bot.knowledge.index import SENTENCES_PER_SLOT
from bot.knowledge.matcher import PhraseMatcher
from bot.nlu import resources
from bot.nlu.understand import Query
from bot.nlu.when import PageTime

_EPOCH = dt.date(1, 1, 1)
# How Chinese points at an article by its place: general grammar, not any page's words.
_ORDINAL_RE = re.compile(r"第([一二两三四五六七八九十\d]{1,3})[篇条]")
_LAST_RE = re.compile(r"(?:最后|末)一?[篇条]")
_HEADLINE_RE = re.compile(r"头条|头版|主稿|头题")


class ArticleFinder:
    """Per snapshot; its tables are made on the first question that needs them."""

    def __init__(self, knowledge: Knowledge, dates: PageDates | None = None) -> None:
        self.k = knowledge
        self.w = knowledge.rules.scoring
        self._positions = {a.id: i for i, a in enumerate(knowledge.heads)}
        self._head_cache: list[tuple[str, str]] | None = None
        self._titles: tuple[PhraseMatcher, dict[str, int]] | None = None
        self._body_cache: dict[int, str] = {}
        self._by_date: list[int] | None = None
        self._day_keys: list[int] = []  # -ordinal of each article's page date, in that order
        self.dates = dates or PageDates(knowledge)
        self._head_blob: tuple[str, list[int]] | None = None
        self._article_of: dict[int, int] | None = None

    def newest(self, limit: int, when: PageTime | None = None) -> list[Article]:
        """Articles page by page, newest page first (undated last), in page order within a
        page: its headline first, though a short item's dateline may be a day older.  With
        ``when``, only the pages of that time (上周的报道): a slice of that order, found by
        bisection."""
        articles = self.k.articles
        order = self._order()
        if when is None or not when.bounded:
            return [articles[i] for i in order[:limit]]
        lo, hi = self._span(when)
        heads = self.k.heads
        dated = [i for i in order[lo:hi] if when.holds(self.dates.of(heads[i]))]
        return [articles[i] for i in dated[:limit]]

    def count(self, when: PageTime) -> int:
        """How many articles the pages of ``when`` hold."""
        if not when.bounded:
            return len(self.k.articles)
        lo, hi = self._span(when)
        return hi - lo

    def _order(self) -> list[int]:
        if self._by_date is None:
            articles, dates = self.k.heads, self.dates
            keyed = sorted(
                (-(dates.of(a) or _EPOCH).toordinal(), i) for i, a in enumerate(articles)
            )
            self._by_date = [i for _, i in keyed]
            self._day_keys = [k for k, _ in keyed]
        return self._by_date

    def _span(self, when: PageTime) -> tuple[int, int]:
        """Where the articles of ``when``'s days are in the newest-first order (undated
        pages, dated the first day of the calendar here, are in no span)."""
        self._order()
        keys = self._day_keys
        last = when.last.toordinal() if when.last is not None else None
        first = when.first.toordinal() if when.first is not None else _EPOCH.toordinal() + 1
        lo = bisect_left(keys, -last) if last is not None else 0
        return lo, bisect_right(keys, -first)

    def find(self, query: Query) -> Article | None:
        """The article a reader means, or None.

        Only the articles the index ties most to the question's names and words have their
        text counted.
        """
        position = _position_asked(query.text)
        if position is not None:
            shown = max(position, self.k.rules.thresholds.max_listed_articles)
            listed = self.newest(shown, query.page_time)
            at = position - 1 if position > 0 else len(listed) + position
            return listed[at] if 0 <= at < len(listed) else None
        written = self._title_written(query.text)
        if written is not None:
            return self.k.articles[written]
        words = [n.surface for n in query.names] + [
            a for n in query.names for a in n.entity.aliases
        ]
        words += [t for t in query.terms if not t.startswith("≈")]
        unique = [w for w in dict.fromkeys(words) if w]
        candidates = self._articles_with(query, unique)
        head_scores = self._head_hits(unique)
        when = query.page_time
        if when is not None and when.bounded:
            heads = self.k.heads
            candidates = {p for p in candidates if when.holds(self.dates.of(heads[p]))}
            head_scores = {
                p: v for p, v in head_scores.items() if when.holds(self.dates.of(heads[p]))
            }
        best: tuple[float, int] | None = None
        chosen: Article | None = None
        w = self.w
        commentary = any(c in query.text for c in resources.lexicon().commentary_words)
        for position in sorted(candidates | head_scores.keys()):
            score = head_scores.get(position, 0.0)
            if position in candidates:
                body = self._body(position)
                score += sum(min(body.count(u), w.body_word_cap) * w.body_word for u in unique)
            if commentary and score > 0 and author_note(self.k.articles[position]) is not None:
                score += w.title_word  # "那篇评论": an opinion piece, not the report beside it
            if score > 0 and (best is None or (score, -position) > best):
                best = (score, -position)
                chosen = self.k.articles[position]
        return chosen

    def _title_written(self, text: str) -> int | None:
        """The first article whose whole title the question writes out."""
        if self._titles is None:
            first: dict[str, int] = {}
            for position, (title, _) in enumerate(self._heads()):
                if title:
                    first.setdefault(title, position)
            self._titles = (PhraseMatcher({t: t for t in first}), first)
        matcher, first = self._titles
        found = [first[t] for t in matcher.phrases_in(text)]
        return min(found) if found else None

    def _head_hits(self, words: list[str]) -> dict[int, float]:
        """``title_word`` points per word an article's title, kicker, column or byline
        holds, found by searching all of them at once rather than article by article."""
        if self._head_blob is None:
            heads = [h for _, h in self._heads()]
            starts, at = [], 0
            for head in heads:
                starts.append(at)
                at += len(head) + 1
            self._head_blob = ("\0".join(heads), starts)
        blob, starts = self._head_blob
        scores: dict[int, float] = {}
        for word in words:
            seen: set[int] = set()
            at = blob.find(word)
            while at >= 0:
                seen.add(bisect_right(starts, at) - 1)
                at = blob.find(word, at + 1)
            for position in seen:
                scores[position] = scores.get(position, 0.0) + self.w.title_word
        return scores

    def _heads(self) -> list[tuple[str, str]]:
        """Per article: the normalised title and its title, kicker, column, subtitle, byline."""
        if self._head_cache is None:
            self._head_cache = [
                (
                    resources.normalised(a.title),
                    resources.normalised(
                        " ".join(
                            filter(None, [a.title, a.kicker, a.column, a.subtitle, *a.byline])
                        )
                    ),
                )
                for a in self.k.heads
            ]
        return self._head_cache

    def _body(self, position: int) -> str:
        body = self._body_cache.get(position)
        if body is None:
            body = self._body_cache[position] = resources.normalise_long(
                self.k.articles[position].text
            )
        return body

    def _articles_with(self, query: Query, words: list[str]) -> set[int]:
        """Positions of the articles whose sentences mention the question's names and words
        most often (at most the ``text_candidates`` weight): only their text is counted exactly."""
        index = self.k.index
        terms = [
            ENTITY_PREFIX + key for n in query.names for key in self.k.entities.group(n.entity.key)
        ]
        terms += [w for w in words if w in index.postings]
        if self._article_of is None:
            # slot → article position (a sentence key is its article's slot × the slot size),
            # so that counting runs in C (a common word of a large archive is in tens of
            # thousands of sentences) and needs no table of every sentence
            positions = self._positions
            self._article_of = {s: positions[a] for a, s in self.k.slots.items()}
        keys = chain.from_iterable(index.postings.get(t, ()) for t in terms)
        slots = map(SENTENCES_PER_SLOT.__rfloordiv__, keys)
        hits = Counter(map(self._article_of.__getitem__, slots))
        return {position for position, _ in hits.most_common(self.w.text_candidates)}


def author_note(article: Article) -> str | None:
    """A commentary's ``（作者系…）`` line: the only sentence that says who the author is."""
    for paragraph in article.paragraphs:
        for sentence in paragraph.sentences:
            if sentence.text.lstrip("（(").startswith("作者"):
                return sentence.text
    return None


def _position_asked(text: str) -> int | None:
    """第二篇 → 2, 头条 / 头版主稿 → 1, 最后一篇 → -1: the article's place in the list the bot
    shows (page order; the newest page first when several are loaded), or None."""
    if _LAST_RE.search(text):
        return -1
    if _HEADLINE_RE.search(text):
        return 1
    match = _ORDINAL_RE.search(text)
    if match is None:
        return None
    number = parse_number(match.group(1))
    return int(number) if number is not None and number >= 1 else None
