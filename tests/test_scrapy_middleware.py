"""GovCleanSpiderMiddleware in real crawls against a local HTTP server."""
from __future__ import annotations

from scrapy_pages import DOC_A, DOC_B, official_page, republished_page

NO_DEDUPE = {"ITEM_PIPELINES": {"scrapy_govclean.SimhashDedupePipeline": None}}
CLEAN_KEYS = ("text", "title", "is_gov", "gov_score", "provenance", "noise", "simhash")


def test_utf8_and_gbk_pages_with_and_without_header_charset(http_server, run_crawl):
    """Every encoding case decodes to the same clean document; items get all clean fields."""
    a_utf8 = republished_page(DOC_A).encode("utf-8")
    a_gbk = republished_page(DOC_A, meta_charset=None).encode("gbk")
    urls = {
        "utf8_header": http_server.add("/utf8-header.html", a_utf8, "text/html; charset=utf-8"),
        "utf8_bare": http_server.add("/utf8-bare.html", a_utf8, "text/html"),
        "gbk_header": http_server.add("/gbk-header.html", a_gbk, "text/html; charset=GBK"),
        "gbk_bare": http_server.add("/gbk-bare.html", a_gbk, "text/html"),
        # The header lies: it says UTF-8, the bytes are GBK.
        "gbk_lying": http_server.add("/gbk-lying.html", a_gbk, "text/html; charset=utf-8"),
    }
    res = run_crawl(list(urls.values()), settings=NO_DEDUPE)
    assert res.returncode == 0, res.log
    items = res.by_url()
    assert set(items) == set(urls.values())
    texts = set()
    for name, url in urls.items():
        item = items[url]
        for key in CLEAN_KEYS:
            assert key in item, (name, key)
        assert item["is_gov"] is True, name
        assert item["title"] == DOC_A["title"], name
        assert "收悉" in item["text"] and "\ufffd" not in item["text"], name
        assert item["provenance"]["url"] == url
        texts.add(item["text"])
    assert len(texts) == 1  # one document, whatever the encoding
    stats = res.govclean_stats()
    assert stats["govclean/pages"] == 5
    assert stats["govclean/gov_pages"] == 5
    assert stats["govclean/clean_seconds"] > 0
    assert stats["govclean/noise/disclaimer"] >= 5
    assert "govclean: cleaned 5 pages" in res.log


def test_page_is_cleaned_once_for_many_items_and_spider_fields_win(http_server, run_crawl):
    url = http_server.add("http://www.lg.gov.cn/lgrlzyj/a.html", official_page(DOC_A).encode("utf-8"))
    res = run_crawl([url], settings=NO_DEDUPE, items_per_page=3, preset={"title": "set by the spider"},
                    proxy=http_server.base_url)
    assert res.returncode == 0, res.log
    assert len(res.items) == 3
    assert res.stats["govclean/pages"] == 1  # cleaned once, not three times
    for item in res.items:
        assert item["title"] == "set by the spider"  # GOVCLEAN_OVERWRITE is False
        assert item["simhash"] == res.items[0]["simhash"]
        assert item["provenance"]["official_site"] is True


def test_overwrite_setting_lets_the_plugin_replace_spider_fields(http_server, run_crawl):
    url = http_server.add("/a.html", official_page(DOC_A).encode("utf-8"))
    res = run_crawl([url], settings={**NO_DEDUPE, "GOVCLEAN_OVERWRITE": True}, preset={"title": "mine"})
    assert res.returncode == 0, res.log
    assert res.items[0]["title"] == DOC_A["title"]


def test_item_subclass_of_govcleanitem_gets_every_field(http_server, run_crawl):
    url = http_server.add("/b.html", republished_page(DOC_B).encode("utf-8"))
    res = run_crawl([url], settings=NO_DEDUPE, item="item")
    assert res.returncode == 0, res.log
    (item,) = res.items
    assert item["is_gov"] is True and item["provenance"]["republished"] is True
    assert item["title"] == DOC_B["title"]


def test_items_without_the_fields_keep_what_fits_and_count_the_rest(http_server, run_crawl):
    """A bare scrapy.Item and a dataclass lacking fields: no crash, a counted skip, a log line."""
    url = http_server.add("/a.html", official_page(DOC_A).encode("utf-8"))
    crawls = {kind: run_crawl([url], settings=NO_DEDUPE, item=kind, wait=False)
              for kind in ("bare_item", "dataclass", "attrs")}
    for kind, crawl in crawls.items():
        res = crawl.result()
        assert res.returncode == 0, res.log
        (item,) = res.items
        assert item["title"] == DOC_A["title"], kind
        assert "收悉" in item["text"], kind
        assert "noise" not in item, kind
        assert res.stats["govclean/skipped/missing_field"] == 1, kind
        assert "has no field 'noise'" in res.log, kind
        assert "Traceback" not in res.log, kind


def test_non_html_and_opted_out_responses_pass_untouched(http_server, run_crawl):
    pdf = http_server.add("/file.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf")
    js = http_server.add("/data.json", '{"title": "通知"}'.encode(), "application/json")
    optout = http_server.add("/optout.html", official_page(DOC_A).encode("utf-8"))
    page = http_server.add("/page.html", official_page(DOC_A).encode("utf-8"))
    res = run_crawl([pdf, js, optout, page], settings=NO_DEDUPE, meta={optout: {"govclean": False}})
    assert res.returncode == 0, res.log
    items = res.by_url()
    for url in (pdf, js, optout):
        assert set(items[url]) == {"url", "n"}, url  # untouched
    assert items[page]["is_gov"] is True
    assert res.stats["govclean/skipped/non_html"] == 2
    assert res.stats["govclean/skipped/opt_out"] == 1
    assert res.stats["govclean/pages"] == 1
    assert "skipped 3 (non_html: 2, opt_out: 1)" in res.log


def test_oversized_body_passes_uncleaned_with_reason(http_server, run_crawl, tmp_path):
    big = http_server.add("/big.html", official_page(DOC_A).encode("utf-8"))
    rejects = tmp_path / "rejects.jsonl"
    res = run_crawl([big], settings={**NO_DEDUPE, "GOVCLEAN_MAX_PAGE_BYTES": 1000,
                                     "GOVCLEAN_REJECTS_URI": str(rejects)})
    assert res.returncode == 0, res.log
    (item,) = res.items
    assert item["govclean_error"] == "too_large" and "text" not in item
    assert res.stats["govclean/skipped/too_large"] == 1
    assert "GOVCLEAN_MAX_PAGE_BYTES=1000" in res.log
    import json

    (line,) = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert line["reason"] == "too_large" and line["action"] == "passed" and line["url"] == big
