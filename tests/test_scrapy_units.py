"""In-process checks of pieces a crawl cannot easily reach: the synchronous middleware path
(older Scrapy chains), the blocking pool path with a hung worker, the summary line and
field handling of exotic items."""
from __future__ import annotations

import dataclasses
import json
import time

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, TextResponse
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy_pages import DOC_A, official_page

from scrapy_govclean.items import apply_fields
from scrapy_govclean.middleware import GovCleanSpiderMiddleware, header_charset
from scrapy_govclean.result import CleanConfig
from scrapy_govclean.stats import summary
from scrapy_govclean.workers import CleanerPool


class _Stats:
    """The slice of Scrapy's stats collector the plugin uses."""

    def __init__(self) -> None:
        self.values: dict = {}

    def inc_value(self, key, count=1, start=0):
        self.values[key] = self.values.get(key, start) + count

    def get_value(self, key, default=None):
        return self.values.get(key, default)

    def set_value(self, key, value):
        self.values[key] = value

    def get_stats(self):
        return dict(self.values)


class _Crawler:
    """Just enough crawler for from_crawler(), without a reactor (works on every Scrapy)."""

    def __init__(self, settings: dict) -> None:
        self.settings = Settings(settings)
        self.stats = _Stats()
        self.signals = SignalManager(self)
        self.spider = Spider(name="unit")


def _response(url: str = "http://www.lg.gov.cn/a.html", ctype: str = "text/html; charset=utf-8",
              cls: type = HtmlResponse, **meta) -> HtmlResponse:
    request = Request(url, meta=meta)
    return cls(url, body=official_page(DOC_A).encode("utf-8"), headers={"Content-Type": ctype}, request=request)


def test_sync_process_spider_output_cleans_once_and_passes_requests():
    crawler = _Crawler({"GOVCLEAN_WORKERS": 0})
    mw = GovCleanSpiderMiddleware.from_crawler(crawler)
    follow = Request("http://www.lg.gov.cn/next.html")
    out = list(mw.process_spider_output(_response(), [{"n": 1}, follow, {"n": 2}]))
    assert out[1] is follow
    assert out[0]["title"] == out[2]["title"] == DOC_A["title"]
    assert crawler.stats.get_value("govclean/pages") == 1
    assert list(mw.process_spider_output(_response(govclean=False), [{"n": 3}])) == [{"n": 3}]
    json_resp = _response(ctype="application/json", cls=TextResponse)
    assert list(mw.process_spider_output(json_resp, [{"n": 4}])) == [{"n": 4}]
    assert crawler.stats.get_value("govclean/skipped/opt_out") == 1
    assert crawler.stats.get_value("govclean/skipped/non_html") == 1
    mw.spider_closed()


def test_middleware_and_pipeline_share_one_warm_start():
    from scrapy_govclean.pipelines import GovCleanPipeline

    crawler = _Crawler({"GOVCLEAN_WORKERS": 0})
    mw = GovCleanSpiderMiddleware.from_crawler(crawler)
    pipe = GovCleanPipeline.from_crawler(crawler)
    assert mw.cleaning.warm_start is pipe.cleaning.warm_start  # the heap is frozen once


def test_header_charset_is_passed_as_written():
    assert header_charset(_response(ctype="text/html; charset=GB2312")) == "gb2312"
    assert header_charset(_response(ctype='text/html; charset="x-bogus"')) == "x-bogus"
    assert header_charset(_response(ctype="text/html")) is None


def test_blocking_pool_kills_a_hung_worker_and_recovers():
    pool = CleanerPool(1, 1.0, CleanConfig(), "govclean_test_cleaners.hanging")
    try:
        page = official_page(DOC_A).encode("utf-8")
        started = time.monotonic()
        hung = pool.clean_blocking(page, "http://x.example/hang.html", "utf-8")
        assert hung.error == "timeout" and hung.result is None
        assert time.monotonic() - started < 60  # includes the pool's start-up
        ok = pool.clean_blocking(page, "http://x.example/ok.html", "utf-8")
        assert ok.error is None and ok.result.title == DOC_A["title"]
        assert pool.restarts == 1
    finally:
        pool.close()


def test_inline_pool_reports_core_errors():
    pool = CleanerPool(0, 5.0, CleanConfig(), "govclean_test_cleaners.failing")
    out = pool.clean_inline(b"<html></html>", "http://x.example/boom", None)
    assert out.error == "core_error" and "exploded" in out.detail


def test_frozen_dataclass_fields_are_reported_missing_not_raised():
    @dataclasses.dataclass(frozen=True)
    class Frozen:
        url: str
        text: str | None = None

    assert apply_fields(Frozen("u"), {"text": "t", "title": "x"}, overwrite=False) == ["text", "title"]


def test_summary_line_says_what_and_why():
    line = summary({
        "govclean/pages": 10, "govclean/gov_pages": 7, "govclean/republished": 4, "govclean/clean_seconds": 1.5,
        "govclean/duplicates": 3, "govclean/dropped/duplicate": 3, "govclean/dropped/not_gov": 1,
        "govclean/skipped/non_html": 2, "govclean/skipped/timeout": 1,
    })
    assert line == ("govclean: cleaned 10 pages (7 government, 4 republished) in 1.50 s; 3 near-duplicates; "
                    "dropped 4 (duplicate: 3, not_gov: 1); skipped 3 (non_html: 2, timeout: 1)")


def test_rejects_feed_never_fails_on_odd_items(tmp_path):
    from scrapy_govclean.rejects import RejectsWriter

    loop: dict = {"url": "http://a.example/"}
    loop["self"] = loop
    writer = RejectsWriter(str(tmp_path / "sub" / "rejects.jsonl"))
    writer.write("duplicate", loop, "http://a.example/")
    writer.write("not_gov", {"raw": b"\xe4\xb8\xad", "tags": {"x"}}, "http://b.example/")
    writer.close()
    lines = [json.loads(x) for x in (tmp_path / "sub" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["reason"] for line in lines] == ["duplicate", "not_gov"]
    assert lines[1]["item"] == {"raw": "中", "tags": ["x"]}
    assert set(lines[0]) >= {"reason", "url", "item", "time"}


def test_feature_handoff_is_bounded_and_keyed_by_the_exact_text():
    from scrapy_govclean.dedupe import text_features
    from scrapy_govclean.handoff import FeatureHandoff

    handoff = FeatureHandoff(size=3)
    texts = [f"第{i}号文件的正文内容" * 30 for i in range(5)]
    for text in texts:
        handoff.put(text, text_features(text))
    assert len(handoff) == 3
    assert handoff.get(texts[0]) is None and handoff.get(texts[1]) is None  # the oldest went
    assert handoff.get(texts[4]) == text_features(texts[4])
    assert handoff.get(texts[4] + " ") is None  # a changed text is fingerprinted again
    assert (handoff.hits, handoff.misses) == (1, 3)


def test_collector_thresholds_are_put_back_when_the_spider_closes():
    import gc

    from scrapy_govclean.stalls import FULL_COLLECTION_EVERY, WarmStart

    before = gc.get_threshold()
    warm = WarmStart(_Crawler({}), freeze_heap=True)
    try:
        warm.spider_opened()
        assert gc.get_threshold() == (before[0], before[1], FULL_COLLECTION_EVERY) and gc.get_freeze_count() > 0
    finally:
        warm.spider_closed()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
