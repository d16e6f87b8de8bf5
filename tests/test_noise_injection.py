"""Noise injected into the fixture pages must not change their clean text.

Every government page of the fixture corpus whose clean text is exact today is rebuilt with
one more kind of noise the way republishers add it — between two of the document's
paragraphs, after its last line, before its first, or inside a paragraph — and cleaned
again: the text must stay exactly the same. The kinds are written here, not taken from the
rules, so a rule that only matches its own fixture does not pass for them.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from scrapy_govclean import clean_page
from scrapy_govclean.extraction import clean_line

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROWS = [json.loads(line) for line in (FIXTURES / "corpus.jsonl").read_text("utf-8").splitlines() if line.strip()]
GOV_ROWS = [r for r in ROWS if r.get("kind") in ("gov_copy", "gov_original") and (r.get("expected") or {}).get("text")]

HEADLINES = "".join(
    f"<p>{n}. 劳务派遣公司{q}</p>"
    for n, q in enumerate(
        ["怎么收费", "哪家好", "怎么选", "电话多少", "注册要求", "有哪些风险", "怎么开发票", "怎么办理", "如何年检",
         "前景如何", "员工社保怎么交", "同工同酬吗", "退回员工要注意什么", "加班费怎么算", "试用期多久"],
        1,
    )
)


def _elements(markup: str) -> list[etree._Element]:
    return list(lxml_html.fragments_fromstring(markup))


def _styled(style: str) -> Callable[[etree._Element], None]:
    def inject(el: etree._Element) -> None:
        span = etree.Element("span", style=style)
        span.text = "深圳劳务派遣公司 深圳人力资源外包 东莞劳务派遣公司"
        if el.text and len(el.text) > 10 and len(el) == 0:  # into the middle of its words
            half = len(el.text) // 2
            span.tail = el.text[half:]
            el.text = el.text[:half]
            el.insert(0, span)
        else:
            el.append(span)
    return inject


def _ad_sentence(el: etree._Element) -> None:
    if len(el) == 0 and el.text:
        el.text += "选择鑫达人力，派遣无忧，咨询电话：13800138000。"
    else:
        last = el[-1]
        last.tail = (last.tail or "") + "选择鑫达人力，派遣无忧，咨询电话：13800138000。"


# name -> (where, what): "mid" = between two paragraphs of the document, "after" its last
# line, "before" its first line; "inside" changes the middle paragraph itself.
MUTATIONS: dict[str, tuple[str, Callable[..., object]]] = {
    "hotline banner": ("mid", lambda: _elements("<p>咨询热线：400-886-1234 专业劳务派遣 正规资质</p>")),
    "disclaimer inside": ("mid", lambda: _elements("<p>本文章内容来源于网络公开内容，仅供参考</p>")),
    "edit stamp inside": ("mid", lambda: _elements("<p>本文最后编辑于2023-09-09 04:58:43</p>")),
    "keyword block inside": ("mid", lambda: _elements(
        "<p>深圳福永凤凰第三工业区劳务派遣公司 深圳宝安大道旁塘尾工业区劳务派遣公司 深圳沙井劳务派遣公司 深圳松岗劳务派遣公司</p>")),
    "image credit": ("mid", lambda: _elements("<p><img src='/a.jpg'></p><p>图片来源于网络，如有侵权请联系删除</p>")),
    "reading tip": ("mid", lambda: _elements("<p>推荐阅读：<a href='/x'>劳务派遣公司怎么收费</a></p>")),
    "advert card": ("mid", lambda: _elements(
        "<div class='ad'><span>广告</span><div>专业劳务派遣 一站式服务</div><a href='/c'>立即咨询</a></div>")),
    "white keywords": ("inside", _styled("color:#FFFFFF")),
    "zero-size keywords": ("inside", _styled("font-size:0")),
    "off-screen keywords": ("inside", _styled("position:absolute;left:-9999px")),
    "advert sentence": ("inside", _ad_sentence),
    "disclaimer after": ("after", lambda: _elements("<p>免责声明：本文章内容来源于网络公开内容，仅供参考，如有侵权请联系删除。</p>")),
    "keyword block after": ("after", lambda: _elements(
        "<p>深圳劳务派遣公司 深圳人力资源外包 东莞劳务派遣公司 惠州劳务派遣公司 广州劳务派遣 佛山劳务派遣公司</p>")),
    "headline list after": ("after", lambda: _elements("<p>推荐阅读</p>" + HEADLINES)),
    "related links after": ("after", lambda: _elements(
        "<p>相关阅读：</p><ul><li><a href='/1'>劳务派遣员工社保由谁缴纳</a></li>"
        "<li><a href='/2'>东莞劳务派遣公司哪家好</a></li><li><a href='/3'>劳务派遣用工比例不得超过多少</a></li></ul>")),
    "pager after": ("after", lambda: _elements(
        "<p>上一篇：<a href='/p'>东莞劳务派遣公司哪家好</a></p><p>下一篇：<a href='/n'>劳务派遣员工社保由谁缴纳</a></p>")),
    "share bar after": ("after", lambda: _elements("<p>分享到：微信 微博 QQ空间 复制链接</p>")),
    "comments after": ("after", lambda: _elements(
        "<div class='comment'><p>网友评论</p><p>张先生：请问这个政策什么时候开始执行？我们公司需要办理吗？</p></div>")),
    "site commentary after": ("after", lambda: _elements(
        "<p>劳务派遣是一种新型的用工方式，可以帮助企业降低用工成本、减少用工风险。我们公司拥有多年的劳务派遣经验，"
        "为众多企业提供了优质的人力资源服务。如果您有相关需求，可以随时联系我们。</p>")),
    "editor note after": ("after", lambda: _elements("<p>（完）</p><p>【责任编辑：小王】</p>")),
    "byline before": ("before", lambda: _elements("<p>作者：小编　来源：网络　发布时间：2023-05-06　浏览：1234次</p>")),
    "hotline before": ("before", lambda: _elements("<p>劳务派遣热线：0755-27889966 138-2529-6606 欢迎来电咨询</p>")),
    "lead-in before": ("before", lambda: _elements(
        "<p>近日，有关部门发布了一份重要文件，对相关工作作出了部署，下面我们一起来看看具体内容。</p>")),
}


def _document_elements(root: etree._Element, lines: list[str]) -> list[etree._Element] | None:
    """The elements holding the document's lines, one each, in order; None if the page is
    not built that simply (then it is not used)."""
    found: dict[int, etree._Element] = {}
    for el in root.iter("p", "div", "td", "li", "section"):
        text = clean_line(el.text_content())
        if text not in lines or any(clean_line(c.text_content()) == text for c in el if isinstance(c.tag, str)):
            continue
        k = lines.index(text)
        if k in found:
            return None  # the line stands twice on the page (a metadata table, a print copy)
        found[k] = el
    if len(found) < len(lines) or len(set(lines)) != len(lines):
        return None
    els = [found[k] for k in range(len(lines))]
    if len({id(e.getparent()) for e in els}) != 1:
        return None
    return els


def _pages() -> list[tuple[str, bytes, str, list[str]]]:
    out = []
    for row in GOV_ROWS:
        raw = (FIXTURES / "pages" / f"{row['page_id']}.html").read_bytes()
        lines = row["expected"]["text"].splitlines()
        if clean_page(raw, row["url"]).text.splitlines() != lines:
            continue  # judged by the corpus test; here only pages that are exact today
        root = lxml_html.document_fromstring(raw.decode(row["encoding"]))
        if _document_elements(root, lines) is not None:
            out.append((row["page_id"], raw, row["url"], lines))
    return out


PAGES = _pages()


def test_enough_pages_take_part():
    assert len(PAGES) >= 10, [p[0] for p in PAGES]


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_injected_noise_leaves_the_text_unchanged(mutation):
    where, make = MUTATIONS[mutation]
    changed = []
    for page_id, raw, url, lines in PAGES:
        row = next(r for r in GOV_ROWS if r["page_id"] == page_id)
        root = copy.deepcopy(lxml_html.document_fromstring(raw.decode(row["encoding"])))
        els = _document_elements(root, lines)
        assert els is not None
        if where == "mid":
            for el in make():
                els[len(els) // 2].addprevious(el)
        elif where == "after":
            for el in reversed(make()):
                els[-1].addnext(el)
        elif where == "before":
            for el in make():
                els[0].addprevious(el)
        else:  # a paragraph of prose from the middle on (a heading carries no appended advert)
            prose = [el for el in els[len(els) // 2 :] + els if "\u3002" in el.text_content()]
            make(prose[0])
        page = etree.tostring(root, encoding="unicode", method="html")
        if clean_page(page, url).text.splitlines() != lines:
            changed.append(page_id)
    assert not changed, f"{mutation}: the text changed on {changed}"
