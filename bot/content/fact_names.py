"""Name facts: people with their role (董事长陈宏志), organisations and places.

Precision matters more than recall here: a wrong name makes a confident wrong answer to
"谁", so a name is only taken where a title, a speech verb or a suffix vouches for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.content.fact_patterns import Patterns, patterns
from bot.content.lexicon import lexicon
from bot.content.model import Fact, FactKind
from bot.content.name_guards import a_home_place, counted_after, plain_role_misread
from bot.text import tokenizer
from bot.text.tokenizer import boundary_words

# --- people, organisations, places -----------------------------------------------------------


def _person_cues() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    lx = lexicon()
    return lx.roles_before_name, lx.roles_after_name, lx.speech_verbs


def people(s: str) -> Iterator[Fact]:
    p = patterns()
    before, after, verbs = _person_cues()
    has_before = any(w in s for w in before)
    has_after = any(w in s for w in after)
    has_verb = any(w in s for w in verbs)
    seen: set[str] = set()
    for m in p.role_person.finditer(s) if has_before else ():
        name = _fit_name(s, m.start("name"))
        roles = m["roles"]
        if not name or name in seen or plain_role_misread(roles.split("、")[-1], name, lexicon()):
            continue
        seen.add(name)
        staff = roles.split("、")[-1] in lexicon().staff_roles
        org = None if staff else (_walk_back(s, m.start("roles"), p) or None)
        start = m.start("roles")
        yield Fact(
            FactKind.PERSON,
            s[start : m.start("name") + len(name)],
            name,
            None,
            start,
            m.start("name") + len(name),
            role=roles,
            org=org,
        )
    for m in p.person_role_after.finditer(s) if has_after else ():
        name = _fit_name(s, m.start("name"), allow_followed_by=m["role"])
        if not name or name in seen or p.org_suffix.search(name[-2:]):
            continue
        if _common_noun(name):
            continue  # 全科医生: a kind of doctor, not a doctor called 全科
        if any(name[-n:] + m["role"] in before for n in (1, 2)):
            continue  # 项目总工程师: the title 总工程师, not 工程师 after a "项目总"
        seen.add(name)
        end = m.start("name") + len(name) + len(m["role"])
        yield Fact(
            FactKind.PERSON,
            s[m.start("name") : end],
            name,
            None,
            m.start("name"),
            end,
            role=m["role"],
        )
    yield from _aged(s, seen)
    for m in p.subject_person.finditer(s) if has_verb else ():
        name = _fit_name(s, m.start("name"))
        if not name or name in seen or _common_noun(name) or _not_a_subject(s, m, name, p):
            continue  # 农户以…入股: households, not a person surnamed 农
        seen.add(name)
        start = m.start("name")
        yield Fact(FactKind.PERSON, name, name, None, start, start + len(name))


def _aged(s: str, seen: set[str]) -> Iterator[Fact]:
    """今年61岁的某某 / 现年58岁的某某: a name right after an age is a person's, whatever
    follows it (no title, no speech verb: 某某分到了…)."""
    lx = lexicon()
    at = s.find(_AGE_OF)
    while at > 0:
        start = at + len(_AGE_OF)
        if s[at - 1] in _AGE_DIGITS and (
            s[start : start + 1] in lx.surnames or s[start : start + 2] in lx.double_surnames
        ):
            name = _name_after_age(s, start)
            # 今年34岁的某县…村民某某: an age may be followed by where the person is from
            if name and a_home_place(s, start, name, lx):
                name = None
            if name and name not in seen and not _common_noun(name):
                seen.add(name)
                yield Fact(FactKind.PERSON, name, name, None, start, start + len(name))
        at = s.find(_AGE_OF, start)


def _name_after_age(s: str, start: int) -> str | None:
    """The name an age introduces: two characters when a word follows them (李强|开始),
    else as what follows decides (:func:`_fit_name`), else three (张根宝|分到)."""
    if tokenizer.is_word(s[start + 2 : start + 4]):
        return s[start : start + 2]
    name = _fit_name(s, start) or s[start : start + 3]
    return name if len(name) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in name) else None


def _common_noun(name: str) -> bool:
    """A two-character dictionary noun that begins with a surname character (农户, 全科): a
    word, not a person's name."""
    return len(name) == 2 and tokenizer.is_word(name) and name in tokenizer.common_nouns()


_SPEECH_CHARS = frozenset("说称讲道笑问答")
_ASPECT_PARTICLES = ("着", "了", "过")
_AGE_OF = "岁的"
_AGE_DIGITS = "0123456789一二三四五六七八九十"
# How far left of its suffix a name may start: a branch of a company is written with the
# company's whole name (某某财产保险股份有限公司某州中心支公司), some twenty characters.
MAX_NAME_WALK = 22
_NAME_FOLLOWERS = (
    *"的在和与等也就是说带对从向将为已曾还都",
    "团队",
    "先生",
    "女士",
    "一行",
    "同志",
)


def _fit_name(s: str, start: int, allow_followed_by: str | None = None) -> str | None:
    """Choose a 2- or 3-character name at ``start`` by what follows it.

    Word segmenters split unknown names badly (李日/新), so the name length is decided by
    which choice leaves a plausible next word: punctuation, a speech verb, a title.
    """
    lx = lexicon()
    surname_len = 2 if s[start : start + 2] in lx.double_surnames else 1
    followers = (
        *lx.speech_verbs,
        *lx.roles_after_name,
        *lx.roles_before_name,
        *_NAME_FOLLOWERS,
        *((allow_followed_by,) if allow_followed_by else ()),
    )
    candidates = []
    for given in (2, 1):
        end = start + surname_len + given
        if end > len(s):
            continue
        name = s[start:end]
        if not all("\u4e00" <= c <= "\u9fff" for c in name):
            continue
        if given == 2 and name[-1] in _SPEECH_CHARS:
            continue  # 何婷说 is 何婷 + 说
        rest = s[end:]
        if not rest or not ("\u4e00" <= rest[0] <= "\u9fff") or rest.startswith(followers):
            return name
        candidates.append((name, rest))
    # no known word follows: a three-character name followed by an ordinary word (郑海涛接到)
    # or by a one-character verb with its aspect particle (郑海涛盯着, 郑海涛看了)
    for name, rest in candidates:
        if len(name) - surname_len == 2 and (
            tokenizer.is_word(rest[:2]) or rest[1:2] in _ASPECT_PARTICLES
        ):
            return name
    return None


def _not_a_subject(s: str, m: re.Match[str], name: str, p: Patterns) -> bool:
    """全市|直接受益 (a noun cutting the next word), and after 由 an organisation or a place
    (由高新区牵头, 由文旅局牵头): no person opens the clause."""
    end = m.start("name") + len(name)
    if len(name) == 3 and _cuts_words(name, s[end:]):
        return True
    after_agent = s[m.start("name") - 1 : m.start("name")] == "由"
    return after_agent and bool(p.org_suffix.search(name) or p.place_suffix.search(name))


def _cuts_words(name: str, rest: str) -> bool:
    """A three-character "name" with no title before it that jieba reads as a common noun
    and the first half of the next word (全市|直接|受益): no one surnamed 全. A real name
    keeps its last character apart (黄金|华|表示, 方向|东|指出)."""
    tokens = tokenizer.cut(name + rest[:4])
    return (
        _common_noun(name[:2])
        and len(tokens) > 1
        and tokens[0] == name[:2]
        and len(tokens[1]) >= 2
        and tokens[1].startswith(name[2])
    )


def named(s: str, kind: FactKind) -> Iterator[Fact]:
    """Organisations and places: a suffix (公司/研究院, 区/州) and the name before it."""
    p = patterns()
    pattern = p.org_suffix if kind is FactKind.ORG else p.place_suffix
    seen: set[str] = set()
    lx = lexicon()
    false_words = lx.false_name_words
    for m in pattern.finditer(s):
        if kind is FactKind.PLACE and s.startswith(lx.place_suffix_words, m.end() - 1):
            continue  # 乡 of 乡村
        start = _name_start(s, m.start(), p, stop_at_verbs=kind is FactKind.PLACE)
        start = _trim_boundary_words(s, start, m.start())
        name = s[start : m.end()]
        core = len(name) - len(m.group(0))
        if core < 2 or len(name) > 24 or name in seen or name.endswith(false_words):
            continue
        if kind is FactKind.PLACE and _described(s, start, lx.describing_words):
            continue
        if kind is FactKind.ORG and core == 2 and counted_after(s, m.end(), p):
            continue  # 建成机房楼2栋、动力中心1栋: a kind of building counted, no name
        if kind is FactKind.PLACE and s.endswith(m.group(0), 0, m.start()):
            continue  # 长河县|县控断面: a suffix twice begins a new word (县控, 市属), no name
        seen.add(name)
        yield Fact(kind, name, name, None, start, m.end())
    if kind is FactKind.PLACE:
        for m in p.region.finditer(s):
            if m["region"] in seen:
                continue
            seen.add(m["region"])
            yield Fact(kind, m["region"], m["region"], None, m.start(), m.end())


def _described(s: str, start: int, words: tuple[str, ...]) -> bool:
    """``这座浙西南山区县``: a demonstrative and a measure word before the candidate (or as
    its first character, when the walk stopped at 这) make it a description."""
    return s[:start].endswith(words) or s[: start + 1].endswith(words)


def _name_start(
    s: str,
    suffix_start: int,
    p: Patterns,
    *,
    stop_at_verbs: bool = False,
) -> int:
    """Walk left from a suffix until a stop word, punctuation, or another name's end
    (``和湖南师范大学`` after 高新区; ``江西赣晟…公司`` after 经开区: names start with a
    province)."""
    start = suffix_start
    limit = max(0, suffix_start - MAX_NAME_WALK)
    for word in lexicon().name_words_before_suffix:
        if s.endswith(word, 0, start):
            start -= len(word)  # 交通建设投资|集团: part of the name, not the verb 投资
            break
    guarded = lexicon().org_stop_words_not_before
    while start > limit:
        head = s[:start]
        stop = p.stop_tail.search(head)
        if stop and s[start : start + 1] not in guarded.get(stop.group(0), ""):
            break
        if head[-1] in "和与及" and _ends_with_name(head[:-1], p):
            break
        if p.region.match(s, start) and _ends_with_name(head, p):
            break
        if stop_at_verbs and (head[-2:] in boundary_words() or head[-3:] in boundary_words()):
            break  # 迁入赣州经开区: place names hold no verbs (organisations may: 融资担保集团)
        if stop_at_verbs and _ends_with_org(head, p):
            break  # 某某有限公司|某州中心支公司: a place never holds a company's name
        start -= 1
    return start


def _trim_boundary_words(s: str, start: int, end: int) -> int:
    """Drop leading verbs/adverbs (带动赫山区 → 赫山区) from a name candidate."""
    words = boundary_words()
    while start < end:
        for size in (3, 2):
            if start + size <= end and s[start : start + size] in words:
                start += size
                break
        else:
            return start
    return start


def _ends_with_name(text: str, p: Patterns) -> bool:
    return _ends_with_org(text, p) or any(
        text.endswith(m.group(0)) for m in p.place_suffix.finditer(text[-8:])
    )


def _ends_with_org(text: str, p: Patterns) -> bool:
    return any(text.endswith(m.group(0)) for m in p.org_suffix.finditer(text[-8:]))


def _walk_back(s: str, end: int, p: Patterns) -> str:
    """The organisation written right before a job title (``和天电子`` 董事长), also when its
    short name in brackets stands between them (某某合作社(简称“某某”)理事长)."""
    if end and s[end - 1] in ")）":
        opening = max(s.rfind("(", 0, end), s.rfind("（", 0, end))
        if opening > 0:
            end = opening
    start = _name_start(s, end, p)
    name = s[start:end]
    return name if 2 <= len(name) <= 24 else ""
