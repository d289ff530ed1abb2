"""Find the sentence that answers a need, or decide that none does.

Candidates come from the posting lists of the question's rarest items (names, concepts,
words), so the work per question depends on how specific it is, not on corpus size.  Each
candidate is scored on three explicit numbers, all configurable in ``intents/``:

* coverage — the IDF-weighted share of the question's content words the sentence holds;
* proximity — how close each named organisation/person/place (or rare word) of the
  question is to the sentence: same sentence, paragraph, previous paragraph, section;
* type fit — whether the sentence holds a fact of the asked kind (多少钱 needs money).

A fact-typed question is declined when no candidate fits its type; any question is declined
when coverage or proximity falls below its threshold.  Declining beats a confident guess.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.content.lexicon import lexicon
from bot.content.model import Article, Fact, FactKind, Sentence
from bot.knowledge.analysis import CONCEPT_PREFIX, ENTITY_PREFIX
from bot.knowledge.build import Knowledge
from bot.knowledge.entities import Entity, EntityKind
from bot.knowledge.index import SentenceRef
from bot.nlu.understand import COUNTED_PHRASE
from bot.rules.model import AnswerType
from bot.text import tokenizer
from bot.text.normalize import normalize

FACT_KINDS: dict[AnswerType, frozenset[FactKind]] = {
    AnswerType.MONEY: frozenset({FactKind.MONEY}),
    AnswerType.COUNT: frozenset({FactKind.COUNT}),
    AnswerType.PERCENT: frozenset({FactKind.PERCENT}),
    AnswerType.DATE: frozenset({FactKind.DATE}),
    AnswerType.DURATION: frozenset({FactKind.DURATION}),
    AnswerType.PERSON: frozenset({FactKind.PERSON}),
    AnswerType.ORG: frozenset({FactKind.ORG}),
    AnswerType.PLACE: frozenset({FactKind.PLACE}),
    AnswerType.RANK: frozenset({FactKind.RANK}),
    AnswerType.QUANTITY: frozenset(
        {FactKind.MONEY, FactKind.COUNT, FactKind.PERCENT, FactKind.DURATION}
    ),
}
# Cue words for answer types that no number or name can satisfy.
CUES: dict[AnswerType, re.Pattern[str]] = {
    AnswerType.REASON: re.compile(
        r"因为|由于|源于|得益于|为了|旨在|原因|所以|因此|之所以|来自|依托|凭借|出于|意味着|在于|"
        r"决心|信心|相通|为.{1,12}(?:提供|注入)"
    ),
    AnswerType.METHOD: re.compile(
        r"通过|着力|加强|建立|构建|实施|坚持|推进|推动|采取|举措|措施|办法|方式|设立|打造|完善|"
        r"优化|提供|帮助|开展|指导|解读|牵头|组建|邀请|鼓励|聚焦|围绕|落实|破解"
    ),
    AnswerType.DEFINITION: re.compile(
        r"是指|指的是|即|被喻为|称为|又称|也就是|是.{2,60}的|是一|作为"
    ),
}
# "…被喻为“工业大米”的微型元件": the sentence says what the asked term names
_NAMED_AS_RE = re.compile(r"(?:被喻为|被誉为|被称为|被称作|又称|俗称|号称|简称|称之为)")
# Organisations and people named in a question must be near the answer; places are often
# only the setting ("在益阳哪个区") and count toward confidence without blocking it.
REQUIRED_KINDS = frozenset({EntityKind.ORG, EntityKind.PERSON})
_ROLE_RE = re.compile(
    "|".join(
        sorted((*lexicon().roles_before_name, *lexicon().roles_after_name), key=len, reverse=True)
    )
)
CLAUSE_ENDS = "，,；;：:。！？!?、"
_DEADLINE_RE = re.compile(r"到(?:19|20)\d\d年")
PLAN_FIT = 0.7  # type fit of a target (力争…突破120亿元) when the question asks no plan
PLANNED_KINDS = frozenset({FactKind.MONEY, FactKind.COUNT, FactKind.PERCENT})
# "每万名常住人口拥有…5.2名": what follows 每 is the denominator, not what is counted
_PER_RE = re.compile(r"每[一二三四五六七八九十百千万亿\d]*[名个户人位家]?$")
ANCHOR_GAP = 6  # a fact this close to a question word is about it even across a comma
SINGLE_CHAR_WEIGHT = 0.3
UNKNOWN_WORD_WEIGHT = 2.0
# Facts that may answer from anywhere in a sentence that holds every asked word.
WHOLE_SENTENCE_KINDS = frozenset(
    {FactKind.DURATION, FactKind.MONEY, FactKind.COUNT, FactKind.PERCENT, FactKind.PERSON}
)
SOFT_NAME_WEIGHT = 0.25  # a place in the question weighs this much against an org/person
PARTIAL_CHARS = 0.5  # credit for an unknown word whose characters all occur in the sentence
WHOLE_SENTENCE_COVERAGE = 0.75
DEFINITION_COVERAGE = 0.75
NEIGHBOURS = 6  # sentences after a name's mention that may still be about it (这个平台…)
NEIGHBOUR_SLOTS = 12  # such sentences kept in the pool for reason/method/definition questions
AGENT_FIT = 0.6  # an organisation answering "谁" is plausible, a person would be better
CUE_MISS = 0.2  # type fit of a cue-typed question whose sentence has no cue word
CUE_HIT = 0.8  # …and with one (a definition that starts with the asked term scores 1.0)
MIN_PROPER_NOUN_CHARS = 3  # jieba's two-character place names are too often other words
MAX_AFFILIATION_SENTENCES = 50  # sentences naming a person read for their organisations
PARTIAL_PARAGRAPH = 0.5  # a content word found in the paragraph but not the sentence


@dataclass(frozen=True, slots=True)
class Need:
    """What an answer must satisfy; built from a Query plus conversation context."""

    answer: AnswerType
    unit: str | None
    names: tuple[Entity, ...]  # organisations, people, places: must be near the answer
    concepts: tuple[str, ...]  # ≈concept keys: count toward coverage
    terms: tuple[str, ...]  # plain content words: count toward coverage
    requires: tuple[str, ...] = ()  # the intent's cue words: one must be in the answer
    counted: tuple[str, ...] = ()  # a count must be of these words (多少"重大专项")
    grain: str | None = None  # a date must be this precise: day, month or year
    tense: str | None = None  # "now" / "past": the figure after / before a now-word
    year: int | None = None  # the year asked about (2025年)…
    year_offset: int | None = None  # …or relative to each article's date (去年: -1)

    @property
    def empty(self) -> bool:
        return not (self.names or self.concepts or self.terms)


@dataclass(frozen=True, slots=True)
class Candidate:
    key: int
    ref: SentenceRef
    article: Article
    sentence: Sentence
    confidence: float
    coverage: float
    proximity: float
    type_fit: float
    facts: tuple[Fact, ...]  # facts of the asked kind, in sentence order
    matched: tuple[str, ...]  # question items found in the sentence
    gap: int = 0  # characters between the nearest fact and a word of the question

    @property
    def fact_typed(self) -> bool:
        return bool(self.facts)


@dataclass(slots=True)
class _Partial:
    """A candidate scored on everything but its type fit (see :meth:`Retriever.rank`)."""

    key: int
    ref: SentenceRef
    coverage: float
    proximity: float
    closeness: float | None  # weighted mean closeness of the question's names; None: no names
    matched: tuple[str, ...]
    found: list[str]  # the question's words written in the sentence (anchors for facts)
    bound: float  # confidence with a perfect type fit


@dataclass(frozen=True, slots=True)
class _Item:
    item: str  # a content word or ≈concept of the question
    weight: float
    surfaces: tuple[str, ...]
    concept: bool
    unknown: bool  # a plain word the corpus never uses


@dataclass(frozen=True, slots=True)
class _Plan:
    """A need prepared for scoring many sentences."""

    items: tuple[_Item, ...]
    total: float
    names: tuple[tuple[Entity, frozenset[str], bool], ...]  # entity, its group, required
    name_like: tuple[str, ...]


def _order(c: Candidate) -> tuple[float, float, float, int, int]:
    """Best first; of equals, the one nearer the names asked about (an archive holds many
    sentences alike: "…的决心，更给了团队长期攻坚的信心" in another company's story)."""
    return (-round(c.confidence, 6), -c.coverage, -c.proximity, c.gap, c.key)


class Retriever:
    def __init__(self, knowledge: Knowledge) -> None:
        self.k = knowledge
        self.t = knowledge.rules.thresholds
        self.index = knowledge.index
        self._org_names: dict[int, tuple[tuple[int, int, str, Entity], ...]] = {}
        self._affiliated: dict[str, frozenset[str]] = {}

    # --- candidates ----------------------------------------------------------------------

    def candidates(self, need: Need) -> list[int]:
        index = self.index
        limit = self.t.max_candidates
        items: list[tuple[int, float, list[str]]] = []
        neighbours: dict[int, float] = {}
        reserved: dict[int, float] = {}  # after an organisation's or person's mention
        keep_after_names = need.answer in CUES
        for entity in need.names:
            terms = [ENTITY_PREFIX + k for k in self.k.entities.group(entity.key)]
            df = sum(index.df(t) for t in terms)
            weight = 2.0 * index.idf(terms[0])
            items.append((df, weight, terms))
            for term in terms:
                for key in index.postings.get(term, ())[:limit]:
                    for step in range(1, NEIGHBOURS + 1):
                        near = max(neighbours.get(key + step, 0.0), weight / (2 + step))
                        neighbours[key + step] = near
                        if keep_after_names and entity.kind in REQUIRED_KINDS:
                            reserved[key + step] = near
        for item in (*need.concepts, *need.terms):
            df = index.df(item)
            if df:
                items.append((df, index.idf(item), [item]))
        items.sort(key=lambda x: x[0])
        scores: dict[int, float] = {}
        dropped: set[int] = set()
        # what a sentence could still gain from the words after each one (summed afresh, so
        # rounding never makes it smaller than it is)
        bonus = max(neighbours.values(), default=0.0)  # a neighbour's, added at the end
        rest = [
            sum(w * len(t) for _, w, t in items[i + 1 :]) + bonus + _EPSILON
            for i in range(len(items))
        ]
        widen = True
        for position, (df, weight, terms) in enumerate(items):
            if position >= 2 and len(scores) >= limit and df > index.size // 10:
                break  # the pool is full and a common word weighs too little to change it
            remaining = rest[position]
            if widen:
                for term in terms:
                    postings = index.postings.get(term, ())
                    if not scores:
                        scores = dict.fromkeys(postings, weight)
                        continue
                    for key in postings:
                        scores[key] = scores.get(key, 0.0) + weight
                # MaxScore: once a sentence with none of the words so far could not reach
                # the pool even with all the rest, the rest only re-rank (exact top-k)
                if len(scores) > limit:
                    floor = _kth_largest(scores, limit)
                    if remaining < floor:
                        widen = False
                        # …and a sentence that cannot reach the pool even with every
                        # remaining word need not be re-ranked at all
                        kept = {k: v for k, v in scores.items() if v + remaining >= floor}
                        dropped = scores.keys() - kept.keys()
                        scores = kept
            else:
                for term in terms:
                    postings = index.postings.get(term, ())
                    if len(postings) <= len(scores):
                        hits: Iterable[int] = [k for k in postings if k in scores]
                    else:
                        hits = scores.keys() & set(postings)  # both large: intersect in C
                    for key in hits:
                        scores[key] += weight
        for key, weight in neighbours.items():
            # a sentence right after a name's mention outranks its copies elsewhere, whether
            # or not it holds a word of the question
            if key in index.refs and key not in dropped:
                scores[key] = scores.get(key, 0.0) + weight
        if len(scores) <= limit:
            return sorted(scores, key=lambda k: (-scores[k], k))
        pool = [k for _, k in heapq.nsmallest(limit, ((-v, k) for k, v in scores.items()))]
        if reserved:
            # a reason or a method is often given a sentence or two after the company is
            # named, without naming it again: those sentences keep a place in the pool
            # however many others name the place or the words of the question
            taken = set(pool)
            extra = [k for k in reserved if k not in taken and k in index.refs]
            extra.sort(key=lambda k: (-reserved[k], k))
            pool += extra[:NEIGHBOUR_SLOTS]
        return pool

    # --- scoring -------------------------------------------------------------------------

    def rank(
        self, need: Need, keys: Sequence[int] | None = None, limit: int | None = None
    ) -> list[Candidate]:
        """Candidates best first; with ``limit``, only the first ``limit`` of them.

        With a limit the expensive part of scoring (the facts of the asked type) runs in the
        order of each candidate's best possible confidence and stops once no remaining one
        can reach the last kept: the same answer as scoring every candidate, for a fraction
        of the work in a large archive.
        """
        if need.empty or _only_numbers(need) or self.foreign_names(need):
            return []
        pool = self.candidates(need) if keys is None else list(keys)
        plan = self._plan(need)
        partials = [p for p in (self._partial(need, key, plan) for key in pool) if p is not None]
        if limit is None:
            scored = [self._finish(need, p) for p in partials]
            scored.sort(key=_order)
            return scored
        partials.sort(key=lambda p: -p.bound)
        kept: list[Candidate] = []
        for partial in partials:
            if len(kept) >= limit and round(partial.bound, 6) < round(kept[-1].confidence, 6):
                break
            kept.append(self._finish(need, partial))
            kept.sort(key=_order)
            del kept[limit:]
        return kept

    def best(self, need: Need) -> Candidate | None:
        for candidate in self.rank(need, limit=1):
            if self.acceptable(need, candidate):
                return candidate
            return None
        return None

    def acceptable(self, need: Need, c: Candidate) -> bool:
        t = self.t
        if c.confidence < t.min_confidence:
            return False
        if need.requires and not any(w in c.sentence.text for w in need.requires):
            return False
        if need.concepts or need.terms:
            floor = t.min_coverage if need.answer in FACT_KINDS else t.min_coverage_open
            if c.coverage < floor:
                return False
        if self._required(need) and c.proximity < t.min_entity:
            return False
        return not (need.answer in FACT_KINDS and not c.facts and c.type_fit < 1.0)

    def foreign_names(self, need: Need) -> list[str]:
        """Names the question uses that the articles never mention: places and organisations
        jieba knows (宜宾), or words no dictionary knows written with characters the articles
        never use (赣晟磁材 on a page about 益阳)."""
        proper = tokenizer.proper_nouns()
        chars = self.index.chars
        return [
            t
            for t in need.terms
            if not self.index.df(t)
            and t not in self.index.postings
            and (
                t in proper
                or (
                    len(t) >= 2
                    and not tokenizer.is_word(t)
                    and any("\u4e00" <= c <= "\u9fff" and c not in chars for c in t)
                )
            )
        ]

    def _required(self, need: Need) -> bool:
        return any(e.kind in REQUIRED_KINDS for e in need.names) or any(
            self._name_like(t) for t in need.terms
        )

    def _name_like(self, term: str) -> bool:
        """The start of a known name (瑞驰 of 瑞驰电驱), or a place or organisation jieba
        knows that the parser did not pick out (千岛湖): it must be near the answer too."""
        return term in self.k.entities.prefixes or (
            len(term) >= MIN_PROPER_NOUN_CHARS and term in tokenizer.proper_nouns()
        )

    def score(self, need: Need, key: int) -> Candidate | None:
        partial = self._partial(need, key, self._plan(need))
        return None if partial is None else self._finish(need, partial)

    def _plan(self, need: Need) -> _Plan:
        """What scoring needs from the question, worked out once rather than per sentence."""
        index = self.index
        items = tuple(
            _Item(
                item,
                self._weight(item, need),
                self._surfaces(item),
                item.startswith(CONCEPT_PREFIX),
                not item.startswith(CONCEPT_PREFIX) and not index.df(item),
            )
            for item in (*need.concepts, *need.terms)
        )
        names = tuple(
            (e, self.k.entities.group(e.key), e.kind in REQUIRED_KINDS) for e in need.names
        )
        name_like = tuple(t for t in need.terms if self._name_like(t))
        return _Plan(items, sum(i.weight for i in items), names, name_like)

    def _partial(self, need: Need, key: int, plan: _Plan) -> _Partial | None:
        """Everything but the type fit, and the confidence the candidate would have if its
        type fitted perfectly (an upper bound for :meth:`rank`)."""
        index = self.index
        ref = index.refs.get(key)
        if ref is None:
            return None
        text = index.texts[key]
        # the paragraph and heading are looked up only when a word is missing from the
        # sentence: most candidates of a large archive contain every word they were found by
        paragraph: str | None = None
        head = ""
        matched: list[str] = []
        found: list[str] = []
        got = 0.0
        for item in plan.items:
            surfaces = item.surfaces
            here: tuple[str, ...]
            if len(surfaces) == 1:
                here = surfaces if surfaces[0] in text else ()
            else:
                here = tuple(s for s in surfaces if s in text)
            if here or (item.concept and index.has(item.item, key)):
                got += item.weight
                matched.append(item.item)
                found += here
                continue
            if paragraph is None:
                paragraph = index.paragraph_texts.get(
                    (ref.article_id, ref.section, ref.paragraph), ""
                )
                head = index.heads.get((ref.article_id, ref.section), "")
            if any(s in paragraph for s in surfaces):
                got += item.weight * PARTIAL_PARAGRAPH
            elif any(s in head for s in surfaces):
                got += item.weight * PARTIAL_PARAGRAPH  # the title or column says it (专家点评)
            elif item.unknown and all(ch in text for ch in item.item):
                # a word the corpus never uses whose characters all occur (新厂 ~ 新工厂)
                got += item.weight * PARTIAL_CHARS
        coverage = got / plan.total if plan.total else 1.0
        hard: list[float] = []
        soft: list[float] = []
        for entity, group, required in plan.names:
            near = self._proximity(entity, group, key, ref, text)
            (hard if required else soft).append(near)
        if plan.name_like and paragraph is None:
            paragraph = index.paragraph_texts.get((ref.article_id, ref.section, ref.paragraph), "")
        hard += [self._term_proximity(t, key, ref, text, paragraph or "") for t in plan.name_like]
        proximity = min(hard) if hard else 1.0
        if hard and proximity < self.t.entity_sentence and self._names_someone_else(need, key):
            proximity = 0.0  # "奥士康…投资" answered by a sentence about 信维: not about it
        weights = len(hard) + SOFT_NAME_WEIGHT * len(soft)
        closeness = (sum(hard) + SOFT_NAME_WEIGHT * sum(soft)) / weights if weights else None
        partial = _Partial(key, ref, coverage, proximity, closeness, tuple(matched), found, 0.0)
        best_coverage = coverage
        if need.answer is AnswerType.DEFINITION:
            best_coverage = max(coverage, DEFINITION_COVERAGE)
        partial.bound = self._confidence(best_coverage, closeness, 1.0)
        return partial

    def _finish(self, need: Need, p: _Partial) -> Candidate:
        ref = p.ref
        article = self.k.by_id[ref.article_id]
        sentence = article.sections[ref.section].paragraphs[ref.paragraph].sentences[ref.index]
        coverage = p.coverage
        text = self.index.texts[p.key]
        anchors = [span for s in p.found for span in _spans(text, s)]
        anchors += [span for e in need.names for a in e.aliases for span in _spans(text, a)]
        if need.tense in ("now", "past"):  # "现在要几个人": 现在 was asked though no content
            lx = lexicon()
            words = lx.time_now if need.tense == "now" else lx.time_past
            anchors += [span for w in words for span in _spans(text, w)]
        facts, type_fit = self._type_fit(need, p.key, sentence, anchors, coverage)
        if not _same_year(need, article, sentence):
            facts, type_fit = (), 0.0  # "去年接待了多少游客" is not "今年春节预计接待…"
        if need.answer is AnswerType.DEFINITION and type_fit == 1.0:
            coverage = max(coverage, DEFINITION_COVERAGE)  # "X作为尖兵…" defines X outright
        gap = min((_gap(f, a) for f in facts for a in anchors), default=0)
        return Candidate(
            p.key,
            ref,
            article,
            sentence,
            self._confidence(coverage, p.closeness, type_fit),
            coverage,
            p.proximity,
            type_fit,
            facts,
            p.matched,
            gap,
        )

    def _confidence(self, coverage: float, closeness: float | None, type_fit: float) -> float:
        """Without any name in the question, coverage takes the names' share of the weight."""
        t = self.t
        if closeness is None:
            return (t.weight_coverage + t.weight_entity) * coverage + t.weight_type * type_fit
        return (
            t.weight_coverage * coverage + t.weight_entity * closeness + t.weight_type * type_fit
        )

    def _weight(self, item: str, need: Need) -> float:
        """IDF; single characters (大, 投) say little on their own and count less, while a
        real word the articles never use (毕业, 当上) is what a near-miss question hinges on
        and counts more."""
        weight = self.index.idf(item)
        if len(item) == 1:
            weight *= SINGLE_CHAR_WEIGHT
        elif (
            need.answer not in FACT_KINDS
            and not item.startswith(CONCEPT_PREFIX)
            and not self.index.df(item)
        ):
            weight *= UNKNOWN_WORD_WEIGHT  # open questions have no fact type to check
        return weight

    def words(self, need: Need) -> list[str]:
        """How the question's content words may be written in an answer (a concept: each of
        its variants)."""
        return [w for item in (*need.concepts, *need.terms) for w in self._surfaces(item)]

    def _surfaces(self, item: str) -> tuple[str, ...]:
        if not item.startswith(CONCEPT_PREFIX):
            return (item,)
        entity = self.k.entities.entities.get("concept:" + item[len(CONCEPT_PREFIX) :])
        return entity.aliases if entity else ()

    def _proximity(
        self, entity: Entity, group: frozenset[str], key: int, ref: SentenceRef, text: str
    ) -> float:
        t = self.t
        index = self.index
        if group & index.mentions.get(key, frozenset()) or any(a in text for a in entity.aliases):
            return t.entity_sentence
        aid, s_i, p_i = ref.article_id, ref.section, ref.paragraph
        if group & index.paragraph_mentions.get((aid, s_i, p_i), frozenset()):
            return t.entity_paragraph
        previous = index.paragraph_mentions.get((aid, s_i, p_i - 1)) if p_i else None
        if previous and group & previous:
            return t.entity_previous_paragraph
        if group & index.section_mentions.get((aid, s_i), frozenset()):
            return t.entity_section
        if group & index.article_mentions.get(aid, frozenset()):
            return t.entity_article
        return 0.0

    def _with_named_orgs(
        self, facts: tuple[Fact, ...], need: Need, key: int, text: str
    ) -> tuple[Fact, ...]:
        """Organisations written by their short name (云岭茶业) answer "哪家公司" too; the
        organisation asked about is never its own answer."""
        asked = {a for e in need.names for a in e.aliases}
        found = [f for f in facts if normalize(str(f.value)) not in asked]
        taken = [(f.start, f.end) for f in found]
        for start, end, phrase, entity in self._orgs_named_in(key):
            if phrase in asked or any(s < end and start < e for s, e in taken):
                continue
            found.append(Fact(FactKind.ORG, text[start:end], entity.name, None, start, end))
        return tuple(sorted(found, key=lambda f: f.start))

    def _orgs_named_in(self, key: int) -> tuple[tuple[int, int, str, Entity], ...]:
        """Organisation names in sentence ``key`` (its normalised text keeps the original's
        offsets), looked up once per sentence and snapshot: "哪家" questions score the same
        sentences again and again."""
        cached = self._org_names.get(key)
        if cached is None:
            found = []
            for match in self.k.lexicons.aliases.find(self.index.texts[key]):
                entity = self.k.entities.by_alias(match.phrase)
                if entity is not None and entity.kind is EntityKind.ORG:
                    found.append((match.start, match.end, match.phrase, entity))
            cached = self._org_names[key] = tuple(found)
        return cached

    def _counts_what_was_asked(self, need: Need, text: str, fact: Fact) -> bool:
        """多少"在校学生": the count must be of that noun — its words near the number, or,
        for an abbreviation (保租房), all its characters in the number's clause."""
        words = [w for w in need.counted if not w.startswith(COUNTED_PHRASE)]
        surfaces = [s for w in words for s in self._surfaces(w) if s]
        surfaces += [a for e in need.names if set(words) & set(e.aliases) for a in e.aliases]
        norm = normalize(text)
        spans = [
            sp for s in surfaces for sp in _spans(norm, s) if not _PER_RE.search(norm[: sp[0]])
        ]
        start, end = _clause_bounds(text, fact.start)
        # the counted noun shares the number's clause: "…的容量，循环寿命超过5000次" counts no 容量
        if any(start <= a < end for a, _ in spans):
            return True
        clause = norm[start:end]
        return any(
            w.startswith(COUNTED_PHRASE)
            and all(c in clause for c in w[1:])
            and not _only_per(clause, w[1:])
            for w in need.counted
        )

    def _names_someone_else(self, need: Need, key: int) -> bool:
        """The sentence is about another organisation or person than the one asked. A
        person's own organisation (named beside them: 华南理工大学…廖志鹏教授) is not
        someone else: "该成果…转让金额" is still about 廖志鹏's team."""
        asked: set[str] = set()
        for entity in need.names:
            asked |= self.k.entities.group(entity.key)
            if entity.kind is EntityKind.PERSON:
                asked |= self._affiliations(entity.key)
        table = self.k.entities.entities
        return any(
            k not in asked and table[k].kind in REQUIRED_KINDS
            for k in self.index.mentions.get(key, ())
            if k in table
        )

    def _affiliations(self, person: str) -> frozenset[str]:
        """Organisations named in the sentences that name ``person``."""
        cached = self._affiliated.get(person)
        if cached is None:
            found: set[str] = set()
            for term in (ENTITY_PREFIX + k for k in self.k.entities.group(person)):
                for key in self.index.postings.get(term, ())[:MAX_AFFILIATION_SENTENCES]:
                    found |= self.index.mentions.get(key, frozenset())
            cached = self._affiliated[person] = frozenset(found)
        return cached

    def _term_proximity(
        self, term: str, key: int, ref: SentenceRef, text: str, paragraph: str
    ) -> float:
        if term in text:
            return self.t.entity_sentence
        if term in paragraph:
            return self.t.entity_paragraph
        previous = self.index.paragraph_texts.get(
            (ref.article_id, ref.section, ref.paragraph - 1), ""
        )
        return self.t.entity_previous_paragraph if term in previous else 0.0

    def _type_fit(
        self,
        need: Need,
        key: int,
        sentence: Sentence,
        anchors: list[tuple[int, int]],
        coverage: float,
    ) -> tuple[tuple[Fact, ...], float]:
        kinds = FACT_KINDS.get(need.answer)
        if kinds is not None:
            facts = tuple(
                f
                for f in sentence.facts
                if (f.kind in kinds and _unit_fits(f, need) and _grain_fits(f, need))
                or (need.answer is AnswerType.DURATION and _same_day(f))
            )
            if need.answer is AnswerType.ORG:
                facts = self._with_named_orgs(facts, need, key, sentence.text)
            if need.counted and need.answer in (AnswerType.COUNT, AnswerType.QUANTITY):
                # 多少"鲜叶": a count of that noun, not a duration or a count of anything else
                counts = tuple(
                    f
                    for f in facts
                    if f.kind is FactKind.COUNT
                    and self._counts_what_was_asked(need, sentence.text, f)
                )
                # money answers "多少营收", not "多少菌棒" when the 菌棒 are counted here
                facts = counts or tuple(
                    f for f in facts if f.kind in (FactKind.MONEY, FactKind.PERCENT)
                )
            people = [e for e in need.names if e.kind is EntityKind.PERSON]
            if need.answer is AnswerType.PERSON and people:
                # "胡茹琰是什么职务": the fact must be about her, not whoever else is named
                names = {a for e in people for a in e.aliases}
                facts = tuple(f for f in facts if normalize(str(f.value)) in names)
                if not facts and self._describes(sentence.text):
                    return (), 1.0  # an author's "（作者系…教授）" line answers "是什么人"
            if (
                need.answer is AnswerType.PERSON
                and not facts
                and not people
                and not any(_ROLE_RE.search(t) for t in need.terms)
            ):
                # "由谁联合组建的？" may be answered by organisations, never by the one asked
                asked = {a for e in need.names for a in e.aliases}
                facts = tuple(
                    f
                    for f in sentence.facts
                    if f.kind is FactKind.ORG
                    and normalize(str(f.value)) not in asked
                    and (not anchors or _anchored(sentence.text, f, anchors))
                )
                return facts, AGENT_FIT if facts else 0.0
            if not anchors and (need.concepts or need.terms):
                return (), 0.0  # no word of the question here: its numbers are about else
            if anchors and not need.empty:
                anchored = tuple(f for f in facts if _anchored(sentence.text, f, anchors))
                # a sentence that says everything asked, with one fact of the kind: that
                # fact is the answer even far from the words ("…，历时长达三年")
                whole = coverage >= WHOLE_SENTENCE_COVERAGE
                single = whole and (
                    (len(facts) == 1 and facts[0].kind in WHOLE_SENTENCE_KINDS)
                    or all(f.kind is FactKind.ORG for f in facts)
                )  # the subject: 哪家
                facts = anchored or (facts if single else ())
            if facts and all(f.kind in PLANNED_KINDS for f in facts):
                planned = [_planned(sentence.text, f) for f in facts]
                if all(planned) if need.tense != "future" else not any(planned):
                    return facts, PLAN_FIT  # a target answers only when no result does
            return facts, 1.0 if facts else 0.0
        if need.answer is AnswerType.DEFINITION and self._defines(need, sentence.text):
            return (), 1.0
        cue = CUES.get(need.answer)
        if cue is not None:
            return (), CUE_HIT if cue.search(sentence.text) else CUE_MISS
        return (), 1.0

    @staticmethod
    def _describes(text: str) -> bool:
        return bool(_ROLE_RE.search(text)) and text.lstrip("（(").startswith(("作者", "系"))

    def _defines(self, need: Need, text: str) -> bool:
        """``“自报享惠”是……`` / ``MLCC（多层陶瓷电容器）是……``: the asked term, then 是/指;
        or the term as what something is called (``被喻为“工业大米”的微型元件``)."""
        norm = normalize(text)
        head = normalize(text[:40]).lstrip("“「‘\"'")
        named = [norm[m.end() :].lstrip("“「‘\"'") for m in _NAMED_AS_RE.finditer(norm)]
        words = self.words(need) + [a for e in need.names for a in e.aliases]
        for word in sorted(words, key=len, reverse=True):
            if head.startswith(word):
                rest = head[len(word) :].lstrip("”」’\"')")
                if rest.startswith(("是", "指", "即", "就是", "也就是", "作为")):
                    return True
            if any(after.startswith(word) for after in named):
                return True
        return False


_GRAINS = {
    "day": ("day",),
    "month": ("day", "month", "month-range"),
    "year": ("day", "month", "month-range", "year"),
}


def _grain_fits(fact: Fact, need: Need) -> bool:
    """ "哪天" needs a day, "哪个月" a month or a day; a plan period (十四五) answers no "when"
    question that asks for a year, month or day."""
    if fact.kind is not FactKind.DATE or need.grain is None:
        return True
    return fact.unit in _GRAINS.get(need.grain, ())


def _same_year(need: Need, article: Article, sentence: Sentence) -> bool:
    """A sentence dated in other years than the one asked about does not answer it; one
    with no year of its own might."""
    asked = need.year
    if asked is None and need.year_offset is not None and article.date is not None:
        asked = article.date.year + need.year_offset
    if asked is None:
        return True
    years = {
        int(f.value[:4])
        for f in sentence.facts
        if f.kind is FactKind.DATE
        and isinstance(f.value, str)
        and "/" not in f.value
        and f.value[:4].isdigit()
    }
    return not years or asked in years


def _planned(text: str, fact: Fact) -> bool:
    """The fact is a target or forecast: a plan word in its clause, or a sentence that
    opens with a deadline (到2027年，…)."""
    start, end = _clause_bounds(text, fact.start)
    clause = text[start:end]
    return any(w in clause for w in lexicon().plan_words) or bool(_DEADLINE_RE.match(text))


def _only_per(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` only as a denominator (每万名常住人口)."""
    spans = _spans(text, phrase)
    return bool(spans) and all(_PER_RE.search(text[:a]) for a, _ in spans)


def _same_day(fact: Fact) -> bool:
    """ "多久办完的？" — "当天下午…办结": a relative day answers how long it took."""
    return (
        fact.kind is FactKind.DATE
        and fact.unit == "day"
        and bool(fact.qualifier)
        and (fact.qualifier in lexicon().elapsed_days)  # not 今天: that is the page's date
    )


def _spans(text: str, word: str) -> list[tuple[int, int]]:
    spans = []
    at = text.find(word)
    while at >= 0 and word:
        spans.append((at, at + len(word)))
        at = text.find(word, at + 1)
    return spans


_EPSILON = 1e-9


def _kth_largest(scores: dict[int, float], k: int) -> float:
    return heapq.nlargest(k, scores.values())[-1]


def _only_numbers(need: Need) -> bool:
    """ "1+1等于几": nothing to look up but digits."""
    return (
        not need.names
        and not need.concepts
        and all(re.fullmatch(r"[\d.]+", t) for t in need.terms)
    )


def _anchored(text: str, fact: Fact, anchors: list[tuple[int, int]]) -> bool:
    """The fact is about what was asked: it shares a clause with a word of the question, or
    sits right next to one (在益阳高新区，湖南未来光电技术研究院…).  A date opening the
    sentence ("2008年，奥士康…回迁") dates the whole sentence."""
    start, end = _clause_bounds(text, fact.start)
    if fact.kind is FactKind.DATE and start == 0 and end - fact.end <= 1:
        return True
    return any((start <= a < end) or _gap(fact, (a, b)) <= ANCHOR_GAP for a, b in anchors)


def _clause_bounds(text: str, position: int) -> tuple[int, int]:
    """The clause around ``position``: from after the previous clause mark to the next."""
    marks = _clause_marks(text)
    at = bisect_left(marks, position)
    start = marks[at - 1] + 1 if at else 0
    return start, (marks[at] if at < len(marks) else len(text))


@lru_cache(maxsize=16384)
def _clause_marks(text: str) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(text) if c in CLAUSE_ENDS)


def _gap(fact: Fact, span: tuple[int, int]) -> int:
    start, end = span
    if fact.end <= start:
        return start - fact.end
    if end <= fact.start:
        return fact.start - end
    return 0


def _unit_fits(fact: Fact, need: Need) -> bool:
    """A count answers "多少辆" only in 辆 ("多少人" in any measure of people: 名, 位…); a
    bare number (型号 0201) answers no count."""
    if fact.kind is not FactKind.COUNT:
        return True
    if fact.unit is None:
        return False
    if need.unit is None or fact.unit.startswith(need.unit) or fact.unit.endswith(need.unit):
        return True
    people = lexicon().people_measures
    return need.unit in people and fact.unit in people
