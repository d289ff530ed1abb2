"""Split a paragraph into sentences with offsets, so every quote stays a verbatim substring."""

from __future__ import annotations

from collections.abc import Iterator

from bot.text.chars import CLOSERS, SENTENCE_END


def split_sentences(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` spans of the sentences in ``text``.

    A sentence ends at a sentence-final mark plus any closing quotes/brackets right after it,
    so ``“……生死题。”`` stays whole and the next sentence starts clean.
    """
    n = len(text)
    start = 0
    i = 0
    while i < n:
        if text[i] in SENTENCE_END:
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
