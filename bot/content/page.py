"""Turn one OCR'd page into frozen Articles: layout, sentences, facts, summaries, ids."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

from bot.content.blocks import Unit, read_units
from bot.content.drafts import ArticleDraft
from bot.content.facts import DateContext, extract_facts
from bot.content.layout import PageLayout
from bot.content.lexicon import ParsingThresholds, lexicon
from bot.content.limits import page_limits
from bot.content.model import Article, Fact, FactKind, PageMeta, Paragraph, Section, Sentence
from bot.content.summary import section_summary, strip_dateline, summarize
from bot.errors import ContentError, Problem
from bot.text.chars import CLOSERS, OPENERS, without_unpaired_straight_quote
from bot.text.sentences import split_sentences

# Words that stand for "the organisation mentioned just before" (公司党委书记 → which company?).
_GENERIC_ORGS = (
    "公司",
    "该公司",
    "集团",
    "该集团",
    "企业",
    "中心",
    "该中心",
    "研究院",
    "该研究院",
)


def parse_page(
    text: str,
    meta: PageMeta,
    parsing: ParsingThresholds | None = None,
    notices: list[str] | None = None,
) -> tuple[Article, ...]:
    """The page's articles, parsed with ``parsing`` (default: the bound lexicon's); what a
    work limit cut short is appended to ``notices``."""
    parsing = parsing or lexicon().parsing
    units = read_units(text)
    layout = PageLayout(units, meta.layout, parsing)
    drafts = layout.run()
    if notices is not None:
        notices.extend(layout.notices)
    articles = []
    used_ids: set[str] = set()
    budget = _SentenceBudget(meta.file, page_limits().max_sentences)
    for index, draft in enumerate(drafts):
        article = _freeze(draft, meta, index, used_ids, budget, parsing)
        if article.paragraphs:
            articles.append(article)
    return tuple(articles)


def _article_date(draft: ArticleDraft, meta: PageMeta) -> dt.date | None:
    """The dateline's day (the news happened then: 今天 means that day), else the page date."""
    if draft.dateline is None:
        return meta.date
    year, month, day = draft.dateline
    if year is None:
        if meta.date is None:
            return None
        year = meta.date.year - 1 if month > meta.date.month else meta.date.year
    try:
        return dt.date(year, month, day)
    except ValueError:
        return meta.date


class _SentenceBudget:
    """Facts are extracted per sentence, the costly step of parsing: a page may have
    ``max_sentences`` (``parsing.yaml``; a real page has a few hundred), past that it is
    refused with the line where the limit was reached, before the work is done."""

    def __init__(self, file: str, limit: int) -> None:
        self.file = file
        self.left = limit
        self.limit = limit

    def spend(self, unit: Unit, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise ContentError(
                [
                    Problem(
                        self.file,
                        unit.line,
                        f"page has more than {self.limit:,} sentences (the limit per page); "
                        "split it into several pages",
                    )
                ]
            )


def _freeze(
    draft: ArticleDraft,
    meta: PageMeta,
    index: int,
    used_ids: set[str],
    budget: _SentenceBudget,
    parsing: ParsingThresholds,
) -> Article:
    title = draft.title or _fallback_title(draft)
    date = _article_date(draft, meta)
    context = DateContext(date)
    sections = tuple(
        _section(s.heading, s.line, [p.unit() for p in s.paragraphs], context, budget, parsing)
        for s in draft.sections
        if s.paragraphs
    )
    sentences = [s.text for sec in sections for p in sec.paragraphs for s in p.sentences]
    digest = hashlib.sha256()
    for part in (title, draft.kicker or "", draft.subtitle or "", *sentences):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    article_id = _article_id(meta.file, title, index, used_ids)
    return Article(
        id=article_id,
        title=title,
        file=meta.file,
        line=draft.line,
        sections=sections,
        kicker=draft.kicker,
        column=draft.column,
        subtitle=draft.subtitle,
        byline=tuple(draft.byline),
        date=date,
        publication=meta.publication,
        truncated=draft.truncated,
        summary=meta.summaries.get(title) or summarize(sentences[:8], parsing),
        content_hash=digest.hexdigest()[:16],
        url=meta.urls.get(title) or meta.url,
    )


def _fallback_title(draft: ArticleDraft) -> str:
    """An article with no heading at all is named after its first sentence (its first 30
    characters, never ending inside a quotation or a bracket the cut left open; a brief's
    mark and dateline left out: ■本报讯（记者 某某）今年全市… is named 今年全市…)."""
    for section in draft.sections:
        for paragraph in section.paragraphs:
            for start, end in split_sentences(paragraph.text):
                sentence = strip_dateline(paragraph.text[start:end])
                cut = without_unpaired_straight_quote(sentence[:30])
                # …or, when it opens with a long quotation, its words without the mark
                return _closed(cut, keep_words=False).rstrip("，,、：:") or _closed(
                    cut, keep_words=True
                )
    return "(untitled)"


def _closed(text: str, *, keep_words: bool) -> str:
    """``text`` with every opening mark it leaves unclosed gone: cut off with what follows
    it, or (``keep_words``) the mark alone."""
    for opening, closing in zip(OPENERS, CLOSERS, strict=True):
        while text.count(opening) > text.count(closing):
            at = text.rfind(opening)
            text = text[:at] + (text[at + 1 :] if keep_words else "")
    return text


def _article_id(file: str, title: str, index: int, used: set[str]) -> str:
    """Stable across reloads, restarts and a renamed seeds directory: the page's file name
    and the title (subscribers' ledgers and buttons hold these ids)."""
    name = file.rsplit("/", 1)[-1]
    base = hashlib.sha1(f"{name}\x00{title}".encode()).hexdigest()[:10]
    candidate = base
    if candidate in used:
        candidate = hashlib.sha1(f"{name}\x00{title}\x00{index}".encode()).hexdigest()[:10]
    used.add(candidate)
    return candidate


def _section(
    heading: str | None,
    line: int,
    units: list[Unit],
    context: DateContext,
    budget: _SentenceBudget,
    parsing: ParsingThresholds,
) -> Section:
    paragraphs = []
    last_org: str | None = None
    for unit in units:
        sentences = []
        spans = list(split_sentences(unit.text))
        budget.spend(unit, len(spans))
        for start, end in spans:
            text = unit.text[start:end]
            facts = extract_facts(text, context)
            facts, last_org = _resolve_generic_orgs(facts, last_org)
            sentences.append(Sentence(text, start, unit.line_at(start), facts))
        paragraphs.append(Paragraph(unit.text, unit.line, tuple(sentences)))
    all_sentences = [s.text for p in paragraphs for s in p.sentences]
    return Section(heading, tuple(paragraphs), line, section_summary(all_sentences, parsing))


def _resolve_generic_orgs(
    facts: tuple[Fact, ...],
    last_org: str | None,
) -> tuple[tuple[Fact, ...], str | None]:
    """``公司党委书记谢容德``: the company is the one named last before him."""
    resolved = []
    for fact in facts:
        if fact.kind is FactKind.PERSON and fact.org in _GENERIC_ORGS:
            if last_org and fact.role and fact.role not in ("记者", "通讯员"):
                fact = replace(fact, org=last_org)
        elif fact.kind is FactKind.ORG and fact.text not in _GENERIC_ORGS:
            last_org = fact.text
        resolved.append(fact)
    return tuple(resolved), last_org
