"""Limits and the audit trail under hostile input (issue 6), through real crawls where the
behaviour is the crawl's.

* GOVCLEAN_MAX_PAGE_BYTES: a larger body passes on uncleaned, counted, logged, in the
  rejects feed; the item is never lost; the limit's boundary.
* Nesting depth: markup nested 10,000+ deep neither crashes nor hangs clean_page and its
  text is kept (libxml2 alone stops at depth 256 and drops the rest of the page).
* GOVCLEAN_TIMEOUT: a page the real core takes too long on passes on uncleaned while the
  crawl goes on (worker pool: the worker is killed; inline: the result is discarded late).
* Huge pages: a 1 MB single-line page and a 10 MB page complete.
* No network access by the plugin: socket use outside 127.0.0.1 is audited (sys.addaudithook)
  in a clean_page run and in a whole crawl; external references in pages are never fetched.
* The audit trail: everything dropped or unprocessable is in the rejects feed with its
  reason and in the stats, and the summary log line says how many and why.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import hostile
import pytest
from scrapy_pages import DOC_A, DOC_B, NO_DOC_HTML, official_page, republished_page

from scrapy_govclean import clean_page
from scrapy_govclean.result import CleanConfig

NO_DEDUPE = {"ITEM_PIPELINES": {"scrapy_govclean.SimhashDedupePipeline": None}}
DOC_A_TEXT = DOC_A["paragraphs"][0]


def _rejects(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def heavy_page(target_chars: int) -> str:
    """A long page the real core needs seconds for: the letter, then thousands of varied
    paragraphs and list lines (no two alike, so nothing is short-cut as a repeat)."""
    parts = [republished_page(DOC_A).split("</body>")[0]]
    n = 0
    size = len(parts[0])
    while size < target_chars:
        chunk = (f"<div class=\"item\"><p>第{n}条 深圳市各区人民政府关于第{n}批职业技能培训补贴的公示,"
                 f"申请人{n % 97}号已于2023年{n % 12 + 1}月{n % 28 + 1}日提交材料,经审核符合条件。</p>"
                 f"<ul><li><a href=\"/n/{n}\">{n}. 劳务派遣行业资讯第{n}期</a></li>"
                 f"<li>浏览次数:{n * 7}</li></ul></div>\n")
        parts.append(chunk)
        size += len(chunk)
        n += 1
    return "".join(parts) + "</body></html>"


# --- GOVCLEAN_MAX_PAGE_BYTES ---------------------------------------------------------------


def test_default_page_limit_passes_a_6mb_body_on_uncleaned(http_server, run_crawl, tmp_path):
    padding = "<!-- " + "x" * (6 * 1024 * 1024) + " -->"
    big_body = official_page(DOC_A).replace("</body>", padding + "</body>").encode("utf-8")
    assert len(big_body) > 5 * 1024 * 1024
    big = http_server.add("/big.html", big_body)
    ok = http_server.add("/ok.html", official_page(DOC_B).encode("utf-8"))
    rejects = tmp_path / "rejects.jsonl"
    res = run_crawl([big, ok], settings={**NO_DEDUPE, "GOVCLEAN_REJECTS_URI": str(rejects)}, items_per_page=2)
    assert res.returncode == 0, res.log
    items = [i for i in res.items if i["url"] == big]
    assert len(items) == 2  # the items are not lost
    for item in items:
        assert item["govclean_error"] == "too_large" and "text" not in item
    assert res.by_url()[ok]["is_gov"] is True
    assert res.stats["govclean/skipped/too_large"] == 1  # counted once per page
    assert f"{len(big_body)} bytes > GOVCLEAN_MAX_PAGE_BYTES={5 * 1024 * 1024}" in res.log
    assert [(r["reason"], r["action"], r["url"]) for r in _rejects(rejects)] == [("too_large", "passed", big)] * 2
    assert "skipped 1 (too_large: 1)" in res.log


def test_page_limit_boundary(http_server, run_crawl):
    body = official_page(DOC_A).encode("utf-8")
    at_limit = http_server.add("/at.html", body)
    over = http_server.add("/over.html", body + b" ")
    res = run_crawl([at_limit, over], settings={**NO_DEDUPE, "GOVCLEAN_MAX_PAGE_BYTES": len(body)})
    assert res.returncode == 0, res.log
    items = res.by_url()
    assert items[at_limit]["is_gov"] is True  # at the limit: cleaned
    assert items[over]["govclean_error"] == "too_large"  # one byte over: passed on


# --- nesting depth ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [255, 256, 2_048, 10_000, 100_000])
@pytest.mark.parametrize("tag,closed", [("div", True), ("div", False), ("span", True), ("b", False),
                                        ("table", False), ("font", True), ("li", False)])
def test_deep_markup_keeps_its_text(depth, tag, closed):
    html = official_page(DOC_A)
    at = html.index("<p>")
    deep = html[:at] + f"<{tag}>" * depth + html[at:]
    if closed:
        deep = deep.replace("</body>", f"</{tag}>" * depth + "</body>")
    started = time.perf_counter()
    result = clean_page(deep.encode("utf-8"), "http://www.example.com/a.html")
    seconds = time.perf_counter() - started
    assert seconds < hostile.time_limit(len(deep)), seconds
    assert DOC_A_TEXT in result.text.splitlines(), result.text[:200]
    assert DOC_A["signature"][1] in result.text
    if depth > 200 and tag in ("div", "table"):  # (an <li> closes the one before: no nesting)
        assert any("nested deeper" in w for w in result.warnings), result.warnings


ENGLISH = ("<html><head><title>Training subsidies</title></head><body><article>"
           + "<p>This paragraph explains the training subsidy rules for workers in some detail, at length. </p>" * 15
           + "<p>The closing paragraph says where to apply and by which date the forms must be in.</p>"
           + "</article></body></html>")


@pytest.mark.parametrize("depth", [300, 5_000])
def test_deep_markup_keeps_its_text_on_non_chinese_pages(depth):
    """Non-Chinese pages go to trafilatura: on our parse, not libxml2's default one, which
    drops everything past depth 256 without a word."""
    deep = ENGLISH.replace("<article>", "<div>" * depth + "<article>").replace("</body>", "</div>" * depth + "</body>")
    result = clean_page(deep)
    assert "The closing paragraph says where to apply" in result.text


def test_huge_text_node_on_a_non_chinese_page_is_kept():
    html = ENGLISH.replace("<article>", "<article><p>" + "word " * 2_100_000 + "</p>")
    assert len(html) > 10_000_000
    result = clean_page(html)
    assert "The closing paragraph says where to apply" in result.text and len(result.text) > 10_000_000


def test_max_depth_config_flattens_and_says_so():
    html = official_page(DOC_A).replace("<p>", "<div><div><div><div><div><div><p>")
    result = clean_page(html, config=CleanConfig(max_depth=5))
    assert any("nested deeper than 5" in w for w in result.warnings)
    assert DOC_A["paragraphs"][0] in result.text


def test_deep_nesting_around_scripts_does_not_leak_code():
    """Flattening deep markup keeps scripts and styles what they are."""
    html = ("<html><body>" + "<div>" * 3000 + "<script>var secret = 'do not show';</script>"
            "<style>.x{color:red}</style><p>" + DOC_A_TEXT + "</p>" + "</div>" * 3000 + "</body></html>")
    result = clean_page(html)
    assert "secret" not in result.text and "color" not in result.text
    assert DOC_A_TEXT in result.text


def test_deep_markup_with_an_unclosed_attribute_quote_shows_no_attribute_text():
    """The soak's find: a deep tag whose quote never closes runs on as attribute value (in
    libxml2 as in browsers); flattening it must not turn that value into page text."""
    html = ("<html><body>" + "<span>" * 300 + '<a href="forum.html>隐藏的属性文字</a><p class="x">'
            + DOC_A_TEXT + "</p></body></html>")
    result = clean_page(html.encode("utf-8"))
    assert "隐藏的属性文字" not in result.text
    hostile.clean_and_check(hostile.Page(html.encode("utf-8"), "utf-8", "", "unclosed quote"))


def test_deep_nesting_through_a_crawl(http_server, run_crawl):
    body = official_page(DOC_A).replace("<p>", "<div>" * 20_000 + "<p>", 1).encode("utf-8")
    url = http_server.add("/deep.html", body)
    res = run_crawl([url], settings=NO_DEDUPE)
    assert res.returncode == 0, res.log
    (item,) = res.items
    assert item["is_gov"] is True and DOC_A_TEXT in item["text"]
    assert any("nested deeper" in w for w in item["govclean_warnings"])


# --- huge pages -------------------------------------------------------------------------------


def test_one_megabyte_single_line_page_completes():
    line = "".join(f"各区人民政府第{i}号通知已收悉," for i in range(60_000))
    html = f"<html><body><p>{line}</p></body></html>"
    assert len(html.encode("utf-8")) >= 1_000_000 and "\n" not in html
    started = time.perf_counter()
    result = clean_page(html.encode("utf-8"))
    assert time.perf_counter() - started < hostile.time_limit(len(html.encode("utf-8")))
    assert result.text and "\ufffd" not in result.text


def test_ten_megabyte_page_completes():
    """10 MB: the letter among thousands of long paragraphs, plus a 4 MB text node (libxml2
    drops a text node over 10 MB unless told otherwise — here the whole page is one)."""
    filler = "".join(f"<p>{'本市各区第%d批补贴名单公示,经审核符合条件的人员名单如下,' % i * 20}</p>" for i in range(3600))
    node = "<pre>" + "0123456789 " * 380_000 + "</pre>"
    html = official_page(DOC_A).replace("</body>", filler + node + "</body>")
    body = html.encode("utf-8")
    assert len(body) >= 10_000_000
    started = time.perf_counter()
    result = clean_page(body, "http://www.lg.gov.cn/a.html")
    seconds = time.perf_counter() - started
    assert seconds < hostile.time_limit(len(body)), seconds
    assert DOC_A_TEXT in result.text


def test_single_text_node_over_ten_megabytes_is_not_dropped():
    html = "<html><body><p>" + "各区人民政府:现将有关事项通知如下。" * 200_000 + "</p><p>后记</p></body></html>"
    assert len(html.encode("utf-8")) > 10_000_000
    result = clean_page(html)
    assert len(result.text) >= 3_600_000  # the whole node
    assert "后记" in result.text or any("后记" in n["text"] for n in result.noise)  # and what follows it


# --- GOVCLEAN_TIMEOUT -------------------------------------------------------------------------


def test_time_limit_stops_the_real_core_and_the_crawl_goes_on(http_server, run_crawl, tmp_path):
    """No stand-in cleaner: the real core on a 1.7 MB page (about 4 s of work) against a 1 s
    limit. The worker is killed, the item passes on uncleaned, the next pages are cleaned."""
    heavy = http_server.add("/heavy.html", heavy_page(1_000_000).encode("utf-8"))
    light = [http_server.add(f"/light{i}.html", official_page(DOC_B).encode("utf-8")) for i in range(3)]
    rejects = tmp_path / "rejects.jsonl"
    started = time.monotonic()
    res = run_crawl([heavy, *light], settings={**NO_DEDUPE, "GOVCLEAN_WORKERS": 1, "GOVCLEAN_TIMEOUT": 1.0,
                                               "GOVCLEAN_REJECTS_URI": str(rejects), "CONCURRENT_REQUESTS": 1})
    assert res.returncode == 0, res.log
    items = res.by_url()
    assert items[heavy]["govclean_error"] == "timeout" and "text" not in items[heavy]
    for url in light:
        assert items[url]["is_gov"] is True, url
    assert res.stats["govclean/skipped/timeout"] == 1
    assert "not done within GOVCLEAN_TIMEOUT=1s; worker killed" in res.log
    assert [(r["reason"], r["url"]) for r in _rejects(rejects)] == [("timeout", heavy)]
    assert time.monotonic() - started < 90


def test_inline_time_limit_is_checked_after_the_fact(http_server, run_crawl):
    """GOVCLEAN_WORKERS=0 cleans on the reactor thread: a page over the limit cannot be
    interrupted, but its result is still discarded and reported as a timeout."""
    heavy = http_server.add("/heavy.html", heavy_page(600_000).encode("utf-8"))
    res = run_crawl([heavy], settings={**NO_DEDUPE, "GOVCLEAN_WORKERS": 0, "GOVCLEAN_TIMEOUT": 0.2})
    assert res.returncode == 0, res.log
    (item,) = res.items
    assert item["govclean_error"] == "timeout"
    assert "> GOVCLEAN_TIMEOUT=0.2s" in res.log


# --- no network access ------------------------------------------------------------------------

_AUDIT = textwrap.dedent('''
    import os, sys
    _LOG = os.environ["GOVCLEAN_NET_AUDIT"]
    _LOCAL = {"127.0.0.1", "::1", "localhost", "", None}

    def _note(event, what):
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{event} {what!r}\\n")

    def _hook(event, args):
        if event == "socket.connect":
            address = args[1]
            if isinstance(address, tuple) and address and address[0] not in _LOCAL:
                _note(event, address)
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                       "socket.gethostbyaddr"):
            if args and args[0] not in _LOCAL:
                _note(event, args[0])
        elif event in ("socket.sendto", "socket.sendmsg"):
            address = args[-1] if args else None
            if isinstance(address, tuple) and address and address[0] not in _LOCAL:
                _note(event, address)
        elif event == "urllib.Request":
            _note(event, args[0])

    sys.addaudithook(_hook)
''')


def _audit_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    hook_dir = tmp_path / "audit"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(_AUDIT, encoding="utf-8")
    log = tmp_path / "net-audit.log"
    log.write_text("", encoding="utf-8")
    return {"PYTHONPATH": str(hook_dir), "GOVCLEAN_NET_AUDIT": str(log)}, log


_EXTERNAL_REFS = """<!DOCTYPE html SYSTEM "{base}/dtd/page.dtd">
<?xml-stylesheet href="{base}/xsl/page.xsl"?>
<html xmlns:xi="http://www.w3.org/2001/XInclude"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0; url={base}/refresh">
<link rel="stylesheet" href="{base}/css/site.css"><script src="{base}/js/app.js"></script>
<base href="{base}/base/"></head><body><img src="{base}/img/a.png"><iframe src="{base}/frame"></iframe>
<xi:include href="{base}/xinclude"/><object data="{base}/object"></object>
<p style="background:url({base}/bg.png)">&ext;</p>
{doc}</body></html>"""


def test_clean_page_fetches_nothing(http_server, tmp_path):
    """External references of every kind in a page: the local server sees no request, and
    no socket is opened anywhere (audited in a fresh process)."""
    base = http_server.base_url
    page = _EXTERNAL_REFS.format(base=base, doc=official_page(DOC_A))
    page_file = tmp_path / "external.html"
    page_file.write_text(page, encoding="utf-8")
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(f'''
        import sys
        sys.path[:0] = [{str(hostile.TESTS_DIR)!r}, {str(hostile.TESTS_DIR.parent)!r}]
        from pathlib import Path
        import hostile
        from scrapy_govclean import clean_page
        from scrapy_govclean.core import explain_page
        body = Path({str(page_file)!r}).read_bytes()
        for url in ("", "http://www.example.gov.cn/a.html", "https://shop.example.com/x"):
            clean_page(body, url)
            explain_page(body, url)
        for page in hostile.fixture_pages():
            clean_page(page.body, page.url, encoding=page.declared)
        clean_page("<html><body><p>English page, long enough for trafilatura to take it. " * 20 + "</p></body></html>",
                   "http://example.org/en")
        print("done")
    '''), encoding="utf-8")
    env, log = _audit_env(tmp_path)
    proc = subprocess.run([sys.executable, str(script)], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0 and "done" in proc.stdout, proc.stderr[-3000:]
    assert log.read_text(encoding="utf-8") == "", log.read_text(encoding="utf-8")
    assert http_server.hits == {}, http_server.hits


def test_a_crawl_opens_no_socket_but_to_its_own_server(http_server, run_crawl, tmp_path, monkeypatch):
    """The whole crawl (middleware, both pipelines, rejects feed, SQLite index) under the
    audit hook: the only connections go to the local server the crawl was pointed at."""
    base = http_server.base_url
    urls = [
        http_server.add("/ext.html", _EXTERNAL_REFS.format(base=base, doc=republished_page(DOC_A)).encode("utf-8")),
        http_server.add("/b.html", republished_page(DOC_B).encode("gbk"), "text/html; charset=gbk"),
        http_server.add("/nodoc.html", NO_DOC_HTML.encode("utf-8")),
        http_server.add("http://www.lg.gov.cn/a.html", official_page(DOC_A).encode("utf-8")),
    ]
    env, log = _audit_env(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    res = run_crawl(urls, proxy=base, settings={
        "GOVCLEAN_INDEX": f"sqlite:///{tmp_path / 'index.sqlite3'}", "GOVCLEAN_REJECTS_URI": str(tmp_path / "r.jsonl"),
    })
    assert res.returncode == 0, res.log
    assert len(res.items) == len(urls) - 1  # the commercial copy of DOC_A is a duplicate of the official one
    assert log.read_text(encoding="utf-8") == "", log.read_text(encoding="utf-8")
    fetched = {path.split("?")[0] for path in http_server.hits}
    # what the spider asked for, and the <meta refresh> Scrapy's own MetaRefreshMiddleware
    # follows; none of the page's stylesheets, scripts, images, frames, DTDs or includes
    assert fetched <= {"/ext.html", "/b.html", "/nodoc.html", "http://www.lg.gov.cn/a.html", "/refresh"}, fetched


# --- the audit trail --------------------------------------------------------------------------


def test_everything_dropped_or_unprocessed_is_audited(http_server, run_crawl, tmp_path):
    """One crawl meeting every way an item can leave or pass unprocessed: each is in the
    rejects feed with its reason, in the stats, and in the summary line; no URL is lost."""
    official = http_server.add("http://www.lg.gov.cn/official.html", official_page(DOC_A).encode("utf-8"))
    copy = http_server.add("/copy.html", republished_page(DOC_A).encode("utf-8"))  # duplicate
    nodoc = http_server.add("/nodoc.html", NO_DOC_HTML.encode("utf-8"))  # not_gov under KEEP=gov
    big = http_server.add("/big.html", (official_page(DOC_B) + "<!--" + "x" * 4_000_000 + "-->").encode("utf-8"))
    heavy = http_server.add("/heavy.html", heavy_page(1_600_000).encode("utf-8"))  # ~6 s of work
    binary = http_server.add("/image.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "text/html")
    pdf = http_server.add("/file.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
    optout = http_server.add("/optout.html", official_page(DOC_B).encode("utf-8"))
    rejects = tmp_path / "rejects.jsonl"
    urls = [official, copy, nodoc, big, heavy, binary, pdf, optout]
    res = run_crawl(urls, proxy=http_server.base_url, meta={optout: {"govclean": False}}, settings={
        "GOVCLEAN_KEEP": "gov", "GOVCLEAN_MAX_PAGE_BYTES": 3_500_000, "GOVCLEAN_REJECTS_URI": str(rejects),
        "GOVCLEAN_WORKERS": 0, "GOVCLEAN_TIMEOUT": 2.0, "CONCURRENT_REQUESTS": 1,
    })
    assert res.returncode == 0, res.log
    items = res.by_url()
    lines = _rejects(rejects)
    audited = {(r["url"], r["reason"], r["action"]) for r in lines}
    assert audited == {
        (copy, "duplicate", "dropped"),
        (nodoc, "not_gov", "dropped"),
        (binary, "not_gov", "dropped"),  # a PNG served as text/html: cleaned to nothing, not a document
        (big, "too_large", "passed"),
        (heavy, "timeout", "passed"),
    }, lines
    # nothing lost: every URL is either an item or a dropped line of the rejects feed
    dropped = {r["url"] for r in lines if r["action"] == "dropped"}
    assert set(items) | dropped == set(urls) and not set(items) & dropped
    assert items[big]["govclean_error"] == "too_large" and items[heavy]["govclean_error"] == "timeout"
    assert set(items[pdf]) == {"url", "n"} and set(items[optout]) == {"url", "n"}
    stats = res.govclean_stats()
    assert stats["govclean/dropped/duplicate"] == 1 and stats["govclean/dropped/not_gov"] == 2
    for reason in ("too_large", "timeout", "non_html", "opt_out"):
        assert stats[f"govclean/skipped/{reason}"] == 1, reason
    summary = next(line for line in res.log.splitlines() if "govclean: cleaned" in line)
    assert "dropped 3 (not_gov: 2, duplicate: 1)" in summary, summary
    assert "too_large: 1" in summary and "timeout: 1" in summary and "non_html: 1" in summary, summary
    # each rejects line carries the item as it was when it left
    by_url = {r["url"]: r for r in lines}
    assert by_url[copy]["item"]["duplicate_of"] == official
    assert by_url[nodoc]["item"]["is_gov"] is False
