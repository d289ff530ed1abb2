"""Where a message names a person by a surname-led word (stage 3b's person spans): beside a
title or a job word, or opening the question; kept apart from the organisation and place
spans of :mod:`bot.nlu.grounding`, which checks what these find against the corpus."""

from __future__ import annotations

from bot.nlu import resources
from bot.nlu.known import CJK_RUN, Words


def person_like(tokens: list[tuple[str, int]], k: int, words: Words) -> bool:
    """A surname-led word of two or three characters, a person's name in jieba's dictionary
    or a three-character word it does not know, that stands where a name does: next to a
    role word (镇长李国栋), or opening the question before a verb (王建华担任…).  The
    dictionary's person tags also cover ordinary words (安家费), so the place matters."""
    token = tokens[k][0]
    if not (2 <= len(token) <= 3) or token[0] not in words.surnames:
        return False
    if token not in resources.person_names() and (len(token) < 3 or resources.is_word(token)):
        return False
    before = tokens[k - 1][0] if k else ""
    after = tokens[k + 1][0] if k + 1 < len(tokens) else ""
    if words.is_role(before) or after in words.roles:
        return True
    return k == 0 and after in resources.boundary_words()


def split_person(tokens: list[tuple[str, int]], k: int, words: Words) -> int | None:
    """Where a person's name ends that jieba cut after its surname because the given name is
    a word (蒋|立国, 季|长春): a lone surname character and a two-character word, after a
    title or a job word (护林员蒋立国) or opening the message. None when it is no such name."""
    token = tokens[k][0]
    if len(token) != 1 or token not in words.surnames or k + 1 >= len(tokens):
        return None
    given, given_at = tokens[k + 1]
    if len(given) != 2 or CJK_RUN.fullmatch(given) is None or given in words.generic:
        return None
    before = tokens[k - 1][0] if k else ""
    if k and not words.is_role(before):
        return None
    return given_at + len(given)
