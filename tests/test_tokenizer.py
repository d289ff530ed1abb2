"""The segmenter's two start-up short cuts give exactly what jieba's own calls give: its main
table read from a data-only file (bot/text/jieba_table.py), and user words added in one loop."""

from __future__ import annotations

from pathlib import Path

import jieba

from bot.text import jieba_table, tokenizer
from bot.text.tokenizer import USER_WORD_FREQ, Segmenter


def test_the_stored_table_is_the_one_jieba_loads(tmp_path: Path) -> None:
    theirs = jieba.Tokenizer()
    theirs.tmp_dir = tokenizer.base_tokenizer().tmp_dir
    theirs.initialize()
    jieba_table.write_table(tmp_path, theirs.FREQ, theirs.total)
    stored = jieba_table.read_table(tmp_path)
    assert stored is not None
    table, total = stored
    assert total == theirs.total and table == theirs.FREQ
    assert list(table) == list(theirs.FREQ)  # same order too
    assert not list(tmp_path.glob(".jieba-table-*"))  # no temporary file left behind


def test_a_missing_damaged_or_foreign_table_is_none(tmp_path: Path) -> None:
    assert jieba_table.read_table(tmp_path) is None  # none yet
    jieba_table.write_table(tmp_path, {"中国": 5, "中": 0}, 5)
    assert jieba_table.read_table(tmp_path) == ({"中国": 5, "中": 0}, 5)
    path = tmp_path / jieba_table.TABLE_NAME
    good = path.read_bytes()
    header, _, body = good.partition(b"\n")
    for damaged in (
        b"",
        b"\x00garbage",
        good[: len(good) - 3],  # cut short
        header.replace(b" 1 ", b" 9 ", 1) + b"\n" + body,  # another format
        header.replace(header.split(b" ")[2], b"0.1:1") + b"\n" + body,  # another jieba
    ):
        path.write_bytes(damaged)
        assert jieba_table.read_table(tmp_path) is None
    jieba_table.write_table(tmp_path, {"a b": 1}, 1)  # a word with a separator: not stored
    assert path.read_bytes() == header.replace(header.split(b" ")[2], b"0.1:1") + b"\n" + body


def test_the_segmenter_starts_from_the_stored_table(tmp_path: Path) -> None:
    """A second start reads the table file, and cuts as jieba does."""
    base = tokenizer.base_tokenizer()
    assert jieba_table.read_table(Path(base.tmp_dir or "")) is not None  # written on start
    fresh = jieba.Tokenizer()
    tokenizer._load_main_table(fresh, Path(base.tmp_dir or ""))
    assert fresh.initialized and fresh.FREQ == base.FREQ and fresh.total == base.total
    assert fresh.lcut("华为技术有限公司的董事长是谁") == base.lcut("华为技术有限公司的董事长是谁")


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
