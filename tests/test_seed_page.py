"""The reference case: the seed page gives exactly the letter and its provenance."""
from pathlib import Path

from scrapy_govclean import clean_page

SEED = Path(__file__).parent / "data" / "seed_page.html"
URL = "https://www.szjinnuo-lw.com/news/20220429/1532.html"
TITLE = "深圳市龙岗区人力资源局关于区政协五届三次会议第20180084号提案答复的函"


def _letter_lines() -> list[str]:
    """The letter as it stands in the page, from its salutation through its date."""
    import re
    from html import unescape

    raw = SEED.read_text("utf-8")
    paras = [unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", raw)]
    lines = [" ".join(p.replace("\u3000", " ").replace("\xa0", " ").split()) for p in paras]
    lines = [x for x in lines if x]
    first = lines.index("尊敬的王金乐委员:")
    last = lines.index("2018年7月10日")
    return lines[first : last + 1]


def test_seed_gives_exactly_the_letter():
    result = clean_page(SEED.read_bytes(), URL)
    assert result.text == "\n".join(_letter_lines())
    assert result.text.startswith("尊敬的王金乐委员:")
    assert result.text.endswith("深圳市龙岗区人力资源局\n2018年7月10日")


def test_seed_title_and_provenance():
    result = clean_page(SEED.read_bytes(), URL)
    prov = result.provenance
    assert result.title == TITLE
    assert result.is_gov and result.gov_score >= 0.5
    assert prov["publisher"] == "深圳市龙岗区人力资源局"
    assert prov["date"] == "2018-07-10"
    assert prov["doc_type"] == "函"
    assert prov["addressee"] == "王金乐委员"
    assert prov["site"] == "www.szjinnuo-lw.com"
    assert prov["official_site"] is False and prov["republished"] is True
    assert prov["posted_at"] == "2022-04-29"
    assert prov["edited_at"] == "2023-09-09 04:58:43"


def test_seed_noise_is_removed_and_labelled():
    result = clean_page(SEED.read_bytes(), URL)
    kinds = {n["kind"] for n in result.noise}
    assert {"banner", "byline", "disclaimer", "edit_stamp", "seo_keywords", "headline_list"} <= kinds
    for planted in ("客服热线", "Admin - admin", "仅供参考", "重新编辑", "工业区劳务派遣公司", "达州市通川区物业行业协会",
                    "马兴瑞赴南沙调研", "人力资讯TOP500", "版权所有"):
        assert planted not in result.text
    headlines = "\n".join(n["text"] for n in result.noise if n["kind"] == "headline_list")
    assert "1. 达州市通川区物业行业协会第一届第一次会员大会圆满结束" in headlines
    assert "100. 马兴瑞赴南沙调研强调充分发挥自贸区在大湾区建设中的重要作用" in headlines
    assert len(result.simhash) == 16 and int(result.simhash, 16) != 0
