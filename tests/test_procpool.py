"""The event-loop-fed worker processes (scrapy_govclean.procpool) on their own, without Scrapy.

What a crawl cannot easily show: that a hung worker is killed alone and the pages queued
behind it are still cleaned, that a crashing page costs one retry and no other page, that
workers which cannot start fail their pages at once instead of hanging them, and that
cleaning adds no thread to the crawl process (the reason the module exists).
"""
from __future__ import annotations

import asyncio
import threading
import time

import pytest
from scrapy_pages import DOC_A, DOC_B, official_page, republished_page

from scrapy_govclean.procpool import frame, split_frames
from scrapy_govclean.result import CleanConfig
from scrapy_govclean.workers import CleanerPool

PAGE_A = official_page(DOC_A).encode("utf-8")
PAGE_B = republished_page(DOC_B).encode("utf-8")


def _clean_all(pool: CleanerPool, urls: list[str]) -> list:
    async def main() -> list:
        return await asyncio.gather(*(pool.clean(PAGE_A if i % 2 else PAGE_B, url, None)
                                      for i, url in enumerate(urls)))

    return asyncio.run(main())


def test_frames_split_whole_and_keep_a_partial_tail():
    buf = bytearray(frame(b"one") + frame(b"") + frame(b"x" * 70_000))
    tail = frame(b"next")
    buf += tail[:5]
    assert split_frames(buf) == [b"one", b"", b"x" * 70_000]
    assert bytes(buf) == tail[:5]
    buf += tail[5:]
    assert split_frames(buf) == [b"next"] and not buf


def test_a_hung_page_kills_its_worker_alone_and_the_pages_behind_it_are_cleaned():
    pool = CleanerPool(1, 1.5, CleanConfig(), "govclean_test_cleaners.hanging")
    try:
        urls = ["http://x.example/hang.html"] + [f"http://x.example/ok{i}.html" for i in range(4)]
        started = time.monotonic()
        hung, *others = _clean_all(pool, urls)
        assert hung.error == "timeout" and hung.result is None
        # one worker: the four pages were queued behind the hung one, then went to its successor
        assert [o.error for o in others] == [None] * 4
        assert others[0].result.title == DOC_A["title"]
        assert pool.restarts == 1
        assert time.monotonic() - started < 60  # includes starting the workers twice
    finally:
        pool.close()


def test_a_crashing_page_is_retried_once_and_lost_alone():
    pool = CleanerPool(2, 30.0, CleanConfig(), "govclean_test_cleaners.crashing")
    try:
        urls = [f"http://x.example/ok{i}.html" for i in range(3)] + ["http://x.example/crash.html"]
        *fine, crashed = _clean_all(pool, urls)
        assert crashed.error == "worker_lost" and "died" in crashed.detail
        assert [o.error for o in fine] == [None] * 3
        assert pool.restarts == 2  # the first run and its one retry
    finally:
        pool.close()


def test_workers_that_cannot_start_fail_their_pages_at_once():
    pool = CleanerPool(2, 30.0, CleanConfig(), "govclean_test_cleaners_absent.clean")
    try:
        started = time.monotonic()
        outcomes = _clean_all(pool, [f"http://x.example/p{i}.html" for i in range(3)])
        assert [o.error for o in outcomes] == ["worker_lost"] * 3
        assert time.monotonic() - started < 60
    finally:
        pool.close()


def test_cleaning_leaves_no_thread_in_the_crawl_process():
    """A ProcessPoolExecutor keeps two threads (queue feeder, result manager) that take the GIL
    from the reactor for every page; the event loop feeds these workers itself."""
    pool = CleanerPool(2, 30.0, CleanConfig(), "scrapy_govclean.core.clean_page")
    before = set(threading.enumerate())

    async def main() -> set:
        outcomes = await asyncio.gather(*(pool.clean(PAGE_B, f"http://x.example/p{i}.html", None)
                                          for i in range(20)))
        assert all(o.error is None for o in outcomes)
        for thread in set(threading.enumerate()) - before:  # the threads that started the workers end
            thread.join(timeout=10)
        assert len(pool.worker_pids()) == 2
        return {t for t in threading.enumerate() if t.is_alive()}

    try:
        assert asyncio.run(main()) == before
    finally:
        pool.close()
    assert pool.worker_pids() == []


@pytest.mark.parametrize("size", [1, 3 * 1024 * 1024])
def test_pages_larger_than_the_socket_buffer_reach_the_worker_whole(size):
    body = PAGE_A.replace(b"</body>", b"<p>" + b"x" * size + b"</p></body>")
    pool = CleanerPool(1, 60.0, CleanConfig(), "scrapy_govclean.core.clean_page")
    try:
        inline = pool.clean_inline(body, "http://x.example/big.html", None)
        pooled = asyncio.run(pool.clean(body, "http://x.example/big.html", None))
        assert pooled.error is None and pooled.result.text == inline.result.text
    finally:
        pool.close()
