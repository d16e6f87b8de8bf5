"""In-process index for one crawl: compact numpy arrays, no per-entry Python objects.

Why not a dict of objects: at 1,000,000 documents a dict of dataclasses costs ~1 KB per
entry and minutes of GC.  Here every posting is 4 or 8 bytes in a sorted numpy array
(searched with ``np.searchsorted``), new postings wait in a small dict buffer merged in
O(n) batches, and each document's metadata is one fixed 96-byte record plus its URL bytes.
"""
from __future__ import annotations

import threading

import numpy as np

from ..dedupe import (
    FLAG_OFFICIAL,
    RECORD,
    RECORD_FLAGS_OFFSET,
    T_BAND,
    Candidate,
    DedupeParams,
    DocumentEntry,
    Verdict,
    _mix64,
    block_spans,
    posting_keys,
)
from .base import DocumentIndex

__all__ = ["MemoryIndex"]

_REC = RECORD.size
_U32 = 0xFFFFFFFF
_MAX_CSR_BUCKETS = 1 << 21


class _CsrPostings:
    """Postings of small-valued keys (simhash blocks): offsets per bucket + uint32 ids.

    4 bytes per posting; the bucket's key is implied by its position.
    """

    def __init__(self, buckets: int) -> None:
        self.offsets = np.zeros(buckets + 1, dtype=np.uint32)
        self.ids = np.empty(0, dtype=np.uint32)
        self.buffer: dict[int, list[int]] = {}
        self.buffered = 0

    def add(self, bucket: int, doc: int) -> None:
        self.buffer.setdefault(bucket, []).append(doc)
        self.buffered += 1
        if self.buffered >= max(1 << 16, self.ids.shape[0] >> 5):
            self.merge()

    def get(self, buckets: list[int], cap: int) -> list[np.ndarray]:
        """Ids per bucket (aligned with ``buckets``), at most ``cap`` each."""
        out: list[np.ndarray] = []
        offsets, ids, buffer = self.offsets, self.ids, self.buffer
        for b in buckets:
            lo, hi = int(offsets[b]), int(offsets[b + 1])
            found = ids[lo : min(hi, lo + cap)]
            extra = buffer.get(b)
            if extra and found.shape[0] < cap:
                found = np.concatenate([found, np.array(extra[: cap - found.shape[0]], np.uint32)])
            out.append(found)
        return out

    def merge(self) -> None:
        """Fold the buffer into the arrays (new ids go after a bucket's older ids)."""
        if not self.buffered:
            return
        buckets = np.fromiter(
            (b for b, docs in self.buffer.items() for _ in docs), np.int64, self.buffered
        )
        docs = np.fromiter(
            (d for ds in self.buffer.values() for d in ds), np.uint32, self.buffered
        )
        order = np.argsort(buckets, kind="stable")
        buckets, docs = buckets[order], docs[order]
        self.ids = np.insert(self.ids, self.offsets[buckets + 1].astype(np.int64), docs)
        counts = np.bincount(buckets, minlength=self.offsets.shape[0] - 1)
        self.offsets[1:] += np.cumsum(counts, dtype=np.uint32)
        self.buffer = {}
        self.buffered = 0

    def nbytes(self) -> int:
        return self.offsets.nbytes + self.ids.nbytes


class _SortedPostings:
    """Postings of hashed keys: sorted uint64 ``key32 << 32 | id`` (8 bytes per posting)."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.uint64)
        self.buffer: dict[int, list[int]] = {}
        self.buffered = 0

    def add(self, key32: int, doc: int) -> None:
        self.buffer.setdefault(key32, []).append(doc)
        self.buffered += 1
        if self.buffered >= max(1 << 16, self.keys.shape[0] >> 5):
            self.merge()

    def get(self, keys32: list[int], cap: int) -> list[np.ndarray]:
        """Ids per key (aligned with ``keys32``), at most ``cap`` each."""
        out: list[np.ndarray] = []
        empty = np.empty(0, dtype=np.uint32)
        if self.keys.shape[0]:
            q = np.array(keys32, dtype=np.uint64) << np.uint64(32)
            lo = np.searchsorted(self.keys, q, "left").tolist()
            hi = np.searchsorted(self.keys, q | np.uint64(_U32), "right").tolist()
        else:
            lo = hi = [0] * len(keys32)
        for k, a, b in zip(keys32, lo, hi):
            found = (self.keys[a : min(b, a + cap)] & np.uint64(_U32)).astype(np.uint32) if a < b else empty
            extra = self.buffer.get(k)
            if extra and found.shape[0] < cap:
                found = np.concatenate([found, np.array(extra[: cap - found.shape[0]], np.uint32)])
            out.append(found)
        return out

    def merge(self) -> None:
        if not self.buffered:
            return
        new = np.fromiter(
            ((k << 32) | d for k, ds in self.buffer.items() for d in ds),
            np.uint64,
            self.buffered,
        )
        new.sort()
        self.keys = np.insert(self.keys, np.searchsorted(self.keys, new), new)
        self.buffer = {}
        self.buffered = 0

    def nbytes(self) -> int:
        return self.keys.nbytes


class MemoryIndex(DocumentIndex):
    """The ``memory://`` backend: one process, one crawl, nothing persisted.

    Thread-safe (one lock) so insert-if-new stays atomic if called from worker threads.
    """

    def __init__(self, params: DedupeParams, namespace: str = "govclean") -> None:
        super().__init__(params, namespace)
        self.uri = "memory://"
        self._lock = threading.Lock()
        self._spans = block_spans(params.distance)
        width = max(w for _, w in self._spans)
        buckets = len(self._spans) << width
        self._csr: _CsrPostings | None = None
        self._csr_width = width
        if buckets <= _MAX_CSR_BUCKETS:
            self._csr = _CsrPostings(buckets)
        self._sorted = _SortedPostings()
        self._records = np.zeros((1024, _REC), dtype=np.uint8)
        self._n = 0
        self._urls = bytearray()
        self._canonical: dict[int, str] = {}
        self._closed = False

    # -- storage helpers ----------------------------------------------------------------

    def _split_keys(self, keys: list[int]) -> tuple[list[int], list[int]]:
        """(CSR buckets of simhash blocks, hashed 32-bit keys of everything else)."""
        buckets: list[int] = []
        hashed: list[int] = []
        csr = self._csr is not None
        for key in keys:
            table = key >> 32
            if csr and table < T_BAND:
                buckets.append((table << self._csr_width) | (key & _U32))
            else:
                hashed.append(_mix64(key) >> 32)
        return buckets, hashed

    def _entry(self, doc: int) -> DocumentEntry:
        rec = self._records[doc].tobytes()
        off, length = RECORD.unpack(rec)[7:9]
        url = self._urls[off : off + length].decode("utf-8", "surrogatepass")
        return DocumentEntry.unpack(rec, url)

    def _fingerprints(self, docs: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(self._records[docs, :8]).view("<u8").reshape(-1)

    def _lookup(self, entry: DocumentEntry) -> tuple[list[Candidate], list[int], list[int]]:
        """Candidates, plus the CSR buckets and hashed keys that still take postings."""
        cap = self.params.max_postings
        buckets, hashed = self._split_keys(posting_keys(entry, self.params.distance))
        empty = np.empty(0, dtype=np.uint32)
        block_docs = other_docs = empty
        if buckets:
            assert self._csr is not None
            blocks = self._csr.get(buckets, cap)
            block_docs = np.concatenate(blocks)
            buckets = [b for b, found in zip(buckets, blocks) if found.shape[0] < cap]
        if hashed:
            found_hashed = self._sorted.get(hashed, cap)
            other_docs = np.concatenate(found_hashed)
            hashed = [k for k, found in zip(hashed, found_hashed) if found.shape[0] < cap]
        docs = np.concatenate([block_docs, other_docs])
        if docs.shape[0]:
            ids, hits = np.unique(docs, return_counts=True)
            if block_docs.shape[0]:
                # Pigeonhole candidates must really be within the radius.
                far = np.bitwise_count(
                    self._fingerprints(ids) ^ np.uint64(entry.fingerprint)
                ) > self.params.distance
                drop = far & ~np.isin(ids, other_docs)
                ids, hits = ids[~drop], hits[~drop]
        else:
            ids = hits = empty
        out = []
        if ids.shape[0]:
            for doc, n in zip(ids.tolist(), hits.tolist()):
                stored = self._entry(doc)
                out.append(Candidate(doc, stored, self._canonical.get(doc, stored.url), n))
        return out, buckets, hashed

    def _insert(self, entry: DocumentEntry, buckets: list[int], hashed: list[int]) -> None:
        doc = self._n
        if doc >= self._records.shape[0]:
            grown = np.zeros((max(1024, doc + (doc >> 1)), _REC), dtype=np.uint8)
            grown[:doc] = self._records[:doc]
            self._records = grown
        url = entry.url.encode("utf-8", "surrogatepass")
        off = len(self._urls)
        if off + len(url) > _U32:
            raise OverflowError("memory index URL store is full (4 GiB)")
        self._urls += url
        self._records[doc] = np.frombuffer(entry.pack(off, len(url)), dtype=np.uint8)
        if buckets:
            assert self._csr is not None
            for b in buckets:
                self._csr.add(b, doc)
        for k in hashed:
            self._sorted.add(k, doc)
        self._n = doc + 1

    def _set_canonical(self, doc: int, url: str) -> None:
        self._canonical[doc] = url
        self._records[doc, RECORD_FLAGS_OFFSET] |= FLAG_OFFICIAL

    # -- interface ----------------------------------------------------------------------

    def check_and_insert(self, entry: DocumentEntry) -> Verdict:
        """Insert-if-new under the index lock."""
        with self._lock:
            candidates, buckets, hashed = self._lookup(entry)
            verdict, match, update = self._resolve(entry, candidates)
            if match is None:
                self._insert(entry, buckets, hashed)
            elif update is not None:
                self._set_canonical(match.id, update)
            return verdict

    def find(self, entry: DocumentEntry) -> list[Candidate]:
        with self._lock:
            return self._lookup(entry)[0]

    def bulk_insert(self, entries: list[DocumentEntry]) -> None:
        """Insert without deciding (benchmarks fill the index this way)."""
        with self._lock:
            for e in entries:
                self._insert(e, *self._split_keys(posting_keys(e, self.params.distance)))

    def compact(self) -> None:
        """Merge posting buffers now (otherwise done in amortised batches)."""
        with self._lock:
            if self._csr is not None:
                self._csr.merge()
            self._sorted.merge()

    def nbytes(self) -> dict[str, int]:
        """Bytes held, split as the benchmark reports them (allocated capacity counted)."""
        postings = self._sorted.nbytes() + (self._csr.nbytes() if self._csr else 0)
        return {
            "postings": postings,
            "records": self._records.nbytes,
            "urls": len(self._urls),
        }

    def close(self) -> None:
        self._closed = True

    def __len__(self) -> int:
        return self._n
