"""The segmenter's two start-up short cuts give exactly what jieba's own calls give: its
dictionary cache read in one piece, and user words added in one loop."""

from __future__ import annotations

from pathlib import Path

import jieba

from bot.text import tokenizer
from bot.text.tokenizer import JIEBA_CACHE_NAME, USER_WORD_FREQ, Segmenter


def test_the_cache_read_in_one_piece_is_the_table_jieba_loads() -> None:
    base = tokenizer.base_tokenizer()  # writes the cache on the first run of a machine
    ours = jieba.Tokenizer()
    ours.tmp_dir = base.tmp_dir
    assert tokenizer._read_cached_table(ours)
    theirs = jieba.Tokenizer()
    theirs.tmp_dir = base.tmp_dir
    theirs.initialize()
    assert ours.initialized and ours.total == theirs.total
    assert ours.FREQ == theirs.FREQ


def test_a_missing_or_damaged_cache_is_left_to_jieba(tmp_path: Path) -> None:
    tok = jieba.Tokenizer()
    tok.tmp_dir = str(tmp_path)
    assert not tokenizer._read_cached_table(tok)  # none yet
    cache = tmp_path / JIEBA_CACHE_NAME
    for damaged in (b"", b"\x00garbage", b"\xe9" * 64):
        cache.write_bytes(damaged)
        assert not tokenizer._read_cached_table(tok)
        assert not tok.initialized
    good = Path(tokenizer.base_tokenizer().tmp_dir or "") / JIEBA_CACHE_NAME
    cache.write_bytes(good.read_bytes()[: good.stat().st_size // 2])  # cut short
    assert not tokenizer._read_cached_table(tok)


def test_user_words_change_the_table_as_add_word_does() -> None:
    # prefixes of one another, a word jieba knows with a higher frequency, a new name
    words = ["华为技术", "华为技术有限公司", "中国", "艾华集团", "艾华", "长沙市望城区"]
    segmenter = Segmenter(words)
    base = tokenizer.base_tokenizer()
    reference = jieba.Tokenizer()
    reference.FREQ, reference.initialized = dict(base.FREQ), True
    for word in words:
        reference.add_word(word, freq=max(base.FREQ.get(word) or 0, USER_WORD_FREQ))
    assert segmenter._jieba.FREQ == reference.FREQ
    assert segmenter._jieba.FREQ["中国"] == base.FREQ["中国"] > USER_WORD_FREQ
    assert segmenter.cut("艾华集团在长沙市望城区") == ["艾华集团", "在", "长沙市望城区"]
