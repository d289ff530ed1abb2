"""``newsbot digest TOPIC [--json]``: the digest a new subscriber of TOPIC would get now.

Reads no database: a new subscriber has received nothing, so the digest is every current
item of the topic. Editors use it to see what ``/subscribe`` will send before users do.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Final

from bot.config import Settings
from bot.digest.build import new_subscriber_digest
from bot.digest.plan import plan_messages
from bot.digest.text import render_text, say, text_layout
from bot.digest.topics import find_topic, rank_topics
from bot.knowledge.build import Knowledge

logger = logging.getLogger(__name__)

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
CLI_LANGUAGE: Final = "zh"
MESSAGE_SEPARATOR: Final = "\n\n"


def print_digest(args: argparse.Namespace, settings: Settings, knowledge: Knowledge) -> int:
    """Print the digest as text (one block per Telegram message) or as one JSON object.

    Exit 2 with the list of topics when ``args.topic`` matches none (or several equally).
    """
    del settings  # the digest of a new subscriber needs no database
    topics = knowledge.rules.topics
    topic = find_topic(str(args.topic), topics)
    if topic is None:
        listing = ", ".join(f"{t.id} ({t.zh} / {t.en})" for t in topics)
        candidates = [m.topic.id for m in rank_topics(str(args.topic), topics)[:3]]
        hint = f" (did you mean: {', '.join(candidates)}?)" if candidates else ""
        print(
            f"newsbot digest: unknown topic {args.topic!r}{hint}; topics: {listing}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    digest = new_subscriber_digest(knowledge, topic.id)
    responses = knowledge.rules.responses
    plan = plan_messages(digest, text_layout(responses, CLI_LANGUAGE), max_messages=None)
    if getattr(args, "json", False):
        data = {
            "topic": {"id": topic.id, "zh": topic.zh, "en": topic.en},
            "knowledge_version": digest.knowledge_version,
            "count": len(digest),
            "items": [
                item.as_dict(group.topic.id) for group in digest.groups for item in group.items
            ],
            "entries": [
                entry.as_dict(group.topic.id) for group in digest.groups for entry in group.entries
            ],
            "messages": [[item.item_id for item in message.items] for message in plan],
        }
        print(json.dumps(data, ensure_ascii=False))
        return EXIT_OK
    if digest.empty:
        print(say(responses, "digest_empty", CLI_LANGUAGE))
        return EXIT_OK
    print(MESSAGE_SEPARATOR.join(render_text(m, responses, CLI_LANGUAGE) for m in plan))
    return EXIT_OK
