"""SimhashDedupePipeline and GovCleanPipeline in real crawls: drop/keep, KEEP filters,
the rejects feed, stored-HTML items, and the index failing at start or mid-crawl."""
from __future__ import annotations

import json
from pathlib import Path

from scrapy_pages import DOC_A, DOC_B, NO_DOC_HTML, official_page, republished_page

OFFICIAL = "http://www.lg.gov.cn/lgrlzyj/gkmlpt/content/9/9310/post_9310221.html"
COPY1 = "http://www.szldpq.com/news/zcfg/2022/0701/1777.html"
COPY2 = "http://bbs.hrjia.cn/thread-50001-1-1.html"
OTHER = "http://www.szldpq.com/news/zcfg/2023/0901/2401.html"  # DOC_B, a different document
ABOUT = "http://www.szldpq.com/about/"  # no government document


def _serve(server) -> None:
    server.add(OFFICIAL, official_page(DOC_A).encode("utf-8"), "text/html; charset=utf-8")
    server.add(COPY1, republished_page(DOC_A).encode("utf-8"), "text/html")
    server.add(COPY2, republished_page(DOC_A, meta_charset=None, site="人力资源论坛").encode("gbk"),
               "text/html; charset=gbk")
    server.add(OTHER, republished_page(DOC_B).encode("utf-8"), "text/html; charset=utf-8")
    server.add(ABOUT, NO_DOC_HTML.encode("utf-8"), "text/html; charset=utf-8")


def _rejects(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_drop_collapses_copies_into_one_record_and_logs_the_rest(http_server, run_crawl, tmp_path):
    _serve(http_server)
    rejects = tmp_path / "rejects.jsonl"
    # official page first, then its copies: the official copy is the record.
    res = run_crawl([OFFICIAL], follow={OFFICIAL: [COPY1, COPY2, OTHER]}, proxy=http_server.base_url,
                    settings={"GOVCLEAN_REJECTS_URI": f"file://{rejects}"}, item="item")
    assert res.returncode == 0, res.log
    items = res.by_url()
    assert set(items) == {OFFICIAL, OTHER}
    assert items[OFFICIAL]["duplicate_of"] is None and items[OFFICIAL]["canonical_url"] == OFFICIAL
    assert items[OTHER]["duplicate_of"] is None and items[OTHER]["canonical_url"] == OTHER
    assert items[OFFICIAL]["govclean_unchecked"] is False
    lines = _rejects(rejects)
    assert sorted(line["url"] for line in lines) == sorted([COPY1, COPY2])
    for line in lines:
        assert set(line) >= {"reason", "url", "item", "time"}
        assert line["reason"] == "duplicate" and line["action"] == "dropped"
        assert line["item"]["duplicate_of"] == OFFICIAL and line["item"]["canonical_url"] == OFFICIAL
        assert line["item"]["title"] == DOC_A["title"]  # the whole item is kept in the feed
    assert res.stats["govclean/duplicates"] == 2
    assert res.stats["govclean/dropped/duplicate"] == 2
    assert "dropped 2 (duplicate: 2)" in res.log


def test_keep_marks_copies_and_the_official_copy_becomes_canonical(http_server, run_crawl):
    _serve(http_server)
    # a commercial copy first, then the official page, then another copy (a chain, so in order)
    res = run_crawl([COPY1], follow={COPY1: [OFFICIAL], OFFICIAL: [COPY2]}, proxy=http_server.base_url,
                    settings={"GOVCLEAN_DUPLICATES": "keep"})
    assert res.returncode == 0, res.log
    items = res.by_url()
    assert set(items) == {COPY1, OFFICIAL, COPY2}
    assert items[COPY1]["duplicate_of"] is None and items[COPY1]["canonical_url"] == COPY1
    assert items[OFFICIAL]["duplicate_of"] == COPY1 and items[OFFICIAL]["canonical_url"] == OFFICIAL
    assert items[COPY2]["duplicate_of"] == COPY1 and items[COPY2]["canonical_url"] == OFFICIAL
    assert res.stats["govclean/duplicates"] == 2
    assert not any(k.startswith("govclean/dropped/") for k in res.stats)


def test_keep_filters_gov_and_republished(http_server, run_crawl, tmp_path):
    _serve(http_server)
    urls = [OFFICIAL, OTHER, ABOUT]
    cases = {
        "all": ({OFFICIAL, OTHER, ABOUT}, {}),
        "gov": ({OFFICIAL, OTHER}, {ABOUT: "not_gov"}),
        "republished": ({OTHER}, {ABOUT: "not_gov", OFFICIAL: "not_republished"}),
    }
    crawls = {
        keep: run_crawl(urls, proxy=http_server.base_url, wait=False, settings={
            "GOVCLEAN_KEEP": keep, "GOVCLEAN_REJECTS_URI": str(tmp_path / f"rejects-{keep}.jsonl")})
        for keep in cases
    }
    for keep, (expected, dropped) in cases.items():
        res = crawls[keep].result()
        assert res.returncode == 0, res.log
        assert set(res.by_url()) == expected, keep
        assert {line["url"]: line["reason"] for line in _rejects(tmp_path / f"rejects-{keep}.jsonl")} == dropped, keep
        for reason in set(dropped.values()):
            assert res.stats[f"govclean/dropped/{reason}"] == list(dropped.values()).count(reason)


def test_govclean_pipeline_cleans_items_carrying_raw_html(http_server, run_crawl):
    """Items built from stored pages: no spider middleware, the HTML is in an item field."""
    _serve(http_server)
    res = run_crawl([OFFICIAL, ABOUT], proxy=http_server.base_url, html_field="raw_html", item="item",
                    settings={"GOVCLEAN_HTML_FIELD": "raw_html", "GOVCLEAN_KEEP": "gov",
                              "SPIDER_MIDDLEWARES": {"scrapy_govclean.GovCleanSpiderMiddleware": None}})
    assert res.returncode == 0, res.log
    (item,) = res.items  # the non-government page was filtered by GOVCLEAN_KEEP
    assert item["url"] == OFFICIAL and item["title"] == DOC_A["title"] and item["is_gov"] is True
    assert item["provenance"]["official_site"] is True and item["duplicate_of"] is None
    assert res.stats["govclean/pages"] == 2 and res.stats["govclean/dropped/not_gov"] == 1


def test_items_without_text_pass_the_dedupe_pipeline(http_server, run_crawl):
    pdf = http_server.add("/f.pdf", b"%PDF-1.4\n", "application/pdf")
    res = run_crawl([pdf, pdf.replace("/f.pdf", "/f.pdf?again")])
    assert res.returncode == 0, res.log
    assert len(res.items) == 2 and all("duplicate_of" not in i for i in res.items)
    assert res.stats["govclean/skipped/no_text"] == 2


def test_persistent_index_remembers_the_previous_crawl(http_server, run_crawl, tmp_path):
    _serve(http_server)
    index = f"sqlite:///{tmp_path / 'idx' / 'index.sqlite3'}"
    settings = {"GOVCLEAN_INDEX": index, "GOVCLEAN_DUPLICATES": "keep"}
    first = run_crawl([OFFICIAL, OTHER], proxy=http_server.base_url, settings=settings)
    second = run_crawl([OFFICIAL, OTHER, COPY1], proxy=http_server.base_url, settings=settings)
    assert first.returncode == 0 and second.returncode == 0, first.log + second.log
    assert all(i["duplicate_of"] is None for i in first.items)
    again = second.by_url()
    for url in (OFFICIAL, OTHER):
        assert again[url]["duplicate_of"] == url  # yesterday's documents are not new today
    assert again[COPY1]["duplicate_of"] == OFFICIAL and again[COPY1]["canonical_url"] == OFFICIAL
