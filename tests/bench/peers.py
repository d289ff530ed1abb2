"""Fast peers of newsbot's retrieval for the benchmark (issue 18): bm25s, tantivy, SQLite FTS5.

rank_bm25 (``bench.bm25_figures``) is a pure-Python loop over every sentence; these are the
engines a user would really pick for an on-disk index. Every peer gets exactly what the
rank_bm25 baseline gets: the sentences of the scale's Knowledge (``knowledge.index.texts``, in
key order) and their tokens from ``bot.text.tokenizer.cut`` with the snapshot's segmenter,
keeping only tokens with a word character (:func:`content_tokens`); a sentence left without
tokens is indexed as ``["∅"]`` (as rank_bm25 gets it). The best-scoring sentence is the answer,
judged by the baseline's rule (:func:`entity_accuracy`).

Why the work is split like this:

* The token lists are written once per scale (:func:`write_corpus`): ``texts.jsonl`` (one JSON
  string per sentence), ``tokens.txt`` (its tokens, space-separated: jieba's tokens never hold
  whitespace, which :func:`write_corpus` checks) and ``meta.json`` (the segmenter's user
  words, which golden questions name an entity, counts).
* Each peer builds in one fresh process (``build_worker``: load the token lists, note the peak
  RSS, build the on-disk index, note it again) and answers in another (``serve_worker``: load
  jieba with the snapshot's user words and the questions, note the peak RSS, open the index,
  answer), so every RSS figure is that peer's alone, given as the process's peak, the base
  before the peer ran and the difference (``rss_*_own_mb``); ``open_s`` is measured in a
  process that never saw the index being built.
* Cutting and normalising the question is inside every timed answer, as it is inside
  newsbot's.

``--peers-only`` (no newsbot build, so 10,000× fits the machine) uses :func:`synthesise_corpus`:
the 1× Knowledge's sentences and token boundaries, renamed per copy with synth.py's own
character maps and number rule. See docs/performance.md, "Peers side by side (issue 18)".
"""

from __future__ import annotations

import json
import math
import random
import re
import resource
import sqlite3
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

JSON = dict[str, Any]
PEERS = ("bm25s", "tantivy", "fts5")
WORD = re.compile(r"\w")
SPACE = re.compile(r"\s")
EMPTY = "∅"  # what rank_bm25 is given for a sentence without tokens
MB = 1024.0  # ru_maxrss is in KiB on Linux
SAFETY_S = 15.0  # a serve process stops adding timed rounds this long before its budget


# --- tokens ----------------------------------------------------------------------------------


def content_tokens(text: str, cut: Callable[[str], list[str]]) -> list[str]:
    """The rank_bm25 baseline's tokens: jieba's, without punctuation-only ones."""
    return [t for t in cut(text) if WORD.search(t)]


def token_spans(text: str, cut: Callable[[str], list[str]]) -> list[tuple[int, int]]:
    """Where :func:`content_tokens` of ``text`` are (jieba's tokens cover the text)."""
    spans, at = [], 0
    for token in cut(text):
        if WORD.search(token):
            spans.append((at, at + len(token)))
        at += len(token)
    if at != len(text):
        raise ValueError(f"jieba's tokens do not cover the sentence: {text!r}")
    return spans


def write_corpus(directory: Path, rows: Iterable[tuple[str, Sequence[str]]], meta: JSON) -> JSON:
    """Write the sentences and their tokens; return ``meta`` with the counts added."""
    directory.mkdir(parents=True, exist_ok=True)
    sentences = tokens = 0
    vocabulary: set[str] = set()
    with (
        (directory / "texts.jsonl").open("w", encoding="utf-8") as texts,
        (directory / "tokens.txt").open("w", encoding="utf-8") as lists,
    ):
        for text, words in rows:
            for word in words:
                if not word or SPACE.search(word):
                    raise ValueError(f"token {word!r} is empty or holds whitespace")
            texts.write(json.dumps(text, ensure_ascii=False) + "\n")
            lists.write(" ".join(words) + "\n")
            sentences += 1
            tokens += len(words)
            vocabulary.update(words)
    stats = {**meta, "sentences": sentences, "tokens": tokens, "vocabulary": len(vocabulary)}
    (directory / "meta.json").write_text(json.dumps(stats, ensure_ascii=False), encoding="utf-8")
    return stats


def read_meta(directory: Path) -> JSON:
    meta: JSON = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    return meta


def load_token_lists(directory: Path) -> list[list[str]]:
    """Every sentence's tokens (``["∅"]`` for none), each distinct token one string object."""
    same: dict[str, str] = {}
    lists = []
    with (directory / "tokens.txt").open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            lists.append([same.setdefault(t, t) for t in line.split(" ")] if line else [EMPTY])
    return lists


def texts_at(directory: Path, wanted: Iterable[int]) -> dict[int, str]:
    """The sentences numbered ``wanted``, read without holding the others."""
    wanted = set(wanted)
    found: dict[int, str] = {}
    with (directory / "texts.jsonl").open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number in wanted:
                found[number] = json.loads(line)
                if len(found) == len(wanted):
                    break
    return found


def entity_items(items: Sequence[Any], aliases: Iterable[str]) -> list[int]:
    """The golden questions that are answerable and name an org/person/place alias."""
    from bot.text.normalize import normalize

    names = list(aliases)
    return [
        i
        for i, item in enumerate(items)
        if item.answerable and any(a in normalize(item.question) for a in names)
    ]


def entity_accuracy(
    items: Sequence[Any], entities: Sequence[int], best: Mapping[int, str | None]
) -> tuple[int, float | None]:
    """(right, share) of the entity questions whose best sentence holds an expected answer:
    the rank_bm25 baseline's rule (``best[i]`` is question i's top sentence, None for none)."""
    from bot.text.normalize import normalize

    right = 0
    for i in entities:
        expect, text = items[i].expect, best.get(i)
        right += bool(
            text is not None
            and isinstance(expect, tuple)
            and any(normalize(e) in text for e in expect)
        )
    return right, (round(right / len(entities), 4) if entities else None)


def synthesise_corpus(out: Path, scale: int, renamer: Any, knowledge: Any, meta: JSON) -> JSON:
    """The N× token lists without an N× build: copy 0 is the 1× Knowledge's sentences and
    tokens; copy i renames every sentence with synth.py's character map of copy i
    (``renamer.char_map(i)``, the same plan of which characters to replace) and perturbs its
    numbers by synth.py's rule, then cuts it at the 1× token boundaries. Renaming keeps every
    length, so a renamed name stays one token, as a user word of the copy would be cut.
    Checked as synth.py checks a copy: no original alias may survive in it."""
    from synth import _perturb_numbers

    cut = knowledge.segmenter.cut  # what bot.text.tokenizer.cut is right after its build
    keys = list(knowledge.index.texts)
    texts = [knowledge.index.texts[k] for k in keys]
    spans = [token_spans(t, cut) for t in texts]

    def rows() -> Iterator[tuple[str, list[str]]]:
        for text, where in zip(texts, spans, strict=True):
            yield text, [text[a:b] for a, b in where]
        for index in range(1, scale):
            mapping = renamer.char_map(index)
            rng = random.Random(f"{renamer.seed}#{index}")
            copy = []
            for text, where in zip(texts, spans, strict=True):
                new = _perturb_numbers(renamer.rename(text, mapping), rng)
                if len(new) != len(text):
                    raise AssertionError(f"copy {index}: renaming changed a length: {text!r}")
                copy.append((new, [new[a:b] for a, b in where]))
            survivors = {m.group(0) for m in renamer.plain.finditer("".join(t for t, _ in copy))}
            assert not survivors, f"copy {index}: original aliases survive: {sorted(survivors)}"
            yield from copy

    return write_corpus(out, rows(), meta)


# --- the engines -----------------------------------------------------------------------------


class Searcher(Protocol):
    def top(self, query: list[str]) -> tuple[int | None, float]:
        """The best sentence's number (None when nothing matched) and its score."""
        ...


class Engine(Protocol):
    name: str
    setup: str

    def load_library(self) -> None: ...

    def build(self, tokens: Sequence[list[str]], directory: Path) -> JSON: ...

    def open(self, directory: Path) -> Searcher: ...


class Bm25s:
    """bm25s: the index is a CSC matrix of precomputed BM25 scores (numpy only)."""

    name = "bm25s"
    setup = (
        "bm25s.BM25() defaults (Lucene BM25, k1 1.5, b 0.75, numpy backend); index(token "
        "lists), save(dir); BM25.load(dir, mmap=True); retrieve([tokens], k=1)"
    )

    def load_library(self) -> None:
        import bm25s  # noqa: F401

    def build(self, tokens: Sequence[list[str]], directory: Path) -> JSON:
        import bm25s

        started = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(list(tokens), show_progress=False)
        indexed = time.perf_counter()
        retriever.save(str(directory / "bm25s"), show_progress=False)
        saved = time.perf_counter()
        return {
            "index_s": round(indexed - started, 3),
            "save_s": round(saved - indexed, 3),
            "terms": len(retriever.vocab_dict),
        }

    def open(self, directory: Path) -> Searcher:
        import bm25s

        retriever = bm25s.BM25.load(str(directory / "bm25s"), mmap=True, show_progress=False)

        class Open:
            def top(self, query: list[str]) -> tuple[int | None, float]:
                found = retriever.retrieve([query], k=1, show_progress=False)
                # like rank_bm25's argmax, the top sentence counts even at score 0
                return int(found.documents[0][0]), float(found.scores[0][0])

        return Open()


class Tantivy:
    """tantivy-py: the space-joined tokens in a text field with tantivy's whitespace
    tokenizer (each jieba token one term, kept as it is), an i64 fast field for the number."""

    name = "tantivy"
    setup = (
        "SchemaBuilder: text field (whitespace tokenizer, positions, not stored) + i64 fast "
        "field; writer() defaults (128 MB heap, one thread per core), commit, "
        "wait_merging_threads; Index.open + searcher(); an OR (Occur.Should) of term queries, "
        "search(limit=1, count=False)"
    )

    def load_library(self) -> None:
        import tantivy  # noqa: F401

    def build(self, tokens: Sequence[list[str]], directory: Path) -> JSON:
        import tantivy

        path = directory / "tantivy"
        path.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        schema = tantivy.SchemaBuilder()
        schema.add_text_field("tokens", stored=False, tokenizer_name="whitespace")
        schema.add_integer_field("id", stored=False, fast=True, indexed=False)
        index = tantivy.Index(schema.build(), path=str(path))
        writer = index.writer()
        for number, words in enumerate(tokens):
            writer.add_document(tantivy.Document(tokens=" ".join(words), id=number))
        writer.commit()
        writer.wait_merging_threads()
        built = time.perf_counter()
        index.reload()
        return {"commit_s": round(built - started, 3), "segments": index.searcher().num_segments}

    def open(self, directory: Path) -> Searcher:
        import tantivy

        index = tantivy.Index.open(str(directory / "tantivy"))
        searcher = index.searcher()
        schema = index.schema
        should = tantivy.Occur.Should
        term = tantivy.Query.term_query

        class Open:
            def top(self, query: list[str]) -> tuple[int | None, float]:
                if not query:
                    return None, 0.0
                either = tantivy.Query.boolean_query(
                    [(should, term(schema, "tokens", word)) for word in query]
                )
                hits = searcher.search(either, limit=1, count=False).hits
                if not hits:
                    return None, 0.0
                score, address = hits[0]
                number = searcher.fast_field_values("id", [address])[0]
                return int(number), float(score)  # type: ignore[arg-type]

        return Open()


def fts5_tokenchars(vocabulary: Iterable[str]) -> str:
    """The characters of the tokens that unicode61 would take for separators (everything but
    letters, numbers and private use), so that each jieba token stays one term."""
    chars = {c for word in vocabulary for c in word}
    return "".join(
        sorted(c for c in chars if unicodedata.category(c)[0] not in "LN" and c != "\x00")
    )


def fts5_tokenize(vocabulary: Iterable[str]) -> str:
    """The ``tokenize=`` option: unicode61 splits on separators (spaces, punctuation) only, so
    a run of CJK characters between two spaces is one term; no diacritics folding."""
    extra = fts5_tokenchars(vocabulary).replace("'", "''")
    option = "unicode61 remove_diacritics 0" + (f" tokenchars '{extra}'" if extra else "")
    return '"' + option.replace('"', '""') + '"'


def fts5_query(words: Sequence[str]) -> str:
    """An OR of the words, each a quoted FTS5 string (no query syntax left in them)."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


class Fts5:
    """SQLite FTS5 (the stdlib's sqlite3): a contentless table of the space-joined tokens."""

    name = "fts5"
    setup = (
        "CREATE VIRTUAL TABLE USING fts5(tokens, content='', tokenize=\"unicode61 "
        "remove_diacritics 0 tokenchars '<the tokens' punctuation>'\"), one transaction of "
        "inserts, 'optimize', commit; connect + MATCH of an OR of quoted tokens, ORDER BY rank "
        "(bm25(), k1 1.2, b 0.75) LIMIT 1"
    )
    FILE = "fts5.sqlite3"

    def load_library(self) -> None:
        pass  # the stdlib's sqlite3, imported with this module

    def build(self, tokens: Sequence[list[str]], directory: Path) -> JSON:
        path = directory / self.FILE
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        vocabulary = {w for words in tokens for w in words}
        con = sqlite3.connect(path)
        try:
            con.execute(
                "CREATE VIRTUAL TABLE sentences USING fts5(tokens, content='', "
                f"tokenize={fts5_tokenize(vocabulary)})"
            )
            with con:
                con.executemany(
                    "INSERT INTO sentences(rowid, tokens) VALUES (?, ?)",
                    ((n, " ".join(words)) for n, words in enumerate(tokens)),
                )
                con.execute("INSERT INTO sentences(sentences) VALUES ('optimize')")
            built = time.perf_counter()
            terms = fts5_terms(con)
        finally:
            con.close()
        return {
            "insert_s": round(built - started, 3),
            "terms": terms,
            "distinct_tokens": len(vocabulary),
            "tokens_kept_whole": terms == len(vocabulary),
        }

    def open(self, directory: Path) -> Searcher:
        con = sqlite3.connect(directory / self.FILE)
        sql = "SELECT rowid, rank FROM sentences WHERE sentences MATCH ? ORDER BY rank LIMIT 1"

        class Open:
            def top(self, query: list[str]) -> tuple[int | None, float]:
                if not query:
                    return None, 0.0
                row = con.execute(sql, (fts5_query(query),)).fetchone()
                # bm25() is negative, better is lower: the score is turned round
                return (None, 0.0) if row is None else (int(row[0]), -float(row[1]))

        return Open()


def fts5_terms(con: sqlite3.Connection, table: str = "sentences") -> int:
    """How many distinct terms the FTS5 index holds (fts5vocab)."""
    con.execute(f"CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, {table}, 'row')")
    try:
        return int(con.execute("SELECT count(*) FROM temp.vocab").fetchone()[0])
    finally:
        con.execute("DROP TABLE temp.vocab")


ENGINES: dict[str, Callable[[], Engine]] = {"bm25s": Bm25s, "tantivy": Tantivy, "fts5": Fts5}


# --- workers: one peer, one scale, one fresh process each --------------------------------------


def emit(record: JSON) -> None:
    """One JSON line to the parent; partial results survive a timeout."""
    print(json.dumps(record, ensure_ascii=False), flush=True)


def peak_rss_mb() -> float:
    """This process's peak RSS since it started: ``VmHWM`` of /proc/self/status.

    Not ``ru_maxrss``: Linux carries the high-water mark of the memory a process had before
    ``exec`` into it, and a subprocess of the benchmark had its parent's (~150 MB, a 1×
    Knowledge), so a peer smaller than that would show the parent's peak. ``ru_maxrss`` is
    reported beside it (``ru_maxrss_*_mb``)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / MB, 1)
    except OSError:
        pass
    return ru_maxrss_mb()


def ru_maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB, 1)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, as bench.py's."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def disk_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / MB / MB, 1)


def build_worker(config: JSON) -> None:
    """Load the token lists (the base), build the peer's on-disk index (the peak)."""
    engine = ENGINES[config["engine"]]()
    corpus, index = Path(config["corpus"]), Path(config["index"])
    started = time.perf_counter()
    tokens = load_token_lists(corpus)
    base = peak_rss_mb()
    emit({"load_tokens_s": round(time.perf_counter() - started, 3), "rss_build_base_mb": base})
    engine.load_library()
    index.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    figures = engine.build(tokens, index)
    build_s = time.perf_counter() - started
    peak = peak_rss_mb()
    emit(
        {
            **figures,
            "build_s": round(build_s, 3),
            "rss_build_peak_mb": peak,
            "rss_build_own_mb": round(peak - base, 1),
            "ru_maxrss_build_mb": ru_maxrss_mb(),
            "index_mb": disk_mb(index),
        }
    )


def serve_worker(config: JSON) -> None:
    """Open the index in a fresh process and answer the golden questions: one untimed round
    (each question's best sentence, for accuracy), then ``rounds`` timed rounds (fewer when
    they would not fit in ``budget_s``), each answer timed from the raw question (normalise,
    cut, search) to the best sentence's number."""
    from bot.evaluate import load_questions
    from bot.text import tokenizer
    from bot.text.normalize import normalize

    begun = time.perf_counter()
    engine = ENGINES[config["engine"]]()
    corpus, index = Path(config["corpus"]), Path(config["index"])
    meta = read_meta(corpus)
    tokenizer.configure(Path(config["jieba"]))
    tokenizer.publish(tokenizer.Segmenter(meta["user_words"]))
    cut = tokenizer.cut
    items = load_questions(Path(config["questions"]))
    questions = [item.question for item in items]
    entities: list[int] = meta["entity_items"]

    def tokens(question: str) -> list[str]:
        return content_tokens(normalize(question), cut)

    first = tokens(questions[0])
    base = peak_rss_mb()
    emit({"rss_serve_base_mb": base})

    engine.load_library()
    started = time.perf_counter()
    searcher = engine.open(index)
    opened = time.perf_counter()
    searcher.top(first)
    answered = time.perf_counter()
    emit({"open_s": round(answered - started, 4), "open_only_s": round(opened - started, 4)})

    started = time.perf_counter()
    best: list[int | None] = []
    no_hit = 0
    for question in questions:
        number, score = searcher.top(tokens(question))
        best.append(number)
        no_hit += number is None or score <= 0
    warm_s = time.perf_counter() - started
    left = config["budget_s"] - SAFETY_S - (time.perf_counter() - begun)
    rounds = max(1, min(int(config["rounds"]), int(left // max(warm_s, 1e-9))))
    samples: list[float] = []
    for _ in range(rounds):
        for question in questions:
            before = time.perf_counter_ns()
            searcher.top(tokens(question))
            samples.append((time.perf_counter_ns() - before) / 1e6)
    peak = peak_rss_mb()
    emit(
        {
            "p50_ms": round(statistics.median(samples), 3),
            "p99_ms": round(percentile(samples, 99), 3),
            "max_ms": round(max(samples), 3),
            "latency_samples": len(samples),
            "rounds": rounds,
            "rss_serve_peak_mb": peak,
            "rss_serve_own_mb": round(peak - base, 1),
            "ru_maxrss_serve_mb": ru_maxrss_mb(),
        }
    )
    texts = texts_at(corpus, {b for i in entities if (b := best[i]) is not None})
    chosen = {i: (texts.get(b) if (b := best[i]) is not None else None) for i in entities}
    right, accuracy = entity_accuracy(items, entities, chosen)
    emit(
        {
            "accuracy": accuracy,
            "entity_right": right,
            "entity_questions": len(entities),
            "no_hit": no_hit,  # questions nothing matched (bm25s: its top-1 scored 0)
        }
    )
