"""``newsbot check``: validate seeds and rules, and describe what would be served."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from bot.content.loader import load_seeds
from bot.content.model import Article
from bot.errors import InputError, Problem, RuleError
from bot.rules.lexicon import FIELDS, PARSING_FIELDS
from bot.rules.loader import load_rules
from bot.rules.model import Rules


def article_json(article: Article) -> dict[str, Any]:
    sentences = {id(s): s.text for p in article.paragraphs for s in p.sentences}
    facts = []
    for paragraph in article.paragraphs:
        for sentence in paragraph.sentences:
            for fact in sentence.facts:
                facts.append(
                    {
                        "kind": fact.kind.value,
                        "text": fact.text,
                        "value": fact.value,
                        "unit": fact.unit,
                        "sentence": sentences[id(sentence)],
                        "line": sentence.line,
                        **({"role": fact.role} if fact.role else {}),
                        **({"org": fact.org} if fact.org else {}),
                        **({"qualifier": fact.qualifier} if fact.qualifier else {}),
                    }
                )
    return {
        "id": article.id,
        "title": article.title,
        "kicker": article.kicker,
        "column": article.column,
        "subtitle": article.subtitle,
        "byline": list(article.byline),
        "date": article.date.isoformat() if article.date else None,
        "publication": article.publication,
        "file": article.file,
        "line": article.line,
        "truncated": article.truncated,
        "summary": article.summary,
        "content_hash": article.content_hash,
        "sections": [
            {
                "heading": s.heading,
                "line": s.line,
                "paragraphs": [{"text": p.text, "line": p.line} for p in s.paragraphs],
            }
            for s in article.sections
        ],
        "facts": facts,
    }


def shared_keywords(rules: Rules) -> list[Problem]:
    """Warnings: a keyword listed by two intents makes classification depend on priority."""
    owners: dict[str, list[str]] = {}
    where: dict[str, tuple[str, int]] = {}
    for intent in rules.intents:
        for keyword in intent.keywords:
            owners.setdefault(keyword, []).append(intent.id)
            where.setdefault(keyword, (intent.file, intent.line))
    return [
        Problem(where[k][0], where[k][1], f"keyword {k!r} is shared by intents {', '.join(ids)}")
        for k, ids in sorted(owners.items())
        if len(ids) > 1
    ]


def run_check(seeds: Path, intents: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Everything ``check`` reports; problems are errors (exit status 1)."""
    problems: list[Problem] = []
    rules = None
    try:
        rules = load_rules(intents)
    except RuleError as exc:
        problems.extend(exc.problems)
    # pages are parsed with the rules' lexicon, as a build would (else the bundled one)
    loaded = load_seeds(seeds, None, rules.lexicon if rules else None)
    problems[:0] = loaded.problems
    report: dict[str, Any] = {
        "articles": [article_json(a) for a in loaded.articles],
        "errors": [p.as_dict() for p in problems],
        "warnings": [p.as_dict() for p in shared_keywords(rules)] if rules else [],
    }
    if rules is not None:
        report["rules"] = {
            "files": list(rules.files),
            "intents": len(rules.intents),
            "synonyms": len(rules.synonyms),
            "topics": len(rules.topics),
            "responses": len(rules.responses.templates),
            "lexicon": {
                "source": rules.lexicon.source,
                "lists": len(FIELDS),
                "words": rules.lexicon.word_count(),
            },
            "parsing": {
                "source": rules.lexicon.parsing.source,
                "thresholds": len(PARSING_FIELDS),
            },
        }
    return report, problems


def render(report: dict[str, Any]) -> str:
    lines = []
    facts_total: Counter[str] = Counter()
    sentences = 0
    for article in report["articles"]:
        kinds = Counter(f["kind"] for f in article["facts"])
        facts_total.update(kinds)
        count = sum(len(p["text"]) > 0 for s in article["sections"] for p in s["paragraphs"])
        n_sentences = len({f["sentence"] for f in article["facts"]})
        sentences += n_sentences
        meta = " · ".join(
            filter(
                None,
                [
                    article.get("column"),
                    article.get("kicker"),
                    " ".join(article["byline"]),
                    article.get("date"),
                ],
            )
        )
        lines.append(f"《{article['title']}》 {article['file']}:{article['line']}")
        if meta:
            lines.append(f"    {meta}")
        headings = [s["heading"] for s in article["sections"] if s["heading"]]
        lines.append(
            f"    {len(article['sections'])} sections, {count} paragraphs, "
            f"{len(article['facts'])} facts"
            + (" (cut off at the page edge)" if article.get("truncated") else "")
        )
        for heading in headings:
            lines.append(f"    · {heading}")
    lines.append("")
    lines.append(
        f"{len(report['articles'])} articles, "
        f"{sum(facts_total.values())} facts: "
        + ", ".join(f"{k} {v}" for k, v in sorted(facts_total.items()))
    )
    if "rules" in report:
        r = report["rules"]
        lines.append(
            f"rules: {r['intents']} intents, {r['synonyms']} synonym groups, "
            f"{r['topics']} topics, {r['responses']} responses "
            f"({len(r['files'])} files)"
        )
        lx = r["lexicon"]
        lines.append(f"lexicon: {lx['lists']} word lists, {lx['words']} words ({lx['source']})")
        pa = r["parsing"]
        lines.append(f"parsing: {pa['thresholds']} thresholds ({pa['source']})")
    for warning in report.get("warnings", []):
        lines.append(f"warning: {warning['file']}:{warning['line']}: {warning['message']}")
    for error in report["errors"]:
        lines.append(f"{error['file']}:{error['line']}: {error['message']}")
    return "\n".join(lines)


def problems_text(error: InputError) -> str:
    return "\n".join(str(p) for p in error.problems)
