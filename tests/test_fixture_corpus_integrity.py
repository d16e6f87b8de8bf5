"""Integrity of the fixture corpus itself (tests/fixtures): not a test of the cleaner.

Checks that the committed pages and corpus.jsonl are consistent with each other and with the
source documents, and that the generator reproduces them byte for byte.
"""
from __future__ import annotations

import collections
import importlib.util
import json
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

FIX = Path(__file__).resolve().parent / "fixtures"
PAGES = FIX / "pages"
CORPUS = FIX / "corpus.jsonl"

TEMPLATES = {"table_cms", "div_cms", "wordpress", "forum", "mobile", "plain", "gov_cms"}
MIN_PAGES = 44
DOC_TYPES = {"函", "通知", "通告", "公告", "意见", "办法", "政策解读"}


def _load_records() -> list[dict]:
    with open(CORPUS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


RECORDS = _load_records()
BY_ID = {r["page_id"]: r for r in RECORDS}


def _norm(s: str) -> str:
    return " ".join(s.split())


class _Visible(HTMLParser):
    """Visible text, one line per block; inline tags joined, <td>/<th> separated by a space."""

    BLOCK = {"p", "div", "br", "li", "tr", "table", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
             "h6", "header", "footer", "nav", "aside", "section", "article", "main", "blockquote", "form", "hr",
             "center", "tbody", "thead", "body", "html"}
    SKIP = {"script", "style", "title", "textarea", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(re.sub(r"[\r\n]+", " ", data))


def visible_lines(rec: dict) -> list[str]:
    raw = (PAGES / f"{rec['page_id']}.html").read_bytes()
    text = raw.decode(rec["encoding"])
    p = _Visible()
    p.feed(text)
    p.close()
    return [n for n in (_norm(x) for x in "".join(p.parts).split("\n")) if n]


def _load_build_module():
    spec = importlib.util.spec_from_file_location("govclean_build_corpus", FIX / "build_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ----------------------------------------------------------------------------------------


def test_size_and_variety():
    assert len(RECORDS) >= MIN_PAGES
    assert len(BY_ID) == len(RECORDS), "duplicate page ids"
    templates = collections.Counter(r["template"] for r in RECORDS)
    assert len(templates) >= 6 and set(templates) <= TEMPLATES
    encs = collections.Counter(r["encoding"].lower() for r in RECORDS)
    gbish = sum(v for k, v in encs.items() if k in ("gbk", "gb2312", "gb18030"))
    assert gbish * 4 >= len(RECORDS), encs  # roughly a third are GBK-family
    where = collections.Counter(r["declared"]["where"] for r in RECORDS)
    assert where["none"] >= 2 and where["header"] >= 2 and where["meta4"] + where["meta5"] >= 10
    kinds = collections.Counter(r["kind"] for r in RECORDS)
    assert kinds["nongov"] >= 5 and kinds["gov_original"] >= 5
    assert sorted(PAGES.glob("*.html")) == sorted(PAGES / f"{r['page_id']}.html" for r in RECORDS)


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r["page_id"])
def test_page_decodes_and_declares(rec):
    raw = (PAGES / f"{rec['page_id']}.html").read_bytes()
    text = raw.decode(rec["encoding"])  # strict
    metas = re.findall(r"<meta[^>]*charset[^>]*>", text[:3000], flags=re.I)
    decl = rec["declared"]
    if decl["where"] in ("meta5", "meta4"):
        assert len(metas) == 1 and decl["label"] in metas[0], metas
    else:
        assert not metas
    if decl["where"] == "header":
        assert rec["content_type"] == f"text/html; charset={decl['label']}"
    if decl["where"] == "none":
        assert rec["content_type"] == "text/html"
    host = rec["url"].split("/")[2]
    assert rec["expected"]["provenance"]["official_site"] == host.endswith(".gov.cn")


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r["page_id"])
def test_expected_text_is_on_the_page(rec):
    exp = rec["expected"]
    lines = exp["text"].split("\n")
    assert lines and all(lines), "empty expected lines"
    assert all(ln == _norm(ln) for ln in lines), "expected lines must be normalised"
    assert exp["title"] not in lines
    vis = visible_lines(rec)
    for ln in lines:
        assert any(ln in v for v in vis), f"expected line not visible: {ln[:40]}"
    # the document's own title is shown above the body
    assert any(exp["title"] in v for v in vis)


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r["page_id"])
def test_planted_noise_is_on_page_and_not_in_text(rec):
    text = rec["expected"]["text"]
    vis = visible_lines(rec)
    assert len(rec["planted_noise"]) >= 5
    for n in rec["planted_noise"]:
        assert n == _norm(n) and n
        assert n not in text, f"noise inside expected text: {n}"
        assert any(n in v for v in vis), f"planted noise not visible: {n}"


def test_groups_are_consistent():
    docs = {}
    for f in sorted((FIX / "documents").glob("*.toml")):
        with open(f, "rb") as fh:
            d = tomllib.load(fh)
        docs[d["id"]] = d
    groups = collections.defaultdict(list)
    for r in RECORDS:
        groups[r["group"]].append(r)
        prov = r["expected"]["provenance"]
        if r["doc_id"]:
            d = docs[r["doc_id"]]
            assert r["group"] == "doc:" + r["doc_id"]
            assert r["expected"]["is_gov"] is True
            assert r["expected"]["title"] == d["title"]
            assert prov["publisher"] == d["publisher"] and prov["date"] == d["date"]
            assert prov["doc_type"] == d["doc_type"] in DOC_TYPES
            assert prov["doc_number"] == (d["doc_number"] or None)
            assert prov["republished"] is (not prov["official_site"])
            assert prov["addressee"] in (d.get("addressee") or None, None)
            if prov["doc_number"]:
                assert "[" not in prov["doc_number"] and "(" not in prov["doc_number"]
        else:
            assert r["group"].startswith("article:") and r["expected"]["is_gov"] is False
            assert all(prov[k] is None for k in ("publisher", "doc_number", "date", "doc_type", "addressee"))
            assert prov["official_site"] is False and prov["republished"] is False
    for g, recs in groups.items():
        assert len({r["doc_id"] for r in recs}) == 1
        assert len({r["expected"]["title"] for r in recs}) == 1
    # every document has at least two copies, and an official original
    for did in docs:
        recs = groups.get("doc:" + did, [])
        assert len(recs) >= 2, did
        assert any(r["kind"] == "gov_original" for r in recs), did
    # every official original reproduces the document unmodified
    for r in RECORDS:
        if r["kind"] == "gov_original":
            e = r["edits"]
            assert not e["drop_salutation"] and not e["punct"] and not e["drop_last"] and not e["ads_in_document"]


def test_near_duplicate_traps_are_distinct_documents():
    texts = {}
    for r in RECORDS:
        if r["kind"] == "gov_original":
            texts[r["doc_id"]] = r["expected"]["text"]
    for a, b in [("lg-rsj-reply-20210052", "lg-rsj-reply-20210117"), ("ba-rsj-subsidy-2023q2", "ba-rsj-subsidy-2023q3")]:
        assert texts[a] != texts[b]
        la, lb = set(texts[a].split("\n")), set(texts[b].split("\n"))
        shared = len(la & lb) / max(len(la), len(lb))
        assert 0.3 <= shared < 1.0, (a, b, shared)


def test_document_sources():
    for f in sorted((FIX / "documents").glob("*.toml")):
        with open(f, "rb") as fh:
            d = tomllib.load(fh)
        for k in ("id", "title", "publisher", "doc_number", "date", "doc_type", "addressee", "paragraphs", "official_url"):
            assert k in d, (f.name, k)
        assert f.stem == d["id"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", d["date"])
        assert d["official_url"].split("/")[2].endswith(".gov.cn")
        parts = [d.get("salutation", "")] + [p for p in d["paragraphs"] if not p.startswith("@table:")]
        parts += [c for t in d.get("tables", []) for r in t for c in r]
        parts += d.get("signature", []) + d.get("postscript", []) + d.get("attachments", [])
        size = sum(len("".join(p.split())) for p in parts)
        assert len(d["signature"]) == 2 and d["signature"][0] == d["publisher"]
        if d["id"] != "lg-rsj-reply-20180084":  # the seed letter is longer
            assert 600 <= size <= 3000, (f.name, size)


def test_no_machine_paths_or_registry_hosts():
    for f in list(FIX.rglob("*")) + [Path(__file__)]:  # noqa: B007
        if f.is_file() and f.suffix in (".py", ".toml", ".md", ".jsonl", ".html"):
            data = f.read_bytes()
            for bad in (b"/wo" + b"rk/", b"/ho" + b"me/", b"/tm" + b"p/", b"py" + b"pi.org", b"np" + b"mjs"):
                assert bad not in data, (f, bad)


def test_regeneration_is_byte_identical(tmp_path):
    mod = _load_build_module()
    mod.build(tmp_path)
    assert (tmp_path / "corpus.jsonl").read_bytes() == CORPUS.read_bytes()
    got = sorted(p.name for p in (tmp_path / "pages").glob("*.html"))
    assert got == sorted(p.name for p in PAGES.glob("*.html"))
    for name in got:
        assert (tmp_path / "pages" / name).read_bytes() == (PAGES / name).read_bytes(), name
