"""Property tests of the spider middleware on hostile pages (issue 6).

Two ways in, both with real components:

* in-process: a real Scrapy Crawler (``scrapy.utils.test.get_crawler``: real settings, stats
  and signals), the real GovCleanSpiderMiddleware built by ``from_crawler``, real
  ``HtmlResponse`` / ``TextResponse`` / ``Response`` objects with hostile bodies and
  Content-Type headers, through both the synchronous and the asynchronous output path;
* a real crawl of generated hostile pages served by the local HTTP server.

Invariants (tests/hostile.py, ``MiddlewareHarness``): no exception escapes; every item and
request comes out, in order, unchanged in identity; items of an HTML page get every clean
field (or ``govclean_error`` with a known reason), items of other responses are untouched;
the clean text invents nothing; each page is counted once in the stats; every item passed
on uncleaned is in the rejects feed; the summary line counts the skips.
"""
from __future__ import annotations

import json
import random

import hostile
from hypothesis import given, strategies as st


def _run(tmp_path_factory, extra: dict, served_list, flags) -> dict:
    rejects = tmp_path_factory.mktemp("mw") / "rejects.jsonl"
    harness = hostile.MiddlewareHarness(rejects, **extra)
    try:
        for served, use_async in zip(served_list, flags):
            harness.feed(served, use_async=use_async)
    finally:
        stats = harness.finish()
    return stats


@hostile.ci_settings(60)
@given(st.lists(hostile.served_pages(), min_size=1, max_size=4), st.lists(st.booleans(), min_size=4, max_size=4))
def test_middleware_on_hostile_responses(tmp_path_factory, served_list, flags):
    _run(tmp_path_factory, {}, served_list, flags)


@hostile.ci_settings(15)
@given(st.lists(hostile.served_pages(), min_size=1, max_size=4), st.lists(st.booleans(), min_size=4, max_size=4))
def test_middleware_limits_under_hostile_responses(tmp_path_factory, served_list, flags):
    """A small page limit and a time limit nearly every page exceeds: they pass on
    uncleaned, counted and in the rejects feed, nothing lost."""
    _run(tmp_path_factory, {"GOVCLEAN_MAX_PAGE_BYTES": 20_000, "GOVCLEAN_TIMEOUT": 0.001}, served_list, flags)


def test_crawl_of_generated_hostile_pages(http_server, run_crawl, tmp_path):
    """A real crawl over a few hostile pages of every kind: every item arrives, nothing
    raises, every page is counted once, every uncleaned item is audited."""
    rnd = random.Random(6)
    fixtures = hostile.fixture_pages()
    bodies: dict[str, tuple[bytes, str | None]] = {}
    for i in range(6):
        base = fixtures[rnd.randrange(len(fixtures))]
        body = hostile.tag_soup(base.body, rnd.randrange(2**32), 40)
        body = hostile.deep_nesting(body, rnd.choice((300, 5000, 20000)), rnd.choice(hostile.DEEP_TAGS), 0.3, i % 2 == 0)
        body = hostile.invalid_bytes(body, rnd.randrange(2**32), 50)
        body = hostile.truncate(body, 0.5 + rnd.random() / 2)
        bodies[f"/mutated{i}.html"] = (body, base.content_type)
    bodies["/nul.html"] = (hostile.nul_bytes(fixtures[0].body, 1, 500), "text/html")
    bodies["/huge-line.html"] = (hostile.huge_line(fixtures[1].body, 1_500_000, "深圳市人民政府关于印发", 0.5), "text/html")
    bodies["/binary.html"] = (hostile.binary_body(b"\x89PNG\r\n\x1a\n", 3, 50_000), "text/html")
    bodies["/binary-utf8-header.html"] = (hostile.binary_body(b"%PDF-1.7\n", 4, 20_000), "text/html; charset=utf-8")
    bodies["/empty.html"] = (b"", "text/html")
    bodies["/spaces.html"] = (b" \n\t " * 1000, "text/html; charset=gbk")
    bodies["/lying.html"] = (hostile.reencode(fixtures[2].body, fixtures[2].declared, "big5"), "text/html; charset=utf-8")
    bodies["/unclosed-script.html"] = (hostile.unclosed(fixtures[3].body, b"<script>", 0.2), "text/html")
    bodies["/unclosed-comment.html"] = (hostile.unclosed(fixtures[4].body, b"<!--", 0.4), "text/html")
    bodies["/utf16-no-bom.html"] = (hostile.page_text(fixtures[5]).encode("utf-16-le"), "text/html")
    urls = {http_server.add(path, body, ctype): path for path, (body, ctype) in bodies.items()}
    rejects = tmp_path / "rejects.jsonl"
    res = run_crawl(list(urls), items_per_page=2, settings={
        "GOVCLEAN_REJECTS_URI": str(rejects), "GOVCLEAN_WORKERS": 1, "GOVCLEAN_TIMEOUT": 20,
        "ITEM_PIPELINES": {"scrapy_govclean.SimhashDedupePipeline": None},
    }, timeout=300)
    assert res.returncode == 0, res.log[-5000:]
    assert "Traceback" not in res.log and "ERROR" not in res.log, res.log[-5000:]
    assert sorted(i["url"] for i in res.items) == sorted(list(urls) * 2)  # nothing lost
    stats = res.govclean_stats()
    counted = stats.get("govclean/pages", 0) + sum(
        v for k, v in stats.items() if k.startswith("govclean/skipped/") and not k.endswith("missing_field"))
    assert counted == len(urls), stats  # each page once
    failed = [i for i in res.items if "govclean_error" in i]
    lines = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()] if rejects.exists() else []
    assert sorted(x["url"] for x in lines) == sorted(i["url"] for i in failed)
    for item in res.items:
        path = urls[item["url"]]
        if "text" in item:
            body, ctype = bodies[path]
            page = hostile.Page(body, hostile.header_charset(ctype))
            result = hostile.CleanResult(text=item["text"], warnings=item.get("govclean_warnings", []))
            assert hostile.invented(item["text"], hostile.page_text(page), result) < 0, path
    by_path = {urls[i["url"]]: i for i in res.items}
    assert by_path["/binary.html"]["is_gov"] is False and by_path["/binary.html"]["text"] == ""
    assert by_path["/empty.html"].get("text", "") == ""
    assert "govclean: cleaned" in res.log
