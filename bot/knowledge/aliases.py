"""Short forms of names that readers type: 和天电子 for 和天电子有限公司, 益阳 for 益阳市.

A form is an alias only where the corpus itself uses it alone (the articles naming the entity
are searched, not the whole corpus), and never when it is an ordinary word.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping

from bot.content.lexicon import lexicon
from bot.knowledge.entity_model import Candidate, EntityKind, EntityMemo, Names
from bot.text import tokenizer

_LEGAL_SUFFIX_RE = re.compile(r"(?:集团)?(?:股份有限公司|有限责任公司|有限公司|股份公司)$")
_ADMIN_PREFIX_RE = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}(?:省|市))")
_AREA_SUFFIXES = ("经开区", "高新区", "开发区", "新区", "工业园", "产业园", "自贸区")
_BARE_FORM_RE = re.compile(r"(?<=..)(?:公司|集团)$")  # 菇源公司: a short name and a bare form
_TRADE_SUFFIX_RE = re.compile(r"(?:科技|技术|实业|控股|发展|股份)$")
# A bare name longer than this that is no dictionary word is looked for on its whole page.
CROSS_ARTICLE_MIN_CHARS = 4
# Names ending like an institution (研究院, 大学, 海关) are not cut to a prefix.
_ORG_SUFFIX_END_RE = re.compile(r"(?:院|所|校|学|局|厅|部|委|会|行|关|署|中心|基金|集团|政府)$")


class Usage:
    """How often a form is written in the articles that name an entity.

    Counting over the whole corpus would cost O(corpus) per form; a short name is used in
    the articles about its entity, so only those are searched.
    """

    def __init__(self, texts: Mapping[Hashable, str]) -> None:
        self.texts = texts

    def count(self, form: str, articles: set[Hashable]) -> int:
        return sum(self.texts[i].count(form) for i in articles)

    def alone(self, alias: str, longer: str, articles: set[Hashable]) -> bool:
        """``alias`` occurs where ``longer`` does not continue it (和天电子 without 有限公司)."""
        return self.count(alias, articles) > self.count(longer, articles)


def find_aliases(
    candidates: Mapping[str, Candidate],
    usage: Usage,
    memo: EntityMemo,
) -> dict[str, set[str]]:
    """Short forms of a name that the corpus uses on their own: 和天电子 for 和天电子有限公司,
    赣晟磁材 for 江西赣晟磁材科技有限公司, 益阳 for 益阳市.

    A name's short forms depend only on the articles it occurs in (the usage counts and the
    other organisations there) and, for a company, on the place its name starts with; the
    last build's result is reused while those are the same, so a reload does not work out
    every name again."""
    place_suffixes = tuple(s for s in lexicon().place_suffixes if len(s) == 1)
    result: dict[str, set[str]] = {}
    used: dict[str, Names] = {}
    places = set(lexicon().regions)

    def remembered(surface: str, candidate: Candidate) -> Names | None:
        entry = memo.names.get(surface)
        if entry is None or entry[0] is not candidate.kind or entry[1] != candidate.articles:
            return None
        return entry

    all_places = {s for s, c in candidates.items() if c.kind is EntityKind.PLACE} | places
    all_suffixes = tuple(lexicon().place_suffixes)
    for surface, candidate in candidates.items():  # places first: orgs start with them
        if candidate.kind is EntityKind.PLACE:
            entry = remembered(surface, candidate)
            if entry is None:
                names = {surface}
                if surface.endswith(place_suffixes) and len(surface) >= 3:
                    short = surface[:-1]
                    if usage.alone(short, surface, candidate.articles):
                        names.add(short)
                entry = (candidate.kind, frozenset(candidate.articles), None, frozenset(names))
            used[surface] = entry
            result[surface] = set(entry[3]) | _inner_place(surface, all_places, all_suffixes)
            places |= entry[3]
            for suffix in _AREA_SUFFIXES:  # 赣州经开区 → 赣州 also opens company names
                if surface.endswith(suffix) and len(surface) - len(suffix) >= 2:
                    places.add(surface[: -len(suffix)])
    frozen_places = frozenset(places)
    same_places = memo.places == frozen_places
    by_article: dict[Hashable, list[str]] = {}
    for surface, candidate in candidates.items():
        if candidate.kind is EntityKind.ORG:
            for position in candidate.articles:
                by_article.setdefault(position, []).append(surface)

    def neighbours(candidate: Candidate) -> set[str]:
        """Other organisations named in the same articles (三江茶 must not be the start of
        both 三江茶业交易 and 三江茶叶交易中心)."""
        return {o for p in candidate.articles for o in by_article.get(p, ())}

    for surface, candidate in candidates.items():
        if candidate.kind is EntityKind.PLACE:
            continue
        if candidate.kind is not EntityKind.ORG:
            result[surface] = {surface}
            continue
        entry = remembered(surface, candidate)
        if entry is not None and not same_places and entry[2] != _place_prefix(surface, places):
            entry = None
        if entry is None:
            names = {surface}
            forms, core = _org_short_forms(surface, places)
            for alias in forms:
                if (
                    alias != surface
                    and not _ordinary_word(alias)
                    and usage.alone(alias, surface, candidate.articles)
                ):
                    names.add(alias)
            for form in _full_forms(surface):
                other = candidates.get(form)
                if other is not None and other.kind is EntityKind.ORG:
                    names.add(form)  # 某州银行 named elsewhere is 某州银行股份有限公司
            for alias in _prefix_forms(core):
                if usage.alone(alias, core[: len(alias) + 1], candidate.articles) and not any(
                    o != surface and alias in o and not _bare_form_of(o, alias)
                    for o in neighbours(candidate)
                ):
                    names.add(alias)
            prefix = _place_prefix(surface, places)
            entry = (candidate.kind, frozenset(candidate.articles), prefix, frozenset(names))
        used[surface] = entry
        result[surface] = set(entry[3])
    memo.names = used  # only what this snapshot uses
    memo.places = frozen_places
    return result


def _inner_place(surface: str, places: set[str], suffixes: tuple[str, ...]) -> set[str]:
    """南岭县石桥镇 is also called 石桥镇: a place written after the larger place it lies in
    (县 + 镇, 市 + 区) is named by its own part alone (when that part is a place name itself:
    three characters or more, ending with a place suffix)."""
    for n in range(len(surface) - 3, 1, -1):
        rest = surface[n:]
        if surface[:n] in places and rest.endswith(suffixes) and rest not in places:
            return {rest}
    return set()


def _place_prefix(surface: str, places: set[str]) -> str | None:
    """The longest place a company name starts with (what its short forms depend on)."""
    base = _LEGAL_SUFFIX_RE.sub("", surface)
    for n in range(len(base) - 2, 1, -1):
        if base[:n] in places:
            return base[:n]
    return None


def fold_bare_names(
    candidates: Mapping[str, Candidate],
    aliases: dict[str, set[str]],
    page_of: Mapping[Hashable, Hashable] | None = None,
) -> None:
    """A bare "交易中心" in an article that also names "宜宾三江茶叶交易中心" is that one: the
    shorter organisation becomes an alias of the only longer one ending with it.  A bare name
    that is no word of the language and longer than ``CROSS_ARTICLE_MIN_CHARS`` is looked for
    on its whole page (``page_of``: article key → page), a commentary or a brief beside the
    report (冷链物流中心); a word like 人民医院 only in its own article.  Only organisations
    sharing an article or a page are compared, so the cost grows with the corpus, not with
    its square."""
    pages = page_of or {}
    by_article: dict[Hashable, list[str]] = {}
    by_page: dict[Hashable, list[str]] = {}
    for surface, candidate in candidates.items():
        if candidate.kind is EntityKind.ORG:
            for article in candidate.articles:
                by_article.setdefault(article, []).append(surface)
                by_page.setdefault(pages.get(article, article), []).append(surface)
    for surface, candidate in candidates.items():
        if candidate.kind is not EntityKind.ORG:
            continue
        stem = _BARE_FORM_RE.sub("", surface)
        wide = len(surface) > CROSS_ARTICLE_MIN_CHARS and not tokenizer.is_word(surface)
        groups = (
            [by_page.get(pages.get(a, a), []) for a in candidate.articles]
            if wide
            else [by_article.get(a, []) for a in candidate.articles]
        )
        longer = {
            other
            for group in groups
            for other in group
            if other != surface
            and (other.endswith(surface) or (stem != surface and stem in aliases[other]))
        }
        if len(longer) == 1:
            aliases[longer.pop()].add(surface)


def _bare_form_of(name: str, alias: str) -> bool:
    """``菇源公司`` is the bare form of 菇源 (of 浙江菇源生物科技有限公司), not another company
    whose name holds it."""
    return name != alias and _BARE_FORM_RE.sub("", name) == alias


def _full_forms(surface: str) -> set[str]:
    """The name without its legal form, and with its trade words shortened (某某财产保险股份
    有限公司 → 某某财产保险, 某某财险): still the whole name, place and all — so another
    organisation named so is this one."""
    base = _LEGAL_SUFFIX_RE.sub("", surface)
    forms = {base} - {surface}
    for long, short in lexicon().org_abbreviations.items():
        forms |= {f.replace(long, short) for f in (surface, base) if long in f}
    return forms - {surface}


def _org_short_forms(surface: str, places: set[str]) -> tuple[list[str], str]:
    """Candidate short names without the legal form, the place and the trade word
    (江西赣晟磁材科技有限公司 → 赣晟磁材), and the core name for prefix forms ("" when the
    name is not a registered company)."""
    base = _LEGAL_SUFFIX_RE.sub("", surface)
    company = base != surface
    forms = [base, *sorted(_full_forms(surface) - {base})]
    for n in range(len(base) - 2, 1, -1):  # the longest place the name starts with
        if base[:n] in places:
            forms.append(base[n:])
            break
    forms += [_ADMIN_PREFIX_RE.sub("", f) for f in list(forms)]
    forms += [f[1:] for f in list(forms) if f.startswith("省") and len(f) > 3]
    forms += [_TRADE_SUFFIX_RE.sub("", f) for f in list(forms)]
    core = forms[-1] if company and not _ORG_SUFFIX_END_RE.search(forms[-1]) else ""
    lx = lexicon()
    generic = set(lx.org_suffixes)
    heads = lx.org_type_heads
    kept = [f for f in dict.fromkeys(forms) if len(f) >= 2 and f not in generic]
    return [f for f in kept if not _institution_type(f, generic, heads)], core


def _institution_type(form: str, suffixes: set[str], heads: tuple[str, ...]) -> bool:
    """人民检察院 of 南岭县人民检察院 (and of 省人民检察院) is a kind of institution, not a
    name: as an alias it would make one organisation of every court or procuratorate."""
    return any(form.startswith(h) and form[len(h) :] in suffixes for h in heads)


def _ordinary_word(form: str) -> bool:
    """A dictionary word that is not a proper name (电子 of 黛圃电子有限公司 once the place
    is cut off): as an alias it would name the company in every sentence about electronics."""
    return tokenizer.is_word(form) and form not in tokenizer.proper_nouns()


def _prefix_forms(core: str) -> list[str]:
    """瑞驰电驱动 → 瑞驰电驱, 瑞驰电, 瑞驰: leading parts that are not ordinary words; each is
    kept only if the corpus uses it where the longer form does not continue (checked by the
    caller), so 和天电 (always followed by 子) is not an alias."""
    return [core[:n] for n in range(len(core) - 1, 1, -1) if not tokenizer.is_word(core[:n])]
