"""SimhashDedupePipeline with a Redis index in real crawls: unreachable at start (the crawl
stops with a clear, redacted message) and lost mid-crawl (items kept, marked unchecked)."""
from __future__ import annotations

from conftest import free_port
from test_scrapy_addon import SCRAPY_VERSION
from scrapy_pages import DOC_A, official_page, republished_page
from test_scrapy_pipelines import OFFICIAL, OTHER, _rejects, _serve


def test_unreachable_index_stops_the_crawl_with_a_redacted_message(http_server, run_crawl):
    url = http_server.add("/a.html", official_page(DOC_A).encode("utf-8"))
    res = run_crawl([url], settings={"GOVCLEAN_INDEX": f"redis://:hunter2@127.0.0.1:{free_port()}/0"})
    assert res.items == []
    assert "near-duplicate index redis://:***@127.0.0.1" in res.log and "unreachable" in res.log
    assert "hunter2" not in res.log
    if SCRAPY_VERSION >= (2, 14):  # older Scrapy fails the start instead of closing with a reason
        assert res.stats.get("finish_reason") == "govclean_index_unavailable"
    assert http_server.hits == {}


def test_index_lost_mid_crawl_keeps_items_marked_unchecked(http_server, run_crawl, redis_server, tmp_path):
    """Redis dies while the crawl runs: later items are kept, marked, counted, logged, audited."""
    _serve(http_server)
    kill = "http://www.szldpq.com/kill-redis.html"
    http_server.add(kill, republished_page(DOC_A).encode("utf-8"), on_hit=redis_server.stop)
    rejects = tmp_path / "rejects.jsonl"
    res = run_crawl([OFFICIAL], follow={OFFICIAL: [kill], kill: [OTHER]}, proxy=http_server.base_url,
                    settings={"GOVCLEAN_INDEX": redis_server.url, "GOVCLEAN_REJECTS_URI": str(rejects)},
                    timeout=180)
    assert res.returncode == 0, res.log
    items = res.by_url()
    assert set(items) == {OFFICIAL, kill, OTHER}  # nothing dropped or lost
    assert items[OFFICIAL]["govclean_unchecked"] is False
    for url in (kill, OTHER):
        assert items[url]["govclean_unchecked"] is True and items[url]["duplicate_of"] is None
    assert res.stats["govclean/skipped/index_unavailable"] == 2
    assert "near-duplicate index is unavailable" in res.log
    assert {line["url"] for line in _rejects(rejects)} == {kill, OTHER}
