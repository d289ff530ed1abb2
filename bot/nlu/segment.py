"""Stage 2 — segment: cut the message into the content words a sentence must hold.

Names are found first (stage 3) and their spans are left out here; what remains is cut
with jieba, stopwords dropped, glued fragments (投了, 上花) re-cut into corpus words, and
single characters the corpus never uses (搞, 花) ignored as colloquial noise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.knowledge.build import Knowledge
from bot.nlu import resources
from bot.nlu.homophones import repaired
from bot.rules.weights import Scoring

WORD_RE = re.compile(r"\w")
# "贵不贵", "多不多", "有没有": a yes/no cue, not something the answer must contain
_A_NOT_A_RE = re.compile(r"^(?:(\w{1,2})[不没]\1?|[几多少]+[个家项位名台种条次年天])$")


def word_bounds(text: str) -> frozenset[int]:
    """Where jieba's words of ``text`` start and end.  With thousands of names, some name
    sounds like any two characters (委书 of 党委书记 ~ 苇蜀); a typed name is its own word."""
    return frozenset({0, len(text), *(start for _, start in resources.cut_with_offsets(text))})


def content_terms(
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
    for token, start in repaired(list(resources.cut_with_offsets(text)), knowledge):
        for piece in _uncovered(token, start, covered):
            if (
                not WORD_RE.search(piece)
                or piece in stopwords
                or piece in pronouns
                or _A_NOT_A_RE.match(piece)
            ):
                continue
            if len(piece) >= 2 and piece not in postings and not piece.isascii():
                pieces = split_unknown(piece, postings, stopwords, knowledge.rules.scoring)
                known_only = all(p in postings for p in pieces)
                # a glued fragment (投了) or a word made of corpus words (关键在于) is re-cut;
                # a real word the articles never use (毕业, 天气) stays whole
                terms += pieces if known_only or not resources.is_word(piece) else [piece]
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
    w: Scoring,
) -> list[str]:
    """Re-cut a fragment jieba glued together (投了, 上花, 大面积) into words the corpus
    uses and stopwords.  Real dictionary words the articles never use (天气, 毕业) are not
    passed here: they are what the question is about and must stay whole.
    """
    n = len(token)
    best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
    best[0] = (0, [])
    for end in range(1, n + 1):
        for start in range(max(0, end - w.split_window), end):
            previous = best[start]
            if previous is None:
                continue
            piece = token[start:end]
            if piece in known or piece in stopwords:
                gain = float(len(piece) ** 2) if len(piece) > 1 else w.split_single_known
            elif len(piece) >= 2 and resources.is_word(piece):
                gain = w.split_real_word  # a real word kept whole (毕业) beats stray characters
            elif len(piece) == 1:
                gain = w.split_stray_char
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
