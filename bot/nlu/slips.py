"""Whether a near-spelling of a corpus name is a typing slip of it (it then grounds the
name) or another name that merely looks alike (it must be checked as a name of its own)."""

from __future__ import annotations

from collections.abc import Iterator

from bot.knowledge.build import Knowledge
from bot.knowledge.entity_model import Entity, EntityKind
from bot.knowledge.fuzzy import MIN_EDIT_CHARS, MIN_SOUND_CHARS, masks
from bot.nlu import resources
from bot.nlu.known import written
from bot.nlu.names import NameMatch, bigrams_within, name_bigrams
from bot.nlu.segment import word_bounds
from bot.text import pinyin

MIN_OWN_CHARS = 2  # of a look-alike holding a grounded name: a name's head, not a stray word


def holds(name: NameMatch) -> bool:
    """A near-spelling match grounds the name only when it reads as a typing slip of it: the
    same first character, and every other character typed instead sounding the same (pinyin
    input slips: 王晓莉 for 王小丽, 镇管 for 镇馆).  东湖实验室 beside 东河实验室, 新华 beside
    新民, or 泉州市… read as 海屿市…, name something else: they ground the answer stage's search,
    not the name, and their words are checked here."""
    if not name.fuzzy:
        return True
    surface = name.surface
    # compared with the aliases of its own length when there are any: 云东县某中心 is no slip
    # of 云川县某中心 because another alias (某中心) is shorter
    same = [a for a in name.entity.aliases if len(a) == len(surface)]
    return any(
        _same_first(surface, a, name.entity.kind) and pinyin.slip_of(surface, a)
        for a in same or name.entity.aliases
    )


def _same_first(typed: str, alias: str, kind: EntityKind) -> bool:
    """The same first character — or, for a place or an organisation, one of exactly the same
    sound (萧河市 typed for 潇河市).  A person's surname is never a slip: 汪 and 王 are two
    families, whatever they sound like."""
    if typed[:1] == alias[:1]:
        return True
    if kind is EntityKind.PERSON or not typed or not alias:
        return False
    return pinyin.same_sound(typed[0], alias[0])


def look_alikes(
    text: str, taken: bytearray, knowledge: Knowledge
) -> Iterator[tuple[int, int, Entity]]:
    """Whole-word spans written like a corpus name of four or more characters but for one
    character that does not sound the same (云溪物流 beside a page's 云霞物流): another firm,
    place or person the page does not hold, not a typing slip of the one it does.  Found
    through the one-character masks of the fuzzy name index, so only windows one character
    off some name are looked at (``taken``: the spans of the names the message holds; a
    window may hold one whole, never cut into it)."""
    index = knowledge.fuzzy
    aliases = knowledge.entities.alias_to_key
    bounds = word_bounds(text)
    stop = knowledge.rules.language.stopwords
    # a window one character off a name keeps all but two of its bigrams, so a window with
    # fewer is never looked up in the mask table (on disk in an opened snapshot)
    grams = name_bigrams(text, index)
    for start in sorted(bounds) if grams else ():
        for length in index.lengths:
            end = start + length
            if length < MIN_EDIT_CHARS or end > len(text) or end not in bounds:
                continue
            if bigrams_within(grams.get(length, ()), start, end - 1) < max(1, length - 3):
                continue
            window = text[start:end]
            if window in aliases or resources.is_word(window) or _crosses(taken, start, end):
                continue  # 产业基地 beside some 产业园地: a word of the language, no name
            near = sorted({n for masked in masks(window) for n in index.by_mask.get(masked, ())})
            other = next(
                (
                    n
                    for n in near
                    if not pinyin.slip_of(window, n) and _a_name_char(window, n, stop)
                ),
                None,
            )
            entity = knowledge.entities.by_alias(other) if other else None
            if entity is not None and entity.is_named and not written(window, knowledge):
                yield start, end, entity  # 青鲤湖|冬捕节 beside 青鲤湖镇: the page writes it
                break


def _crosses(taken: bytearray, start: int, end: int) -> bool:
    """The window cuts into a name the message holds, or adds fewer than two characters of
    its own to the names it holds whole (月|南沙港区: a month before a place). A window that
    holds a grounded name whole is still looked at: 槠木国有林场 holds 国有林场 (which
    grounds) and is one character off 槠石国有林场, another forest farm than the one asked."""
    if taken.find(1, start, end) < 0:
        return False
    if taken.count(0, start, end) < MIN_OWN_CHARS:
        return True
    inside_at_start = start > 0 and taken[start - 1] and taken[start]
    inside_at_end = end < len(taken) and taken[end] and taken[end - 1]
    return bool(inside_at_start or inside_at_end)


def namesakes(
    text: str, taken: bytearray, knowledge: Knowledge
) -> Iterator[tuple[int, int, EntityKind]]:
    """Three-character words one character (of another sound) off a person or a place the
    corpus names: 蒋德明 where the page has 蒋德林 (a namesake of the same family), 湾尾区
    where it has 湾口区 (another district of the same kind) — someone or somewhere else, not
    a slip. Too short for :func:`look_alikes`' bigram gate, so looked up by mask only where a
    surname begins a word and some name of that length begins with its sound, or where a
    one-character place suffix ends the window; the surname and the suffix are kept."""
    index = knowledge.fuzzy
    lx = resources.lexicon()
    stop = knowledge.rules.language.stopwords
    suffixes = frozenset(s for s in lx.place_suffixes if len(s) == 1)
    length = MIN_SOUND_CHARS
    for start in sorted(word_bounds(text)):
        end = start + length
        window = text[start:end]
        if end > len(text) or taken.find(1, start, end) >= 0 or resources.is_word(window):
            continue
        if window in knowledge.entities.alias_to_key or knowledge.index.df(window):
            continue
        person = window[0] in lx.surnames and (
            (pinyin.syllables(window[0])[0], length) in index.sound_heads
        )
        if not person and window[-1] not in suffixes:
            continue
        kind, kept = (
            (EntityKind.PERSON, slice(1, None)) if person else (EntityKind.PLACE, _BUT_LAST)
        )
        for masked in masks(window)[kept]:
            if any(
                not pinyin.slip_of(window, name)
                and _a_name_char(window, name, stop)
                and _named(knowledge, name, kind)
                for name in index.by_mask.get(masked, ())
            ):
                yield start, end, kind
                break


_BUT_LAST = slice(0, -1)  # a place's suffix is kept: 湾尾区 is another 区, not a 湾尾县


def _named(knowledge: Knowledge, name: str, kind: EntityKind) -> bool:
    entity = knowledge.entities.by_alias(name)
    return entity is not None and entity.kind is kind and entity.is_named


def _a_name_char(window: str, name: str, stop: frozenset[str]) -> bool:
    """The character ``window`` has instead of ``name``'s is a Chinese character that could
    be part of a name — not punctuation or a particle (的公立医院 is 的 + a name), and not
    one that makes a dictionary word with its neighbour (青原茶园 beside 青原茶协: 茶园 is a
    word, the question is about tea gardens)."""
    at = next(k for k, (a, b) in enumerate(zip(window, name, strict=True)) if a != b)
    typed = window[at]
    if not "\u4e00" <= typed <= "\u9fff" or typed in stop:
        return False
    pairs = (window[max(at - 1, 0) : at + 1], window[at : at + 2])
    return not any(len(p) == 2 and resources.is_word(p) for p in pairs)
