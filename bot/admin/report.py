"""The lines of admin replies, in the admin's language, as plain text.

Why plain lines: the Telegram layer escapes and splits them with its one formatter
(``format_lines``), and the same lines could serve a console.  Problem lists are capped and
each line is clipped, so a reload that breaks every file still gives a reply of a few messages
that names the first problems, not a flood.  Every string comes from ``responses``
(``admin_*`` keys); the ``file:line: message`` of a problem is shown as the loader wrote it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot.admin.pages import PageEntry, Rejected
from bot.admin.questions import QuestionGroup, display
from bot.admin.reload import ReloadOutcome
from bot.errors import Problem
from bot.knowledge.build import Knowledge
from bot.rules.model import Responses
from bot.store import QuestionStats

logger = logging.getLogger(__name__)

MAX_PROBLEMS: Final = 20  # problem lines in one reply
PROBLEM_CHARS: Final = 300  # characters of one problem line
MAX_TITLES: Final = 40  # article lines in a reload diff
MAX_GROUPS: Final = 30  # question groups in /unanswered
TOP_UNANSWERED: Final = 5  # in /stats


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problem_lines(
    problems: Sequence[Problem], responses: Responses, language: str, limit: int = MAX_PROBLEMS
) -> list[str]:
    """``file:line: message`` per problem, at most ``limit`` of them, then "N more"."""
    lines = [_clip(str(p), PROBLEM_CHARS) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(responses.text("admin_problems_more", language, count=len(problems) - limit))
    return lines


def reload_lines(outcome: ReloadOutcome, responses: Responses, language: str) -> list[str]:
    """The reply to a reload: the diff and time taken, or why the old content stays."""
    say = responses.text
    diff = outcome.diff
    if diff is None:
        if outcome.problems:
            return [
                say("admin_reload_failed", language),
                *problem_lines(outcome.problems, responses, language),
            ]
        return [say("admin_reload_error", language, error=_clip(outcome.error or "?", 200))]
    lines = [say("admin_reload_ok", language, seconds=f"{outcome.seconds:.2f}")]
    titled = [
        *(("admin_reload_added", t) for t in diff.added),
        *(("admin_reload_changed", t) for t in diff.changed),
        *(("admin_reload_removed", t) for t in diff.removed),
    ]
    lines += [say(key, language, title=title) for key, title in titled[:MAX_TITLES]]
    if len(titled) > MAX_TITLES:
        lines.append(say("admin_problems_more", language, count=len(titled) - MAX_TITLES))
    if not titled:
        lines.append(say("admin_reload_unchanged", language))
    lines.append(
        say(
            "admin_reload_counts",
            language,
            facts_before=diff.facts[0],
            facts_after=diff.facts[1],
            intents_before=diff.intents[0],
            intents_after=diff.intents[1],
            topics_before=diff.topics[0],
            topics_after=diff.topics[1],
        )
    )
    if diff.rules_changed:
        lines.append(say("admin_reload_rules_changed", language))
    return lines


def rejection_lines(rejected: Rejected, responses: Responses, language: str) -> list[str]:
    """Why an upload or removal was refused (nothing was changed)."""
    return [
        responses.text(rejected.key, language, **rejected.values),
        *problem_lines(rejected.problems, responses, language),
    ]


def titles_text(titles: Sequence[str], responses: Responses, language: str) -> str:
    if not titles:
        return responses.text("admin_remove_no_articles", language)
    return "、".join(f"《{t}》" for t in titles)


def page_lines(pages: Sequence[PageEntry], responses: Responses, language: str) -> list[str]:
    """``/remove``: the pages on disk with the articles served from each."""
    if not pages:
        return [responses.text("admin_remove_none", language)]
    return [responses.text("admin_remove_header", language)] + [
        responses.text(
            "admin_remove_line",
            language,
            index=index,
            name=page.name,
            titles=titles_text(page.titles, responses, language),
        )
        for index, page in enumerate(pages, start=1)
    ]


@dataclass(frozen=True, slots=True)
class StatsData:
    """Everything ``/stats`` shows, gathered by the front end from the store and snapshot."""

    knowledge: Knowledge
    chats_total: int
    chats_active: int
    subscribers: Mapping[str, int]  # topic id → active subscribed chats
    questions: QuestionStats
    unanswered: Sequence[QuestionGroup]


def _rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def stats_lines(data: StatsData, responses: Responses, language: str) -> list[str]:
    say = responses.text
    knowledge = data.knowledge
    q = data.questions
    lines = [
        say("admin_stats_title", language),
        say(
            "admin_stats_content",
            language,
            articles=len(knowledge.articles),
            facts=knowledge.fact_count,
            topics=len(knowledge.rules.topics),
            version=knowledge.version,
        ),
        say("admin_stats_chats", language, active=data.chats_active, total=data.chats_total),
        say("admin_stats_subscribers", language),
    ]
    known = {t.id for t in knowledge.rules.topics}
    for topic in knowledge.rules.topics:
        count = data.subscribers.get(topic.id, 0)
        lines.append(say("admin_stats_topic", language, topic=topic.name(language), count=count))
    for topic_id, count in sorted(data.subscribers.items()):
        if topic_id not in known:  # a topic removed from the rules still has subscribers
            lines.append(say("admin_stats_topic", language, topic=topic_id, count=count))
    lines.append(
        say(
            "admin_stats_questions",
            language,
            today=q.today_total,
            today_answered=q.today_answered,
            week=q.week_total,
            week_answered=q.week_answered,
        )
    )
    latency = "—" if q.week_mean_latency_ms is None else f"{q.week_mean_latency_ms:.1f}"
    lines.append(say("admin_stats_rate", language, rate=_rate(q.answer_rate), latency=latency))
    if data.unanswered:
        lines.append(say("admin_stats_top_unanswered", language))
        lines += [
            say("admin_unanswered_line", language, count=g.count, question=display(g.question))
            for g in data.unanswered[:TOP_UNANSWERED]
        ]
    else:
        lines.append(say("admin_stats_no_unanswered", language))
    return lines


def unanswered_lines(
    groups: Sequence[QuestionGroup], days: int, responses: Responses, language: str
) -> list[str]:
    say = responses.text
    if not groups:
        return [say("admin_unanswered_none", language, days=days)]
    lines = [say("admin_unanswered_title", language, days=days)]
    for group in groups[:MAX_GROUPS]:
        key = "admin_unanswered_entry_disliked" if group.disliked else "admin_unanswered_entry"
        last = f"{group.last_asked:%Y-%m-%d %H:%M} UTC" if group.last_asked else "?"
        lines.append(
            say(
                key,
                language,
                count=group.count,
                question=display(group.question),
                disliked=group.disliked,
                last=last,
            )
        )
        if group.variants:
            variants = " / ".join(display(v, 40) for v in group.variants)
            lines.append(say("admin_unanswered_variants", language, variants=variants))
    if len(groups) > MAX_GROUPS:
        lines.append(say("admin_unanswered_more", language, count=len(groups) - MAX_GROUPS))
    return lines
