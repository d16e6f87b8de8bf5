"""Government-text detection: is this an official document, and where does it end?

A 公文 has a shape no other page text has: a salutation to an addressee ("各区人民政府:",
"尊敬的王金乐委员:"), official phrasing ("现将…印发给你们", "专此函复"), and it closes with
its issuing body and date — optionally followed by attachments, a publication note or a
contact line. Everything after that closing is not the document. This module finds those
landmarks on plain lines and scores how official a text is; the word lists are data in
``rules/gov.toml``.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "GovRules",
    "load_gov_rules",
    "parse_cn_date",
    "date_only_line",
    "is_organ_name",
    "is_salutation",
    "is_trailer_line",
    "find_signature",
    "gov_score",
    "title_doc_type",
    "parse_any_date",
]

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(?:\d{1,4}|[〇零○Ｏ一二三四五六七八九十]{1,4})"
CN_DATE_RE = re.compile(
    rf"((?:19|20)\d{{2}}|[〇零○Ｏ一二三四五六七八九]{{4}})\s{{0,2}}年\s{{0,2}}({_NUM})\s{{0,2}}月\s{{0,2}}({_NUM})\s{{0,2}}日"
)
ISO_DATE_RE = re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")
_PUNCT_RE = re.compile(r"[。,;!?,;!?]")
_ARTICLE_RE = re.compile(r"(?:^|\n)\s{0,4}第[一二三四五六七八九十百零〇]{1,5}条")
_NAMED_MEASURE_RE = re.compile(r"《[^》]{2,60}(?:法|条例|规定|规章|细则|办法|方案|意见|通知|决定|规划|措施)》")
_LAW_TITLE_RE = re.compile(r"(?:法|条例|规定|规章|实施细则|管理办法|暂行办法)(?:[((]\S{1,12}[))])?$")
_TRAILER_RE = re.compile(
    r"^[((]?\s{0,2}(此件|本件|联系人|联系电话|联系单位|联系方式|咨询电话|信息公开|公开方式)|^附件\s{0,2}\d{0,2}\s{0,2}[::]?|"
    r"^抄送|^抄报|^主送|^[^。]{0,30}\d{4}\s{0,2}年[^。]{0,8}印发$|"
    # the document's own notes: "注释:" and its numbered footnotes "[1]…"
    r"^(注释|注)\s{0,2}[::]?\s{0,2}$|^\[\d{1,2}\]\S"
)


@dataclass(frozen=True)
class GovRules:
    organ_suffixes: tuple[str, ...]
    organ_words: tuple[str, ...]
    doc_types: tuple[str, ...]
    official_phrases: tuple[str, ...]


@lru_cache(maxsize=1)
def load_gov_rules() -> GovRules:
    data = tomllib.loads(resources.files("scrapy_govclean").joinpath("rules/gov.toml").read_text("utf-8"))
    return GovRules(
        organ_suffixes=tuple(sorted(data["organ_suffixes"], key=len, reverse=True)),
        organ_words=tuple(data["organ_words"]),
        doc_types=tuple(data["doc_types"]),
        official_phrases=tuple(data["official_phrases"]),
    )


def _cn_number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if "十" in s:
        left, _, right = s.partition("十")
        tens = _CN_DIGITS.get(left, 0) if left else 1
        ones = _CN_DIGITS.get(right, 0) if right else 0
        return tens * 10 + ones
    digits = [_CN_DIGITS.get(ch) for ch in s]
    if any(d is None for d in digits):
        return None
    value = 0
    for d in digits:
        value = value * 10 + d  # type: ignore[operator]
    return value


def _iso(y: str, m: str, d: str) -> str | None:
    year, month, day = _cn_number(y), _cn_number(m), _cn_number(d)
    if year is None or month is None or day is None:
        return None
    if not (1949 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_cn_date(text: str) -> str | None:
    """The first Chinese-style date (2018年7月10日, 二〇一八年七月十日) as YYYY-MM-DD."""
    m = CN_DATE_RE.search(text[:500])
    return _iso(*m.groups()) if m else None


def parse_any_date(text: str) -> str | None:
    """A Chinese or ISO-style date (2022-04-29) as YYYY-MM-DD."""
    found = parse_cn_date(text)
    if found:
        return found
    m = ISO_DATE_RE.search(text[:500])
    return _iso(*m.groups()) if m else None


def date_only_line(line: str) -> str | None:
    """If the line is just a date (a signature date), that date as YYYY-MM-DD."""
    if len(line) > 24:
        return None
    m = CN_DATE_RE.search(line)
    if not m:
        return None
    rest = (line[: m.start()] + line[m.end():]).strip(" ()\uff08\uff09")
    if rest and rest not in {"印发", "发布", "成文日期:", "成文日期\uff1a"}:
        return None
    return _iso(*m.groups())


def is_organ_name(line: str, rules: GovRules | None = None) -> bool:
    """A short unpunctuated line ending like the name of a state organ or official body."""
    rules = rules or load_gov_rules()
    s = line.strip()
    if not (2 <= len(s) <= 60) or _PUNCT_RE.search(s):
        return False
    names = re.split(r"\s+", s)
    return all(n.endswith(rules.organ_suffixes) for n in names if n)


_ADDRESSEE_END_RE = re.compile(
    r"(政府|部门|单位|机构|机关|委员|代表|同志|先生|女士|局|厅|委|办|处|室|院|所|校|学校|公司|企业|街道|社区|"
    r"居民|市民|群众|朋友|朋友们|各位|人员|主任|书记|领导|会员|家长|同学|老师|纳税人|用人单位|个体工商户)$"
)
_NOT_SALUTATION_RE = re.compile(r"如下|现将|现就|通知|公告|规定|以下|包括|为[^,]{0,20}$")


def is_salutation(line: str) -> bool:
    """The addressee line that opens a letter or notice ("尊敬的王金乐委员:", "各区人民政府:").

    Expects folded text (ASCII colon). A colon alone is not enough: "现将有关事项通知如下:"
    ends with one too, so the words before it must name addressees.
    """
    s = line.strip()
    if not (3 <= len(s) <= 80) or s[-1] != ":" or "。" in s:
        return False
    head = s[:-1].strip()
    if _NOT_SALUTATION_RE.search(head):
        return False
    return head.startswith(("尊敬的", "各", "致", "亲爱的")) or _ADDRESSEE_END_RE.search(head) is not None


# A site's download widget, not the document's own attachment list: a "附件下载" label, or
# file names with their sizes ("附件1.xlsx（38.5KB）").
_DOWNLOAD_WIDGET_RE = re.compile(
    r"^[\[【(（]?\s{0,2}(?:附件下载|下载附件|相关附件|附件列表)\s{0,2}[\]】)）]?\s{0,2}[:：]?\s{0,2}$"
    r"|\.(?:xlsx?|docx?|pdf|wps|ofd|zip|rar|et)\s{0,2}[(（]\s{0,2}\d{1,6}(?:\.\d{1,3})?\s{0,2}[KMG]i?B\s{0,2}[)）]",
    re.I,
)


def is_trailer_line(line: str) -> bool:
    """Lines that legitimately follow the signature: attachments, publication and contact notes."""
    return _TRAILER_RE.search(line[:120]) is not None and _DOWNLOAD_WIDGET_RE.search(line[:300]) is None


def find_signature(
    lines: list[str], prose: list[float], start: int, stop: int, *, total: float | None = None
) -> tuple[int, int] | None:
    """Locate the closing (issuing body and date) of a document in ``lines[start:stop]``.

    Returns ``(first_signature_line, date_line)``. The date must be a line of its own,
    come after most of the prose (a date line early in the text is not the signature),
    and the issuing body, when printed, stands on the line(s) just above it.
    """
    rules = load_gov_rules()
    if total is None:
        total = sum(prose[start:stop])
    if total <= 0:
        return None
    seen = 0.0
    for i in range(start, stop):
        seen += prose[i]
        if date_only_line(lines[i]) is None and not _org_and_date(lines[i], rules):
            continue
        if seen < 0.6 * total and not _formally_closed(lines, start, i, rules):
            continue
        first = i
        if _org_and_date(lines[i], rules):
            return i, i
        j = i - 1
        while j >= start and i - j <= 3 and is_organ_name(lines[j], rules):
            first = j
            j -= 1
        return first, i
    return None


#: A document's closing formula, on a line of its own just above its signature.
CLOSING_FORMULAS = frozenset({"特此通知", "特此公告", "特此通告", "专此函复", "特此函复", "此复", "特此报告", "特此批复"})


def is_closing_line(line: str) -> bool:
    """"特此通知。" and the like."""
    return len(line) <= 12 and line.strip().rstrip("。.") in CLOSING_FORMULAS


def _formally_closed(lines: list[str], start: int, date_line: int, rules: GovRules) -> bool:
    """A closing formula, the issuing body, then the date ("特此通告。/ X局 / 2019年7月10日"):
    a signature wherever it stands, however much prose the page put around the document."""
    j = date_line - 1
    if j < start or not is_organ_name(lines[j], rules):
        return False
    while j - 1 >= start and date_line - j < 3 and is_organ_name(lines[j - 1], rules):
        j -= 1
    return j - 1 >= start and is_closing_line(lines[j - 1])


_DATELINE_RE = re.compile(r"^\(\s{0,2}(.{4,80}?)\s{0,2}\)$")
#: "…以赣人社规〔2021〕5号印发": the issuing notice's number, in a head line of the measure it issued.
_ISSUED_WITH_RE = re.compile(r"\s{0,2}(?:以|用)\s{0,2}(\S{4,30}?号)\s{0,2}(?:文件)?(?:印发|发布)$")


def issuing_notice_number(line: str) -> str | None:
    """"(…以赣人社规〔2021〕5号印发)" -> "赣人社规〔2021〕5号" (the number as printed)."""
    m = _DATELINE_RE.match(line.strip())
    found = _ISSUED_WITH_RE.search(m.group(1)) if m else None
    return found.group(1) if found else None


def dateline(line: str, rules: GovRules | None = None) -> tuple[str, str] | None:
    """``(date, issuing body)`` of a head line "(2023年9月18日 四川省人力资源和社会保障厅)".

    Official explainers (解读), speeches and republished texts print their date and issuer
    in parentheses under the title instead of signing at the end; so do measures issued by
    a notice ("(2021年6月18日江西省人力资源和社会保障厅以赣人社规〔2021〕5号印发)"). Only a line
    that is a date and an organ's name (and that notice's number) qualifies (folded text:
    ASCII parentheses).
    """
    m = _DATELINE_RE.match(line.strip())
    if m is None:
        return None
    inner = _ISSUED_WITH_RE.sub("", m.group(1))  # "(2021年6月18日 X厅以…号印发)": the same facts
    d = CN_DATE_RE.search(inner)
    if d is None:
        return None
    organ = (inner[: d.start()] + " " + inner[d.end():]).strip(" ,、")
    if not organ or not is_organ_name(organ, rules or load_gov_rules()):
        return None
    return _iso(*d.groups()), organ


def cover_signature_date(lines: list[str], start: int, stop: int) -> str | None:
    """The date of a cover notice signed above its attachment, or None.

    "关于印发《…细则》的通知" is signed (issuing body, date) after a few lines, and the
    attached text follows — often far longer than the notice, so :func:`find_signature`
    (which wants the date after most of the prose) does not take it. An issuing body, a
    date line of its own, then an "附件" line is that signature wherever it stands.
    """
    rules = load_gov_rules()
    for i in range(start + 1, min(stop, len(lines) - 1)):
        date = date_only_line(lines[i])
        if date and lines[i + 1].startswith("附件") and is_organ_name(lines[i - 1], rules):
            return date
    return None


def _org_and_date(line: str, rules: GovRules) -> bool:
    """"深圳市龙岗区人力资源局 2018年7月10日" on one line."""
    if len(line) > 60:
        return False
    m = CN_DATE_RE.search(line)
    if not m or line[m.end():].strip():
        return False
    head = line[: m.start()].strip()
    return bool(head) and is_organ_name(head, rules)


# Several title endings name one type: a reply (答复) is a letter (函); 解读 is 政策解读.
_DOC_TYPE_ALIASES = {"答复的函": "函", "复函": "函", "答复": "函", "解读": "政策解读"}


def title_doc_type(title: str, rules: GovRules | None = None) -> str | None:
    """The document type a title ends with (通知, 函, 意见 …), normalised."""
    rules = rules or load_gov_rules()
    t = title.strip().rstrip("()\uff08\uff090123456789")
    for dt in rules.doc_types:
        if t.endswith(dt):
            return _DOC_TYPE_ALIASES.get(dt, dt)
    return None


def gov_score(
    text: str,
    title: str,
    *,
    has_signature: bool,
    publisher: str | None,
    doc_number: str | None,
    salutation: str | None,
    official_site: bool,
) -> float:
    """How strongly the clean text reads as an official government document, in 0..1.

    Additive evidence, each piece capped, so no single word makes a page "government":
    a signature (body + date), a document number, a title shaped like a 公文, an issuing
    body named like a state organ, official phrasing, an official addressee, an official
    host. Commercial self-promotion ("我司", "本公司") counts against.
    """
    if not text.strip():
        return 0.0
    rules = load_gov_rules()
    score = 0.0
    if has_signature:
        score += 0.3
    if doc_number:
        score += 0.15
    doc_type = title_doc_type(title, rules) if title else None
    if doc_type:
        score += 0.15 if doc_type == "政策解读" else 0.1
        if doc_type == "政策解读" and _NAMED_MEASURE_RE.search(title):
            score += 0.1  # an interpretation of a measure it names: "《…实施办法》政策解读"
        if "关于" in title:
            score += 0.1
    if publisher and any(w in publisher for w in rules.organ_words):
        score += 0.2
    elif title and any(w in title[:30] for w in rules.organ_words):
        score += 0.1
    sample = text[:20000]
    phrases = sum(1 for p in rules.official_phrases if p in sample)
    score += min(0.3, 0.06 * phrases)
    # Laws, regulations and measures are built of numbered articles (第一条 … 第N条).
    articles = len(_ARTICLE_RE.findall(sample))
    if articles >= 3:
        score += 0.25 if articles >= 6 else 0.15
    if title and (_LAW_TITLE_RE.search(title) or title.startswith("中华人民共和国")):
        score += 0.2
    if salutation and (any(w in salutation for w in rules.organ_words) or salutation.endswith(("委员", "代表", "同志"))):
        score += 0.1
    if official_site:
        score += 0.15
    commercial = sum(sample.count(w) for w in ("我司", "本公司", "我公司", "我们公司", "欢迎来电", "欢迎咨询"))
    score -= min(0.5, 0.15 * commercial)
    if len(sample) < 80:
        score -= 0.2
    return round(max(0.0, min(1.0, score)), 3)
