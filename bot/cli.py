"""The ``newsbot`` command line (also ``python -m bot``).

Global options (``--seeds --intents --db --cache-dir --log-level``) may be written before or
after the subcommand.  Imports are lazy so ``newsbot ask`` never loads python-telegram-bot.
Exit status: 0 ok, 1 invalid content/rules or eval below threshold, 2 usage or setup error.

``ask``, ``chat`` and ``eval`` put their questions to one loaded :class:`~bot.service.NewsService`
(:func:`load_service`), the same object the Telegram bot answers from, so the console, the JSON
contract and the accuracy report can never disagree with the bot.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot import __version__
from bot.config import ConfigError, Settings
from bot.errors import InputError, NewsbotError

if TYPE_CHECKING:
    from bot.knowledge.build import Knowledge
    from bot.service import NewsService

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("chat", "ask", "run", "check", "eval", "digest", "audit", "unanswered")


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("global options")
    group.add_argument(
        "--seeds",
        metavar="DIR",
        default=default,
        help="pages directory (env NEWSBOT_SEEDS; default ./seeds)",
    )
    group.add_argument(
        "--intents",
        metavar="DIR",
        default=default,
        help="rules directory (env NEWSBOT_INTENTS; default ./intents)",
    )
    group.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="SQLite database (env NEWSBOT_DB; default var/newsbot.sqlite3)",
    )
    group.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=default,
        help="cache directory (env NEWSBOT_CACHE; default ~/.cache/newsbot)",
    )
    group.add_argument(
        "--log-level",
        metavar="LEVEL",
        default=default,
        help="DEBUG, INFO, WARNING or ERROR (env NEWSBOT_LOG_LEVEL)",
    )
    group.add_argument(
        "--init-db",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="start a fresh database in an existing empty (0-byte) --db file instead of "
        "refusing it (env NEWSBOT_INIT_DB=1); never erases a database with data",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Answer questions about newspaper pages with quoted sources; "
        "run the Telegram bot.",
    )
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text)
        _global_options(command, suppress=True)
        return command

    chat = add("chat", "interactive console chat (the default without a Telegram token)")
    chat.add_argument(
        "--jsonl",
        action="store_true",
        help="read one message per stdin line, print one JSON answer per line",
    )
    ask = add("ask", "answer one question")
    ask.add_argument("question", nargs="+", help="the question; '-' reads one per stdin line")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    run = add("run", "run the Telegram bot (long polling, or webhook with --webhook-url)")
    run.add_argument("--api-url", metavar="URL", help="Bot API base URL (env NEWSBOT_API_URL)")
    run.add_argument("--webhook-url", metavar="URL", help="public HTTPS URL for webhook mode")
    run.add_argument(
        "--listen",
        metavar="HOST",
        default="127.0.0.1",
        help="webhook listen address (default 127.0.0.1)",
    )
    run.add_argument(
        "--port", metavar="N", type=int, default=8443, help="webhook listen port (default 8443)"
    )
    run.add_argument(
        "--secret-token",
        metavar="S",
        default=os.environ.get("NEWSBOT_WEBHOOK_SECRET") or None,
        help="webhook secret; requests without it are refused (env NEWSBOT_WEBHOOK_SECRET, "
        "which keeps it out of `ps`)",
    )
    run.add_argument(
        "--health-port", metavar="N", type=int, help="serve /healthz and /metrics on 127.0.0.1:N"
    )
    run.add_argument(
        "--watch", action="store_true", help="reload when files under seeds/ or intents/ change"
    )
    run.add_argument(
        "--api-outage-limit",
        metavar="S",
        type=float,
        help="give up and exit with status 1 after getUpdates has failed (401/404, network "
        "errors, 5xx) for S seconds in a row (default 300)",
    )
    run.add_argument(
        "--stale-after",
        metavar="S",
        type=float,
        help="/healthz answers 503 when the last successful getUpdates is older than S "
        "seconds (default 60)",
    )
    run.add_argument(
        "--poll-timeout",
        metavar="S",
        type=float,
        help="long-poll timeout of each getUpdates (default 10)",
    )
    run.add_argument(
        "--send-rate",
        metavar="N",
        type=float,
        default=30.0,
        help="messages per second to all chats together, for replies and for digests "
        "(default 30, Telegram's limit; up to 1000 with paid broadcasts; 0: no overall cap)",
    )
    run.add_argument(
        "--retention-days",
        metavar="N",
        type=int,
        help="keep the question log and admin audit N days, pruned at start and daily "
        "(env NEWSBOT_RETENTION_DAYS; default 90; 0 keeps them forever)",
    )
    check = add("check", "validate seeds and intents, print counts")
    check.add_argument("--json", action="store_true", help="print the full report as JSON")
    evaluate = add("eval", "accuracy report for a question file (or --all of them)")
    evaluate.add_argument("file", nargs="?", help="YAML list of {q, expect, group[, dialog]}")
    evaluate.add_argument(
        "--all",
        action="store_true",
        help="every question file of the manifest, each on its own pages, in one report",
    )
    evaluate.add_argument(
        "--manifest",
        metavar="FILE",
        default="tests/eval_suites.yaml",
        help="suites for --all: {questions, pages, beside_shipped, holdout} "
        "(default tests/eval_suites.yaml)",
    )
    evaluate.add_argument(
        "--show-holdout",
        action="store_true",
        help="with --all, also list the holdout suites' groups and failures",
    )
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument(
        "--min-answerable",
        type=float,
        default=0.0,
        metavar="F",
        help="exit 1 when answerable accuracy is below F (0..1)",
    )
    evaluate.add_argument(
        "--min-declined",
        type=float,
        default=0.0,
        metavar="F",
        help="exit 1 when decline accuracy is below F (0..1)",
    )
    digest = add("digest", "print the digest a new subscriber of TOPIC would receive now")
    digest.add_argument("topic", help="topic id or name (zh or en)")
    digest.add_argument("--json", action="store_true", help="print the digest as JSON")
    unanswered = add(
        "unanswered", "questions the bot declined or readers rated 👎, grouped by similarity"
    )
    unanswered.add_argument(
        "--days", type=int, default=7, metavar="N", help="look back N days (default 7)"
    )
    unanswered.add_argument(
        "--limit", type=int, default=500, metavar="N", help="questions read (default 500)"
    )
    unanswered.add_argument(
        "--export",
        metavar="FILE",
        help="also write them as a question file for `newsbot eval` (expect: any)",
    )
    audit = add("audit", "print the admin audit log")
    audit.add_argument("--limit", type=int, default=50, help="entries to show (default 50)")
    audit.add_argument("--json", action="store_true", help="print entries as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "chat"
    try:
        settings = Settings.load(vars(args))
    except ConfigError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _configure_logging(settings.log_level if command == "run" or args.log_level else "WARNING")
    handler = COMMANDS[command]
    try:
        return handler(args, settings)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    except NewsbotError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `newsbot check | head`: the reader went away, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def load_knowledge(settings: Settings) -> Knowledge:
    """A snapshot for commands that read content but answer nothing (``check``, ``digest``)."""
    from bot.knowledge.build import Builder
    from bot.text import tokenizer

    tokenizer.configure(settings.cache_dir / "jieba")
    return Builder(settings.seeds, settings.intents, settings.cache_dir).build()


def load_service(settings: Settings) -> NewsService:
    """The loaded service every answering command uses (InputError on bad content)."""
    from bot.service import NewsService
    from bot.text import tokenizer

    tokenizer.configure(settings.cache_dir / "jieba")
    service = NewsService(settings.seeds, settings.intents, settings.cache_dir)
    service.load()
    return service


def _json_line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import render_answer

    service = load_service(settings)
    if args.question == ["-"]:
        for line in sys.stdin:  # each line alone: no conversation key, no context
            answer = service.ask(line.rstrip("\r\n"))
            print(_json_line(answer.as_dict()) if args.json else render_answer(answer), flush=True)
        return EXIT_OK
    answer = service.ask(" ".join(args.question))
    print(_json_line(answer.as_dict()) if args.json else render_answer(answer))
    return EXIT_OK


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import CONSOLE_CONVERSATION, interactive_chat

    service = load_service(settings)
    if args.jsonl:
        for line in sys.stdin:
            answer = service.ask(line.rstrip("\r\n"), CONSOLE_CONVERSATION)
            print(_json_line(answer.as_dict()), flush=True)
        return EXIT_OK
    return interactive_chat(service, settings)


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot import check

    report, problems = check.run_check(settings.seeds, settings.intents)
    if not problems:
        try:
            knowledge = load_knowledge(settings)
            report["knowledge"] = {
                "version": knowledge.version,
                "sentences": knowledge.index.size,
                "entities": len(knowledge.entities.entities),
                "build_seconds": round(knowledge.build_seconds, 3),
            }
        except InputError as exc:
            problems = list(exc.problems)
            report["errors"] = [p.as_dict() for p in problems]
    if args.json:
        print(_json_line(report))
    else:
        print(check.render(report))
    return EXIT_INVALID if problems else EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.evaluate import evaluate, load_questions, render

    if args.all == bool(args.file):
        print("newsbot eval: eval needs a question file or --all (one, not both)", file=sys.stderr)
        return EXIT_USAGE
    if args.all:
        return _eval_all(args, settings)
    items = load_questions(Path(args.file))
    report = evaluate(items, load_service(settings), args.file)
    print(_json_line(report.as_dict()) if args.json else render(report))
    return _eval_verdict(
        args, report.accuracy(report.answerable), report.accuracy(report.declined)
    )


def _eval_all(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.evalsuite import evaluate_all, load_manifest, render_all
    from bot.text import tokenizer

    tokenizer.configure(settings.cache_dir / "jieba")
    manifest = load_manifest(Path(args.manifest))
    report = evaluate_all(manifest, settings.intents, settings.cache_dir)
    show = args.show_holdout
    print(_json_line(report.as_dict(show)) if args.json else render_all(report, show))
    below = report.below_floor()
    for line in below:
        print(f"newsbot eval: below its recorded floor: {line}", file=sys.stderr)
    dev = report.totals(holdout=False)
    verdict = _eval_verdict(args, dev["answerable_accuracy"], dev["declined_accuracy"])
    return EXIT_INVALID if below else verdict


def _eval_verdict(args: argparse.Namespace, answerable: float, declined: float) -> int:
    if answerable < args.min_answerable or declined < args.min_declined:
        print(
            f"newsbot eval: below threshold (answerable {answerable:.1%} < "
            f"{args.min_answerable:.0%} or declined {declined:.1%} < "
            f"{args.min_declined:.0%})",
            file=sys.stderr,
        )
        return EXIT_INVALID
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.hangup import StartupHangups

    hangups = StartupHangups()  # before the slow imports: SIGHUP must not kill a starting bot
    hangups.install()
    if not settings.token:
        print(
            "newsbot run: TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather, then "
            "export TELEGRAM_BOT_TOKEN=…); use 'newsbot chat' for the console",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from bot.telegram.runner import run_bot

    return run_bot(args, settings, hangups)


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.digest.cli import print_digest

    return print_digest(args, settings, load_knowledge(settings))


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import Store

    with Store(settings.db, allow_empty=settings.init_db) as store:
        entries = store.audit_log(args.limit)
    for entry in entries:
        if args.json:
            print(
                _json_line(
                    {
                        "at": entry.at.isoformat(),
                        "user_id": entry.user_id,
                        "action": entry.action,
                        "detail": entry.detail,
                        "result": entry.result,
                    }
                )
            )
        else:
            # User id 0 is the bot itself (SIGHUP, --watch): see bot.admin.audit.SYSTEM_USER.
            who = "system" if entry.user_id == 0 else f"user {entry.user_id}"
            print(
                f"{entry.at:%Y-%m-%d %H:%M:%S} {who} {entry.action} "
                f"{entry.detail} → {entry.result}"
            )
    if not entries and not args.json:
        print("(no admin actions recorded)")
    return EXIT_OK


def cmd_unanswered(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.admin.queue_export import load_groups, render_groups, write_export
    from bot.store import Store
    from bot.store.timeutil import utc_now

    if args.days < 1 or args.limit < 1:
        print("newsbot unanswered: --days and --limit must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    with Store(settings.db, allow_empty=settings.init_db) as store:
        groups = load_groups(store, utc_now(), args.days, args.limit)
    for line in render_groups(groups, args.days):
        print(line)
    if args.export:
        count = write_export(groups, Path(args.export))
        print(f"wrote {count} questions to {args.export} (run: newsbot eval {args.export})")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "chat": cmd_chat,
    "ask": cmd_ask,
    "run": cmd_run,
    "check": cmd_check,
    "eval": cmd_eval,
    "digest": cmd_digest,
    "audit": cmd_audit,
    "unanswered": cmd_unanswered,
}
