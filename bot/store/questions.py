"""The question log behind ``/stats`` and ``/unanswered``, and readers' ratings of answers.

Why only declined questions keep their text: that is what editors need to see missing
content, and answered questions need not be retained.  An answered question's text is kept
only when a reader rates its answer 👎 (the reader asks for it to be looked at): the
editors' queue (:meth:`QuestionLog.editor_queue`) is declined plus disliked questions.  Old
rows are deleted by the retention policy (:mod:`bot.store.retention`).
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from bot.store.checks import check_finite, check_limit, storable
from bot.store.connection import Database
from bot.store.errors import InvalidArgumentError
from bot.store.models import QuestionStats, UnansweredQuestion
from bot.store.timeutil import from_epoch, require_aware, to_epoch

logger = logging.getLogger(__name__)


class QuestionLog:
    """One row per question asked: outcome, intent, confidence, latency."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record_question(
        self,
        chat_id: int,
        question: str | None,
        answered: bool,
        intent: str,
        confidence: float,
        latency_ms: float,
        token: str | None = None,
    ) -> int:
        """Log a question for statistics; returns its row id.  ``token`` is the short id the
        answer's 👍/👎 buttons carry (see :meth:`rate`).

        The text is kept only when the bot could not answer — that is what ``/unanswered``
        needs to show missing content, and answered questions need not be retained.
        """
        row = (
            chat_id,
            to_epoch(self._db.now()),
            int(bool(answered)),
            str(intent),
            check_finite(confidence, "confidence"),
            None if answered else storable(question),
            check_finite(latency_ms, "latency_ms"),
            token,
        )
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO questions "
                "(chat_id, asked_at, answered, intent, confidence, question, latency_ms, token) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def unanswered(self, since: datetime, limit: int) -> list[UnansweredQuestion]:
        """Unanswered questions with text asked at or after ``since``, newest first."""
        stamp = to_epoch(since, "since")
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id, chat_id, asked_at, question, intent, confidence FROM questions "
                "WHERE answered = 0 AND asked_at >= ? AND question IS NOT NULL "
                "ORDER BY asked_at DESC, id DESC LIMIT ?",
                (stamp, check_limit(limit)),
            ).fetchall()
        return [
            UnansweredQuestion(
                id=int(row["id"]),
                chat_id=int(row["chat_id"]),
                asked_at=from_epoch(row["asked_at"]),
                question=str(row["question"]),
                intent=str(row["intent"]),
                confidence=float(row["confidence"]),
            )
            for row in rows
        ]

    def rate(
        self, token: str, chat_id: int, user_id: int, rating: int, question: str | None
    ) -> bool:
        """Record ``user_id``'s rating (+1 or -1) of the answer to the question logged with
        ``token`` in ``chat_id``; a second rating replaces the first.  False when no such question
        was asked in that chat (forged or pruned button data).  ``question`` (its text) is kept
        for a -1 only."""
        if rating not in (-1, 1):
            raise InvalidArgumentError(f"rating must be -1 or 1, got {rating!r}")
        text = storable(question) if rating == -1 else None
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (question_id, user_id, chat_id, rated_at, rating, "
                "question, intent, confidence) "
                "SELECT id, ?, chat_id, ?, ?, coalesce(?, question), intent, confidence "
                "FROM questions WHERE token = ? AND chat_id = ? "
                "ON CONFLICT (question_id, user_id) DO UPDATE SET rating = excluded.rating, "
                "rated_at = excluded.rated_at, question = excluded.question",
                (user_id, to_epoch(self._db.now()), rating, text, token, chat_id),
            )
            return cursor.rowcount > 0

    def ratings(self, since: datetime) -> tuple[int, int]:
        """(👍, 👎) counts of ratings given at or after ``since``."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT coalesce(sum(rating = 1), 0), coalesce(sum(rating = -1), 0) "
                "FROM feedback WHERE rated_at >= ?",
                (to_epoch(since, "since"),),
            ).fetchone()
        return int(row[0]), int(row[1])

    def editor_queue(self, since: datetime, limit: int) -> list[UnansweredQuestion]:
        """What editors should look at since ``since``, newest first: questions the bot
        declined and answers readers rated 👎 (with their text)."""
        stamp = to_epoch(since, "since")
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM ("
                "SELECT id, chat_id, asked_at AS at, question, intent, confidence, "
                "'declined' AS reason FROM questions "
                "WHERE answered = 0 AND asked_at >= :since AND question IS NOT NULL "
                "UNION ALL "
                "SELECT question_id, chat_id, rated_at, question, intent, confidence, "
                "'disliked' FROM feedback "
                "WHERE rating = -1 AND rated_at >= :since AND question IS NOT NULL"
                ") ORDER BY at DESC, id DESC LIMIT :limit",
                {"since": stamp, "limit": check_limit(limit)},
            ).fetchall()
        return [
            UnansweredQuestion(
                id=int(row["id"]),
                chat_id=int(row["chat_id"]),
                asked_at=from_epoch(row["at"]),
                question=str(row["question"]),
                intent=str(row["intent"]),
                confidence=float(row["confidence"]),
                reason=str(row["reason"]),
            )
            for row in rows
        ]

    def question_stats(self, now: datetime) -> QuestionStats:
        """Counts since UTC midnight and over the seven days up to ``now``."""
        end = require_aware(now, "now")
        midnight = datetime.combine(end.date(), datetime.min.time(), tzinfo=UTC)
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT coalesce(sum(asked_at >= :today), 0), "
                "coalesce(sum(asked_at >= :today AND answered = 1), 0), "
                "count(*), coalesce(sum(answered), 0), avg(latency_ms) "
                "FROM questions WHERE asked_at >= :week AND asked_at <= :now",
                {
                    "today": to_epoch(midnight),
                    "week": to_epoch(end - timedelta(days=7)),
                    "now": to_epoch(end),
                },
            ).fetchone()
        return QuestionStats(
            today_total=int(row[0]),
            today_answered=int(row[1]),
            week_total=int(row[2]),
            week_answered=int(row[3]),
            week_mean_latency_ms=None if row[4] is None else float(row[4]),
        )

    @staticmethod
    def delete_before(conn: sqlite3.Connection, stamp: int) -> int:
        """Delete rows asked before epoch ``stamp`` inside the caller's transaction; how many.

        Every row goes, answered ones too: they still say which chat asked when; ratings
        older than ``stamp`` go with them (a 👎 keeps a question's text).
        """
        conn.execute("DELETE FROM feedback WHERE rated_at < ?", (stamp,))
        return conn.execute("DELETE FROM questions WHERE asked_at < ?", (stamp,)).rowcount
