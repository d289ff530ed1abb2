"""Stage 8 — score: each candidate on explicit, named features.

* coverage — the IDF-weighted share of the question's content words the sentence holds
  (a word missing from the sentence counts part of its weight when the paragraph says it,
  more when one of the sentences just before does: :mod:`bot.answer.scope`);
* proximity — how close each named organisation/person/place (or rare word) of the
  question is to the sentence: same sentence, paragraph, previous paragraph, section;
* type fit — whether the sentence holds a fact of the asked kind (:mod:`bot.answer.fit`).

The score is their weighted sum (weights in ``intents/scoring.yaml``); it ranks candidates.
What an answer reports as its confidence, and what the bot declines below, is that score
calibrated (:meth:`Scorer.calibrated`): a logistic fitted on the development pages so that it
reads as the share of such answers that are right.  Scoring is split in two so
that ranking can stop early: :meth:`Scorer.partial` computes everything but the type fit
and an upper bound of the confidence; :meth:`Scorer.finish` adds the type fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.answer.archive import PageDates
from bot.answer.choose import stated_in_question
from bot.answer.clauses import gap, spans
from bot.answer.names import NameRules
from bot.answer.plan import Plan, make_plan, said_by
from bot.answer.scope import earlier, same_sentence_before
from bot.answer.surfaces import as_the_post, spread_in
from bot.answer.types import kind_of
from bot.answer.types.base import BoundInput, FitInput, FitTools
from bot.answer.years import year_of
from bot.content.model import Article, Fact, Sentence
from bot.knowledge.build import Knowledge
from bot.knowledge.index import SentenceRef
from bot.nlu import resources
from bot.nlu.need import Need
from bot.nlu.ordinals import another_of_the_series
from bot.nlu.scopes import another_scope


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
    dated: bool = False  # the sentence states the year asked about (2025年，…)
    page_day: int = 0  # its page's date as an ordinal (0: undated), newer wins a tie

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
    said: float = 1.0  # the coverage by the sentence's own words (not its paragraph's)


def order(c: Candidate) -> tuple[float, bool, float, float, int, int, int]:
    """Best first; of equals, the one that states the year asked, then the one nearer the
    names asked about (an archive holds many sentences alike: "…的决心，更给了团队长期攻坚
    的信心" in another company's story), then the newer page (an archive's later report
    of the same figure supersedes the earlier)."""
    best = round(c.confidence, 6)
    return (-best, not c.dated, -c.coverage, -c.proximity, c.gap, -c.page_day, c.key)


class Scorer:
    def __init__(
        self, knowledge: Knowledge, names: NameRules, dates: PageDates | None = None
    ) -> None:
        self.k = knowledge
        self.dates = dates or PageDates(knowledge)
        self.t = knowledge.rules.thresholds
        self.w = knowledge.rules.scoring
        self.index = knowledge.index
        self.names = names
        self.tools = FitTools(knowledge, names)
        lx = knowledge.rules.lexicon
        self._roles = frozenset((*lx.roles_before_name, *lx.roles_after_name))  # titles

    def plan(self, need: Need) -> Plan:
        """What scoring needs from the question, worked out once rather than per sentence."""
        return make_plan(self.k, need, self._roles, self.names.name_like)

    def partial(self, need: Need, key: int, plan: Plan) -> _Partial | None:
        """Everything but the type fit, and the confidence the candidate would have if its
        type fitted perfectly (an upper bound for :meth:`rank`)."""
        index, w = self.index, self.w
        ref = index.refs.get(key)
        if ref is None:
            return None
        text = index.texts[key]
        if another_of_the_series(need.series, text, self.k.lexicon):
            return None  # 三期 asked, the sentence is about 二期: not a candidate at all
        if another_scope(need.scope, text, self.k.lexicon):
            return None  # 全市 asked, the sentence gives 全省's figure
        if need.relatives and not any(r in text for r in self.k.lexicon.relative_words):
            return None  # 某某的妻子是干啥的: a sentence about him alone says nothing of her
        # the paragraph and heading are read only when a word is missing from the sentence
        # (most candidates of a large archive contain every word they were found by), and
        # once per question and paragraph: a paragraph has several candidates
        place = (ref.article_id, ref.section, ref.paragraph)
        said_in_paragraph: tuple[bool, ...] | None = None
        said_in_head: tuple[bool, ...] | None = None
        before: str | None = None
        joined = ""
        matched: list[str] = []
        found: list[str] = []
        got = 0.0
        for n, item in enumerate(plan.items):
            written = item.surfaces
            here: tuple[str, ...]
            if item.single is not None:
                here = written if item.single in text else ()
            else:
                here = tuple(s for s in written if s in text)
            if here and item.role:
                here = tuple(s for s in here if as_the_post(text, s))
            if here or (item.concept and index.has(item.item, key)):
                got += item.weight
                matched.append(item.item)
                found += here
                continue
            if said_in_paragraph is None:
                said_in_paragraph = said_by(plan, place, index.paragraph_texts.get(place, ""))
            if said_in_paragraph[n]:
                # the sentences just before are part of the paragraph: only then read
                if before is None:
                    before = earlier(index, key, ref, w.scope_sentences)
                    joined = same_sentence_before(index, key, ref)
                if joined and item.written_in(joined):
                    got += item.weight * w.scope_semicolon  # the same sentence, before a ";"
                elif item.written_in(before):
                    got += item.weight * w.scope_previous  # said a sentence or two earlier
                else:
                    got += item.weight * w.partial_paragraph
                continue
            if said_in_head is None:
                said_in_head = said_by(plan, place[:2], index.heads.get(place[:2], ""))
            if said_in_head[n]:
                got += item.weight * w.partial_paragraph  # the title or column says it (专家点评)
            elif item.unknown and spread_in(text, item.item, w.partial_chars_gap):
                # a word the corpus never uses whose characters occur in order, close
                # together (新厂 ~ 新工厂; not 下雨 ~ 地下停车场…不淋雨)
                got += item.weight * w.partial_chars
        coverage = got / plan.total if plan.total else 1.0
        hard: list[float] = []
        soft: list[float] = []
        for entity, group, required in plan.names:
            near = self.names.proximity(entity, group, key, ref, text)
            if not required and self.names.another_region(entity, ref.article_id, text):
                required, near = True, 0.0  # 全省 of another province's paper
            elif near < self.t.entity_sentence and self.names.places.opens_elsewhere(
                entity, key, need
            ):
                near = 0.0  # 某县老年病医院 asked; "新院区总投资…" is the new campus's
            (hard if required else soft).append(near)
        if plan.name_like:
            paragraph = index.paragraph_texts.get(place, "")
            hard += [
                self.names.term_proximity(t, key, ref, text, paragraph) for t in plan.name_like
            ]
        proximity = min(hard) if hard else 1.0
        if (
            hard
            and proximity < self.t.entity_sentence
            and self.names.names_someone_else(need, key)
            and not (
                proximity >= self.t.entity_paragraph
                and self.names.opens_with_head(need, key, text)
            )
        ):
            proximity = 0.0  # "奥士康…投资" answered by a sentence about 信维: not about it
        weights = len(hard) + w.soft_name_weight * len(soft)
        closeness = (sum(hard) + w.soft_name_weight * sum(soft)) / weights if weights else None
        said = (
            sum(i.weight for i in plan.items if i.item in matched) / plan.total
            if plan.total
            else 1.0
        )
        partial = _Partial(
            key, ref, coverage, proximity, closeness, tuple(matched), found, 0.0, said
        )
        partial.bound = self._bound(need, ref, text, coverage, closeness)
        return partial

    def _bound(
        self,
        need: Need,
        ref: SentenceRef,
        text: str,
        coverage: float,
        closeness: float | None,
    ) -> float:
        """The highest confidence the candidate can reach: with the best type fit its text
        allows (its type's ``best_fit``), and, for a defining type, the coverage a perfect
        fit brings."""
        kind = kind_of(need.answer)
        best = 1.0
        if kind.best_fit is not None:
            written = self._sentence(ref).text
            best = kind.best_fit(BoundInput(need, written, text, self.tools))
        if kind.defines and best >= 1.0:
            coverage = max(coverage, self.w.definition_coverage)
        return self._confidence(coverage, closeness, best)

    def _sentence(self, ref: SentenceRef) -> Sentence:
        article = self.k.by_id[ref.article_id]
        return article.sections[ref.section].paragraphs[ref.paragraph].sentences[ref.index]

    def finish(self, need: Need, p: _Partial) -> Candidate:
        ref = p.ref
        article = self.k.by_id[ref.article_id]
        sentence = self._sentence(ref)
        coverage = p.coverage
        text = self.index.texts[p.key]
        anchors = [span for s in p.found for span in spans(text, s)]
        anchors += [span for e in need.names for a in e.aliases for span in spans(text, a)]
        other_time = False  # 如今有多少户 of "成立之初，只有30户" beside "如今，已增至500户"
        if need.tense in ("now", "past"):  # "现在要几个人": 现在 was asked though no content
            lx = resources.lexicon()
            words, others = (lx.time_now, lx.time_past)[:: 1 if need.tense == "now" else -1]
            anchors += [span for w in words for span in spans(text, w)]
            other_time = not any(w in text for w in words) and any(w in text for w in others)
        kind = kind_of(need.answer)
        fit_input = FitInput(need, p.key, sentence, text, anchors, p.said, self.tools)
        facts, type_fit = kind.fit(fit_input)
        if need.stated and facts:
            # 86辆冷藏车里有多少辆是新能源车: the figure the question gives is not its answer
            kept = tuple(f for f in facts if not stated_in_question(f, need.stated))
            if not kept:
                type_fit *= self.w.stated_figure_fit
            facts = kept
        if other_time:
            type_fit *= self.w.other_time_fit
        fits_year, dated = year_of(need, article, sentence)
        if not fits_year:
            facts, type_fit = (), 0.0  # "去年接待了多少游客" is not "今年春节预计接待…"
        if kind.defines and type_fit == 1.0:
            coverage = max(coverage, self.w.definition_coverage)  # "X作为尖兵…" defines X outright
        nearest = min((gap(f, a) for f in facts for a in anchors), default=0)
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
            nearest,
            dated,
            day.toordinal() if (day := self.dates.of(article)) is not None else 0,
        )

    def calibrated(self, score: float) -> float:
        """The share of answers with this score that are right, in (0, 1):
        ``1 / (1 + exp(-slope · (score − centre)))`` with ``calibration_slope`` and
        ``calibration_centre`` fitted by ``tools/fit_calibration.py`` on the development
        pages (golden files and blind pages 101–104), checked on the holdout pages."""
        w = self.w
        return 1 / (1 + math.exp(-w.calibration_slope * (score - w.calibration_centre)))

    def _confidence(self, coverage: float, closeness: float | None, type_fit: float) -> float:
        """The one score: weighted coverage, closeness and type fit (scoring.yaml).  Without
        any name in the question, coverage takes the names' share of the weight."""
        w = self.w
        if closeness is None:
            return (w.weight_coverage + w.weight_entity) * coverage + w.weight_type * type_fit
        return (
            w.weight_coverage * coverage + w.weight_entity * closeness + w.weight_type * type_fit
        )
