"""Settings from command-line options and the environment, validated in one place.

Precedence: command-line option, then environment variable, then default.  The token is
kept out of ``repr`` so it cannot leak into logs or tracebacks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import NewsbotError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_FILE_URL = "https://api.telegram.org/file/bot"
DEFAULT_DB = Path("var/newsbot.sqlite3")

# Every environment variable newsbot reads, with its meaning (README and .env.example are
# checked against this table by tests/test_docs.py).
ENVIRONMENT: Mapping[str, str] = {
    "TELEGRAM_BOT_TOKEN": "Bot token from @BotFather; unset, `make run` starts the console chat",
    "NEWSBOT_SEEDS": "Directory of newspaper pages (*.txt/*.md and optional *.yaml sidecars)",
    "NEWSBOT_INTENTS": "Directory of rule files (intents, synonyms, topics, responses)",
    "NEWSBOT_DB": "SQLite database file (created with its directory)",
    "NEWSBOT_CACHE": "Cache directory for the jieba dictionary and the analysis cache",
    "NEWSBOT_ADMINS": "Comma-separated Telegram user ids allowed to use admin commands",
    "NEWSBOT_API_URL": "Bot API base URL (self-hosted Bot API server or tests)",
    "NEWSBOT_FILE_URL": "Bot API file download base URL",
    "NEWSBOT_LOG_LEVEL": "Logging level: DEBUG, INFO, WARNING or ERROR",
    "NEWSBOT_WEBHOOK_SECRET": "Webhook mode: the secret token Telegram must send with updates",
    "NEWSBOT_RETENTION_DAYS": "Days to keep the question log and admin audit (0 keeps them)",
    "NEWSBOT_INIT_DB": "1: start a fresh database in an existing empty (0-byte) database file",
}

DEFAULT_RETENTION_DAYS = 90  # bot.store.retention uses these too
MAX_RETENTION_DAYS = 36_500  # a century; more would overflow datetime arithmetic
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class ConfigError(NewsbotError):
    """A setting has a value newsbot cannot use."""


def _default_dir(name: str) -> Path:
    """``./seeds`` when run from a checkout, else the directory next to the package."""
    local = Path(name)
    return local if local.is_dir() else PACKAGE_ROOT / name


def default_cache_dir(env: Mapping[str, str]) -> Path:
    if env.get("NEWSBOT_CACHE"):
        return Path(env["NEWSBOT_CACHE"])
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "newsbot"
    return Path.home() / ".cache" / "newsbot"


def parse_admins(raw: str | None) -> frozenset[int]:
    if not raw or not raw.strip():
        return frozenset()
    ids = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError as exc:
            raise ConfigError(
                f"NEWSBOT_ADMINS must be comma-separated numeric user ids, got {part!r}"
            ) from exc
    return frozenset(ids)


def parse_retention_days(raw: object) -> int:
    """Whole days from 0 (keep forever) to a century; anything else is a :class:`ConfigError`."""
    text = str(raw).strip()
    try:
        days = int(text)
    except ValueError:
        days = -1
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise ConfigError(
            "retention days (NEWSBOT_RETENTION_DAYS / --retention-days) must be a whole "
            f"number from 0 (keep forever) to {MAX_RETENTION_DAYS}, got {text!r}"
        )
    return days


def parse_flag(name: str, raw: str | None) -> bool:
    """An on/off environment variable; a typo is refused rather than read as "off"."""
    value = (raw or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1 or 0 (true/false, yes/no), got {raw!r}")


@dataclass(frozen=True, slots=True)
class Settings:
    seeds: Path
    intents: Path
    db: Path
    cache_dir: Path
    admins: frozenset[int] = frozenset()
    api_url: str = DEFAULT_API_URL
    file_url: str = DEFAULT_FILE_URL
    log_level: str = "INFO"
    token: str | None = field(default=None, repr=False)
    #: Days the question log and audit are kept (0: forever); see bot.store.retention.
    retention_days: int = DEFAULT_RETENTION_DAYS
    #: Accept an existing 0-byte database file as a fresh database (see bot.store.errors).
    init_db: bool = False

    @classmethod
    def load(
        cls, options: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None
    ) -> Settings:
        options = options or {}
        env = os.environ if env is None else env

        def pick(option: str, variable: str, default: object) -> object:
            value = options.get(option)
            if value not in (None, ""):
                return value
            return env.get(variable) or default

        api_url = str(pick("api_url", "NEWSBOT_API_URL", DEFAULT_API_URL))
        file_url = env.get("NEWSBOT_FILE_URL") or (
            api_url.rsplit("/bot", 1)[0] + "/file/bot"
            if api_url.endswith("/bot")
            else DEFAULT_FILE_URL
        )
        level = str(pick("log_level", "NEWSBOT_LOG_LEVEL", "INFO")).upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError(f"log level must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
        return cls(
            seeds=Path(str(pick("seeds", "NEWSBOT_SEEDS", _default_dir("seeds")))),
            intents=Path(str(pick("intents", "NEWSBOT_INTENTS", _default_dir("intents")))),
            db=Path(str(pick("db", "NEWSBOT_DB", DEFAULT_DB))),
            cache_dir=Path(str(options.get("cache_dir") or default_cache_dir(env))),
            admins=parse_admins(env.get("NEWSBOT_ADMINS")),
            api_url=api_url,
            file_url=file_url,
            log_level=level,
            token=env.get("TELEGRAM_BOT_TOKEN") or None,
            retention_days=parse_retention_days(
                pick("retention_days", "NEWSBOT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
            ),
            init_db=bool(options.get("init_db"))
            or parse_flag("NEWSBOT_INIT_DB", env.get("NEWSBOT_INIT_DB")),
        )
