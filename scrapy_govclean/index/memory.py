"""In-process index for one crawl: compact numpy arrays, no per-entry Python objects.

Why not a dict of objects: at 1,000,000 documents a dict of dataclasses costs ~1 KB per
entry and minutes of GC.  Here every posting is 4 or 8 bytes in a sorted numpy array
(searched with ``np.searchsorted``), new postings wait in a small dict buffer merged in
O(n) batches, and each document's metadata is one fixed 96-byte record plus its URL bytes.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence

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
_REC_WORDS = _REC // 8
_U32 = 0xFFFFFFFF
_MAX_BLOCK_BITS = 20  # block tables up to 2**20 buckets (4 MiB of offsets)
_HASH_BITS = 20  # hashed keys: 2**20 buckets (4 MiB of offsets)


class _Postings:
    """Postings grouped by bucket (CSR): offsets per bucket + uint32 ids (+ uint16 tags).

    4 bytes per posting when the bucket IS the key (simhash blocks), 6 when a 16-bit tag
    of the key's hash must be checked (hashed keys: 2**20 buckets + tag ≈ 36 bits of key
    hash, so unrelated keys almost never meet).  New postings wait in a dict buffer and
    are merged into the arrays in O(n) batches.
    """

    def __init__(self, bucket_bits: int, tagged: bool) -> None:
        self.offsets = np.zeros((1 << bucket_bits) + 1, dtype=np.uint32)
        self.ids = np.empty(0, dtype=np.uint32)
        self.tags = np.empty(0, dtype=np.uint16) if tagged else None
        self.buffer: dict[int, list[tuple[int, int]]] = {}
        self.buffered = 0
        self._views()

    def _views(self) -> None:
        # memoryviews: scalar reads and iteration ~2x cheaper than on numpy arrays.
        self._off = memoryview(self.offsets)
        self._ids = memoryview(self.ids)
        self._tag = memoryview(self.tags) if self.tags is not None else None
        # Merge every n/16 postings (amortised O(1) copies), buffering at most 2**18.
        self._limit = max(1 << 16, min(self.ids.shape[0] >> 4, 1 << 18))

    def get(self, bucket: int, tag: int, cap: int) -> Sequence[int]:
        """Ids posted under (bucket, tag), at most ``cap``."""
        lo, hi = self._off[bucket], self._off[bucket + 1]
        extra = self.buffer.get(bucket)
        tags = self._tag
        if tags is None:
            if not extra:
                return self._ids[lo : min(hi, lo + cap)]
            out = list(self._ids[lo:hi]) + [d for _, d in extra]
        else:
            ids = self._ids
            out = [ids[j] for j in range(lo, hi) if tags[j] == tag] if lo < hi else []
            if extra:
                out += [d for t, d in extra if t == tag]
        return out[:cap]

    def add(self, bucket: int, tag: int, doc: int) -> None:
        extra = self.buffer.get(bucket)
        if extra is None:
            self.buffer[bucket] = [(tag, doc)]
        else:
            extra.append((tag, doc))
        self.buffered += 1
        if self.buffered >= self._limit:
            self.merge()

    def merge(self) -> None:
        """Fold the buffer into the arrays (new ids go after a bucket's older ids)."""
        if not self.buffered:
            return
        n = self.buffered
        buckets = np.fromiter((b for b, ps in self.buffer.items() for _ in ps), np.int64, n)
        docs = np.fromiter((d for ps in self.buffer.values() for _, d in ps), np.uint32, n)
        order = np.argsort(buckets, kind="stable")
        buckets = buckets[order]
        at = self.offsets[buckets + 1].astype(np.int64)
        self.ids = np.insert(self.ids, at, docs[order])
        if self.tags is not None:
            tags = np.fromiter((t for ps in self.buffer.values() for t, _ in ps), np.uint16, n)
            self.tags = np.insert(self.tags, at, tags[order])
        counts = np.bincount(buckets, minlength=self.offsets.shape[0] - 1)
        self.offsets[1:] += np.cumsum(counts, dtype=np.uint32)
        self.buffer = {}
        self.buffered = 0
        self._views()

    def nbytes(self) -> int:
        tags = self.tags.nbytes if self.tags is not None else 0
        return self.offsets.nbytes + self.ids.nbytes + tags


class MemoryIndex(DocumentIndex):
    """The ``memory://`` backend: one process, one crawl, nothing persisted.

    Thread-safe (one lock) so insert-if-new stays atomic if called from worker threads.
    """

    def __init__(self, params: DedupeParams, namespace: str = "govclean") -> None:
        super().__init__(params, namespace)
        self.uri = "memory://"
        self._lock = threading.Lock()
        spans = block_spans(params.distance)
        width = max(w for _, w in spans)
        bits = (len(spans) - 1).bit_length() + width
        # Simhash blocks are their own bucket when small enough (distance >= 3: 2**18
        # buckets); wider blocks are hashed like every other key.
        self._block_width = width if bits <= _MAX_BLOCK_BITS else 0
        self._blocks = _Postings(bits, tagged=False) if self._block_width else None
        self._hashed = _Postings(_HASH_BITS, tagged=True)
        self._records = np.zeros((1024, _REC), dtype=np.uint8)
        self._fps = memoryview(self._records).cast("B").cast("Q")  # fingerprint = word 0
        self._n = 0
        self._urls = bytearray()
        self._canonical: dict[int, str] = {}

    # -- storage helpers ----------------------------------------------------------------

    def _routes(self, entry: DocumentEntry) -> list[tuple[bool, int, int]]:
        """(is_block, bucket, tag) for every posting key of the entry.

        Non-block values are 32-bit hashes already: their top 20 bits pick the bucket and
        the low 12 bits plus the table's low 4 bits form the tag — an exact encoding of
        the key, so unrelated keys never share (bucket, tag).
        """
        routes = []
        width = self._block_width
        for key in posting_keys(entry, self.params.distance):
            table = key >> 32
            value = key & _U32
            if width and table < T_BAND:
                routes.append((True, (table << width) | value, 0))
            else:
                if table < T_BAND:  # wide simhash blocks: mix into a 32-bit hash first
                    value = _mix64(key) >> 32
                    table = T_BAND - 1
                routes.append((False, value >> 12, ((value & 0xFFF) << 4) | (table & 0xF)))
        return routes

    def _entry(self, doc: int) -> DocumentEntry:
        rec = self._records[doc].tobytes()
        off, length = RECORD.unpack(rec)[7:9]
        url = self._urls[off : off + length].decode("utf-8", "surrogatepass")
        return DocumentEntry.unpack(rec, url)

    def _lookup(
        self, entry: DocumentEntry
    ) -> tuple[list[Candidate], list[tuple[bool, int, int]]]:
        """Candidates, plus the routes that still take postings (below ``max_postings``)."""
        cap = self.params.max_postings
        routes = self._routes(entry)
        open_routes = []
        hits: dict[int, int] = {}
        block_ids: list[Sequence[int]] = []
        other: set[int] = set()
        for route in routes:
            is_block, bucket, tag = route
            found = (self._blocks if is_block else self._hashed).get(bucket, tag, cap)  # type: ignore[union-attr]
            if len(found) < cap:
                open_routes.append(route)
            if len(found) == 0:
                continue
            if is_block:
                block_ids.append(found)
            else:
                for d in found:
                    hits[d] = hits.get(d, 0) + 1
                    other.add(d)
        if block_ids:
            fps, me, k = self._fps, entry.fingerprint, self.params.distance
            for found in block_ids:
                for d in found:
                    # Pigeonhole candidates must really be within the radius.
                    if d in other or (fps[d * _REC_WORDS] ^ me).bit_count() <= k:
                        hits[d] = hits.get(d, 0) + 1
        out = []
        for doc in sorted(hits):
            stored = self._entry(doc)
            out.append(Candidate(doc, stored, self._canonical.get(doc, stored.url), hits[doc]))
        return out, open_routes

    def _insert(self, entry: DocumentEntry, routes: list[tuple[bool, int, int]]) -> None:
        doc = self._n
        if doc >= self._records.shape[0]:
            grown = np.zeros((max(1024, doc + (doc >> 3)), _REC), dtype=np.uint8)  # +12.5 %
            grown[:doc] = self._records[:doc]
            self._records = grown
            self._fps = memoryview(grown).cast("B").cast("Q")
        url = entry.url.encode("utf-8", "surrogatepass")
        off = len(self._urls)
        if off + len(url) > _U32:
            raise OverflowError("memory index URL store is full (4 GiB)")
        self._urls += url
        self._records[doc] = np.frombuffer(entry.pack(off, len(url)), dtype=np.uint8)
        for is_block, bucket, tag in routes:
            (self._blocks if is_block else self._hashed).add(bucket, tag, doc)  # type: ignore[union-attr]
        self._n = doc + 1

    def _set_canonical(self, doc: int, url: str) -> None:
        self._canonical[doc] = url
        self._records[doc, RECORD_FLAGS_OFFSET] |= FLAG_OFFICIAL

    # -- interface ----------------------------------------------------------------------

    def check_and_insert(self, entry: DocumentEntry) -> Verdict:
        """Insert-if-new under the index lock."""
        with self._lock:
            candidates, routes = self._lookup(entry)
            verdict, match, update = self._resolve(entry, candidates)
            if match is None:
                self._insert(entry, routes)
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
                self._insert(e, self._routes(e))

    def compact(self) -> None:
        """Merge posting buffers now (otherwise done in amortised batches)."""
        with self._lock:
            if self._blocks is not None:
                self._blocks.merge()
            self._hashed.merge()

    def nbytes(self) -> dict[str, int]:
        """Bytes held, split as the benchmark reports them (allocated capacity counted)."""
        postings = self._hashed.nbytes() + (self._blocks.nbytes() if self._blocks else 0)
        return {
            "postings": postings,
            "records": self._records.nbytes,
            "urls": len(self._urls),
        }

    def close(self) -> None:
        """Nothing to release (the arrays go with the object)."""

    def __len__(self) -> int:
        return self._n
