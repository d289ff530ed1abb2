"""``newsbot unanswered``: the editors' queue on the console, and as a question file.

Why a question file: an editor who fixes a miss (a synonym, a sidecar summary, a new page)
wants to see the readers' own wordings pass.  ``--export FILE`` writes each group's wordings in
the ``newsbot eval`` format with ``expect: any`` (right once the bot answers at all), because
only the editor knows which words the right answer holds — or that the page really does not
say, in which case ``null`` belongs there.  The header says so.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.admin.questions import QuestionGroup, display, group_questions
from bot.store import Store

logger = logging.getLogger(__name__)

EXPORT_GROUP = "unanswered"
HEADER = """\
# Questions readers asked that the bot declined or that they rated 👎 (newsbot unanswered).
# Run: newsbot eval FILE.  `expect: any` passes as soon as the bot answers; once you know the
# words the right answer quotes, write them as a list (expect: [4.56亿元]); if the page really
# does not say it, write `expect: null` (right when the bot declines).
"""


def load_groups(store: Store, now: dt.datetime, days: int, limit: int) -> list[QuestionGroup]:
    """The queue of the last ``days`` days (at most ``limit`` questions read), grouped."""
    return group_questions(store.editor_queue(now - dt.timedelta(days=days), limit))


def render_groups(groups: Sequence[QuestionGroup], days: int) -> list[str]:
    """Console lines: count, 👎 of them, last seen (UTC), wording, other wordings."""
    if not groups:
        return [f"(no declined or 👎 questions in the last {days} days)"]
    lines = [f"{len(groups)} groups of questions declined or rated 👎 in the last {days} days:"]
    for group in groups:
        last = f"{group.last_asked:%Y-%m-%d %H:%M}" if group.last_asked else "?"
        lines.append(
            f"{group.count:4d}×  👎{group.disliked:<3d} {last} UTC  {display(group.question)}"
        )
        for variant in group.variants:
            lines.append(f"{'':24}also: {display(variant)}")
    return lines


def export_items(groups: Sequence[QuestionGroup]) -> list[dict[str, Any]]:
    """One eval item per wording; the first wording of a group carries its counts."""
    items: list[dict[str, Any]] = []
    for group in groups:
        last = f"{group.last_asked:%Y-%m-%d %H:%M} UTC" if group.last_asked else "unknown"
        note = f"{group.count}× asked, {group.disliked}× 👎, last {last}"
        items.append({"q": group.question, "expect": "any", "group": EXPORT_GROUP, "note": note})
        items += [
            {"q": v, "expect": "any", "group": EXPORT_GROUP, "note": "another wording"}
            for v in group.variants
        ]
    return items


def write_export(groups: Sequence[QuestionGroup], path: Path) -> int:
    """Write the question file (UTF-8, readable Chinese); how many questions it holds."""
    items = export_items(groups)
    body = (
        yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=1000) if items else "[]\n"
    )
    path.write_text(HEADER + body, encoding="utf-8")
    logger.info("exported %d questions to %s", len(items), path)
    return len(items)
