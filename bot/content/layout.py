"""Second parsing pass: headings and paragraphs → articles and sections.

A newspaper page is not a document with one outline.  Articles start in several ways
(a level-1 title; a dateline paragraph ``湖南日报1月22日讯(…)`` whose title comes after it;
a heading followed by a subtitle and a dateline), a commentary may put its title and author
after its body, and an article cut off at the page edge (``有序推``) can be followed by the
continuation of an earlier article.  The rules below are heuristics about how pages are
laid out, never about a particular page; a sidecar can correct what they cannot know.
"""

from __future__ import annotations

import logging

from bot.content.blocks import Unit, UnitKind
from bot.content.drafts import ArticleDraft, SectionDraft
from bot.content.lexicon import ParsingThresholds, lexicon
from bot.content.limits import LayoutLimits, layout_limits
from bot.content.lines import (
    AUTHOR_MARK_RE,
    COLUMN_MARK_RE,
    JUMP_RE,
    SENTENCE_PUNCT_RE,
    SUBTITLE_RE,
    TextKind,
    byline_names,
    classify,
    dateline_credits,
    match_dateline,
)
from bot.content.model import LayoutFix
from bot.content.orphans import OrphanRule
from bot.text.chars import starts_as_continuation

logger = logging.getLogger(__name__)


class PageLayout:
    """Assemble units into article drafts, applying the layout heuristics in order."""

    def __init__(
        self,
        units: list[Unit],
        fixes: tuple[LayoutFix, ...] = (),
        thresholds: ParsingThresholds | None = None,
        limits: LayoutLimits | None = None,
    ) -> None:
        self.units = units
        self.kinds = [classify(u) if u.kind is UnitKind.TEXT else None for u in units]
        self.fixes = {f.line: f for f in fixes}
        self.thresholds = thresholds or lexicon().parsing  # the orphan and kicker rules
        self.limits = limits or layout_limits()  # the work one page may cost
        self.articles: list[ArticleDraft] = []
        self.current: ArticleDraft | None = None
        self.redirect: ArticleDraft | None = None  # an earlier article continued here
        self.jumped: ArticleDraft | None = None  # went on elsewhere: （下转第三栏）
        self.pending_heads: list[Unit] = []
        self.orphans = OrphanRule(self.thresholds, self.limits)
        self.notices = self.orphans.notices  # limits this page ran into (what was cut short)
        self._lookahead()

    # --- lookahead helpers ---------------------------------------------------------------
    # Each question looks past the unit at i; all are answered for every i in one backward
    # pass, since asking them by scanning forward was quadratic on 100,000 headings.

    def _lookahead(self) -> None:
        n = len(self.units)
        heading_run_has_title = [False] * (n + 1)  # a run of headings from j holds a level 1
        byline_next = [False] * (n + 1)  # after subtitles and ### headings from j: a byline
        dateline_next = [False] * (n + 1)  # after subtitles, bylines, ### headings: a dateline
        for j in range(n - 1, -1, -1):
            unit, kind = self.units[j], self.kinds[j]
            if unit.kind is UnitKind.HEADING:
                heading_run_has_title[j] = unit.level == 1 or heading_run_has_title[j + 1]
            minor_heading = unit.kind is UnitKind.HEADING and unit.level >= 3
            skip = kind is TextKind.SUBTITLE or minor_heading
            byline_next[j] = byline_next[j + 1] if skip else kind is TextKind.BYLINE
            skip = skip or kind is TextKind.BYLINE
            dateline_next[j] = dateline_next[j + 1] if skip else kind is TextKind.DATELINE
        self._heading_run_has_title = heading_run_has_title
        self._byline_next = byline_next
        self._dateline_next = dateline_next
        next_start = [n] * (n + 1)  # the first article start after j
        for j in range(n - 1, 0, -1):
            next_start[j - 1] = j if self._starts_article(j) else next_start[j]
        self._next_start = next_start

    def _is_heading(self, i: int) -> bool:
        return 0 <= i < len(self.units) and self.units[i].kind is UnitKind.HEADING

    def _kind(self, i: int) -> TextKind | None:
        return self.kinds[i] if 0 <= i < len(self.units) else None

    def _heads_level_one(self, i: int) -> bool:
        """The heading at i is a kicker/column: more headings follow, ending in a title — or
        a kicker line and then the title (## 法治·观察 / 全省推进…化解 / # 标题)."""
        if self._is_heading(i + 1):
            return self._heading_run_has_title[i + 1]
        return self._is_heading(i) and self._kicker_shaped(i + 1)

    def _titles_byline(self, i: int) -> bool:
        """The heading at i is followed (after a subtitle such as ——访…) by a byline: a new
        article's title, since a section inside an article never carries one."""
        return self._byline_next[i + 1]

    def _is_kicker_line(self, i: int) -> bool:
        """A short unpunctuated line right above a title is its kicker, not a paragraph."""
        return self._kicker_shaped(i) and (self.current is None or self.current.has_body())

    def _kicker_shaped(self, i: int) -> bool:
        """A plain line short and unpunctuated enough to be a kicker, right above a title."""
        if not 0 <= i < len(self.units) or self._is_heading(i):
            return False
        text = self.units[i].text
        return (
            self._is_heading(i + 1)
            and self.units[i + 1].level == 1
            and len(text) <= self.thresholds.max_kicker_chars
            and not SENTENCE_PUNCT_RE.search(text)
            and self._kind(i) not in (TextKind.BYLINE, TextKind.JUMP)
        )

    def _titles_dateline(self, i: int) -> bool:
        """The heading at i is followed (after subtitles/bylines) by a dateline paragraph."""
        return self._dateline_next[i + 1]

    def _is_trailing_title(self, i: int) -> bool:
        """Title and author after the body: a heading, a bare name, then a heading, a
        dateline paragraph (the next story) or the end of the page."""
        return self._kind(i + 1) is TextKind.AUTHOR and (
            i + 2 >= len(self.units)
            or self._is_heading(i + 2)
            or self._kind(i + 2) is TextKind.DATELINE
        )

    def _starts_article(self, i: int) -> bool:
        unit = self.units[i]
        if unit.kind is UnitKind.HEADING:
            fix = self.fixes.get(unit.line)
            return bool(
                unit.level == 1
                or (fix and fix.action == "title")
                or self._heads_level_one(i)
                or self._is_trailing_title(i)
                or self._titles_dateline(i)
            )
        return self._kind(i) is TextKind.DATELINE

    # --- the pass ------------------------------------------------------------------------

    def run(self) -> list[ArticleDraft]:
        i = 0
        while i < len(self.units):
            unit = self.units[i]
            if unit.kind is UnitKind.HEADING:
                i = self._heading(i)
            else:
                self._text(i)
                i += 1
        return [a for a in self.articles if a.has_body() or a.title]

    def _new_article(self, title: str | None, line: int) -> ArticleDraft:
        article = ArticleDraft(title, line)
        for head in self.pending_heads:
            if COLUMN_MARK_RE.search(head.text) and article.column is None:
                article.column = head.text
            elif article.kicker is None:
                article.kicker = head.text
            else:
                article.column = article.column or head.text
        self.pending_heads.clear()
        self.articles.append(article)
        self.current = article
        self.redirect = None
        return article

    def _heading(self, i: int) -> int:
        unit = self.units[i]
        fix = self.fixes.get(unit.line)
        current = self.current
        if unit.level == 1 or (fix and fix.action == "title"):
            self._new_article(unit.text, unit.line)
        elif self._heads_level_one(i):
            self.pending_heads.append(unit)
        elif self._is_trailing_title(i):
            self._title_after_body(unit, self.units[i + 1])
            return i + 2
        elif (
            current is not None
            and (unit.level >= 3 or SUBTITLE_RE.match(unit.text))
            and current.title is not None
            and not current.has_body()
            and current.subtitle is None
        ):
            current.subtitle = unit.text  # ### 副题, or ## ——练江流域综合整治回访
        elif self._titles_dateline(i) or self._titles_byline(i):
            self._new_article(unit.text, unit.line)
        elif current is not None and current.title is None and self.redirect is None:
            current.set_title(unit.text, unit.line)
        elif current is None:
            self._new_article(unit.text, unit.line)
        else:
            target = self.redirect or current
            if self.redirect is None and _leaves_unfinished(current):
                target = self._resolve_break(current, i)
            target.sections.append(SectionDraft(unit.text, unit.line))
        return i + 1

    def _title_after_body(self, heading: Unit, author: Unit) -> None:
        """Split the text since the last section heading off as its own article."""
        host = self.redirect or self.current
        if host is None or not host.sections:
            article = self._new_article(heading.text, heading.line)
            article.byline.append(author.text)
            return
        section = host.pop_section()
        article = ArticleDraft(heading.text, section.line)
        article.column = section.heading
        article.byline.append(author.text)
        article.add_section(SectionDraft(None, section.line, section.paragraphs))
        self.articles.insert(self._position(host) + 1, article)
        self.current = article
        self.redirect = None

    def _text(self, i: int) -> None:
        unit = self.units[i]
        kind = self.kinds[i]
        current = self.current
        if kind is TextKind.JUMP:
            self._jump(unit)
            return
        if self._is_kicker_line(i):
            self.pending_heads.append(unit)  # 开年观察·稳外贸一线 above the next title
            return
        if kind is TextKind.DATELINE and (
            current is None or current.has_body() or self.redirect is not None
        ):
            current = self._new_article(None, unit.line)
        if current is None:
            current = self._new_article(None, unit.line)
        if kind is TextKind.DATELINE and not current.has_body():
            _apply_dateline(current, unit.text)
        elif kind is TextKind.SUBTITLE and not current.has_body() and current.subtitle is None:
            current.subtitle = unit.text
            return
        elif kind in (TextKind.BYLINE, TextKind.AUTHOR) and not current.has_body():
            current.byline.extend(byline_names(unit.text) or [AUTHOR_MARK_RE.sub("", unit.text)])
            return
        elif kind is TextKind.BYLINE:
            return  # a stray byline mid-page is metadata, never body text
        target = self.redirect or current
        last = target.last_paragraph()
        if last is not None and not last.finished():
            fix = self.fixes.get(unit.line)
            if fix and fix.action == "join":
                target.continue_last_paragraph(unit)
                return
            if self.redirect is None:
                target = self._resolve_break(current, i)
                if target is current:
                    current.continue_last_paragraph(unit)
                    return
        target.add_paragraph(unit)

    def _jump(self, unit: Unit) -> None:
        """（下转第三栏） ends this column of the article; the （上接…） line further down
        says where its text resumes, so the paragraphs after it go back to that article
        whatever was printed between.  A jump to another page (转第2版) leaves nothing to
        join; a 上接 without a 下转 before it is left to the column-break rule."""
        match = JUMP_RE.match(unit.text.strip())
        way = match["way"] if match else ""
        if match is None or not match.group(0).rstrip(")） ").endswith("栏"):
            return  # 下转第2版: the rest is on another page, nothing here to join
        if way == "下转":
            self.jumped = self.redirect or self.current
        elif way == "上接" and self.jumped is not None:
            self.redirect, self.jumped = self.jumped, None
            self.current = self.redirect

    def _position(self, article: ArticleDraft) -> int:
        """Where ``article`` is in the page, searched from the end: it is the current article
        or a recent one, and ``list.index`` from the front was quadratic on long pages."""
        for k in range(len(self.articles) - 1, -1, -1):
            if self.articles[k] is article:
                return k
        raise ValueError("article is not on this page")

    def _resolve_break(self, current: ArticleDraft, i: int) -> ArticleDraft:
        """Unit i follows an unfinished paragraph: a column break, or an orphan block?"""
        unit = self.units[i]
        fix = self.fixes.get(unit.line)
        if fix and fix.action == "split":
            target = self._article_titled(fix.target) if fix.target else None
            return self._redirect_to(current, target)
        if unit.kind is UnitKind.TEXT and starts_as_continuation(unit.text):
            return current
        target = self.orphans.owner(current, self.articles, unit.line, lambda: self._block_text(i))
        return current if target is None else self._redirect_to(current, target)

    def _redirect_to(self, current: ArticleDraft, target: ArticleDraft | None) -> ArticleDraft:
        current.truncated = True
        if target is None:
            return current
        self.redirect = target
        return target

    def _article_titled(self, title: str) -> ArticleDraft | None:
        return next((a for a in self.articles if a.title == title), None)

    def _block_text(self, i: int) -> str:
        """The text from unit i up to the next article start (what would move together),
        its first ``max_compare_chars`` characters."""
        limit = self.limits.max_compare_chars
        parts: list[str] = []
        size = 0
        for j in range(i, self._next_start[i]):
            if size >= limit:
                break
            text = self.units[j].text
            parts.append(text)
            size += len(text) + 1
        return "\n".join(parts)[:limit]


def _apply_dateline(article: ArticleDraft, text: str) -> None:
    """A dateline paragraph dates the article and credits its reporters."""
    match = match_dateline(text)
    if match and match["month"]:
        year = int(match["year"]) if match["year"] else None
        article.dateline = (year, int(match["month"]), int(match["day"]))
    if match:
        article.byline.extend(n for n in dateline_credits(text) if n not in article.byline)


def _leaves_unfinished(article: ArticleDraft) -> bool:
    last = article.last_paragraph()
    return last is not None and not last.finished()
