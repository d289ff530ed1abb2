"""Paragraph scope: the sentences just before a candidate, where its subject is often named.

A report names its subject once and then goes on without it: "在益阳电容器检测中心，一台
工业CT机…。“这样一次CT‘无损解剖’，收费一千多元…”".  A question word missing from a
sentence but said one or two sentences earlier in the same paragraph is nearer to it than
one said anywhere in the paragraph, so it earns more of its weight (``scope_previous``,
for the ``scope_sentences`` before it, in ``intents/scoring.yaml``) than the paragraph's
(``partial_paragraph``) — still less than the sentence's own words, so that a near-miss
(a name on the page, a fact it does not state) does not become an answer.  Clauses cut off
by a semicolon just before the candidate are its own sentence's: their words earn
``scope_semicolon``.
"""

from __future__ import annotations

from bot.knowledge.index import SentenceIndex, SentenceRef


def earlier(index: SentenceIndex, key: int, ref: SentenceRef, count: int) -> str:
    """The texts of up to ``count`` sentences before ``key`` in its paragraph, joined by a
    line break (so that no word is made up across two of them)."""
    place = (ref.article_id, ref.section, ref.paragraph)
    texts = []
    for step in range(1, count + 1):
        other = index.refs.get(key - step)
        if other is None or (other.article_id, other.section, other.paragraph) != place:
            break
        texts.append(index.texts[key - step])
    return "\n".join(texts)


def same_sentence_before(index: SentenceIndex, key: int, ref: SentenceRef) -> str:
    """The clauses before ``key`` that belong to the same sentence: the text cut off at a
    semicolon just before it (…全省共有800家企业参与交易，…; | 成交额5亿元…), whose subject
    is the candidate's own; "" when a full stop ends the one before."""
    other = index.refs.get(key - 1)
    place = (ref.article_id, ref.section, ref.paragraph)
    if other is None or (other.article_id, other.section, other.paragraph) != place:
        return ""
    text = index.texts[key - 1]
    return text if text.rstrip().endswith((";", "；")) else ""
