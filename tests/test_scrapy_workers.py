"""Cleaning off the reactor: the worker pool, the per-page time limit, core failures."""
from __future__ import annotations

import json
import time

from scrapy_pages import DOC_A, DOC_B, official_page, republished_page

NO_DEDUPE = {"ITEM_PIPELINES": {"scrapy_govclean.SimhashDedupePipeline": None}}


def test_worker_pool_cleans_like_inline(http_server, run_crawl):
    urls = [http_server.add(f"/p{i}.html", republished_page(DOC_A if i % 2 else DOC_B).encode("utf-8"))
            for i in range(6)]
    pooled = run_crawl(urls, settings={**NO_DEDUPE, "GOVCLEAN_WORKERS": 2}, wait=False)
    inline = run_crawl(urls, settings={**NO_DEDUPE, "GOVCLEAN_WORKERS": 0})
    pooled = pooled.result()
    assert pooled.returncode == 0 and inline.returncode == 0, pooled.log + inline.log
    assert pooled.stats["govclean/pages"] == 6
    a, b = pooled.by_url(), inline.by_url()
    for url in urls:
        assert a[url]["text"] == b[url]["text"] and a[url]["simhash"] == b[url]["simhash"]
    assert "Traceback" not in pooled.log


def test_workers_fingerprint_for_the_dedupe_pipeline_with_the_same_verdicts(http_server, run_crawl):
    """With workers, the dedupe pipeline takes the worker's fingerprint: same verdicts as inline."""
    urls = [http_server.add(f"/d{i}.html", republished_page(DOC_A if i % 3 else DOC_B).encode("utf-8"))
            for i in range(6)]
    keep = {"GOVCLEAN_INDEX": "memory://", "GOVCLEAN_DUPLICATES": "keep", "CONCURRENT_REQUESTS": 1}
    pooled = run_crawl(urls, settings={**keep, "GOVCLEAN_WORKERS": 2})
    inline = run_crawl(urls, settings={**keep, "GOVCLEAN_WORKERS": 0})
    assert pooled.returncode == 0 and inline.returncode == 0, pooled.log + inline.log
    assert pooled.stats["govclean/dedupe/fingerprinted_in_workers"] == 6
    assert "govclean/dedupe/fingerprinted_in_workers" not in inline.stats
    assert pooled.stats["govclean/duplicates"] == inline.stats["govclean/duplicates"] == 4
    doc_of = {url: i % 3 != 0 for i, url in enumerate(urls)}  # True: DOC_A, False: DOC_B
    a, b = pooled.by_url(), inline.by_url()
    for url in urls:
        assert a[url]["simhash"] == b[url]["simhash"]
        for items in (a, b):  # pages finish in another order with workers: same groups, any first
            original = items[url]["duplicate_of"]
            assert original is None or doc_of[original] == doc_of[url]


def test_hung_page_times_out_without_hanging_the_crawl(http_server, run_crawl, tmp_path):
    hang = http_server.add("/hang.html", official_page(DOC_A).encode("utf-8"))
    urls = [http_server.add(f"/ok{i}.html", republished_page(DOC_B).encode("utf-8")) for i in range(4)]
    rejects = tmp_path / "rejects.jsonl"
    started = time.monotonic()
    res = run_crawl([hang, *urls], settings={
        **NO_DEDUPE, "GOVCLEAN_WORKERS": 2, "GOVCLEAN_TIMEOUT": 1.5,
        "GOVCLEAN_CLEANER": "govclean_test_cleaners.hanging", "GOVCLEAN_REJECTS_URI": str(rejects),
    }, timeout=90)
    elapsed = time.monotonic() - started
    assert res.returncode == 0, res.log
    items = res.by_url()
    assert items[hang]["govclean_error"] == "timeout" and "text" not in items[hang]
    for url in urls:
        assert items[url]["is_gov"] is True, url  # the others were cleaned (retried on a fresh pool)
    assert res.stats["govclean/skipped/timeout"] == 1
    assert res.stats["govclean/pages"] == 4
    assert "GOVCLEAN_TIMEOUT=1.5s" in res.log
    (line,) = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert line["reason"] == "timeout" and line["url"] == hang and line["action"] == "passed"
    assert elapsed < 60


def test_pages_queued_behind_slow_ones_do_not_time_out(http_server, run_crawl):
    """One worker, six pages of 0.8 s each in flight together (4.8 s of work), a 1.5 s limit:
    a page's clock starts when the worker starts it, so none is a timeout."""
    urls = [http_server.add(f"/slow{i}.html", republished_page(DOC_B).encode("utf-8")) for i in range(6)]
    res = run_crawl(urls, settings={
        **NO_DEDUPE, "GOVCLEAN_WORKERS": 1, "GOVCLEAN_TIMEOUT": 1.5, "CONCURRENT_REQUESTS": 16,
        "GOVCLEAN_CLEANER": "govclean_test_cleaners.slow",
    }, timeout=90)
    assert res.returncode == 0, res.log
    assert res.stats["govclean/pages"] == 6, res.log
    assert "govclean/skipped/timeout" not in res.stats
    assert res.stats["govclean/clean_seconds"] >= 6 * 0.8  # they did run one after another
    assert all(item["is_gov"] is True for item in res.by_url().values())


def test_core_exception_is_a_counted_skip_not_a_crash(http_server, run_crawl):
    boom = http_server.add("/boom.html", official_page(DOC_A).encode("utf-8"))
    ok = http_server.add("/ok.html", official_page(DOC_A).encode("utf-8"))
    crawls = {workers: run_crawl([boom, ok], wait=False, settings={
        **NO_DEDUPE, "GOVCLEAN_WORKERS": workers, "GOVCLEAN_CLEANER": "govclean_test_cleaners.failing",
    }) for workers in (0, 1)}
    for workers, crawl in crawls.items():
        res = crawl.result()
        assert res.returncode == 0, res.log
        items = res.by_url()
        assert items[boom]["govclean_error"] == "core_error", workers
        assert items[ok]["is_gov"] is True, workers
        assert res.stats["govclean/skipped/core_error"] == 1
        assert "core exploded on purpose" in res.log
        assert "skipped 1 (core_error: 1)" in res.log


def test_pool_and_time_limit_work_under_a_non_asyncio_reactor(http_server, run_crawl):
    """Without asyncio the middleware awaits Deferreds instead of asyncio futures."""
    hang = http_server.add("/hang.html", official_page(DOC_A).encode("utf-8"))
    ok = http_server.add("/ok.html", republished_page(DOC_B).encode("utf-8"))
    res = run_crawl([hang, ok], settings={
        **NO_DEDUPE, "TWISTED_REACTOR": "twisted.internet.selectreactor.SelectReactor",
        "GOVCLEAN_WORKERS": 1, "GOVCLEAN_TIMEOUT": 1.5, "GOVCLEAN_CLEANER": "govclean_test_cleaners.hanging",
    }, timeout=90)
    assert res.returncode == 0, res.log
    assert "SelectReactor" in res.log
    items = res.by_url()
    assert items[hang]["govclean_error"] == "timeout" and items[ok]["is_gov"] is True


def test_worker_processes_run_nicer_than_the_crawl():
    """The pool's workers yield the CPU to the crawl process (whose reactor feeds them)."""
    import asyncio
    import os

    from scrapy_govclean.result import CleanConfig
    from scrapy_govclean.workers import WORKER_NICE, CleanerPool

    pool = CleanerPool(1, 30.0, CleanConfig(), "scrapy_govclean.core.clean_page")
    try:
        outcome = asyncio.run(pool.clean(b"<html><body><p>x</p></body></html>", "http://127.0.0.1/", None))
        assert outcome.error is None, outcome
        (pid,) = pool.worker_pids()
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICE, 19)
    finally:
        pool.close()


def test_start_requests_reach_scrapy_one_per_event_loop_turn(http_server, run_crawl):
    """While the crawl backs out (one request at a time here), Scrapy reads start() without
    returning to the event loop; the middleware gives the loop a turn between start requests,
    so a long start list cannot freeze the reactor. With the plugin off they come back to back."""
    urls = [http_server.add(f"/start{i}.html", republished_page(DOC_B).encode("utf-8")) for i in range(30)]
    slow = {**NO_DEDUPE, "CONCURRENT_REQUESTS": 1}
    on = run_crawl(urls, settings=slow, count_loop_turns=True, wait=False)
    off = run_crawl(urls, settings={**slow, "ADDONS": {}}, count_loop_turns=True)
    on = on.result()
    assert on.returncode == 0 and off.returncode == 0, on.log + off.log
    assert on.stats["govclean/pages"] == 30
    assert off.stats["test/start_requests_back_to_back"] > 10  # Scrapy's own behaviour
    assert on.stats["test/start_requests_back_to_back"] == 0


def test_start_up_heap_is_frozen_while_the_spider_is_open(http_server, run_crawl):
    urls = [http_server.add(f"/gc{i}.html", republished_page(DOC_A).encode("utf-8")) for i in range(2)]
    frozen = run_crawl(urls, settings=NO_DEDUPE, wait=False)
    not_frozen = run_crawl(urls, settings={**NO_DEDUPE, "GOVCLEAN_GC_FREEZE": "off"})
    frozen = frozen.result()
    assert frozen.returncode == 0 and not_frozen.returncode == 0, frozen.log + not_frozen.log
    # the extractor, Scrapy and Twisted are imported by then: far more than a bare interpreter
    assert frozen.stats["govclean/gc_frozen_objects"] > 50_000
    assert "govclean/gc_frozen_objects" not in not_frozen.stats
    assert frozen.stats["govclean/codecs_imported"] == not_frozen.stats["govclean/codecs_imported"] > 50
    assert frozen.stats["govclean/gc_full_collection_every"] == 100  # full collections ten times rarer
    assert "govclean/gc_full_collection_every" not in not_frozen.stats
    assert frozen.stats["govclean/pages"] == not_frozen.stats["govclean/pages"] == 2


_CODEC_PROBE = """
import sys
from scrapy.http import HtmlResponse
from scrapy_govclean.stalls import import_codecs
if sys.argv[1] == "warm":
    import_codecs()
before = {m for m in sys.modules if m.startswith("encodings.")}
body = "<html><body><p>关于进一步做好劳务派遣用工管理工作的通知</p></body></html>".encode("gbk") * 40
HtmlResponse("http://127.0.0.1/x", body=body, headers={"Content-Type": "text/html"}).text
print(len({m for m in sys.modules if m.startswith("encodings.")} - before))
"""


def test_codecs_for_charset_guessing_are_imported_before_downloads():
    """Scrapy guesses an undeclared charset on the reactor thread, importing each codec it
    tries; the plugin imports them when the spider opens, so that happens before downloads."""
    import subprocess
    import sys

    def imported_by_a_guess(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", _CODEC_PROBE, mode], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return int(out.stdout.split()[-1])

    assert imported_by_a_guess("cold") > 0  # what a crawl would import under its first responses
    assert imported_by_a_guess("warm") == 0
