"""What changed between two snapshots: the reply to /reload and the new-content notice."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge.build import Knowledge


@dataclass(frozen=True, slots=True)
class KnowledgeDiff:
    added: tuple[str, ...]  # article titles
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    added_ids: tuple[str, ...]
    changed_ids: tuple[str, ...]
    facts: tuple[int, int]  # before, after
    intents: tuple[int, int]
    topics: tuple[int, int]
    rules_changed: bool
    seconds: float
    lexicon_changed: bool = False  # intents/lexicon.yaml: pages were parsed again
    user_words: tuple[int, int] = (0, 0)  # the segmenter's user words, before and after

    @property
    def content_changed(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        out = []
        out += [f"+ 《{t}》" for t in self.added]
        out += [f"~ 《{t}》" for t in self.changed]
        out += [f"- 《{t}》" for t in self.removed]
        if not out:
            out.append("(articles unchanged)")
        out.append(
            f"facts {self.facts[0]} → {self.facts[1]}, intents {self.intents[0]} → "
            f"{self.intents[1]}, topics {self.topics[0]} → {self.topics[1]}"
            + (", rules changed" if self.rules_changed else "")
            + (", lexicon changed" if self.lexicon_changed else "")
        )
        if self.user_words[0] != self.user_words[1]:
            out.append(f"user words {self.user_words[0]} → {self.user_words[1]}")
        out.append(f"built in {self.seconds:.2f}s")
        return out


def diff(old: Knowledge | None, new: Knowledge) -> KnowledgeDiff:
    before = {a.id: a for a in old.articles} if old else {}
    after = {a.id: a for a in new.articles}
    added = [a for i, a in after.items() if i not in before]
    removed = [a for i, a in before.items() if i not in after]
    changed = [
        a for i, a in after.items() if i in before and before[i].content_hash != a.content_hash
    ]
    return KnowledgeDiff(
        added=tuple(a.title for a in added),
        changed=tuple(a.title for a in changed),
        removed=tuple(a.title for a in removed),
        added_ids=tuple(a.id for a in added),
        changed_ids=tuple(a.id for a in changed),
        facts=(old.fact_count if old else 0, new.fact_count),
        intents=(len(old.rules.intents) if old else 0, len(new.rules.intents)),
        topics=(len(old.rules.topics) if old else 0, len(new.rules.topics)),
        rules_changed=old is not None and old.rules.fingerprint != new.rules.fingerprint,
        seconds=new.build_seconds,
        lexicon_changed=old is not None and old.lexicon.fingerprint != new.lexicon.fingerprint,
        user_words=(len(old.segmenter.words) if old else 0, len(new.segmenter.words)),
    )
