"""Tests for bot.store: migrations, settings, the digest schedule, ledger, logs and crash safety.

Time never comes from the wall clock: a FakeClock is injected, so schedules across midnight,
time zones and outages are checked without sleeping.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store import (
    SCHEMA_VERSION,
    AsyncStore,
    Chat,
    InvalidArgumentError,
    InvalidSetting,
    SchemaError,
    SchemaTooNewError,
    Store,
    StoreClosedError,
    StoreError,
    UnknownChatError,
    parse_digest_time,
)
from bot.store.rows import SELECT_DUE
from bot.store.schema import MIGRATIONS, V1, migrate

REPO = Path(__file__).resolve().parents[1]


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


class FakeClock:
    """A settable clock; the store calls it for created_at, sent_at and rescheduling."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> datetime:
        self.now = now
        return now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utc(2024, 3, 1, 12, 0))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "newsbot.sqlite3"


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[Store]:
    with Store(db_path, clock=clock) as opened:
        yield opened


def raw(path: Path) -> sqlite3.Connection:
    """A second, plain connection for inspecting the file behind the store's back."""
    return sqlite3.connect(path, isolation_level=None)


def tables(path: Path) -> set[str]:
    conn = raw(path)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
        return {str(row[0]) for row in rows}
    finally:
        conn.close()


# -- migrations and connection --------------------------------------------------------------


def test_new_file_is_created_and_migrated(db_path: Path, clock: FakeClock) -> None:
    assert not db_path.parent.exists()
    with Store(db_path, clock=clock) as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS) == 3
        assert store.path == db_path
        assert store.integrity_ok()
    assert {
        "chats",
        "subscriptions",
        "ledger",
        "digest_runs",
        "questions",
        "audit",
        "feedback",
    } <= tables(db_path)


def test_empty_existing_file_is_migrated_when_allowed(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()  # refused without allow_empty: see tests/test_store_open.py
    with Store(path, clock=clock, allow_empty=True) as store:
        assert store.info().schema_version == SCHEMA_VERSION


def test_v1_database_is_upgraded_and_keeps_rows(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "v1.sqlite3"
    conn = raw(path)
    try:
        for statement in V1:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO chats (chat_id, type, title, language, timezone, digest_time, "
            "created_at, updated_at) VALUES (7, 'group', 'Readers', 'en', 'Asia/Tokyo', "
            "'09:30', 100, 100)"
        )
        conn.execute("INSERT INTO subscriptions VALUES (7, 'economy', 100)")
        conn.execute("INSERT INTO ledger VALUES (7, 'a1#s1', 'digest', 'h1', 100)")
        conn.execute("INSERT INTO digest_runs VALUES (7, '2024-02-29')")
        conn.execute("INSERT INTO audit (at, user_id, action, detail, result) "
                     "VALUES (100, 1, 'reload', '', 'ok')")  # fmt: skip
    finally:
        conn.close()
    assert "questions" not in tables(path)

    with Store(path, clock=clock) as store:
        assert store.schema_version == 3
        chat = store.get_chat(7)
        assert chat is not None
        # The subscribed v1 chat had no next_digest_at; opening schedules it (09:30 Tokyo).
        assert chat.next_digest_at == utc(2024, 3, 2, 0, 30)
        assert (chat.type, chat.title, chat.language, chat.timezone, chat.digest_time) == (
            "group",
            "Readers",
            "en",
            "Asia/Tokyo",
            "09:30",
        )
        assert store.subscriptions(7) == ["economy"]
        assert store.subscribers("economy") == [7]
        assert store.delivered(7) == {"a1#s1": "h1"}
        assert [entry.action for entry in store.audit_log()] == ["reload"]
        store.record_question(7, "谁是董事长?", False, "person", 0.2, 12.5)
        assert [q.question for q in store.unanswered(utc(2024, 1, 1), 10)] == ["谁是董事长?"]
        assert store.integrity_ok()
    assert {"questions", "questions_asked_at", "subscriptions_topic"} <= tables(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = raw(path)
    try:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    finally:
        conn.close()
    with pytest.raises(SchemaTooNewError, match=r"version 4 is newer .* supports \(3\)") as err:
        Store(path)
    assert (err.value.found, err.value.supported) == (4, 3)


def test_failed_migration_rolls_back_to_previous_version(tmp_path: Path) -> None:
    conn = raw(tmp_path / "broken.sqlite3")
    try:
        broken = ("CREATE TABLE half_done (x INTEGER)", "THIS IS NOT SQL")
        with pytest.raises(SchemaError, match="migration to schema version 2 failed"):
            migrate(conn, [V1, broken])
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "chats" in names
        assert "half_done" not in names
    finally:
        conn.close()


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Store(path)


def test_connection_settings(store: Store, db_path: Path) -> None:
    info = store.info()
    assert info.journal_mode == "wal"
    assert info.synchronous in (1, 2)  # NORMAL or FULL
    assert info.foreign_keys is True
    assert info.busy_timeout_ms >= 1000
    conn = raw(db_path)  # WAL is a property of the file, visible to every connection
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_closed_store_refuses_calls(db_path: Path) -> None:
    store = Store(db_path)
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreClosedError):
        store.get_chat(1)


def test_store_does_not_import_telegram() -> None:
    code = "import sys, bot.store; print(sorted(m for m in sys.modules if 'telegram' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# -- chats and settings ---------------------------------------------------------------------


def test_chat_defaults(store: Store, clock: FakeClock) -> None:
    chat = store.upsert_chat(42, "private")
    assert chat == Chat(
        chat_id=42,
        type="private",
        title=None,
        language="zh",
        timezone="Asia/Shanghai",
        digest_time="08:00",
        paused=False,
        active=True,
        created_at=clock.now,
        updated_at=clock.now,
        next_digest_at=None,  # no subscriptions yet
    )
    assert store.get_chat(42) == chat
    assert store.get_chat(43) is None
    assert store.count_chats() == 1


def test_upsert_updates_type_and_title_but_not_language(store: Store, clock: FakeClock) -> None:
    store.upsert_chat(-5, "group", "Old title", language="en")
    store.set_language(-5, "zh")
    clock.set(utc(2024, 3, 2))
    chat = store.upsert_chat(-5, "supergroup", None, language="en")
    assert (chat.type, chat.title, chat.language) == ("supergroup", "Old title", "zh")
    assert chat.updated_at == utc(2024, 3, 2)
    assert store.upsert_chat(-5, "supergroup", "New title").title == "New title"


def test_invalid_chat_values(store: Store) -> None:
    with pytest.raises(InvalidArgumentError, match="chat type"):
        store.upsert_chat(1, "forum")
    with pytest.raises(InvalidSetting, match="language"):
        store.upsert_chat(1, "private", language="fr")
    store.upsert_chat(1, "private")
    with pytest.raises(InvalidSetting, match="language"):
        store.set_language(1, "de")
    assert store.set_language(1, "en").language == "en"
    with pytest.raises(UnknownChatError):
        store.set_timezone(999, "Asia/Tokyo")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:05", "07:05"),
        ("7:05", "07:05"),
        ("23:59", "23:59"),
        ("00:00", "00:00"),
        ("0:00", "00:00"),
        (" 8:30 ", "08:30"),
        ("０７：３０", "07:30"),  # full-width, as Chinese input methods type it
    ],
)
def test_set_digest_time_accepts(store: Store, text: str, expected: str) -> None:
    store.upsert_chat(1, "private")
    assert store.set_digest_time(1, text).digest_time == expected


@pytest.mark.parametrize(
    "text", ["24:00", "7:5", "25:00", "ab:cd", "", "12:60", "7:055", "123:00", "7.30", "٣:٠٠"]
)
def test_set_digest_time_rejects(store: Store, text: str) -> None:
    store.upsert_chat(1, "private")
    with pytest.raises(InvalidSetting, match="digest time"):
        store.set_digest_time(1, text)
    assert store.get_chat(1) is not None
    assert store.get_chat(1).digest_time == "08:00"  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_digest_time_valid_values_normalise(hour: int, minute: int, pad: bool) -> None:
    text = f"{hour:02d}:{minute:02d}" if pad else f"{hour}:{minute:02d}"
    assert parse_digest_time(text) == f"{hour:02d}:{minute:02d}"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=8), st.from_regex(r"\A[0-9]{1,3}:[0-9]{1,3}\Z")))
def test_digest_time_any_text_is_valid_or_invalid_setting(text: str) -> None:
    try:
        result = parse_digest_time(text)
    except InvalidSetting:
        return
    hour, minute = result.split(":")
    assert len(hour) == len(minute) == 2
    assert 0 <= int(hour) <= 23
    assert 0 <= int(minute) <= 59
    assert parse_digest_time(result) == result


def test_set_timezone(store: Store) -> None:
    store.upsert_chat(1, "private")
    assert store.set_timezone(1, "Asia/Tokyo").timezone == "Asia/Tokyo"
    assert store.set_timezone(1, "europe/london").timezone == "Europe/London"
    for bad in ["Mars/Base", "", "Asia", "../../etc/passwd", "/etc/localtime"]:
        with pytest.raises(InvalidSetting, match="unknown time zone"):
            store.set_timezone(1, bad)
    assert store.get_chat(1).timezone == "Europe/London"  # type: ignore[union-attr]


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        store.due_chats(datetime(2024, 3, 1, 8, 0))  # naive on purpose
    with pytest.raises(InvalidArgumentError, match="clock"):  # a naive clock fails at once
        Store(":memory:", clock=lambda: datetime(2024, 3, 1))


# -- schedule -------------------------------------------------------------------------------


def subscribed_chat(store: Store, chat_id: int = 1, **settings: str) -> Chat:
    store.upsert_chat(chat_id, "private")
    if "tz" in settings:
        store.set_timezone(chat_id, settings["tz"])
    if "time" in settings:
        store.set_digest_time(chat_id, settings["time"])
    store.subscribe(chat_id, "economy")
    chat = store.get_chat(chat_id)
    assert chat is not None
    return chat


def due_ids(store: Store, now: datetime) -> list[int]:
    return [chat.chat_id for chat in store.due_chats(now)]


def run_digest(store: Store, clock: FakeClock, chat: Chat, now: datetime) -> bool:
    clock.set(now)
    return store.record_run(chat.chat_id, chat.local_date(now))


def test_shanghai_digest_is_due_at_midnight_utc(store: Store, clock: FakeClock) -> None:
    chat = subscribed_chat(store)  # 08:00 Asia/Shanghai, created at 2024-03-01 12:00Z
    assert chat.next_digest_at == utc(2024, 3, 2, 0, 0)
    assert due_ids(store, utc(2024, 3, 1, 23, 59, 59)) == []
    assert due_ids(store, utc(2024, 3, 2, 0, 0)) == [1]

    assert chat.local_date(utc(2024, 3, 2, 0, 0, 30)) == "2024-03-02"
    assert run_digest(store, clock, chat, utc(2024, 3, 2, 0, 0, 30)) is True
    assert run_digest(store, clock, chat, utc(2024, 3, 2, 0, 0, 31)) is False  # once a day
    assert due_ids(store, utc(2024, 3, 2, 0, 0, 31)) == []
    assert due_ids(store, utc(2024, 3, 2, 23, 59, 59)) == []
    assert store.get_chat(1).next_digest_at == utc(2024, 3, 3)  # type: ignore[union-attr]
    assert due_ids(store, utc(2024, 3, 3)) == [1]


def test_outage_of_three_days_gives_exactly_one_catch_up(store: Store, clock: FakeClock) -> None:
    chat = subscribed_chat(store)
    sent: list[tuple[datetime, str]] = []
    outage = (utc(2024, 3, 3, 12), utc(2024, 3, 6, 3))  # misses the 4th, 5th and 6th at 00:00Z
    tick = utc(2024, 3, 1, 12)
    while tick < utc(2024, 3, 9, 12):  # a scheduler ticking every 15 minutes while running
        if not outage[0] <= tick < outage[1]:
            for due in store.due_chats(tick):
                sent.append((tick, due.local_date(tick)))
                run_digest(store, clock, due, tick)
        tick += timedelta(minutes=15)
    assert sent == [
        (utc(2024, 3, 2), "2024-03-02"),
        (utc(2024, 3, 3), "2024-03-03"),
        (utc(2024, 3, 6, 3), "2024-03-06"),  # the single catch-up on restart
        (utc(2024, 3, 7), "2024-03-07"),
        (utc(2024, 3, 8), "2024-03-08"),
        (utc(2024, 3, 9), "2024-03-09"),
    ]
    assert chat.chat_id == 1


def test_chats_in_several_time_zones(store: Store, clock: FakeClock) -> None:
    clock.set(utc(2024, 1, 10, 12))
    subscribed_chat(store, 1)  # Asia/Shanghai 08:00 = 00:00Z
    subscribed_chat(store, 2, tz="Asia/Tokyo")  # 08:00 JST = 23:00Z the day before
    subscribed_chat(store, 3, tz="America/New_York")  # 08:00 EST = 13:00Z
    assert due_ids(store, utc(2024, 1, 10, 12, 59)) == []
    assert due_ids(store, utc(2024, 1, 10, 13)) == [3]
    assert due_ids(store, utc(2024, 1, 10, 23)) == [3, 2]
    assert due_ids(store, utc(2024, 1, 11, 0)) == [3, 2, 1]


def test_dst_gap_rolls_forward_and_overlap_runs_once(store: Store, clock: FakeClock) -> None:
    clock.set(utc(2024, 3, 9, 12))
    chat = subscribed_chat(store, tz="America/New_York", time="02:30")
    # 2024-03-10 02:30 does not exist in New York: the digest goes out when clocks jump (03:00).
    assert chat.next_digest_at == utc(2024, 3, 10, 7, 0)
    run_digest(store, clock, chat, utc(2024, 3, 10, 7, 0))
    assert store.get_chat(1).next_digest_at == utc(2024, 3, 11, 6, 30)  # type: ignore[union-attr]

    clock.set(utc(2024, 11, 2, 12))
    chat = store.set_digest_time(1, "01:30")
    assert chat.next_digest_at == utc(2024, 11, 3, 5, 30)  # first 01:30 (EDT)
    run_digest(store, clock, chat, utc(2024, 11, 3, 5, 30))
    # Not again at the second 01:30 (EST, 06:30Z) the same night.
    assert store.get_chat(1).next_digest_at == utc(2024, 11, 4, 6, 30)  # type: ignore[union-attr]


def test_changing_time_or_zone_reschedules_without_repeating_a_day(
    store: Store, clock: FakeClock
) -> None:
    chat = subscribed_chat(store)
    run_digest(store, clock, chat, utc(2024, 3, 2, 0, 1))  # 08:01 Shanghai
    clock.set(utc(2024, 3, 2, 2))  # 10:00 Shanghai
    # Moving to 11:00 today: today's digest already ran, so tomorrow.
    assert store.set_digest_time(1, "11:00").next_digest_at == utc(2024, 3, 3, 3)
    # In New York it is still the 1st (21:00). Its 11:00 has passed and the 2nd already has a
    # run recorded, so the next digest is on the 3rd: a zone change never yields a repeat.
    chat = store.set_timezone(1, "America/New_York")
    assert chat.local_date(clock.now) == "2024-03-01"
    assert chat.next_digest_at == utc(2024, 3, 3, 16)
    # 23:00 on the 1st in New York is still ahead and that day has no run.
    assert store.set_digest_time(1, "23:00").next_digest_at == utc(2024, 3, 2, 4)


def test_due_chats_uses_the_index(store: Store, db_path: Path) -> None:
    conn = raw(db_path)
    try:
        # The store's own query text, so a change to it is checked too.
        plan = " ".join(
            str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {SELECT_DUE}", (0, 500))
        )
    finally:
        conn.close()
    assert plan.startswith("SEARCH chats USING INDEX chats_next_digest_at (next_digest_at<?)")
    assert "SCAN" not in plan
    assert "TEMP B-TREE" not in plan  # the index order already serves ORDER BY


def test_due_chats_limit(store: Store) -> None:
    for chat_id in range(1, 6):
        subscribed_chat(store, chat_id)
    assert due_ids(store, utc(2024, 3, 2)) == [1, 2, 3, 4, 5]
    assert [c.chat_id for c in store.due_chats(utc(2024, 3, 2), limit=2)] == [1, 2]
    with pytest.raises(InvalidArgumentError):
        store.due_chats(utc(2024, 3, 2), limit=0)


def test_pause_and_resume(store: Store, clock: FakeClock) -> None:
    subscribed_chat(store)
    clock.set(utc(2024, 3, 2, 1))  # overdue since 00:00Z: a redundant resume keeps it due
    assert store.set_paused(1, False).next_digest_at == utc(2024, 3, 2)
    paused = store.set_paused(1, True)
    assert paused.paused
    assert paused.next_digest_at is None
    assert due_ids(store, utc(2024, 3, 5)) == []
    clock.set(utc(2024, 3, 5, 1))  # resumed at 09:00 Shanghai: no backlog, next is tomorrow
    resumed = store.set_paused(1, False)
    assert not resumed.paused
    assert resumed.next_digest_at == utc(2024, 3, 6)
    assert due_ids(store, utc(2024, 3, 5, 23)) == []


def test_subscriptions_drive_the_schedule(store: Store) -> None:
    store.upsert_chat(1, "private")
    assert store.subscribe(1, "economy") is True
    assert store.subscribe(1, "economy") is False
    assert store.subscribe(1, "people") is True
    assert store.subscriptions(1) == ["economy", "people"]
    assert store.get_chat(1).next_digest_at is not None  # type: ignore[union-attr]
    assert store.unsubscribe(1, "economy") is True
    assert store.unsubscribe(1, "economy") is False
    assert store.unsubscribe_all(1) == 1
    assert store.subscriptions(1) == []
    assert store.get_chat(1).next_digest_at is None  # type: ignore[union-attr]
    with pytest.raises(UnknownChatError):
        store.subscribe(2, "economy")
    with pytest.raises(InvalidArgumentError):
        store.subscribe(1, "")


def test_overdue_digest_survives_a_subscription_change(store: Store, clock: FakeClock) -> None:
    subscribed_chat(store)
    clock.set(utc(2024, 3, 2, 3))  # restart after the 00:00Z digest was missed
    store.subscribe(1, "people")
    assert due_ids(store, clock.now) == [1]


def test_inactive_chat_keeps_subscriptions_and_is_reactivated(
    store: Store, clock: FakeClock
) -> None:
    subscribed_chat(store, 1)
    subscribed_chat(store, 2)
    assert store.subscriber_counts() == {"economy": 2}
    assert store.mark_inactive(2) is True
    assert store.mark_inactive(2) is True  # still known, already inactive
    assert store.mark_inactive(99) is False
    inactive = store.get_chat(2)
    assert inactive is not None
    assert (inactive.active, inactive.next_digest_at) == (False, None)
    assert store.subscriptions(2) == ["economy"]
    assert store.subscribers("economy") == [1]
    assert store.subscribers("economy", active_only=False) == [1, 2]
    assert store.subscriber_counts() == {"economy": 1}
    assert store.count_chats() == 2
    assert store.count_chats(active_only=True) == 1
    assert due_ids(store, utc(2024, 3, 2)) == [1]

    clock.set(utc(2024, 3, 2, 1))
    back = store.upsert_chat(2, "private")
    assert back.active
    assert back.next_digest_at == utc(2024, 3, 3)
    assert store.subscribers("economy") == [1, 2]


def test_migrate_chat_to_new_id(store: Store, clock: FakeClock) -> None:
    subscribed_chat(store, -100, tz="Asia/Tokyo")
    store.record_delivery(-100, [("a", "1")])
    run_digest(store, clock, store.get_chat(-100), utc(2024, 3, 1, 23, 30))  # type: ignore[arg-type]
    store.record_question(-100, "?", False, "none", 0.0, 1.0)
    moved = store.migrate_chat(-100, -1001)
    assert moved is not None
    assert (moved.chat_id, moved.timezone) == (-1001, "Asia/Tokyo")
    assert store.get_chat(-100) is None
    assert store.subscriptions(-1001) == ["economy"]
    assert store.delivered(-1001) == {"a": "1"}
    assert store.record_run(-1001, "2024-03-02") is False  # the run moved too
    assert [q.chat_id for q in store.unanswered(utc(2024, 1, 1), 5)] == [-1001]
    assert store.migrate_chat(-100, -1001) is None
    assert store.integrity_ok()


def test_migrate_chat_merges_into_existing(store: Store, clock: FakeClock) -> None:
    subscribed_chat(store, -100, time="07:00")
    store.set_language(-100, "en")
    store.record_delivery(-100, [("a", "old"), ("b", "1")])
    clock.set(utc(2024, 3, 1, 13))
    store.upsert_chat(-1001, "supergroup", "Readers")
    store.subscribe(-1001, "people")
    store.record_delivery(-1001, [("a", "new"), ("c", "1")])
    merged = store.migrate_chat(-100, -1001)
    assert merged is not None
    assert (merged.type, merged.title, merged.language, merged.digest_time) == (
        "supergroup",
        "Readers",
        "en",
        "07:00",
    )
    assert merged.created_at == utc(2024, 3, 1, 12)
    assert store.subscriptions(-1001) == ["economy", "people"]
    assert store.delivered(-1001) == {"a": "new", "b": "1", "c": "1"}
    assert store.get_chat(-100) is None
    assert store.count_chats() == 1
    assert store.integrity_ok()


# -- ledger ---------------------------------------------------------------------------------


def test_ledger_is_idempotent_and_detects_changed_items(store: Store, clock: FakeClock) -> None:
    store.upsert_chat(1, "private")
    items = [("art1#s1", "h1"), ("art1#s2", "h2"), ("art2#s1", "h3")]
    assert store.pending(1, items) == items
    assert store.record_delivery(1, items) == 3
    assert store.record_delivery(1, items) == 0  # recording twice is harmless
    assert store.delivered(1) == dict(items)
    assert store.pending(1, items) == []

    changed = [("art1#s1", "h1"), ("art1#s2", "h2-edited"), ("art3#s1", "h4"), ("art3#s1", "h4")]
    assert store.pending(1, changed) == [("art1#s2", "h2-edited"), ("art3#s1", "h4")]
    assert store.record_delivery(1, changed) == 2
    assert store.delivered(1)["art1#s2"] == "h2-edited"

    assert store.delivered(1, kind="notice") == {}
    assert store.record_delivery(1, [("art1#s1", "h1")], kind="notice") == 1
    assert store.record_delivery(1, []) == 0
    with pytest.raises(InvalidArgumentError):
        store.record_delivery(1, [("x", "y")], kind="sms")  # type: ignore[arg-type]
    with pytest.raises(UnknownChatError):
        store.record_delivery(2, [("x", "y")])
    with pytest.raises(InvalidArgumentError):
        store.record_delivery(1, [("ok", "h"), ("", "h")])
    assert "ok" not in store.delivered(1)  # the bad batch wrote nothing


# -- questions and audit --------------------------------------------------------------------


def test_question_stats_and_unanswered(store: Store, clock: FakeClock) -> None:
    def ask(at: datetime, answered: bool, text: str = "q") -> None:
        clock.set(at)
        store.record_question(1, text, answered, "fact", 0.9 if answered else 0.1, 10.0)

    ask(utc(2024, 2, 20), False, "too old")
    ask(utc(2024, 3, 1, 1), True)
    ask(utc(2024, 3, 1, 2), False, "长沙的GDP?")
    ask(utc(2024, 3, 3, 9), True)
    ask(utc(2024, 3, 4, 0, 0), False, "今天的天气?")
    ask(utc(2024, 3, 4, 1), True, "answered questions keep no text")
    stats = store.question_stats(utc(2024, 3, 4, 12))
    assert (stats.today_total, stats.today_answered) == (2, 1)
    assert (stats.week_total, stats.week_answered) == (5, 3)
    assert stats.answer_rate == pytest.approx(0.6)
    assert stats.today_answer_rate == pytest.approx(0.5)
    assert stats.week_mean_latency_ms == pytest.approx(10.0)

    empty = store.question_stats(utc(2030, 1, 1))
    assert (empty.week_total, empty.answer_rate, empty.week_mean_latency_ms) == (0, None, None)

    recent = store.unanswered(utc(2024, 2, 25), limit=10)
    assert [q.question for q in recent] == ["今天的天气?", "长沙的GDP?"]
    assert recent[0].asked_at == utc(2024, 3, 4)
    assert recent[0].intent == "fact"
    assert recent[0].confidence == pytest.approx(0.1)
    assert len(store.unanswered(utc(2024, 1, 1), limit=1)) == 1
    with pytest.raises(InvalidArgumentError):
        store.record_question(1, "q", False, "fact", float("nan"), 1.0)


def test_audit_log(store: Store, clock: FakeClock) -> None:
    store.audit(11, "reload", "+1 article", "ok")
    clock.set(utc(2024, 3, 1, 13))
    entry_id = store.audit(11, "upload", "page.txt", "error: seeds/page.txt:3: bad heading")
    log = store.audit_log()
    assert [e.id for e in log] == [entry_id, entry_id - 1]
    assert (log[0].action, log[0].user_id, log[0].at) == ("upload", 11, utc(2024, 3, 1, 13))
    assert log[0].result.startswith("error:")
    assert len(store.audit_log(limit=1)) == 1


# -- async wrapper --------------------------------------------------------------------------


async def test_async_store_round_trip(db_path: Path, clock: FakeClock) -> None:
    async with AsyncStore(Store(db_path, clock=clock)) as astore:
        chat = await astore.upsert_chat(1, "private", language="en")
        assert chat.language == "en"
        results = await asyncio.gather(*(astore.subscribe(1, f"t{i}") for i in range(20)))
        assert all(results)
        assert len(await astore.subscriptions(1)) == 20
        assert await astore.record_delivery(1, [("a", "h")]) == 1
        assert await astore.pending(1, [("a", "h"), ("b", "h")]) == [("b", "h")]
        assert [c.chat_id for c in await astore.due_chats(utc(2024, 3, 2))] == [1]
        assert await astore.record_run(1, "2024-03-02")
        assert (await astore.info()).journal_mode == "wal"
        assert await astore.integrity_ok()

        threads = set()

        def where() -> None:
            threads.add(threading.get_ident())

        loop = asyncio.get_running_loop()
        for _ in range(3):
            await astore._run(where)
        assert len(threads) == 1
        assert threading.get_ident() not in threads
        assert loop.is_running()
    with pytest.raises(StoreClosedError):
        await astore.get_chat(1)
    await astore.aclose()  # idempotent


# -- crash safety ---------------------------------------------------------------------------

_WRITER = """
import sys
from bot.store import Store
store = Store(sys.argv[1])
store.upsert_chat(1, "private")
batch = len({item.split(":")[0] for item in store.delivered(1)})
while True:
    store.record_delivery(1, [(f"{batch}:{n}", "h") for n in range(int(sys.argv[2]))])
    print(batch, flush=True)
    batch += 1
"""


def test_kill_9_leaves_a_consistent_database(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    batch_size = 250
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    last_committed = -1
    for round_ in range(3):  # three kills at three arbitrary points, each resuming the file
        with subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(batch_size)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        ) as child:
            assert child.stdout is not None
            for line in child.stdout:
                last_committed = int(line)
                if last_committed >= 20 * (round_ + 1):
                    break
            os.kill(child.pid, signal.SIGKILL)  # mid-write, most likely inside a transaction
            child.wait(timeout=10)
            assert child.returncode == -signal.SIGKILL

        with Store(path) as store:
            assert store.integrity_ok()
            sizes: dict[int, int] = {}
            for item_id in store.delivered(1):
                batch = int(item_id.split(":")[0])
                sizes[batch] = sizes.get(batch, 0) + 1
        assert set(sizes.values()) == {batch_size}  # every batch fully there or fully absent
        assert set(sizes) == set(range(len(sizes)))  # and batches are contiguous
        assert last_committed < len(sizes)  # every commit the child reported survived
