"""多少钱 / 投资了多少 / 营收多少: an amount of money (亿元, 万元, 元)."""

from __future__ import annotations

from bot.answer.types.base import (
    AnswerKind,
    Fit,
    FitInput,
    SuggestInput,
    about_the_question,
    select,
)
from bot.content.model import FactKind
from bot.nlu import resources
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.MONEY})


def fit(inp: FitInput) -> Fit:
    return about_the_question(inp, select(inp, KINDS))


def suggest(inp: SuggestInput) -> str | None:
    """``信维电科投资了多少钱？`` after a money verb, ``信维电科的经费是多少？`` after a noun;
    never a verb read as a noun (完成15亿元融资 → not "…的完成是多少？")."""
    subject = inp.subject()
    if subject is None:
        return None
    word = word_before(inp.sentence.text, inp.fact.start)
    lx = resources.lexicon()
    if word in lx.money_verbs:
        return inp.responses.text("suggest_money", "zh", subject=subject, verb=word)
    if (
        word
        and resources.is_word(word)
        and word not in lx.rank_words
        and (word not in resources.boundary_words() or word in lx.amount_nouns)
    ):
        return inp.responses.text("suggest_amount", "zh", subject=subject, noun=word)
    return None


def word_before(text: str, position: int) -> str | None:
    """The two-character Chinese word right before ``position`` (投资, 营收), if any."""
    tokens = resources.cut(text[max(0, position - 8) : position])
    word = tokens[-1] if tokens else ""
    if len(word) == 2 and all("\u4e00" <= c <= "\u9fff" for c in word):
        return word
    return None


KIND = AnswerKind(AnswerType.MONEY, fit, KINDS, owns=FactKind.MONEY, suggest=suggest)
