"""Turn a reader's message into a Query: intent, answer type, names, content words.

Order matters: normalise (traditional → simplified, width, case), classify by the rules,
find names exactly (a dictionary lookup of the message's substrings), then by sound and by
edit distance for what is left (typos), then cut the rest into content words with jieba.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.content.lexicon import alternation, lexicon
from bot.knowledge.analysis import CONCEPT_PREFIX
from bot.knowledge.build import Knowledge
from bot.knowledge.entities import Entity
from bot.knowledge.fuzzy import MIN_EDIT_CHARS, MIN_SOUND_CHARS, FuzzyIndex, masks
from bot.nlu.classify import Classification, classify
from bot.rules.model import AnswerType, IntentKind
from bot.text import pinyin, tokenizer
from bot.text.normalize import normalize

_WORD_RE = re.compile(r"\w")
_QUESTION_WORD_RE = re.compile(r"哪|谁|什么|啥|多少|几|吗|怎么|如何|为什么|为何|何时")
# "贵不贵", "多不多", "有没有": a yes/no cue, not something the answer must contain
_A_NOT_A_RE = re.compile(r"^(?:(\w{1,2})[不没]\1?|[几多少]+[个家项位名台种条次年天])$")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?(?:[万亿]?(?:元|%|个|家|项|人|台|户|年|月|日))?")


@dataclass(frozen=True, slots=True)
class NameMatch:
    entity: Entity
    surface: str  # as written in the message
    start: int
    end: int
    fuzzy: bool = False
    score: float = 100.0


@dataclass(frozen=True, slots=True)
class Query:
    raw: str
    text: str
    classification: Classification
    names: tuple[NameMatch, ...] = ()
    terms: tuple[str, ...] = ()  # content words (and ≈concept keys)
    unit: str | None = None  # measure word asked for: 多少"辆"
    truncated: bool = False
    counted: tuple[str, ...] = ()  # the words of what is counted: 多少"在校学生"
    grain: str | None = None  # how precise a date is asked for: day, month, year
    pronoun: bool = False  # refers back: 他们, 该公司
    ellipsis: bool = False  # "研发团队呢？"
    inherited: tuple[str, ...] = field(default=())  # notes on what came from context
    tense: str | None = None  # "now" (现在要几个人), "past" (以前…) or "future" (计划…)
    year: int | None = None  # a year the question names (2025年)…
    year_offset: int | None = None  # …or names relative to the article's date (去年: -1)

    @property
    def kind(self) -> IntentKind | None:
        intent = self.classification.intent
        return intent.kind if intent else None

    @property
    def answer_type(self) -> AnswerType | None:
        intent = self.classification.intent
        if intent is None:
            return AnswerType.ANY if self.terms or self.names else None
        return intent.answer if intent.kind is IntentKind.QUESTION else None

    @property
    def named(self) -> tuple[NameMatch, ...]:
        return tuple(n for n in self.names if n.entity.is_named)

    @property
    def concepts(self) -> tuple[str, ...]:
        return tuple(
            CONCEPT_PREFIX + n.entity.key.split(":", 1)[1]
            for n in self.names
            if not n.entity.is_named
        )


def understand(message: str, knowledge: Knowledge) -> Query:
    limit = knowledge.rules.thresholds.max_question_chars
    # cut before normalising: a 100 KB message must cost no more than a long question
    text = normalize(message[: limit * 4])
    truncated = len(message) > limit * 4 or len(text) > limit
    text = text[:limit]
    classification = classify(text, knowledge.rules)
    names = find_names(text, knowledge)
    covered = [(n.start, n.end) for n in names]
    # a year is checked against each sentence's dates (Query.year), not matched as a word:
    # "2025年…" is answered by "去年，…" on a 2026 page
    covered += [m.span() for m in _YEAR_RE.finditer(text)]
    terms = _content_terms(text, covered, knowledge)
    language = knowledge.rules.language
    pronoun = any(p in text for p in language.pronouns)
    stripped = re.sub(r"[\s?？!！。.,，~]+$", "", text)
    ellipsis = (
        bool(stripped)
        and len(stripped) <= 14
        and (
            stripped.endswith("呢")
            or (
                stripped.startswith(("那", "还有", "另外"))
                and not _QUESTION_WORD_RE.search(stripped)
            )
        )
    )
    return Query(
        message,
        text,
        classification,
        names,
        tuple(terms),
        _unit(text),
        truncated,
        _counted(text, names, terms),
        _grain(text),
        pronoun,
        ellipsis,
        tense=_tense(text),
        year=_year(text),
        year_offset=_year_offset(text),
    )


def find_names(text: str, knowledge: Knowledge) -> tuple[NameMatch, ...]:
    """Names in the message: exact or same-sounding (longest first), then near-spellings."""
    sounds = pinyin.syllables(text)
    bounds = word_bounds(text)
    found = _names_by_text_or_sound(text, sounds, bounds, knowledge)
    taken = bytearray(len(text))
    for name in found:
        taken[name.start : name.end] = b"\x01" * (name.end - name.start)
    found += _names_by_spelling(text, sounds, bounds, taken, knowledge)
    found.sort(key=lambda n: n.start)
    unique: dict[str, NameMatch] = {}
    for name in found:
        unique.setdefault(name.entity.key, name)
    return tuple(unique.values())


def _names_by_text_or_sound(
    text: str, sounds: list[str], bounds: frozenset[int], knowledge: Knowledge
) -> list[NameMatch]:
    """Leftmost-longest names, where a window matches a name by its text or by its sound.

    Sound keys catch the homophones pinyin input produces (信为电科, 湘西洲); because the
    longest window wins, 湘西洲 is read as 湘西州 rather than the shorter alias 湘西.
    """
    aliases = knowledge.lexicons.aliases
    by_sound = knowledge.fuzzy.by_sound
    table = knowledge.entities
    lengths = sorted(set(knowledge.fuzzy.lengths) | set(aliases.lengths()) | {2}, reverse=True)
    result: list[NameMatch] = []
    i = 0
    n = len(text)
    while i < n - 1:
        exact = _exact_name(text, i, lengths, knowledge)
        hit = exact
        for length in lengths:
            end = i + length
            if end > n or (exact is not None and end <= exact.end):
                continue
            window = text[i:end]
            if i not in bounds or end not in bounds:
                continue  # a same-sounding name must be whole words: not 新工 of 新工厂
            if length >= MIN_SOUND_CHARS or (length == 2 and not tokenizer.is_word(window)):
                # a two-character dictionary word (培育) is that word, not a name (沛宇)
                same = by_sound.get(" ".join(sounds[i:end]))
                entity = table.by_alias(same[0]) if same else None
                if entity is None or not same:
                    continue
                if exact is not None and entity.key != exact.entity.key:
                    continue  # 湖南这 is 湖南 and a word, not someone called 胡楠哲
                score = max(
                    fuzz.ratio(window, same[0]), knowledge.rules.thresholds.fuzzy_min_pinyin
                )
                hit = NameMatch(entity, window, i, end, True, score)
                break
        if hit is not None:
            result.append(hit)
            i = hit.end
        else:
            i += 1
    return result


def _exact_name(text: str, i: int, lengths: list[int], knowledge: Knowledge) -> NameMatch | None:
    """The longest known name written exactly at position ``i``."""
    aliases = knowledge.lexicons.aliases
    for length in lengths:
        end = i + length
        if end <= len(text) and (window := text[i:end]) in aliases:
            entity = knowledge.entities.by_alias(window)
            if entity is not None:
                return NameMatch(entity, window, i, end)
    return None


def _names_by_spelling(
    text: str,
    sounds: list[str],
    bounds: frozenset[int],
    taken: bytearray,
    knowledge: Knowledge,
) -> list[NameMatch]:
    """Names with one wrong character: nearly the same sound (罗建民 ~ 罗建明, compared by
    pinyin) or, for longer names, nearly the same spelling (rapidfuzz on the characters)."""
    index = knowledge.fuzzy
    min_score = knowledge.rules.thresholds.fuzzy_min_score
    min_sound = knowledge.rules.thresholds.fuzzy_min_pinyin
    result: list[NameMatch] = []
    i = 0
    n = len(text)
    while i < n:
        if taken[i] or not _WORD_RE.match(text[i]) or i not in bounds:
            i += 1
            continue
        best = None
        for length in index.lengths:
            end = i + length
            if end > n or any(taken[i:end]) or end not in bounds:
                continue
            best = _sound_candidate(text[i:end], sounds[i:end], index, min_sound)
            if best is None and length >= MIN_EDIT_CHARS:
                best = _edit_candidate(text[i:end], index.by_bigram, min_score)
            if best is not None:
                break
        entity = knowledge.entities.by_alias(best[2]) if best else None
        if best is not None and entity is not None:
            score, length, _ = best
            result.append(NameMatch(entity, text[i : i + length], i, i + length, True, score))
            taken[i : i + length] = b"\x01" * length
            i += length
            continue
        i += 1
    return result


def word_bounds(text: str) -> frozenset[int]:
    """Where jieba's words of ``text`` start and end.  With thousands of names, some name
    sounds like any two characters (委书 of 党委书记 ~ 苇蜀); a typed name is its own word."""
    return frozenset({0, len(text), *(start for _, start in tokenizer.cut_with_offsets(text))})


def _sound_candidate(
    window: str, syllables: list[str], index: FuzzyIndex, min_score: float
) -> tuple[float, int, str] | None:
    """A same-length name starting with the same syllable whose sound is nearly the same and
    that differs in one character only: with hundreds of names, sound alone pairs ordinary
    words with some name (长说要 ~ 张曙敖)."""
    if len(syllables) < MIN_SOUND_CHARS:
        return None
    key = " ".join(syllables)
    best: tuple[float, int, str] | None = None
    near = {name for masked in masks(window) for name in index.by_mask.get(masked, ())}
    for name in sorted(near):
        sounds = pinyin.syllables(name)
        if sounds[0] != syllables[0]:
            continue
        score = fuzz.ratio(key, " ".join(sounds))
        if score >= min_score and (best is None or score > best[0]):
            best = (score, len(syllables), name)
    return best


def _edit_candidate(
    window: str, by_bigram: Mapping[tuple[str, int], tuple[str, ...]], min_score: float
) -> tuple[float, int, str] | None:
    """The closest same-length name sharing enough bigrams with ``window``, if close enough."""
    length = len(window)
    counts: dict[str, int] = {}
    for gram in {window[k : k + 2] for k in range(length - 1)}:
        for name in by_bigram.get((gram, length), ()):
            counts[name] = counts.get(name, 0) + 1
    needed = max(1, (length - 1) // 2)
    best: tuple[float, int, str] | None = None
    shortlist = heapq.nsmallest(20, ((-c, n) for n, c in counts.items() if c >= needed))
    for _, name in shortlist:
        score = fuzz.ratio(window, name)
        if score >= min_score and (best is None or score > best[0]):
            best = (score, length, name)
    return best


def _content_terms(
    text: str,
    covered: list[tuple[int, int]],
    knowledge: Knowledge,
) -> list[str]:
    """Content words outside the names: stopwords dropped, glued fragments re-cut, and
    single characters the corpus never uses (搞, 花) ignored as colloquial noise."""
    stopwords = knowledge.rules.language.stopwords
    pronouns = knowledge.rules.language.pronouns
    postings = knowledge.index.postings
    terms: list[str] = []
    for token, start in tokenizer.cut_with_offsets(text):
        for piece in _uncovered(token, start, covered):
            if (
                not _WORD_RE.search(piece)
                or piece in stopwords
                or piece in pronouns
                or _A_NOT_A_RE.match(piece)
            ):
                continue
            if len(piece) >= 2 and piece not in postings and not piece.isascii():
                pieces = split_unknown(piece, postings, stopwords)
                known_only = all(p in postings for p in pieces)
                # a glued fragment (投了) or a word made of corpus words (关键在于) is re-cut;
                # a real word the articles never use (毕业, 天气) stays whole
                terms += pieces if known_only or not tokenizer.is_word(piece) else [piece]
            else:
                terms.append(piece)
    chars = knowledge.index.chars
    return [t for t in dict.fromkeys(terms) if len(t) > 1 or t in postings or t in chars]


def _uncovered(token: str, start: int, covered: list[tuple[int, int]]) -> list[str]:
    """The parts of a token outside every name span (专利申请 minus 专利 → 申请)."""
    pieces = []
    current = ""
    for offset, char in enumerate(token):
        position = start + offset
        if any(s <= position < e for s, e in covered):
            if current:
                pieces.append(current)
            current = ""
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def split_unknown(
    token: str,
    known: Mapping[str, object],
    stopwords: frozenset[str],
) -> list[str]:
    """Re-cut a fragment jieba glued together (投了, 上花, 大面积) into words the corpus
    uses and stopwords.  Real dictionary words the articles never use (天气, 毕业) are not
    passed here: they are what the question is about and must stay whole.
    """
    n = len(token)
    best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
    best[0] = (0.0, [])
    for end in range(1, n + 1):
        for start in range(max(0, end - 8), end):
            previous = best[start]
            if previous is None:
                continue
            piece = token[start:end]
            if piece in known or piece in stopwords:
                gain = float(len(piece) ** 2) if len(piece) > 1 else 0.6
            elif len(piece) >= 2 and tokenizer.is_word(piece):
                gain = 1.0  # a real word kept whole (毕业) beats two stray characters
            elif len(piece) == 1:
                gain = 0.25
            else:
                continue
            candidate = (previous[0] + gain, [*previous[1], piece])
            current = best[end]
            if current is None or candidate[0] > current[0]:
                best[end] = candidate
    result = best[n]
    if result is None or not any(p in known or p in stopwords for p in result[1]):
        return [token]
    return [p for p in result[1] if p not in stopwords]


_UNIT_RE: re.Pattern[str] | None = None
GENERIC_UNITS = frozenset({"个"})


def _unit(text: str) -> str | None:
    global _UNIT_RE
    if _UNIT_RE is None:
        measures = alternation(lexicon().measure_words)
        _UNIT_RE = re.compile(rf"(?:多少|几)(?:万|亿)?(?P<unit>{measures})")
    match = _UNIT_RE.search(text)
    if not match or match["unit"] in GENERIC_UNITS:
        return None  # "几个" asks how many of anything
    return match["unit"]


_COUNTED_RE = re.compile(
    r"(?:多少|几)(?:万|亿)?(?:个|家|项|名|位|座|所|条|台|套|户|辆|种|类|款)?"
    r"(?P<rest>[\u4e00-\u9fffA-Za-z]{2,8})"
)


def _counted(text: str, names: tuple[NameMatch, ...], terms: list[str]) -> tuple[str, ...]:
    """The words after 多少/几 (多少在校学生, 几个市级科技重大专项): a count must be of them."""
    match = _COUNTED_RE.search(text)
    if not match:
        return ()
    rest = re.split(r"[了呢啊吗呀吧哈啦呗嘛哇喔哦?？!！。,，]", match["rest"])[0]
    if rest.startswith("人") and not any(t.startswith("人") for t in terms):
        return ("人",)  # 几个人看着: people are counted; what follows is what they do
    words = [n.surface for n in names if n.surface in rest]
    words += [t for t in terms if len(t) > 1 and t in rest]
    if len(rest) >= 2:
        words.append(COUNTED_PHRASE + rest)  # abbreviations: 保租房 ~ 保障性租赁住房
    return tuple(dict.fromkeys(words))


COUNTED_PHRASE = "#"  # marks the raw counted phrase among the counted words
_GRAIN_PATTERNS = (
    ("day", re.compile(r"哪一?天|几月几[日号]|哪个日子|具体日期|几号")),
    ("month", re.compile(r"哪个?月|几月")),
    ("year", re.compile(r"哪一?年|几几年|哪年")),
)


_YEAR_RE = re.compile(r"(?<!\d)(19\d\d|20\d\d)年")


def _year(text: str) -> int | None:
    match = _YEAR_RE.search(text)
    return int(match.group(1)) if match else None


def _year_offset(text: str) -> int | None:
    relative = lexicon().relative_years
    return next((offset for word, offset in relative.items() if word in text), None)


def _tense(text: str) -> str | None:
    """Whether the question asks about plans, now or the past: sentences contrast a target
    with a result and today's figure with an earlier one."""
    lx = lexicon()
    if any(w in text for w in (*lx.plan_words, *lx.future_words)):
        return "future"
    if any(w in text for w in lx.time_now):
        return "now"
    if any(w in text for w in lx.time_past):
        return "past"
    return None


def _grain(text: str) -> str | None:
    return next((name for name, pattern in _GRAIN_PATTERNS if pattern.search(text)), None)


def numbers_in(text: str) -> list[str]:
    return _NUMBER_RE.findall(text)
