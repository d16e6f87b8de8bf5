"""The sqlite:/// backend: persistence, concurrent writers, kill -9 safety."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from test_index_memory import small_edit, synthetic_doc

from scrapy_govclean.dedupe import make_entry
from scrapy_govclean.index import IndexUnavailable, open_index
from scrapy_govclean.index.sqlite import SqliteIndex, sqlite_path

TESTS = Path(__file__).resolve().parent


def uri_for(path: Path) -> str:
    return "sqlite:///" + str(path)


def entry(i: int, variant: int, url: str, official: bool = False):
    return make_entry(small_edit(i, variant), url, {}, official=official)


def child(code: str) -> list[str]:
    """argv running ``code`` in a fresh interpreter that can import the test helpers."""
    prelude = f"import sys; sys.path.insert(0, {str(TESTS)!r})\n"
    return [sys.executable, "-c", prelude + textwrap.dedent(code)]


def test_uri_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sqlite_path("sqlite:///.govclean/index.sqlite3") == ".govclean/index.sqlite3"
    assert sqlite_path("sqlite:////var/x.sqlite3") == "/var/x.sqlite3"
    monkeypatch.chdir(tmp_path)
    with open_index("sqlite:///.govclean/index.sqlite3") as idx:
        assert isinstance(idx, SqliteIndex)
    assert (tmp_path / ".govclean" / "index.sqlite3").is_file()
    with open_index(uri_for(tmp_path / "deep" / "er" / "i.sqlite3")):
        pass
    assert (tmp_path / "deep" / "er" / "i.sqlite3").is_file()


def test_second_crawl_marks_every_page_a_duplicate_of_the_first(tmp_path: Path) -> None:
    uri = uri_for(tmp_path / "idx.sqlite3")
    with open_index(uri) as idx:
        for i in range(50):
            assert not idx.check_and_insert(entry(i, 0, f"http://crawl1.example.com/{i}")).duplicate
    with open_index(uri) as idx:
        assert len(idx) == 50
        for i in range(50):
            v = idx.check_and_insert(entry(i, 0, f"http://crawl2.example.com/{i}"))
            assert v.duplicate and v.duplicate_of == f"http://crawl1.example.com/{i}"
        # An official copy seen later becomes canonical, persistently.
        v = idx.check_and_insert(entry(3, 1, "http://www.example.gov.cn/3", official=True))
        assert v.canonical_url == "http://www.example.gov.cn/3"
        assert idx.integrity_check() == "ok"
    with open_index(uri) as idx:
        v = idx.check_and_insert(entry(3, 2, "http://crawl3.example.com/3"))
        assert (v.duplicate_of, v.canonical_url) == ("http://crawl1.example.com/3", "http://www.example.gov.cn/3")
        assert len(idx) == 50


def test_reopening_with_another_distance_is_refused(tmp_path: Path) -> None:
    uri = uri_for(tmp_path / "idx.sqlite3")
    open_index(uri, distance=3).close()
    with pytest.raises(ValueError, match="distance=3"):
        open_index(uri, distance=5)
    open_index(uri, distance=3, namespace="other").close()  # namespaces are independent


def test_unusable_file_is_unavailable(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexUnavailable, match="not-a-db"):
        open_index(uri_for(bad))


def test_closed_index_is_unavailable(tmp_path: Path) -> None:
    idx = open_index(uri_for(tmp_path / "idx.sqlite3"))
    idx.close()
    idx.close()
    with pytest.raises(IndexUnavailable):
        idx.check_and_insert(entry(0, 0, "u"))


def test_two_processes_writing_at_once(tmp_path: Path) -> None:
    """Interleaved copies of the same 60 documents from 2 processes: one record each."""
    db = tmp_path / "idx.sqlite3"
    open_index(uri_for(db)).close()
    code = f"""
        import random, sys
        from scrapy_govclean.dedupe import make_entry
        from scrapy_govclean.index import open_index
        from test_index_memory import small_edit
        seed = int(sys.argv[1])
        work = [(i, v) for i in range(60) for v in (0, 1, 2, 3)]
        random.Random(seed).shuffle(work)
        entries = [(i, make_entry(small_edit(i, v), f"http://p{{seed}}/{{i}}/{{v}}", {{}}, official=False))
                   for i, v in work]
        idx = open_index({uri_for(db)!r})
        for i, e in entries:
            v = idx.check_and_insert(e)
            print(i, int(v.duplicate), v.duplicate_of or v.canonical_url, flush=True)
        idx.close()
    """
    procs = [subprocess.Popen(child(code) + [str(s)], stdout=subprocess.PIPE, text=True) for s in (1, 2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    records: dict[str, set[str]] = {}
    new = 0
    for out in outs:
        for line in out.splitlines():
            i, dup, first = line.split()
            new += dup == "0"
            records.setdefault(i, set()).add(first)
    assert new == 60
    assert all(len(v) == 1 for v in records.values()) and len(records) == 60
    with open_index(uri_for(db)) as idx:
        assert len(idx) == 60 and idx.integrity_check() == "ok"


def test_kill_9_loses_nothing_committed(tmp_path: Path) -> None:
    db = tmp_path / "idx.sqlite3"
    code = f"""
        from scrapy_govclean.dedupe import make_entry
        from scrapy_govclean.index import open_index
        from test_index_memory import synthetic_doc
        idx = open_index({uri_for(db)!r})
        for i in range(100000):
            e = make_entry("\\n".join(synthetic_doc(i)), f"http://k/{{i}}", {{}}, official=False)
            v = idx.check_and_insert(e)
            print(i, int(v.duplicate), flush=True)
    """
    proc = subprocess.Popen(child(code), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    committed: list[int] = []
    deadline = time.monotonic() + 60
    while len(committed) < 150 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed.append(int(line.split()[0]))
    os.kill(proc.pid, signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    committed += [int(line.split()[0]) for line in rest.splitlines() if line.strip()]
    assert proc.returncode == -signal.SIGKILL
    assert len(committed) >= 150

    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    with open_index(uri_for(db)) as idx:
        assert len(idx) >= len(committed)
        for i in committed:
            e = make_entry("\n".join(synthetic_doc(i)), f"http://again/{i}", {}, official=False)
            v = idx.check_and_insert(e)
            assert v.duplicate and v.duplicate_of == f"http://k/{i}", (i, v)
        assert idx.integrity_check() == "ok"
