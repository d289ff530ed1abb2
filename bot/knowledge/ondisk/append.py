"""The file for the next start after pages were added to an opened snapshot.

It is the stored file as the live snapshot reads it, copied, with the added pages' rows
inserted and the rows they changed (entities, name tables, posting lists) replaced; what a
question reads whole (``meta``) is written again.  Seconds at a thousand pages instead of
the full write's quarter of a minute, and no article is read back.  Written under a
temporary name and renamed, like a full write.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from bot.knowledge.ondisk.views import Rows
from bot.knowledge.ondisk.write import (
    bigram_rows,
    entity_rows,
    insert_articles,
    insert_sentences,
    joined_rows,
    meta_rows,
    replace_file,
)

if TYPE_CHECKING:
    from bot.knowledge.extend import Added

logger = logging.getLogger(__name__)


def append_snapshot(stored: Rows, added: Added, directory: Path, key: str) -> Path:
    """Write ``added.knowledge`` as ``directory/snapshot.sqlite``, from ``stored`` (the file
    the snapshot it extends was opened from) and the added rows."""
    k = added.knowledge

    def fill(connection: sqlite3.Connection) -> None:
        stored.copy_to(connection)
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        start = len(k.articles) - len(added.articles)
        insert_articles(connection, added.articles, start, k.normalised_texts)
        insert_sentences(connection, added.index)
        connection.executemany(
            "INSERT OR REPLACE INTO entities VALUES (?, ?)", entity_rows(added.entities)
        )
        fuzzy = k.fuzzy
        connection.executemany(
            "INSERT OR REPLACE INTO sounds VALUES (?, ?)",
            joined_rows(fuzzy.by_sound, added.fuzzy.by_sound),
        )
        connection.executemany(
            "INSERT OR REPLACE INTO masks VALUES (?, ?)",
            joined_rows(fuzzy.by_mask, added.fuzzy.by_mask),
        )
        connection.executemany(
            "INSERT OR REPLACE INTO bigrams VALUES (?, ?, ?)",
            bigram_rows({g: fuzzy.by_bigram[g] for g in added.fuzzy.by_bigram}),
        )
        postings = k.index.postings
        connection.executemany(
            "INSERT OR REPLACE INTO postings VALUES (?, ?)",
            ((term, postings[term].tobytes()) for term in added.index.postings),
        )
        connection.execute("DELETE FROM meta")
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta_rows(k, key, added.quoted))

    target = replace_file(directory, fill)
    logger.info("snapshot %s written to %s (added pages)", k.version, target)
    return target
