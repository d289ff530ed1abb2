"""Whether a near-spelling of a corpus name is a typing slip of it (it then grounds the
name) or another name that merely looks alike (it must be checked as a name of its own)."""

from __future__ import annotations

from bot.knowledge.entity_model import EntityKind
from bot.nlu.names import NameMatch
from bot.text import pinyin


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
    return pinyin.syllables(typed[0]) == pinyin.syllables(alias[0])
