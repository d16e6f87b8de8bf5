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
    block_tags,
    posting_keys,
)
from ..fingerprint import hamming
from .base import DocumentIndex, IndexUnavailable

__all__ = ["SqliteIndex", "sqlite_path"]

FORMAT = "2"


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
        mmap_size: int = 1 << 30,
    ) -> None:
        super().__init__(params, namespace)
        self.path = path
        self.uri = f"sqlite:///{path}"
        self._lock = threading.RLock()
        self._docs = f'"{namespace}_docs"'
        self._postings = f'"{namespace}_postings"'
        self._meta = f'"{namespace}_meta"'
        self._blocks = f'"{namespace}_blocks"'
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
            # Simhash blocks: key = (block key << 16) | tag, so one range scan per block
            # returns each neighbour's tag and most are dropped without reading their row.
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {self._blocks} ("
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

    def _rows(self, entry: DocumentEntry) -> tuple[list[int], list[int]]:
        """(block rows' keys, other posting keys) this entry is stored under."""
        keys = posting_keys(entry, self.params.distance)
        tags = block_tags(entry.fingerprint, self.params.distance)
        blocks = [(k << 16) | tags[k >> 32] for k in keys if k >> 32 < T_BAND]
        return blocks, [k for k in keys if k >> 32 >= T_BAND]

    def _lookup(self, entry: DocumentEntry) -> tuple[list[Candidate], list[int], list[int]]:
        """Candidates, plus the block rows and posting keys that still take postings."""
        blocks, others = self._rows(entry)
        parts, args = [], []
        for b in blocks:
            parts.append(f"SELECT 0, key, id FROM {self._blocks} WHERE key BETWEEN ? AND ?")
            args += [b & ~0xFFFF, b | 0xFFFF]
        if others:
            marks = ",".join("?" * len(others))
            parts.append(f"SELECT 1, key, id FROM {self._postings} WHERE key IN ({marks})")
            args += others
        rows = self._db.execute(" UNION ALL ".join(parts), args).fetchall() if parts else []
        cap = self.params.max_postings
        k = self.params.distance
        per_key: dict[int, int] = {}
        hits: dict[int, int] = {}
        tag_ok: set[int] = set()
        other: set[int] = set()
        for kind, key, doc in rows:
            group = key >> 16 if kind == 0 else key
            seen = per_key.get(group, 0)
            per_key[group] = seen + 1
            if seen >= cap:
                continue
            hits[doc] = hits.get(doc, 0) + 1
            if kind:
                other.add(doc)
            elif ((key ^ self._my_tag(blocks, key)) & 0xFFFF).bit_count() <= k:
                tag_ok.add(doc)
        open_blocks = [b for b in blocks if per_key.get(b >> 16, 0) < cap]
        open_others = [o for o in others if per_key.get(o, 0) < cap]
        wanted = [d for d in hits if d in other or d in tag_ok]
        out: list[Candidate] = []
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            q = ",".join("?" * len(chunk))
            for doc, rec, url, canonical in self._db.execute(
                f"SELECT id, rec, url, canonical FROM {self._docs} WHERE id IN ({q})", chunk
            ):
                fp = int.from_bytes(rec[:8], "little")
                if doc not in other and hamming(fp, entry.fingerprint) > k:
                    continue  # a pigeonhole block collision, not within the radius
                stored = DocumentEntry.unpack(rec, url)
                out.append(Candidate(doc, stored, canonical or url, hits[doc]))
        out.sort(key=lambda c: c.id)
        return out, open_blocks, open_others

    @staticmethod
    def _my_tag(blocks: list[int], key: int) -> int:
        """This entry's tag for the block a row was found under."""
        group = key >> 16
        for b in blocks:
            if b >> 16 == group:
                return b
        return key  # unreachable: rows only come from our own blocks

    def _insert(self, entry: DocumentEntry, blocks: list[int], others: list[int]) -> None:
        cur = self._db.execute(
            f"INSERT INTO {self._docs} (rec, url) VALUES (?, ?)", (entry.pack(), entry.url)
        )
        doc = cur.lastrowid
        if blocks:
            self._db.executemany(
                f"INSERT OR IGNORE INTO {self._blocks} (key, id) VALUES (?, ?)",
                [(b, doc) for b in blocks],
            )
        if others:
            self._db.executemany(
                f"INSERT OR IGNORE INTO {self._postings} (key, id) VALUES (?, ?)",
                [(k, doc) for k in others],
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
                    candidates, blocks, others = self._lookup(entry)
                    verdict, match, update = self._resolve(entry, candidates)
                    if match is None:
                        self._insert(entry, blocks, others)
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
                blocks, others = [], []
                for i, e in enumerate(entries):
                    b, o = self._rows(e)
                    blocks += [(k, start + 1 + i) for k in b]
                    others += [(k, start + 1 + i) for k in o]
                blocks.sort()
                others.sort()
                db.executemany(
                    f"INSERT OR IGNORE INTO {self._blocks} (key, id) VALUES (?, ?)", blocks
                )
                db.executemany(
                    f"INSERT OR IGNORE INTO {self._postings} (key, id) VALUES (?, ?)", others
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
            (p,) = self._db.execute(
                f"SELECT (SELECT count(*) FROM {self._postings}) + (SELECT count(*) FROM {self._blocks})"
            ).fetchone()
        return {"documents": len(self), "postings": p, "record_bytes": RECORD.size}
