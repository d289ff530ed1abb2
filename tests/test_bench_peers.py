"""The benchmark's fast peers (issue 18, ``tests/bench/peers.py``) on tiny token lists.

``bench.py --quick`` (tests/test_bench.py) runs without the peers: at 1× and 10× they added
9 s to its 8 s on a quiet machine (one fresh process to build and one to answer per peer and
scale, each loading jieba). These tests check what a full run relies on instead, in about
six seconds: each engine builds its on-disk index from token lists and returns the
best-ranked sentence, FTS5's tokenizer keeps every jieba token (Chinese, decimals,
percentages, quotes) one term, the synthesised N× token lists are renamed copies cut where
the 1× ones are, and the real worker processes report an accuracy in [0, 1].

No warning filter is needed: bm25s 0.3 and tantivy 0.27 import and run without warnings
under ``filterwarnings = error``.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tests_paths import QA, ROOT

if str(ROOT / "tests" / "bench") not in sys.path:
    sys.path.append(str(ROOT / "tests" / "bench"))
import peers  # tests/bench/peers.py
from synth import Renamer, named_aliases

from bot.evaluate import load_questions
from bot.knowledge.build import Knowledge

BENCH = ROOT / "tests" / "bench" / "bench.py"
QUESTIONS = QA / "seed_page.yaml"

# Six sentences' tokens: only the third names 信维电科 with 投资; 的 is everywhere.
TOKENS = [
    ["益阳高新区", "的", "无尘", "车间"],
    ["千层陶瓷膜", "的", "电路", "0.29", "秒"],
    ["信维电科", "的", "投资", "4.56亿元", "45%"],
    ["手机", "的", "心脏"],
    ["信维电科", "的", "车间"],
    [peers.EMPTY],
]
TEXTS = ["".join(t) for t in TOKENS]


@pytest.fixture(params=peers.PEERS)
def engine(request: pytest.FixtureRequest) -> Any:
    return peers.ENGINES[request.param]()


def test_each_peer_ranks_the_sentence_with_the_question_words(engine: Any, tmp_path: Path) -> None:
    engine.load_library()
    figures = engine.build(TOKENS, tmp_path)
    assert isinstance(figures, dict)
    searcher = engine.open(tmp_path)  # as a fresh process would: from the files only
    number, score = searcher.top(["信维电科", "投资"])
    assert number == 2 and score > 0
    number, _ = searcher.top(["千层陶瓷膜"])
    assert number == 1
    number, score = searcher.top(["没有这个词"])
    # tantivy and FTS5 match nothing; bm25s (like rank_bm25's argmax) still names a
    # sentence, at score 0
    assert number is None or score == 0


def test_fts5_keeps_each_token_one_term(tmp_path: Path) -> None:
    tokens = [*TOKENS, ["it's", 'say"hi"', "陶瓷"]]
    figures = peers.Fts5().build(tokens, tmp_path)
    distinct = {w for words in tokens for w in words}
    assert figures["tokens_kept_whole"] and figures["terms"] == len(distinct)
    con = sqlite3.connect(tmp_path / peers.Fts5.FILE)
    try:
        con.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, sentences, 'row')")
        terms = {row[0] for row in con.execute("SELECT term FROM temp.v")}
    finally:
        con.close()
    assert terms == distinct  # 千层陶瓷膜 is one term, not split into characters
    searcher = peers.Fts5().open(tmp_path)
    assert searcher.top(["千层陶瓷膜"])[0] == 1
    assert searcher.top(["陶瓷"])[0] == 6  # only the sentence that has the word 陶瓷 itself
    assert searcher.top(["千层"])[0] is None  # a token's prefix is not a term
    assert searcher.top(['say"hi"', "OR", "NEAR"])[0] == 6  # no query syntax leaks through


def test_fts5_query_quotes_every_word() -> None:
    assert peers.fts5_query(["a", 'b"c']) == '"a" OR "b""c"'
    assert peers.fts5_tokenchars(["0.29", "45%", "信维电科"]) == "%."


def test_token_lists_round_trip(tmp_path: Path) -> None:
    meta = peers.write_corpus(tmp_path, zip(TEXTS, [*TOKENS[:-1], []], strict=True), {"x": 1})
    assert meta["sentences"] == len(TOKENS) and meta["x"] == 1
    assert peers.load_token_lists(tmp_path) == TOKENS  # no tokens → ["∅"], as for rank_bm25
    assert peers.texts_at(tmp_path, [4, 2]) == {2: TEXTS[2], 4: TEXTS[4]}
    with pytest.raises(ValueError, match="whitespace"):
        peers.write_corpus(tmp_path / "bad", [("a b", ["a b"])], {})


def test_accuracy_is_the_baselines_rule() -> None:
    items = [
        SimpleNamespace(expect=("4.56亿元",)),
        SimpleNamespace(expect=("手机",)),
        SimpleNamespace(expect=None),
    ]
    right, share = peers.entity_accuracy(items, [0, 1, 2], {0: TEXTS[2], 1: TEXTS[0], 2: None})
    assert (right, share) == (1, 0.3333)


def test_synthesised_copies_are_renamed_and_cut_at_the_same_places(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    renamer = Renamer(named_aliases(knowledge))
    meta = peers.synthesise_corpus(tmp_path, 3, renamer, knowledge, {"user_words": []})
    n = knowledge.index.size
    assert meta["sentences"] == 3 * n
    lists = peers.load_token_lists(tmp_path)
    found = peers.texts_at(tmp_path, range(3 * n))
    texts = [found[i] for i in range(3 * n)]
    for i in range(n):
        original, copy = texts[i], texts[n + i]
        assert len(copy) == len(original)
        assert [len(t) for t in lists[n + i]] == [len(t) for t in lists[i]]
        if lists[i] != [peers.EMPTY]:
            assert all(t in copy for t in lists[n + i])
    assert texts[n : 2 * n] != texts[2 * n :]  # each copy has its own names


@pytest.mark.parametrize("name", peers.PEERS)
def test_worker_processes_report_every_figure(name: str, tmp_path: Path, cache_dir: Path) -> None:
    """The processes a full run starts per peer and scale: build, then open and answer the
    golden questions over a tiny corpus (the entity questions are the first three)."""
    corpus = tmp_path / "corpus"
    peers.write_corpus(
        corpus,
        zip(TEXTS, TOKENS, strict=True),
        {"source": "test", "user_words": ["信维电科"], "entity_items": [0, 1, 2]},
    )
    config = {"engine": name, "corpus": str(corpus), "index": str(tmp_path / "index")}
    serve = {
        **config,
        "jieba": str(cache_dir / "jieba"),
        "questions": str(QUESTIONS),
        "rounds": 1,
        "budget_s": 60,
    }
    figures: dict[str, Any] = {}
    for worker, settings in (("peer-build", config), ("peer-serve", serve)):
        done = subprocess.run(
            [sys.executable, str(BENCH), "--worker", worker, json.dumps(settings)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        for line in done.stdout.splitlines():
            figures.update(json.loads(line))
    assert 0.0 <= figures["accuracy"] <= 1.0 and figures["entity_questions"] == 3
    assert figures["latency_samples"] == figures["rounds"] * len(load_questions(QUESTIONS))
    for key in ("build_s", "open_s", "p50_ms", "p99_ms", "rss_build_own_mb", "rss_serve_own_mb"):
        assert isinstance(figures[key], float), f"{key} = {figures.get(key)!r}"
    assert figures["rss_serve_peak_mb"] >= figures["rss_serve_base_mb"] > 0
