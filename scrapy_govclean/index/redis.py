"""Shared index in Redis: any number of crawler processes on any number of machines.

Why the whole rule runs in one Lua script: insert-if-new must be atomic, or two crawlers
racing on copies of one document would both record it as new.  A Lua script runs alone
on the server, so lookup, decision (the integer rule of :mod:`scrapy_govclean.dedupe`,
ported verbatim) and insert happen in ONE round trip with nothing interleaved.  A test
checks that it reaches the same verdicts as the Python rule.

Layout (every key carries the hash tag ``{namespace}`` so one cluster slot holds them):

* ``{ns}:meta`` hash — format, distance, bands, bucket bits (checked on open);
* ``{ns}:n`` — the last document id;
* ``{ns}:r:<id // 4000>`` — strings of fixed 96-byte records (GETRANGE/SETRANGE, no per-key
  overhead); ``{ns}:u:<id // 4000>`` — the URLs of those documents, appended;
* ``{ns}:b:<key>`` — simhash-block postings, packed 4-byte ids;
* ``{ns}:h:<bucket>`` — small hashes (listpack-encoded) of the other postings: field = 3
  bytes of the key's hash, value = packed ids;
* ``{ns}:c`` hash — id → canonical URL when an official copy arrived after the first.

Credentials: the URI is only ever shown through :func:`redact_uri`.
"""
from __future__ import annotations

import threading
from typing import Any

from ..dedupe import (
    BANDS,
    RECORD,
    T_BAND,
    Candidate,
    DedupeParams,
    DocumentEntry,
    Verdict,
    block_tags,
    posting_keys,
)
from .base import DocumentIndex, IndexUnavailable

__all__ = ["RedisIndex", "LUA_CHECK_AND_INSERT"]

FORMAT = "2"
# Records per record/URL string: 4000 x 96 B + header fits the 384 KiB allocator class.
_PER_STRING = 4000

LUA_CHECK_AND_INSERT = r"""
local P = KEYS[1]
local rec, url = ARGV[1], ARGV[2]
local cfg = {}
for x in string.gmatch(ARGV[3], '%d+') do cfg[#cfg + 1] = tonumber(x) end
local K, CONTAIN, IDENT, RATIO, MAXC, CAP = cfg[1], cfg[2], cfg[3], cfg[4], cfg[5], cfg[6]
local WRITE = cfg[7] == 1
-- Posting keys, packed by the client: kind byte, name length, name, field length, field.
local KIND, NAME, FIELD = {}, {}, {}
do
  local blob, pos = ARGV[4], 1
  while pos <= #blob do
    local kind, nl = string.sub(blob, pos, pos), string.byte(blob, pos + 1)
    local name = string.sub(blob, pos + 2, pos + 1 + nl)
    local fl = string.byte(blob, pos + 2 + nl)
    KIND[#KIND + 1] = kind
    NAME[#NAME + 1] = name
    FIELD[#FIELD + 1] = string.sub(blob, pos + 3 + nl, pos + 2 + nl + fl)
    pos = pos + 3 + nl + fl
  end
end
local NKEYS = #KIND
local REC, PER, FIGS = 96, 4000, 8
local band, bxor, bor, rshift = bit.band, bit.bxor, bit.bor, bit.rshift

local function u16(s, o) local a, b = string.byte(s, o + 1, o + 2) return a + b * 256 end
local function u32(s, o)
  local a, b, c, d = string.byte(s, o + 1, o + 4)
  return a + b * 256 + c * 65536 + d * 16777216
end
local function pop32(x)
  x = x - band(rshift(x, 1), 0x55555555)
  x = band(x, 0x33333333) + band(rshift(x, 2), 0x33333333)
  x = band(x + rshift(x, 4), 0x0F0F0F0F)
  x = x + rshift(x, 8)
  x = x + rshift(x, 16)
  return band(x, 0x3F)
end
local function hamming(a, b)
  return pop32(bxor(u32(a, 0), u32(b, 0))) + pop32(bxor(u32(a, 4), u32(b, 4)))
end
local function record_of(id)
  local o = (id % PER) * REC
  return redis.call('GETRANGE', P .. 'r:' .. math.floor(id / PER), o, o + REC - 1)
end
local function pack32(id)
  local b0 = id % 256; id = (id - b0) / 256
  local b1 = id % 256; id = (id - b1) / 256
  local b2 = id % 256; id = (id - b2) / 256
  return string.char(b0, b1, b2, id % 256)
end
local function pack16(v) return string.char(v % 256, math.floor(v / 256) % 256) end

-- 1. postings.  Block postings are 6 bytes: id, then 16 other bits of that document's
-- fingerprint (a tag): a stored fingerprint within K bits has a tag within K bits, so
-- most unrelated block neighbours are dropped without reading their record.
local hits, via_other, tag_ok, order = {}, {}, {}, {}
local open, cached = {}, {}
for i = 1, NKEYS do
  local kind, name, field = KIND[i], NAME[i], FIELD[i]
  local v, n, width
  if kind == 'b' then
    v = redis.call('GET', P .. name); width = 6
  else
    v = redis.call('HGET', P .. name, field); width = 4; cached[i] = v
  end
  n = 0
  if v then n = #v / width end
  if n < CAP then open[#open + 1] = i end
  local mytag = 0
  if kind == 'b' then mytag = u16(field, 0) end
  for j = 0, math.min(n, CAP) - 1 do
    local id = u32(v, width * j)
    if not hits[id] then hits[id] = 0; order[#order + 1] = id end
    hits[id] = hits[id] + 1
    if kind == 'b' then
      if pop32(bxor(u16(v, width * j + 4), mytag)) <= K then tag_ok[id] = true end
    else
      via_other[id] = true
    end
  end
end

-- 2. candidates: block-only ones must be within the radius
local cands = {}
for _, id in ipairs(order) do
  if via_other[id] or tag_ok[id] then
    local r = record_of(id)
    if via_other[id] or hamming(rec, r) <= K then
      cands[#cands + 1] = {id = id, hits = hits[id], rec = r}
    end
  end
end
table.sort(cands, function(a, b)
  if a.hits ~= b.hits then return a.hits > b.hits end
  return a.id < b.id
end)

-- 3. the rule (scrapy_govclean.dedupe.decide, integer arithmetic)
local function figures_agree(a, b)
  local na, nb = u16(a, 42), u16(b, 42)
  local small, large, ns, nl = a, b, na, nb
  if na > nb then small, large, ns, nl = b, a, nb, na end
  if ns == 0 then return true end
  local set, maxl = {}, 0
  for j = 0, math.min(nl, FIGS) - 1 do
    local v = u16(large, 44 + 2 * j); set[v] = true
    if v > maxl then maxl = v end
  end
  local limit = 65536
  if nl > FIGS then limit = maxl end
  for j = 0, math.min(ns, FIGS) - 1 do
    local v = u16(small, 44 + 2 * j)
    if v <= limit and not set[v] then return false end
  end
  return true
end

local function decide(a, b)
  local dna, dnb = u32(a, 28), u32(b, 28)
  if dna ~= 0 and dnb ~= 0 and dna ~= dnb then return false, 0, 'document numbers differ' end
  local da, db = u32(a, 32), u32(b, 32)
  if da ~= 0 and db ~= 0 and da ~= db then return false, 0, 'dates differ' end
  local sa, sb = band(string.byte(a, 61), 2) ~= 0, band(string.byte(b, 61), 2) ~= 0
  if sa or sb then
    if sa and sb and string.sub(a, 9, 16) == string.sub(b, 9, 16) then
      return true, 1, 'identical short text'
    end
    return false, 0, 'short text differs'
  end
  if string.sub(a, 9, 16) == string.sub(b, 9, 16) then return true, 1, 'identical text' end
  local mism = 0
  for w = 0, 7 do
    local x = bxor(u32(a, 62 + 4 * w), u32(b, 62 + 4 * w))
    mism = mism + pop32(band(bor(x, rshift(x, 1)), 0x55555555))
  end
  local m = 128 - mism
  local na, nb = u32(a, 16), u32(b, 16)
  local nmin, nmax = math.min(na, nb), math.max(na, nb)
  local score = 0
  if nmin > 0 then
    score = (m - 32) * (na + nb) / ((m + 64) * nmin)
    if score > 1 then score = 1 end
    if score < 0 then score = 0 end
  end
  local same = dna ~= 0 and dna == dnb
  if same then
    if (m - 32) * (na + nb) * 100 < IDENT * (m + 64) * nmin then
      return false, score, string.format('same document number but containment %.2f', score)
    end
  else
    if nmin * 100 < RATIO * nmax then
      return false, score, string.format('sizes differ (%d vs %d shingles)', nmin, nmax)
    end
    if (m - 32) * (na + nb) * 100 < CONTAIN * (m + 64) * nmin then
      return false, score, string.format('containment %.2f', score)
    end
  end
  if not figures_agree(a, b) then
    return false, score, string.format('figures differ (containment %.2f)', score)
  end
  local why = ''
  if same then why = 'same document number, ' end
  return true, score, string.format('%scontainment %.2f, figures agree', why, score)
end

local best, bscore, breason, nscore, nreason = nil, -1, '', -1, nil
for i = 1, math.min(#cands, MAXC) do
  local c = cands[i]
  local dup, score, reason = decide(rec, c.rec)
  if dup then
    if best == nil or score > bscore or (score == bscore and c.id < best.id) then
      best, bscore, breason = c, score, reason
    end
  elseif nreason == nil or score > nscore then
    nscore, nreason = score, reason
  end
end

if not WRITE then
  local out = {}
  for _, c in ipairs(cands) do out[#out + 1] = c.id end
  return {2, out}
end

-- 4. a copy: name the first record; an official copy becomes its canonical
if best ~= nil then
  local r = best.rec
  local id = best.id
  local first = redis.call('GETRANGE', P .. 'u:' .. math.floor(id / PER), u32(r, 36), u32(r, 36) + u16(r, 40) - 1)
  local canonical = redis.call('HGET', P .. 'c', id)
  if not canonical then canonical = first end
  local official_new = band(string.byte(rec, 61), 1) ~= 0
  local official_old = band(string.byte(r, 61), 1) ~= 0
  if official_new and not official_old then
    canonical = url
    redis.call('HSET', P .. 'c', id, url)
    local o = (id % PER) * REC + 60
    redis.call('SETRANGE', P .. 'r:' .. math.floor(id / PER), o, string.char(bor(string.byte(r, 61), 1)))
  end
  return {1, first, canonical, hamming(rec, r), breason}
end

-- 5. new: store record, URL and postings
local id = redis.call('INCR', P .. 'n')
local s = math.floor(id / PER)
local ulen = redis.call('APPEND', P .. 'u:' .. s, url)
local r = string.sub(rec, 1, 36) .. pack32(ulen - #url) .. pack16(#url) .. string.sub(rec, 43)
if id % PER == 0 or id == 1 then
  -- First record of a string: create it at its full size in one allocation (growing it
  -- record by record would leave up to 2x slack from Redis' greedy string growth).
  redis.call('SETRANGE', P .. 'r:' .. s, PER * REC - 1, '\0')
end
redis.call('SETRANGE', P .. 'r:' .. s, (id % PER) * REC, r)
local pid = pack32(id)
for _, i in ipairs(open) do
  local kind, name, field = KIND[i], NAME[i], FIELD[i]
  if kind == 'b' then
    redis.call('APPEND', P .. name, pid .. field)
  else
    redis.call('HSET', P .. name, field, (cached[i] or '') .. pid)
  end
end
if nreason then return {0, 'new (nearest rejected: ' .. nreason .. ')', id} end
return {0, 'new', id}
"""


def _redis_module() -> Any:
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise IndexUnavailable(
            "the Redis index needs the redis package: pip install 'scrapy-govclean[redis]'"
        ) from exc
    return redis


class RedisIndex(DocumentIndex):
    """The ``redis://`` / ``rediss://`` backend."""

    def __init__(
        self,
        uri: str,
        params: DedupeParams,
        namespace: str = "govclean",
        *,
        connect_timeout: float = 2.0,
        socket_timeout: float = 5.0,
        bucket_bits: int = 17,
    ) -> None:
        super().__init__(params, namespace)
        from . import redact_uri

        self.uri = redact_uri(uri)
        if not 12 <= int(bucket_bits) <= 24:
            raise ValueError(f"bucket_bits must be within 12..24, got {bucket_bits}")
        self._bucket_bits = int(bucket_bits)
        self._prefix = f"{{{namespace}}}:"
        self._lock = threading.Lock()
        redis = _redis_module()
        self._errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        try:
            self._client = redis.Redis.from_url(
                uri,
                socket_connect_timeout=connect_timeout,
                socket_timeout=socket_timeout,
                retry=Retry(NoBackoff(), 1),
            )
        except ValueError as exc:
            raise ValueError(f"invalid Redis index URI {self.uri!r}: {exc}") from None
        try:
            self._client.ping()
            self._check_meta()
        except self._errors as exc:
            self._client.close()
            raise IndexUnavailable(f"cannot reach the Redis index at {self.uri}: {exc}") from None
        except redis.exceptions.ResponseError as exc:  # e.g. wrong password
            self._client.close()
            raise IndexUnavailable(f"Redis index at {self.uri} refused us: {exc}") from None
        self._script = self._client.register_script(LUA_CHECK_AND_INSERT)
        self._closed = False

    def _check_meta(self) -> None:
        meta = self._prefix + "meta"
        want = {
            "format": FORMAT,
            "distance": str(self.params.distance),
            "bands": str(BANDS),
            "bucket_bits": str(self._bucket_bits),
        }
        for k, v in want.items():
            self._client.hsetnx(meta, k, v)
        have = {k.decode(): v.decode() for k, v in self._client.hgetall(meta).items()}
        for k, v in want.items():
            if have.get(k) != v:
                self._client.close()
                raise ValueError(
                    f"Redis index namespace {self.namespace!r} was built with {k}={have.get(k)}, "
                    f"not {v}; use {k}={have.get(k)} or another namespace"
                )

    def _routes(self, entry: DocumentEntry) -> list[tuple[str, str, bytes]]:
        """Per posting key: (kind, key suffix, field) — what the Lua script reads.

        Block keys ("b") are strings of 6-byte postings; the field is this document's tag
        (16 fingerprint bits after the block).  Other keys ("h") live in listpack hash
        buckets: their 32-bit value is already a hash, so its top ``bucket_bits`` pick the
        bucket and the rest plus the table number form the field (an exact encoding).
        """
        out = []
        tags = block_tags(entry.fingerprint, self.params.distance)
        low_bits = 32 - self._bucket_bits
        low_mask = (1 << low_bits) - 1
        field_len = (low_bits + 7 + 7) // 8
        for key in posting_keys(entry, self.params.distance):
            table, value = key >> 32, key & 0xFFFFFFFF
            if table < T_BAND:
                out.append(("b", f"b:{key:x}", tags[table].to_bytes(2, "little")))
            else:
                field = (((value & low_mask) << 7) | (table & 0x7F)).to_bytes(field_len, "little")
                out.append(("h", f"h:{value >> low_bits:x}", field))
        return out

    def _key_blob(self, entry: DocumentEntry) -> bytes:
        """The routes packed in one argument (one string to encode instead of ~30)."""
        out = bytearray()
        for kind, name, field in self._routes(entry):
            raw = name.encode("ascii")
            out += kind.encode("ascii") + bytes((len(raw),)) + raw + bytes((len(field),)) + field
        return bytes(out)

    def _run(self, entry: DocumentEntry, write: bool) -> list[Any]:
        if self._closed:
            raise IndexUnavailable(f"Redis index at {self.uri} is closed")
        c, i, r = self.params.percents()
        cfg = (
            f"{self.params.distance} {c} {i} {r} {self.params.max_candidates} "
            f"{self.params.max_postings} {1 if write else 0}"
        )
        argv = [entry.pack(), entry.url.encode("utf-8", "surrogatepass"), cfg, self._key_blob(entry)]
        try:
            return self._script(keys=[self._prefix], args=argv)
        except self._errors as exc:
            raise IndexUnavailable(f"Redis index at {self.uri} unavailable: {exc}") from None

    def check_and_insert(self, entry: DocumentEntry) -> Verdict:
        """One EVALSHA: lookup, decision and insert, atomically on the server."""
        out = self._run(entry, True)
        if out[0] == 1:
            first, canonical, distance, reason = out[1:5]
            return Verdict(
                True,
                first.decode("utf-8", "surrogatepass"),
                canonical.decode("utf-8", "surrogatepass"),
                distance=int(distance),
                reason=reason.decode(),
            )
        return Verdict(False, None, entry.url, reason=out[1].decode())

    def find(self, entry: DocumentEntry) -> list[Candidate]:
        """Candidates as the script sees them (after the radius filter), read-only."""
        out = self._run(entry, False)
        ids = [int(i) for i in out[1]]
        result = []
        try:
            for doc in ids:
                rec, url = self._record(doc)
                canonical = self._client.hget(self._prefix + "c", doc)
                stored = DocumentEntry.unpack(rec, url)
                result.append(
                    Candidate(doc, stored, canonical.decode() if canonical else url)
                )
        except self._errors as exc:
            raise IndexUnavailable(f"Redis index at {self.uri} unavailable: {exc}") from None
        return result

    def _record(self, doc: int) -> tuple[bytes, str]:
        s, o = divmod(doc, _PER_STRING)
        rec = self._client.getrange(f"{self._prefix}r:{s}", o * RECORD.size, (o + 1) * RECORD.size - 1)
        off, length = RECORD.unpack(rec)[7:9]
        url = self._client.getrange(f"{self._prefix}u:{s}", off, off + length - 1)
        return rec, url.decode("utf-8", "surrogatepass")

    def bulk_insert(self, entries: list[DocumentEntry]) -> None:
        """Insert without deciding (benchmarks fill the index this way), pipelined.

        Not atomic with concurrent writers: use it only to fill an index nobody else writes.
        """
        if self._closed:
            raise IndexUnavailable(f"Redis index at {self.uri} is closed")
        p = self._prefix
        blocks: dict[str, bytearray] = {}
        buckets: dict[str, dict[bytes, bytearray]] = {}
        with self._lock:
            start = int(self._client.incrby(p + "n", len(entries))) - len(entries)
            pipe = self._client.pipeline(transaction=False)
            offsets: dict[int, int] = {}
            for k, e in enumerate(entries):
                doc = start + 1 + k
                s = doc // _PER_STRING
                if s not in offsets:
                    offsets[s] = int(self._client.strlen(f"{p}u:{s}"))
                    if not self._client.exists(f"{p}r:{s}"):  # full size at once, as in Lua
                        self._client.setrange(f"{p}r:{s}", _PER_STRING * RECORD.size - 1, b"\0")
                url = e.url.encode("utf-8", "surrogatepass")
                pipe.append(f"{p}u:{s}", url)
                pipe.setrange(
                    f"{p}r:{s}", (doc % _PER_STRING) * RECORD.size, e.pack(offsets[s], len(url))
                )
                offsets[s] += len(url)
                pid = doc.to_bytes(4, "little")
                for kind, name, field in self._routes(e):
                    if kind == "b":
                        blocks.setdefault(p + name, bytearray()).extend(pid + field)
                    else:
                        fields = buckets.setdefault(p + name, {})
                        fields.setdefault(field, bytearray()).extend(pid)
            for name, ids in blocks.items():
                pipe.append(name, bytes(ids))
            merge = self._client.register_script(
                "for i = 1, #ARGV, 2 do "
                "local v = redis.call('HGET', KEYS[1], ARGV[i]) or '' "
                "redis.call('HSET', KEYS[1], ARGV[i], v .. ARGV[i + 1]) end"
            )
            for n, (name, fields) in enumerate(buckets.items()):
                merge(keys=[name], args=[x for f, ids in fields.items() for x in (f, bytes(ids))],
                      client=pipe)
                if n % 5000 == 4999:
                    pipe.execute()
            pipe.execute()

    def close(self) -> None:
        if not getattr(self, "_closed", True):
            self._closed = True
            self._client.close()

    def __len__(self) -> int:
        if self._closed:
            raise IndexUnavailable(f"Redis index at {self.uri} is closed")
        try:
            return int(self._client.get(self._prefix + "n") or 0)
        except self._errors as exc:
            raise IndexUnavailable(f"Redis index at {self.uri} unavailable: {exc}") from None
