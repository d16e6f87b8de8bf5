"""The memory:// backend and the URI front door (open_index / redact_uri)."""
from __future__ import annotations

import random
import threading

import numpy as np
import pytest

from scrapy_govclean.dedupe import BANDS, DocumentEntry, make_entry, posting_keys
from scrapy_govclean.index import (
    DEFAULT_INDEX_URI,
    DocumentIndex,
    IndexUnavailable,
    open_index,
    redact_uri,
)
from scrapy_govclean.index.memory import MemoryIndex

CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
)


def synthetic_doc(i: int) -> list[str]:
    """Paragraphs of document ``i`` (deterministic)."""
    rng = random.Random(i)
    return [
        "".join(rng.choice(CHARS) for _ in range(rng.randrange(80, 160))) + "。"
        for _ in range(5)
    ]


def copy_of(i: int, variant: int) -> str:
    """A near copy of document ``i``: variant 0 whole, 1 missing its last paragraph, 2 with an ad."""
    paras = synthetic_doc(i)
    if variant == 1:
        paras = paras[:-1]
    elif variant == 2:
        paras = paras[:2] + ["欢迎关注本站公众号获取更多资讯。"] + paras[2:]
    return "\n".join(paras)


def small_edit(i: int, variant: int) -> str:
    """Copies with small edits (what racing crawlers meet): 0 original, 1 punctuation and
    spacing, 2 one character changed, 3 a short ad sentence appended."""
    paras = synthetic_doc(i)
    if variant == 1:
        return " \r\n".join(p.replace("。", ".") for p in paras)
    if variant == 2:
        mid = paras[2]
        paras[2] = mid[:40] + ("国" if mid[40] != "国" else "家") + mid[41:]
    if variant == 3:
        paras.append("更多资讯请关注本站。")
    return "\n".join(paras)


def fake_entry(rng: random.Random, url: str) -> DocumentEntry:
    """An entry with random fingerprint/sketch/bands (no text): exercises the data structure."""
    return DocumentEntry(
        fingerprint=rng.getrandbits(64),
        exact=f"{rng.getrandbits(64):016x}",
        sketch=rng.randbytes(32),
        figures=(),
        url=url,
        first_seen=0.0,
        length=1000,
        shingles=900,
        band_keys=tuple(rng.getrandbits(32) for _ in range(BANDS)),
    )


def test_open_index_schemes_and_errors(tmp_path) -> None:
    idx = open_index("memory://")
    assert isinstance(idx, MemoryIndex) and isinstance(idx, DocumentIndex) and len(idx) == 0
    assert DEFAULT_INDEX_URI == "sqlite:///.govclean/index.sqlite3"
    for bad in ("", "memory://somewhere", "postgres://u:secret@h/db", "index.sqlite3",
                "sqlite://", "sqlite:///", "sqlite:///dir/"):
        with pytest.raises(ValueError) as err:
            open_index(bad)
        assert "secret" not in str(err.value)
    with pytest.raises(ValueError):
        open_index("memory://", namespace="has space")
    with pytest.raises(ValueError):
        open_index("memory://", distance=64)
    with pytest.raises(ValueError):
        open_index("memory://", bogus_option=1)
    with pytest.raises(ValueError, match="bogus"):
        open_index(f"sqlite:///{tmp_path}/never.sqlite3", bogus=1)
    with pytest.raises(ValueError, match="bogus"):
        open_index("redis://127.0.0.1:1/0", bogus=1)
    assert not (tmp_path / "never.sqlite3").exists()
    assert issubclass(IndexUnavailable, Exception)


def test_redact_uri_hides_credentials() -> None:
    assert redact_uri("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert redact_uri("rediss://user:s3cret@host:6380/2") == "rediss://user:***@host:6380/2"
    assert redact_uri("redis://token@host/0") == "redis://***@host/0"
    assert "s3cret" not in redact_uri("redis://host:6379/0?password=s3cret&db=1")
    assert redact_uri("sqlite:///.govclean/index.sqlite3") == "sqlite:///.govclean/index.sqlite3"
    assert redact_uri("memory://") == "memory://"


def test_copies_collapse_onto_the_first_record() -> None:
    idx = open_index("memory://")
    n = 60
    for i in range(n):
        v = idx.check_and_insert(make_entry(copy_of(i, 0), f"http://a.example.com/{i}", {}, official=False))
        assert not v.duplicate and v.canonical_url == f"http://a.example.com/{i}"
    missed = 0
    for variant in (1, 2):
        for i in range(n):
            v = idx.check_and_insert(
                make_entry(copy_of(i, variant), f"http://b{variant}.example.com/{i}", {}, official=False)
            )
            if not v.duplicate:
                missed += 1  # LSH bands: ~0.4 % of 20 %-truncated copies share no key
                continue
            assert v.duplicate_of == f"http://a.example.com/{i}", (i, variant, v)
    assert missed <= 2
    assert len(idx) == n + missed
    found = idx.find(make_entry(copy_of(7, 1), "q", {}, official=False))
    assert [c.entry.url for c in found] == ["http://a.example.com/7"]


def test_posting_arrays_stay_correct_across_buffer_merges() -> None:
    rng = random.Random(5)
    idx = open_index("memory://")
    assert isinstance(idx, MemoryIndex)
    entries = [fake_entry(rng, f"u{i}") for i in range(20_000)]  # > one 65,536-posting buffer
    idx.bulk_insert(entries[:9_000])
    idx.bulk_insert(entries[9_000:])
    for stage in ("buffered", "merged"):
        for i in rng.sample(range(len(entries)), 300):
            urls = {c.entry.url for c in idx.find(entries[i])}
            assert entries[i].url in urls, (stage, i)
            assert len(urls) < 5
        idx.compact()
    sizes = idx.nbytes()
    # 4-byte block postings, 6-byte (id + tag) band postings, and fixed bucket offsets
    # (2**18 block buckets, 2**20 hashed buckets).
    assert len(posting_keys(entries[0], 3)) == 4 + BANDS
    offsets = ((1 << 18) + 1) * 4 + ((1 << 20) + 1) * 4
    assert sizes["postings"] == len(entries) * (4 * 4 + BANDS * 6) + offsets
    assert len(idx) == len(entries)


def test_fingerprints_within_the_radius_are_found_through_blocks() -> None:
    rng = random.Random(9)
    idx = open_index("memory://")
    base = fake_entry(rng, "base")
    idx.bulk_insert([base] + [fake_entry(rng, f"noise{i}") for i in range(2000)])
    for flips in range(4):
        fp = base.fingerprint
        for bit in rng.sample(range(64), flips):
            fp ^= 1 << bit
        probe = DocumentEntry(**{**base.__dict__, "fingerprint": fp, "band_keys": ()})
        assert "base" in {c.entry.url for c in idx.find(probe)}
    far = DocumentEntry(**{**base.__dict__, "fingerprint": base.fingerprint ^ 0b11111, "band_keys": ()})
    assert "base" not in {c.entry.url for c in idx.find(far)}  # 5 bits > radius 3


def test_threads_racing_on_copies_produce_one_record_each() -> None:
    idx = open_index("memory://")
    n = 40
    work = [(i, v) for i in range(n) for v in (0, 1, 2, 3)]
    entries = {(i, v): make_entry(small_edit(i, v), f"http://t/{i}/{v}", {}, official=False) for i, v in work}
    verdicts: list = []

    def run(seed: int) -> None:
        order = list(work)
        random.Random(seed).shuffle(order)
        for key in order:
            verdicts.append((key, idx.check_and_insert(entries[key])))

    threads = [threading.Thread(target=run, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(idx) == n
    assert sum(not v.duplicate for _, v in verdicts) == n
    firsts = {}
    for (i, _), v in verdicts:
        firsts.setdefault(i, set()).add(v.duplicate_of or v.canonical_url)
    assert all(len(s) == 1 for s in firsts.values())


def test_memory_is_compact() -> None:
    rng = random.Random(1)
    idx = open_index("memory://")
    assert isinstance(idx, MemoryIndex)
    idx.bulk_insert([fake_entry(rng, f"http://e.cn/{i:06d}") for i in range(10_000)])
    idx.compact()
    sizes = idx.nbytes()
    assert sizes["urls"] == 10_000 * len("http://e.cn/000000")
    assert np.isclose(sizes["records"] / 10_000, 96, rtol=0.6)


@pytest.mark.parametrize("distance", [0, 1, 2, 6])
def test_other_radii_work(distance: int) -> None:
    idx = open_index("memory://", distance=distance)
    for i in range(15):
        idx.check_and_insert(make_entry(small_edit(i, 0), f"http://a/{i}", {}, official=False))
    for i in range(15):
        v = idx.check_and_insert(make_entry(small_edit(i, 2), f"http://b/{i}", {}, official=False))
        assert v.duplicate and v.duplicate_of == f"http://a/{i}"
    assert len(idx) == 15
