"""Embedded persistent index (the default): one SQLite file in the project directory.

Why SQLite: yesterday's documents must not be new today, with nothing to install.  Why
these settings:

* WAL journal + ``synchronous=NORMAL``: a committed transaction is in the WAL before
  COMMIT returns, so killing the process (even ``kill -9``) loses nothing committed and
  never corrupts the file; only an OS crash/power cut may drop the last few commits.
* ``BEGIN IMMEDIATE`` around lookup + decision + insert: the write lock is taken before
  the lookup, so two crawls writing at once cannot both record one document as new;
  ``busy_timeout`` makes the second wait instead of failing.
* Postings are a ``WITHOUT ROWID`` table of two integers ``(key, id)``: one B-tree,
  lookup by key prefix, no separate index to store.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from ..dedupe import (
    BANDS,
    FLAG_OFFICIAL,
    RECORD,
    RECORD_FLAGS_OFFSET,
    T_BAND,
    Candidate,
    DedupeParams,
    DocumentEntry,
    Verdict,
    posting_keys,
)
from ..fingerprint import hamming
from .base import DocumentIndex, IndexUnavailable

__all__ = ["SqliteIndex", "sqlite_path"]

FORMAT = "1"


def sqlite_path(uri: str) -> str:
    """File path of ``sqlite:///relative`` / ``sqlite:////absolute`` (SQLAlchemy style)."""
    if not uri.lower().startswith("sqlite:///"):
        raise ValueError(
            "SQLite index URI must look like sqlite:///relative/path.sqlite3 "
            "or sqlite:////absolute/path.sqlite3"
        )
    path = uri[len("sqlite:///") :]
    if "?" in path or "#" in path:
        raise ValueError("SQLite index URI takes no query string or fragment")
    if not path or path.endswith("/"):
        raise ValueError(f"SQLite index URI names no file: {uri!r}")
    return path


class SqliteIndex(DocumentIndex):
    """The ``sqlite:///`` backend; safe for several processes on one machine."""

    def __init__(
        self,
        path: str,
        params: DedupeParams,
        namespace: str = "govclean",
        *,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(params, namespace)
        self.path = path
        self.uri = f"sqlite:///{path}"
        self._lock = threading.RLock()
        self._docs = f'"{namespace}_docs"'
        self._postings = f'"{namespace}_postings"'
        self._meta = f'"{namespace}_meta"'
        if path != ":memory:":
            parent = os.path.dirname(path)
            if parent:
                os.makedirs(parent, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._setup()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise IndexUnavailable(f"cannot open SQLite index {path!r}: {exc}") from exc
        except BaseException:
            self._close_quietly()
            raise
        self._closed = False

    def _close_quietly(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()

    def _setup(self) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(f"CREATE TABLE IF NOT EXISTS {self._meta} (k TEXT PRIMARY KEY, v TEXT)")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {self._docs} ("
                "id INTEGER PRIMARY KEY, rec BLOB NOT NULL, url TEXT NOT NULL, canonical TEXT)"
            )
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {self._postings} ("
                "key INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID"
            )
            want = {"format": FORMAT, "distance": str(self.params.distance), "bands": str(BANDS)}
            have = dict(db.execute(f"SELECT k, v FROM {self._meta}").fetchall())
            for k, v in want.items():
                if k not in have:
                    db.execute(f"INSERT INTO {self._meta} (k, v) VALUES (?, ?)", (k, v))
                elif have[k] != v:
                    raise ValueError(
                        f"SQLite index {self.path!r} was built with {k}={have[k]}, not {v}; "
                        f"use {k}={have[k]} or start a new index file"
                    )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- helpers ------------------------------------------------------------------------

    def _lookup(self, entry: DocumentEntry) -> tuple[list[Candidate], list[int]]:
        """Candidates, plus the entry's posting keys that still take postings."""
        keys = posting_keys(entry, self.params.distance)
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"SELECT key, id FROM {self._postings} WHERE key IN ({marks})", keys
        ).fetchall()
        if not rows:
            return [], keys
        cap = self.params.max_postings
        per_key: dict[int, int] = {}
        hits: dict[int, int] = {}
        block_only: set[int] = set()
        other: set[int] = set()
        for key, doc in rows:
            seen = per_key.get(key, 0)
            per_key[key] = seen + 1
            if seen >= cap:
                continue
            hits[doc] = hits.get(doc, 0) + 1
            (block_only if (key >> 32) < T_BAND else other).add(doc)
        block_only -= other
        ids = list(hits)
        out: list[Candidate] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            q = ",".join("?" * len(chunk))
            for doc, rec, url, canonical in self._db.execute(
                f"SELECT id, rec, url, canonical FROM {self._docs} WHERE id IN ({q})", chunk
            ):
                fp = int.from_bytes(rec[:8], "little")
                if doc in block_only and hamming(fp, entry.fingerprint) > self.params.distance:
                    continue  # a pigeonhole block collision, not within the radius
                stored = DocumentEntry.unpack(rec, url)
                out.append(Candidate(doc, stored, canonical or url, hits[doc]))
        return out, [k for k in keys if per_key.get(k, 0) < cap]

    def _insert(self, entry: DocumentEntry, keys: list[int]) -> None:
        cur = self._db.execute(
            f"INSERT INTO {self._docs} (rec, url) VALUES (?, ?)", (entry.pack(), entry.url)
        )
        doc = cur.lastrowid
        self._db.executemany(
            f"INSERT OR IGNORE INTO {self._postings} (key, id) VALUES (?, ?)",
            [(k, doc) for k in keys],
        )

    def _set_canonical(self, doc: int, url: str) -> None:
        (rec,) = self._db.execute(f"SELECT rec FROM {self._docs} WHERE id = ?", (doc,)).fetchone()
        rec = bytearray(rec)
        rec[RECORD_FLAGS_OFFSET] |= FLAG_OFFICIAL
        self._db.execute(
            f"UPDATE {self._docs} SET canonical = ?, rec = ? WHERE id = ?", (url, bytes(rec), doc)
        )

    def _check_open(self) -> None:
        if self._closed:
            raise IndexUnavailable(f"SQLite index {self.path!r} is closed")

    # -- interface ----------------------------------------------------------------------

    def check_and_insert(self, entry: DocumentEntry) -> Verdict:
        """Lookup, decision and insert in one ``BEGIN IMMEDIATE`` transaction."""
        with self._lock:
            self._check_open()
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    candidates, keys = self._lookup(entry)
                    verdict, match, update = self._resolve(entry, candidates)
                    if match is None:
                        self._insert(entry, keys)
                    elif update is not None:
                        self._set_canonical(match.id, update)
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:  # locked past busy_timeout, disk full, ...
                raise IndexUnavailable(f"SQLite index {self.path!r}: {exc}") from exc
            return verdict

    def find(self, entry: DocumentEntry) -> list[Candidate]:
        with self._lock:
            self._check_open()
            try:
                return self._lookup(entry)[0]
            except sqlite3.OperationalError as exc:
                raise IndexUnavailable(f"SQLite index {self.path!r}: {exc}") from exc

    def bulk_insert(self, entries: list[DocumentEntry]) -> None:
        """Insert without deciding, in one transaction (benchmarks fill the index this way)."""
        with self._lock:
            self._check_open()
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                (start,) = db.execute(f"SELECT coalesce(max(id), 0) FROM {self._docs}").fetchone()
                db.executemany(
                    f"INSERT INTO {self._docs} (id, rec, url) VALUES (?, ?, ?)",
                    [(start + 1 + i, e.pack(), e.url) for i, e in enumerate(entries)],
                )
                postings = sorted(
                    (k, start + 1 + i)
                    for i, e in enumerate(entries)
                    for k in posting_keys(e, self.params.distance)
                )
                db.executemany(
                    f"INSERT OR IGNORE INTO {self._postings} (key, id) VALUES (?, ?)", postings
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (so its size is the index's size)."""
        with self._lock:
            self._check_open()
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` result ("ok" when healthy)."""
        with self._lock:
            self._check_open()
            return ";".join(r[0] for r in self._db.execute("PRAGMA integrity_check"))

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __len__(self) -> int:
        """Documents stored (ids are dense and never deleted, so max(id) is exact and O(log n))."""
        with self._lock:
            self._check_open()
            (n,) = self._db.execute(f"SELECT coalesce(max(id), 0) FROM {self._docs}").fetchone()
            return int(n)

    def stats(self) -> dict[str, Any]:
        """Row counts for the benchmark."""
        with self._lock:
            (p,) = self._db.execute(f"SELECT count(*) FROM {self._postings}").fetchone()
        return {"documents": len(self), "postings": p, "record_bytes": RECORD.size}
