"""The seed letter served the ways such sites serve it: the same document must come out.

Each variant rebuilds a page around the letter (from tests/data/seed_page.html) with a
different layout or a different kind of noise inside the document; none of them is a
fixture the rules were written against.
"""
import html
import re
from pathlib import Path

import pytest

from scrapy_govclean import clean_page

SEED = Path(__file__).parent / "data" / "seed_page.html"
TITLE = "深圳市龙岗区人力资源局关于区政协五届三次会议第20180084号提案答复的函"
URL = "https://www.jinnuo-lw.com/a/1.html"


def _page_lines() -> list[str]:
    raw = SEED.read_text("utf-8")
    paras = [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", raw)]
    return [" ".join(p.replace("\u3000", " ").replace("\xa0", " ").split()) for p in paras]


LINES = [x for x in _page_lines() if x]
FIRST, LAST = LINES.index("尊敬的王金乐委员:"), LINES.index("2018年7月10日")
LETTER = LINES[FIRST : LAST + 1]
ESC = [html.escape(x) for x in LINES]


def _page(body: str, head_title: str = TITLE + "_深圳市金诺劳务派遣有限公司") -> str:
    return f"<html><head><meta charset=utf-8><title>{head_title}</title></head><body>{body}</body></html>"


def _in_paras(lines: list[str]) -> str:
    return "<div class=article>" + "".join(f"<p>{html.escape(x)}</p>" for x in lines) + "</div>"


LAYOUTS = {
    "one_p_with_br": _page("<div class=con><p>" + "<br>".join(ESC) + "</p></div>"),
    "div_per_line": _page("<div>" + "".join(f"<div>{x}</div>" for x in ESC) + "</div>"),
    "unnumbered_headlines": _page("<div class=text>" + "".join(f"<p>{re.sub(r'^[0-9]+[.] ', '', x)}</p>" for x in ESC) + "</div>"),
    "table_layout": _page("<table><tr><td><a href=/>首页</a> <a>新闻</a></td></tr><tr><td class=main>" + "<br>\n".join(ESC) + "</td></tr></table>"),
    "no_title_tag": _page("<article>" + "".join(f"<p>{x}</p>" for x in ESC) + "</article>", head_title=""),
    "site_name_first_in_title": _page(_in_paras(LINES), head_title="金诺劳务派遣网 - " + TITLE),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_layouts(name, encoding):
    result = clean_page(LAYOUTS[name].encode(encoding), URL)
    assert result.text == "\n".join(LETTER)
    assert result.title == TITLE
    assert result.is_gov
    prov = result.provenance
    assert (prov["publisher"], prov["date"], prov["doc_number"]) == ("深圳市龙岗区人力资源局", "2018-07-10", "第20180084号")


def test_fullwidth_punctuation_copy():
    table = str.maketrans({":": "\uff1a", ",": "\uff0c", "(": "\uff08", ")": "\uff09"})
    result = clean_page(_page(_in_paras([x.translate(table) for x in LINES])), URL)
    assert result.text == "\n".join(x.translate(table) for x in LETTER)
    assert result.provenance["addressee"] == "王金乐委员"


MID = len(LETTER) // 2
INSIDE = {
    "related_block_in_the_middle": LETTER[:MID] + ["相关阅读:", "深圳劳务派遣公司哪家好", "劳务派遣和劳务外包的区别", "临时工派遣收费标准"] + LETTER[MID:],
    "ad_paragraph_in_the_middle": LETTER[:MID] + ["金诺劳务专注劳务派遣十五年,服务热线0755-8882 8155,欢迎来电。"] + LETTER[MID:],
    "ad_sentence_appended": LETTER[:3] + [LETTER[3] + "想了解更多劳务政策,欢迎关注金诺劳务公众号。"] + LETTER[4:],
    "pager_after_the_date": LETTER + ["上一篇:劳务派遣用工比例规定", "下一篇:临时工工资怎么算"],
    "byline_and_font_switch_before": ["来源:深圳市龙岗区人力资源局 作者:admin 时间:2022-04-29 点击:1023", "【字体:大 中 小】"] + LETTER,
}


@pytest.mark.parametrize("name", sorted(INSIDE))
def test_noise_inside_the_document(name):
    result = clean_page(_page(_in_paras(INSIDE[name])), URL)
    assert result.text == "\n".join(LETTER)
    assert result.provenance["publisher"] == "深圳市龙岗区人力资源局"
