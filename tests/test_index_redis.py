"""The redis:// backend against a real redis-server (skipped when it is not installed)."""
from __future__ import annotations

import random
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis_server import RedisServer, free_port, start_redis
from test_dedupe import (
    AD,
    BULLETIN,
    LETTER_BODY_A,
    LETTER_BODY_B,
    LETTER_HEAD,
    LETTER_TAIL,
    NOTICE,
    notice,
)
from test_index_memory import copy_of, small_edit, synthetic_doc

from scrapy_govclean.dedupe import make_entry
from scrapy_govclean.index import IndexUnavailable, open_index

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh real redis-server per test (skips when redis-server is not installed)."""
    server = start_redis(tmp_path)
    try:
        yield server
    finally:
        server.kill()

PAIRS = [
    ("missing last paragraph", notice(), notice(NOTICE[:-2]), {}, {}),
    ("punctuation", notice(), notice().replace("，", ","), {}, {}),
    ("ad inserted", notice(), notice(NOTICE[:4] + [AD] + NOTICE[4:]), {}, {}),
    ("letters", LETTER_HEAD + LETTER_BODY_A + "\n" + LETTER_TAIL,
     LETTER_HEAD + LETTER_BODY_B + "\n" + LETTER_TAIL, {}, {}),
    ("figures", BULLETIN.format(year=2024, batch=3, amount=2650, count=18, month=11, day=5),
     BULLETIN.format(year=2024, batch=4, amount=3120, count=21, month=12, day=5), {}, {}),
    ("doc numbers", notice(), notice(), {"doc_number": "某政办发〔2024〕12号"},
     {"doc_number": "某政办发〔2024〕13号"}),
    ("same number, heavy cut", notice(), notice(NOTICE[:5]), {"doc_number": "某政办发〔2024〕12号"},
     {"doc_number": "某政办发[2024]12号"}),
    ("dates", notice(), notice(), {"date": "2024-04-18"}, {"date": "2024-04-19"}),
    ("short", "通知：明日停电。", "通知:明日停电.", {}, {}),
]


def run_pairs(uri: str, namespace: str) -> list:
    out = []
    for k, (name, a, b, pa, pb) in enumerate(PAIRS):
        idx = open_index(uri, namespace=f"{namespace}{k}")
        out.append(idx.check_and_insert(make_entry(a, "http://first.cn/1", pa, official=False)))
        out.append(idx.check_and_insert(make_entry(b, "http://www.x.gov.cn/2", pb, official=True)))
        out.append(idx.check_and_insert(make_entry(b, "http://third.cn/3", pb, official=False)))
        idx.close()
    return out


def test_lua_rule_agrees_with_the_python_rule(redis_server) -> None:
    assert run_pairs(redis_server.url, "p") == run_pairs("memory://", "p")


def test_same_verdicts_as_memory_and_sqlite_on_a_mixed_stream(redis_server, tmp_path: Path) -> None:
    rng = random.Random(3)
    stream = []
    for step in range(240):
        i = rng.randrange(60)
        stream.append(make_entry(copy_of(i, rng.randrange(3)), f"http://s{step}.cn/{i}", {},
                                 official=rng.random() < 0.1))
    results = {}
    for uri in ("memory://", "sqlite:///" + str(tmp_path / "i.sqlite3"), redis_server.url):
        with open_index(uri) as idx:
            results[uri] = [idx.check_and_insert(e) for e in stream]
            results[uri].append(len(idx))
    a, b, c = results.values()
    assert a == b == c


def test_four_processes_racing_produce_exactly_one_canonical_each(redis_server, tmp_path: Path) -> None:
    go = tmp_path / "go"
    code = textwrap.dedent(f"""
        import os, random, sys, time
        sys.path.insert(0, {str(TESTS)!r})
        from scrapy_govclean.dedupe import make_entry
        from scrapy_govclean.index import open_index
        from test_index_memory import small_edit
        seed = int(sys.argv[1])
        work = [(i, v) for i in range(200) for v in (0, 1, 2, 3)]
        random.Random(seed).shuffle(work)
        entries = [(i, make_entry(small_edit(i, v), f"http://p{{seed}}.cn/{{i}}/{{v}}", {{}}, official=False))
                   for i, v in work]
        idx = open_index({redis_server.url!r})
        while not os.path.exists({str(go)!r}):
            time.sleep(0.01)
        for i, e in entries:
            v = idx.check_and_insert(e)
            print(i, int(v.duplicate), v.duplicate_of or v.canonical_url, flush=True)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(s)], stdout=subprocess.PIPE, text=True)
             for s in range(4)]
    time.sleep(0.5)
    go.touch()
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    first: dict[str, set[str]] = {}
    new = 0
    for out in outs:
        lines = out.splitlines()
        assert len(lines) == 800
        for line in lines:
            i, dup, url = line.split()
            new += dup == "0"
            first.setdefault(i, set()).add(url)
    assert new == 200
    assert len(first) == 200 and all(len(urls) == 1 for urls in first.values())
    with open_index(redis_server.url) as idx:
        assert len(idx) == 200


def test_unreachable_redis_fails_fast_with_a_redacted_message() -> None:
    port = free_port()
    t0 = time.monotonic()
    with pytest.raises(IndexUnavailable) as err:
        open_index(f"redis://:s3cret-pw@127.0.0.1:{port}/0", connect_timeout=1.0)
    assert time.monotonic() - t0 < 5
    msg = str(err.value)
    assert "s3cret-pw" not in msg and f"127.0.0.1:{port}" in msg and "***" in msg


def test_unroutable_host_times_out_quickly() -> None:
    t0 = time.monotonic()
    with pytest.raises(IndexUnavailable):
        # TEST-NET-1 (RFC 5737): never answers.
        open_index("redis://192.0.2.1:6379/0", connect_timeout=0.5)
    assert time.monotonic() - t0 < 5


def test_wrong_password_is_unavailable_and_redacted(tmp_path: Path) -> None:
    server = start_redis(tmp_path, password="right-pw")
    try:
        good = open_index(server.url)
        good.check_and_insert(make_entry(notice(), "http://a.cn/1", {}, official=False))
        assert len(good) == 1
        good.close()
        bad_url = server.url.replace("right-pw", "wrong-pw")
        with pytest.raises(IndexUnavailable) as err:
            open_index(bad_url)
        assert "wrong-pw" not in str(err.value) and "right-pw" not in str(err.value)
    finally:
        server.kill()


def test_redis_lost_mid_crawl_raises_unavailable_not_a_hang(redis_server) -> None:
    idx = open_index(redis_server.url, socket_timeout=2.0)
    for i in range(20):
        idx.check_and_insert(make_entry("\n".join(synthetic_doc(i)), f"http://a.cn/{i}", {}, official=False))
    redis_server.kill()
    t0 = time.monotonic()
    with pytest.raises(IndexUnavailable) as err:
        idx.check_and_insert(make_entry("\n".join(synthetic_doc(99)), "http://a.cn/99", {}, official=False))
    assert time.monotonic() - t0 < 10
    assert "127.0.0.1" in str(err.value)
    with pytest.raises(IndexUnavailable):
        len(idx)
    idx.close()


def test_namespaces_persistence_and_settings(redis_server) -> None:
    url = redis_server.url
    with open_index(url, namespace="one") as one:
        one.check_and_insert(make_entry(notice(), "http://a.cn/1", {}, official=False))
    with open_index(url, namespace="two") as two:
        assert len(two) == 0
        assert not two.check_and_insert(make_entry(notice(), "http://b.cn/1", {}, official=False)).duplicate
    with open_index(url, namespace="one") as again:
        v = again.check_and_insert(make_entry(notice(NOTICE[:-1]), "http://c.cn/1", {}, official=False))
        assert v.duplicate and v.duplicate_of == "http://a.cn/1"
        found = again.find(make_entry(notice(), "q", {}, official=False))
        assert [c.entry.url for c in found] == ["http://a.cn/1"]
    with pytest.raises(ValueError, match="distance=3"):
        open_index(url, namespace="one", distance=5)
    with pytest.raises(ValueError):
        open_index("redis://127.0.0.1:notaport/0")
    client = __import__("redis").Redis.from_url(url)
    assert all(k.startswith(b"{") for k in client.keys("*"))
    client.close()


def test_server_side_record_is_compact(redis_server) -> None:
    with open_index(redis_server.url) as idx:
        for i in range(30):
            idx.check_and_insert(make_entry(small_edit(i, 0), f"http://a.cn/{i}", {}, official=False))
    s = socket.create_connection(("127.0.0.1", redis_server.port))
    s.sendall(b"STRLEN {govclean}:r:0\r\n")
    assert s.recv(64).strip() == b":" + str(4000 * 96).encode()  # allocated at full size once
    s.close()
