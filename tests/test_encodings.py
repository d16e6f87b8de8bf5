"""Encodings (issue 6): decode by the HTTP header, then <meta>/BOM, then the documented
fallback; a wrong declaration is detected and decoded right, or flagged in the warnings —
never silent mojibake.

Pages in UTF-8, GBK, GB2312, GB18030 and Big5, undeclared, declared in the header, in a
<meta> (charset= and http-equiv), in both, and with lying declarations; through
``decode_html``, through ``clean_page`` and through real crawls (the Content-Type header
variations a server sends; GovCleanPipeline's str path, where Scrapy decoded first).
"""
from __future__ import annotations

import codecs
import json
from html import escape

import pytest
from hypothesis import given, strategies as st
from scrapy_pages import DOC_A, republished_page

import hostile
from scrapy_govclean import clean_page
from scrapy_govclean.encoding import check_text, decode_html, normalize_charset

NO_DEDUPE = {"ITEM_PIPELINES": {"scrapy_govclean.SimhashDedupePipeline": None}}

# A traditional-Chinese notice for Big5 (Big5 has no simplified forms).
DOC_TW = {
    "title": "臺北市政府勞動局關於辦理勞工職業訓練補助事項的公告",
    "salutation": "各有關單位:",
    "paragraphs": [
        "為協助本市勞工提升職業技能,本局依據《就業服務法》及相關規定,辦理勞工職業訓練補助,現將有關事項公告如下:",
        "一、補助對象:設籍本市並實際從事工作之勞工,以及依法登記之本市事業單位所僱用之勞工。",
        "二、補助標準:每人每年最高補助新臺幣三萬元,依實際參訓時數核給,已領取其他政府補助者不得重複申請。",
        "三、申請方式:請於本公告發布之日起三十日內,檢附參訓證明及收據正本向本局提出申請,逾期不予受理。",
        "特此公告。",
    ],
    "signature": ["臺北市政府勞動局", "2023年5月6日"],
    "home": "首頁",
}
# GB18030 beyond GBK: a four-byte character (U+20BB7) and Ext-A (U+4DAE).
GB18030_ONLY = "𠮷䶮"
GB18030_LINE = f"附:本通知所涉企业名称中的生僻字(如“{GB18030_ONLY}”)以工商登记为准,请各单位认真核对。"


def _page(doc: dict, *, meta: str | None = None, http_equiv: bool = False, extra: str = "") -> str:
    if meta and http_equiv:
        head = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">'
    elif meta:
        head = f'<meta charset="{meta}">'
    else:
        head = ""
    body = [f"<p>{escape(doc['salutation'])}</p>"] + [f"<p>{escape(p)}</p>" for p in doc["paragraphs"]]
    if extra:
        body.append(f"<p>{escape(extra)}</p>")
    body += [f"<p>{escape(s)}</p>" for s in doc["signature"]]
    return (f"<!DOCTYPE html><html><head>{head}<title>{escape(doc['title'])}</title></head><body>"
            f"<div class=\"nav\"><a href=\"/\">{doc.get('home', '首页')}</a></div><div class=\"content\"><h1>{escape(doc['title'])}</h1>"
            + "\n".join(body) + "</div></body></html>")


# GB2312 has no U+2014 (its dash maps to U+2015)
DOC_A_GB2312 = {**DOC_A, "paragraphs": [p.replace("—", "至") for p in DOC_A["paragraphs"]]}


def _doc_for(encoding: str) -> tuple[dict, str]:
    if encoding == "big5":
        return DOC_TW, ""
    return (DOC_A_GB2312 if encoding == "gb2312" else DOC_A), (GB18030_LINE if encoding == "gb18030" else "")


def _expected_lines(doc: dict, extra: str) -> list[str]:
    return [doc["salutation"], *doc["paragraphs"], *( [extra] if extra else []), *doc["signature"]]


ENCODINGS = ("utf-8", "gbk", "gb2312", "gb18030", "big5")
LIES = {"utf-8": "gbk", "gbk": "utf-8", "gb2312": "big5", "gb18030": "utf-8", "big5": "gbk"}

# (case, header charset, meta charset, http-equiv?, does the declaration lie?)
CASES = [
    ("undeclared", None, None, False, False),
    ("header", "{enc}", None, False, False),
    ("meta", None, "{enc}", False, False),
    ("http-equiv", None, "{enc}", True, False),
    ("header+meta", "{enc}", "{enc}", False, False),
    ("header-uppercase", "{ENC}", None, False, False),
    ("lying-header", "{lie}", None, False, True),
    ("lying-meta", None, "{lie}", False, True),
    ("lying-header-true-meta", "{lie}", "{enc}", False, True),
    ("true-header-lying-meta", "{enc}", "{lie}", False, False),  # the header wins, as in browsers
    ("latin1-header", "iso-8859-1", None, False, True),
    ("unknown-header", "x-no-such-charset", None, False, True),
]


def _fmt(template: str | None, enc: str) -> str | None:
    return template.format(enc=enc, ENC=enc.upper(), lie=LIES[enc]) if template else None


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("case,header,meta,http_equiv,lies", CASES, ids=[c[0] for c in CASES])
def test_decode_every_encoding_and_declaration(encoding, case, header, meta, http_equiv, lies):
    doc, extra = _doc_for(encoding)
    html = _page(doc, meta=_fmt(meta, encoding), http_equiv=http_equiv, extra=extra)
    body = html.encode(encoding)
    text, codec, warnings = decode_html(body, declared=_fmt(header, encoding))
    assert text == html, (case, codec, warnings)  # decoded right, whatever the declaration said
    assert "\ufffd" not in text
    if lies and not (encoding == "utf-8" and case == "latin1-header"):
        assert warnings, (case, codec)  # a lying declaration is never followed silently
    if not lies and case != "undeclared":
        assert not warnings, (case, warnings)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("case,header,meta,http_equiv,lies", [c for c in CASES if c[0] in
                         ("undeclared", "header", "lying-header", "lying-meta", "latin1-header")],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_clean_page_reads_the_document_in_every_encoding(encoding, case, header, meta, http_equiv, lies):
    doc, extra = _doc_for(encoding)
    body = _page(doc, meta=_fmt(meta, encoding), http_equiv=http_equiv, extra=extra).encode(encoding)
    result = clean_page(body, "http://www.example.com/a.html", encoding=_fmt(header, encoding))
    lines = result.text.splitlines()
    for line in _expected_lines(doc, extra):
        assert line in lines, (case, line, result.warnings)
    assert result.encoding in ("utf-8", "gb18030", "big5hkscs")
    assert result.is_gov is True


def test_bom_wins_over_a_lying_declaration():
    html = _page(DOC_A, meta="gbk")
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        text, used, _ = decode_html(bom + html.encode(codec), declared="gbk")
        assert text.lstrip("\ufeff") == html, used


def test_bomless_utf16_only_when_the_bytes_are_utf16():
    html = _page(DOC_A)
    assert decode_html(html.encode("utf-16-le"), declared="utf-16")[0] == html
    assert decode_html(html.encode("utf-16-be"), declared="utf-16be")[0] == html
    text, used, warnings = decode_html(html.encode("utf-16-be"))  # undeclared: the NULs tell
    assert text == html and used == "utf-16-be" and warnings
    text, used, warnings = decode_html(html.encode("utf-8"), declared="utf-16")
    assert text == html and used == "utf-8" and warnings  # a lying "utf-16" header is not followed
    # a <meta> can never mean UTF-16 (the bytes it was read from are ASCII-compatible)
    assert decode_html(_page(DOC_A, meta="utf-16").encode("utf-8"))[0] == _page(DOC_A, meta="utf-16")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_truncated_body_is_decoded_not_garbled(encoding):
    """A download cut off in the middle of a character: one U+FFFD at the end, counted."""
    doc, extra = _doc_for(encoding)
    html = _page(doc, extra=extra)
    cut = html[: html.index(doc["paragraphs"][2]) + 10]
    body = cut.encode(encoding) + doc["paragraphs"][2][10].encode(encoding)[:1]  # half a character
    for declared in (None, encoding):
        text, _, warnings = decode_html(body, declared=declared)
        assert text.rstrip("\ufffd") == cut and text.count("\ufffd") == 1, (declared, text[-20:])
        assert any("U+FFFD" in w for w in warnings)


def test_chinese_page_with_a_few_corrupt_bytes_stays_chinese():
    body = bytearray(republished_page(DOC_A, meta_charset=None).encode("gbk"))
    for pos in range(3000, len(body), 1500):
        body[pos] = 0xFF
    text, codec, warnings = decode_html(bytes(body), declared="utf-8")
    assert codec == "gb18030" and "收悉" in text and warnings


@pytest.mark.parametrize("name", ["undefined", "punycode", "idna", "utf-7", "unicode_escape", "raw_unicode_escape",
                                  "rot13", "base64", "hex", "zlib", "\x00", "a" * 5000, "", "  ", "utf-8\x00",
                                  "uu", "mbcs", "x-user-defined", "replacement", "hz-gb-2312", "csunicode"])
def test_charset_names_that_are_not_web_charsets_never_crash_or_invent(name):
    payload = "<p>+ADw-script+AD4-alert(1)+ADw-/script+AD4- \\u003cb\\u003e 通知</p>"
    html = f'<meta charset="{name[:40]}">{payload}'
    for declared in (name, None):
        text, codec, _ = decode_html(html.encode("utf-8"), declared=declared)
        assert text == html, (name, codec)  # utf-7 / unicode_escape would have rewritten it
    assert normalize_charset(name) is None or normalize_charset(name) in ("utf-8",)
    result = clean_page(html.encode("utf-8"), encoding=name)
    assert "<script>" not in result.text


def test_gb2312_label_on_gbk_only_characters():
    """The usual real-web mismatch: declared gb2312, bytes use GBK's extra characters."""
    html = _page(DOC_A, meta="gb2312", extra="经办人:朱镕基、陶喆、王啰嗦")  # 镕 喆 啰 are not in GB2312
    text, codec, warnings = decode_html(html.encode("gbk"), declared="gb2312")
    assert text == html and codec == "gb18030" and not warnings


def test_japanese_bytes_declared_gbk_are_flagged():
    """Not Chinese at all: the decoding is kept (the declaration fits) but flagged."""
    jp = "<p>" + "日本語のテキストです。東京都は日本の首都であり、多くの人々が住んでいます。" * 8 + "</p>"
    _, _, warnings = decode_html(jp.encode("shift_jis"), declared="gbk")
    assert any("may be wrong" in w for w in warnings)


# --- never silent mojibake, as a property -------------------------------------------------

_HANZI = "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经去法学如都同现当没动面起看定天分还进好小部其些主样理心本前开"
_HANZI_TW = "的一是不了在人有我他這個們中來上大為和國地到以說時要就出會可也你對生能而子那得於著下自之年過發後作裡用道行所然家種事成方多經去法學如都同現當沒動面起看定天分還進好小部其些主樣理心本前開"


@hostile.ci_settings(60)
@given(st.sampled_from(("utf-8", "gbk", "gb2312", "gb18030", "big5")),
       st.data(), st.sampled_from((None, "utf-8", "gbk", "gb2312", "big5", "iso-8859-1", "windows-1252", "utf-16",
                                   "shift_jis", "bogus")),
       st.sampled_from((None, "utf-8", "gbk", "big5", "iso-8859-1")))
def test_never_silent_mojibake(encoding, data, header, meta):
    """Chinese text of page length in any of the five encodings, under any declarations:
    decoded right, or the warnings say something is off."""
    alphabet = _HANZI_TW if encoding == "big5" else _HANZI
    words = data.draw(st.lists(st.text(alphabet, min_size=2, max_size=12), min_size=8, max_size=40))
    html = (f'<meta charset="{meta}">' if meta else "") + "".join(f"<p>{w}。</p>" for w in words)
    body = html.encode(encoding)
    text, _, warnings = decode_html(body, declared=header)
    assert text == html or warnings, (encoding, header, meta)
    if header in (None, encoding) and meta in (None, encoding):
        assert text == html  # declared right, or not at all: always decoded right


# --- str input: what Scrapy decoded (GovCleanPipeline's GOVCLEAN_HTML_FIELD) -----------------


def test_str_read_as_latin1_upstream_is_read_again_as_chinese():
    body = republished_page(DOC_A, meta_charset=None).encode("gbk")
    mojibake = body.decode("cp1252", "replace").replace("\ufffd", "?")
    latin1 = body.decode("latin-1")
    for text in (latin1, mojibake):
        repaired, warnings = check_text(text)
        if text is latin1:
            assert repaired == body.decode("gbk") and warnings
    result = clean_page(latin1)
    assert result.is_gov and "收悉" in result.text and result.warnings


def test_str_with_replacement_characters_is_flagged():
    body = republished_page(DOC_A, meta_charset=None).encode("gbk")
    result = clean_page(body.decode("utf-8", "replace"))
    assert any("wrong charset" in w for w in result.warnings)


def test_ordinary_str_pages_get_no_warning():
    for page in hostile.fixture_pages():
        assert check_text(hostile.page_text(page))[1] == [], page.label
    french = "<p>" + "L'été dernier, nous sommes allés à la plage; c'était très agréable. " * 20 + "</p>"
    assert check_text(french) == (french, [])


# --- through real crawls ----------------------------------------------------------------------


def _rejects(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_crawl_decodes_by_header_meta_and_fallback_and_flags_lies(http_server, run_crawl):
    """Content-Type variations a server really sends; the middleware hands the core the bytes
    and the header's charset, so every page is read right and every lie is flagged."""
    gbk = republished_page(DOC_A, meta_charset=None).encode("gbk")
    gbk_meta = republished_page(DOC_A, meta_charset="gbk").encode("gbk")
    utf8 = republished_page(DOC_A, meta_charset=None).encode("utf-8")
    big5 = _page(DOC_TW).encode("big5")
    gb18030 = _page(DOC_A, meta="gb2312", extra=GB18030_LINE).encode("gb18030")
    gb2312 = _page(DOC_A_GB2312).encode("gb2312")
    served = {  # path: (body, Content-Type or None, the declaration lies?)
        "/gbk-header.html": (gbk, "text/html; charset=GBK", False),
        "/gbk-none.html": (gbk, "text/html", False),
        "/gbk-no-content-type.html": (gbk, None, False),
        "/gbk-meta-only.html": (gbk_meta, "text/html", False),
        "/gbk-says-utf8.html": (gbk, "text/html; charset=utf-8", True),
        "/gbk-says-latin1.html": (gbk, "text/html; charset=ISO-8859-1", True),
        "/gbk-meta-says-utf8-header.html": (gbk_meta, "text/html; charset=UTF-8", True),
        "/gbk-quoted.html": (gbk, 'text/html; charset="gbk"', False),
        "/gbk-unknown.html": (gbk, "text/html; charset=x-nonsense", True),
        "/utf8-says-gbk.html": (utf8, "text/html;charset=GBK", True),
        "/utf8-bom-says-gbk.html": (codecs.BOM_UTF8 + utf8, "text/html; charset=gbk", False),
        "/big5-none.html": (big5, "text/html", False),
        "/big5-says-gbk.html": (big5, "text/html; charset=gbk", True),
        "/gb18030-says-gb2312.html": (gb18030, "text/html; charset=gb2312", False),
        "/gb2312-none.html": (gb2312, "text/html", False),
        "/utf16-bom.html": (codecs.BOM_UTF16_LE + republished_page(DOC_A).encode("utf-16-le"), "text/html", False),
    }
    urls = {path: http_server.add(path, body, ctype) for path, (body, ctype, _) in served.items()}
    res = run_crawl(list(urls.values()), settings=NO_DEDUPE)
    assert res.returncode == 0, res.log
    items = res.by_url()
    assert set(items) == set(urls.values())
    for path, (_, _, lies) in served.items():
        item = items[urls[path]]
        assert "\ufffd" not in item["text"], path
        if "big5" in path:
            assert DOC_TW["paragraphs"][1] in item["text"].splitlines(), path
        else:
            assert "收悉" in item["text"] or DOC_A["paragraphs"][0] in item["text"], path
        if "gb18030" in path:
            assert GB18030_ONLY in item["text"], path
        assert item["is_gov"] is True, path
        if lies:
            assert item.get("govclean_warnings"), path
        elif "none" not in path and "no-content-type" not in path and "meta-only" not in path:
            assert not item.get("govclean_warnings"), (path, item.get("govclean_warnings"))
    assert res.stats["govclean/pages"] == len(served)
    assert "Traceback" not in res.log


def test_crawl_str_path_flags_or_repairs_what_scrapy_decoded(http_server, run_crawl, tmp_path):
    """GovCleanPipeline cleans response.text: Scrapy already trusted the lying header.
    Latin-1 mojibake is repaired; what cannot be repaired is flagged, never passed silently."""
    gbk = republished_page(DOC_A, meta_charset=None).encode("gbk")
    latin1 = http_server.add("/str-latin1.html", gbk, "text/html; charset=iso-8859-1")
    utf8 = http_server.add("/str-utf8.html", gbk, "text/html; charset=utf-8")
    big5 = http_server.add("/str-big5.html", gbk, "text/html; charset=big5")
    right = http_server.add("/str-right.html", gbk, "text/html; charset=gbk")
    urls = [latin1, utf8, big5, right]
    res = run_crawl(urls, html_field="raw_html", settings={
        **NO_DEDUPE, "GOVCLEAN_HTML_FIELD": "raw_html", "GOVCLEAN_REJECTS_URI": str(tmp_path / "rejects.jsonl"),
        "SPIDER_MIDDLEWARES": {"scrapy_govclean.GovCleanSpiderMiddleware": None}})
    assert res.returncode == 0, res.log
    items = res.by_url()
    assert set(items) == set(urls)
    assert items[right]["is_gov"] is True and not items[right].get("govclean_warnings")
    assert items[latin1]["is_gov"] is True and "收悉" in items[latin1]["text"]
    assert any("re-read" in w for w in items[latin1]["govclean_warnings"])
    for url in (utf8, big5):
        assert any("wrong charset" in w for w in items[url]["govclean_warnings"]), url
    assert res.stats["govclean/pages"] == 4
