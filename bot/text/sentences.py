"""Split a paragraph into sentences with offsets, so every quote stays a verbatim substring."""

from __future__ import annotations

from collections.abc import Iterator

from bot.text.chars import CLOSERS, OPENERS, SENTENCE_END, is_han


def split_sentences(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` spans of the sentences in ``text``.

    A sentence ends at a sentence-final mark plus any closing quotes/brackets right after it,
    so ``“……生死题。”`` stays whole and the next sentence starts clean.  A half-width full
    stop typed for 。 between Chinese text (…浪高3.5米.风停后…) ends one too; between
    digits or letters it is a decimal point or an abbreviation and does not.
    """
    n = len(text)
    start = 0
    i = 0
    while i < n:
        if text[i] in SENTENCE_END or (text[i] == "." and _ends_chinese(text, i)):
            end = i + 1
            while end < n and (text[end] in SENTENCE_END or text[end] in CLOSERS):
                end += 1
            yield from _trimmed(text, start, end)
            start = i = end
            continue
        i += 1
    if start < n:
        yield from _trimmed(text, start, n)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _ends_chinese(text: str, i: int) -> bool:
    """The ``.`` at ``i`` closes Chinese text: a Chinese character or a closing mark before
    it, and a Chinese character, an opening quote or the end of the paragraph after it."""
    before = text[i - 1] if i else ""
    after = text[i + 1 : i + 2]
    if not before or not (is_han(before) or before in _CLOSING):
        return False
    return not after or after.isspace() or is_han(after) or after in _OPENING


_CLOSING = CLOSERS + '"%％'  # straight quotes stand for both “ and ”; 增长5%.
_OPENING = OPENERS + '"'
