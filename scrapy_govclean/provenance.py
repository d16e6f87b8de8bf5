"""Provenance: who issued a document, its number and date, and where this copy was found.

Read from the document's own text (its signature, its number line, its title), never from
the republisher's metadata: a republisher's posting or edit date is reported separately
(``posted_at``, ``edited_at``) and never taken for the document's date.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from .govtext import (
    CN_DATE_RE,
    is_organ_name,
    load_gov_rules,
    parse_any_date,
    parse_cn_date,
    title_doc_type,
)

__all__ = [
    "find_doc_number",
    "normalize_doc_number",
    "find_case_number",
    "find_announcement_number",
    "site_of",
    "is_official_host",
    "publisher_from_title",
    "addressee_from_salutation",
    "datetime_from_stamp",
]

# 深人社规〔2023〕5号 / 粤府办[2020]12号 / 国办发(2019)3号 / 【2021】: brackets vary, normalised to 〔〕.
_DOC_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s{0,2}[〔\[(【(［{\ufe5d\u3014]\s{0,2}((?:19|20)\d{2})\s{0,2}[〕\])】)］}\ufe5e\u3015]\s{0,2}第?\s{0,2}(\d{1,5})\s{0,2}号"
)
# 第20180084号 (a proposal or case number quoted in a reply letter).
_CASE_NUMBER_RE = re.compile(r"第\s{0,2}(\d{4,12})\s{0,2}号")
_TIME_RE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s{0,3}(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_LABEL_ALONE_RE = re.compile(r"^\s{0,3}(发文字号|文号|发文机关|发布机构|成文日期|索引号)\s{0,2}[::]\s{0,2}$")
_FIELD_RE = re.compile(r"(发文字号|文号|发文机关|发布机构|成文日期|索引号)\s{0,2}[::]\s{0,2}([^\s::]{1,40})")


def normalize_doc_number(prefix: str, year: str, number: str) -> str:
    return f"{prefix}〔{year}〕{int(number)}号"


def find_doc_number(text: str) -> str | None:
    """The first document number (发文字号) in a short text, brackets normalised to 〔〕."""
    m = _DOC_NUMBER_RE.search(text[:2000])
    if not m:
        return None
    return normalize_doc_number(*m.groups())


# A line that is only an announcement's number: "2023年第12号", "国家税务总局公告2023年第1号".
_ANNOUNCEMENT_NUMBER_RE = re.compile(
    r"^\s{0,3}((?:[\u4e00-\u9fff]{1,24})?公告)?\s{0,2}((?:19|20)\d{2})\s{0,2}年\s{0,2}第\s{0,2}(\d{1,4})\s{0,2}号\s{0,3}$"
)


def find_announcement_number(line: str) -> str | None:
    """The number of an announcement (公告), when the line is nothing else."""
    m = _ANNOUNCEMENT_NUMBER_RE.match(line[:60])
    if not m:
        return None
    label, year, number = m.groups()
    return f"{label or ''}{year}年第{int(number)}号"


def find_case_number(text: str) -> str | None:
    """A quoted proposal/case number (第20180084号), used when a letter has no number of its own."""
    m = _CASE_NUMBER_RE.search(text[:3000])
    return f"第{m.group(1)}号" if m else None


def labelled_fields(lines: list[str]) -> dict[str, str]:
    """"发文字号:…", "成文日期:…" fields of official sites' metadata tables — on one line, or
    a label alone on its line with the value on the next (``<dt>成文日期:</dt><dd>…</dd>``)."""
    out: dict[str, str] = {}
    for k, line in enumerate(lines):
        if len(line) > 300:
            continue
        for m in _FIELD_RE.finditer(line):
            out.setdefault(m.group(1), m.group(2))
        alone = _LABEL_ALONE_RE.match(line)
        if alone and k + 1 < len(lines) and 0 < len(lines[k + 1].strip()) <= 40:
            out.setdefault(alone.group(1), lines[k + 1].strip())
    return out


def site_of(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def is_official_host(host: str | None, official_domains: tuple[str, ...] = ()) -> bool:
    """``.gov.cn``, ``.政务`` (and its punycode), or a configured domain or its subdomains."""
    if not host:
        return False
    host = host.lower()
    if host == "gov.cn" or host.endswith((".gov.cn", ".政务", ".xn--zfr164b")):
        return True
    for domain in official_domains:
        d = domain.lower().lstrip(".")
        if host == d or host.endswith("." + d):
            return True
    return False


def publisher_from_title(title: str) -> str | None:
    """"深圳市龙岗区人力资源局关于…的函" -> "深圳市龙岗区人力资源局" (when it names an organ)."""
    head, sep, _ = title.partition("关于")
    if not sep or not head:
        return _organ_prefix(title)
    head = head.strip()
    # Joint documents: "A局 B局关于…" or "A局、B局关于…"
    parts = [p for p in re.split(r"[\s、]+", head) if p]
    rules = load_gov_rules()
    if parts and all(is_organ_name(p, rules) for p in parts):
        return "、".join(parts)
    return None


def _organ_prefix(title: str) -> str | None:
    """"佛山市应急管理局安全生产举报奖励办法" -> "佛山市应急管理局": a title without 关于
    that starts with an organ's name and ends with a document type.

    The name ends at the first organ ending ("局", "厅", ...) unless a longer ending follows
    within a few characters ("国务院" + "办公厅").
    """
    rules = load_gov_rules()
    title = title.strip()
    if len(title) > 80 or title_doc_type(title) is None:
        return None
    first = next((k for k in range(3, min(len(title) - 3, 30) + 1) if title[:k].endswith(rules.organ_suffixes)), None)
    if first is None:
        return None
    end = max(k for k in range(first, min(first + 6, len(title) - 3) + 1) if title[:k].endswith(rules.organ_suffixes))
    name = title[:end]
    if not any(word in name for word in rules.organ_words) or not is_organ_name(name, rules):
        return None
    return name


def addressee_from_salutation(line: str) -> str:
    s = line.strip().rstrip(":\uff1a").strip()
    if s.startswith("尊敬的"):
        s = s[3:]
    return s


def datetime_from_stamp(line: str) -> str | None:
    """"2023-09-09 04:58:43重新编辑" -> "2023-09-09 04:58:43"; dates only -> "YYYY-MM-DD"."""
    m = _TIME_RE.search(line[:300])
    if not m:
        return None
    y, mo, d, hh, mm, ss = m.groups()
    date = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    if hh is None:
        return date
    return f"{date} {int(hh):02d}:{int(mm):02d}:{int(ss or 0):02d}"


__all__ += ["labelled_fields", "title_doc_type", "parse_any_date", "parse_cn_date", "CN_DATE_RE"]
