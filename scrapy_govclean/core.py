"""``clean_page``: the one public entry point of the cleaner core (no Scrapy here).

One parse feeds everything: the page becomes blocks (``extraction``), the content
container is chosen by where the prose is, each line is classified (``noise``), the
document's own boundary is found (``govtext``: salutation … signature, date, attachments)
and provenance is read from the document itself (``provenance``). Pages that are not
Chinese are handed to trafilatura on the already-parsed, pre-pruned tree.
"""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

from . import extraction, govtext, noise, provenance
from .extraction import Block, ParsedPage
from .fingerprint import simhash_hex
from .result import PROVENANCE_KEYS, CleanConfig, CleanResult

__all__ = ["clean_page", "explain_page", "LineDecision"]

_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_FEW_CJK = 20  # Chinese characters: fewer in the whole page and it is not a Chinese page
_HEAD_TITLE_RE = re.compile(r"<title[^>]{0,200}>([^<]{0,500})</title>", re.I)
_SHORT_TEXT = 100  # characters: below this a non-government page falls back to trafilatura
_PROSE_BANNER_CHARS = 40  # a "banner" line this long with a whole sentence left is prose
_LATIN_RE = re.compile(r"[A-Za-z]")
_TITLE_SPLIT_RE = re.compile(r"\s{0,3}(?:[_|｜]|-{1,2}|—{1,2}|–)\s{0,3}")
# Inside the document only clear announcements are removed (a notice may legitimately
# print "联系电话:…" or "地址:…"); outside it, everything goes.
_IN_DOC_KINDS = {
    "edit_stamp", "disclaimer", "share", "pager", "ad", "seo_keywords", "headline_list", "byline", "nav", "footer", "other",
}
# A document's own section numbering: 一、 / (一) / 第三条 / 第二章.
_SECTION_HEADING_RE = re.compile(r"\s{0,3}(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)|第[一二三四五六七八九十百零]{1,5}[条章节])")
# A line in Latin script only (ASCII and Latin-1 letters, digits, punctuation).
_LATIN_LINE_RE = re.compile(r"^[\x20-\x7e\u00a0-\u00ff\u2010-\u201f]{1,300}$")
_COPYRIGHT_RE = re.compile(r"版权所有|保留所有权利|copyright|©", re.I)
_POST_HEADER_RE = re.compile(r"发表于\s{0,2}\d{4}")
# Labelled lines ("电话:…", "作者:…") that articles also carry inside their text: they do
# not separate one run of prose from the next.
_LABEL_KINDS = {"banner", "byline"}
# Labels of official sites' metadata rows ("文号:", "发布日期:"): never a salutation or a title.
_FIELD_LABEL_RE = re.compile(
    r"^(名称|标题|题名|文号|发文字号|索引号|发文机关|发布机构|发布日期|成文日期|生效日期|来源|信息来源|主题分类|"
    r"公开方式|公开范围|体裁分类|时效|有效性|关键词|分类)\s{0,2}:"
)
# An official site's metadata row copied along with the document: two or more labelled
# fields on one line ("发文机关: X 成文日期: Y", "索 引 号: … 主题分类: …"), labels maybe spaced.
_METADATA_LABELS = (
    "索引号", "主题分类", "发文机关", "发布机构", "成文日期", "发布日期", "生效日期", "标题", "名称",
    "发文字号", "文号", "有效性", "主题词", "公开方式", "公开范围", "体裁分类", "时效", "分类",
)
_METADATA_FIELD_RE = re.compile(
    "(?:" + "|".join("\\s{0,3}".join(label) for label in _METADATA_LABELS) + ")\\s{0,3}:"
)
_STRICT_BANNER_RE = re.compile(r"(客服|服务|全国|免费|24小时|招聘|业务)(热线|电话|专线)")


@dataclass
class LineDecision:
    """What happened to one block, and why (for ``govclean explain``)."""

    index: int
    text: str
    kept: bool
    kind: str | None
    reason: str


def clean_page(
    html: str | bytes,
    url: str = "",
    *,
    encoding: str | None = None,
    config: CleanConfig | None = None,
) -> CleanResult:
    """Clean one page: the document alone, its provenance, and what was removed.

    ``html`` is decoded text, or bytes — then decoded with ``encoding`` if given, else the
    ``<meta>`` charset, else UTF-8 / GB18030 / Big5 (see :mod:`scrapy_govclean.encoding`).
    """
    result, _ = _clean(html, url, encoding=encoding, config=config or CleanConfig(), want_decisions=False)
    return result


def explain_page(
    html: str | bytes,
    url: str = "",
    *,
    encoding: str | None = None,
    config: CleanConfig | None = None,
) -> tuple[CleanResult, list[LineDecision]]:
    """Like :func:`clean_page`, plus every block of the page with the decision taken on it."""
    return _clean(html, url, encoding=encoding, config=config or CleanConfig(), want_decisions=True)


def _empty_provenance(url: str, config: CleanConfig) -> dict:
    prov = dict.fromkeys(PROVENANCE_KEYS)
    site = provenance.site_of(url) if url else None
    prov.update(url=url or None, site=site, official_site=provenance.is_official_host(site, config.official_domains), republished=False)
    return prov


def _clean(
    html: str | bytes, url: str, *, encoding: str | None, config: CleanConfig, want_decisions: bool
) -> tuple[CleanResult, list[LineDecision]]:
    warnings: list[str] = []
    used_encoding: str | None = None
    if isinstance(html, (bytes, bytearray, memoryview)):
        from .encoding import decode_html

        text, used_encoding, warnings = decode_html(bytes(html), declared=encoding)
    else:
        from .encoding import check_text

        text, warnings = check_text(html)  # decoded upstream: flag (or undo) a wrong charset
    result = CleanResult(provenance=_empty_provenance(url, config), encoding=used_encoding, warnings=warnings)
    if _looks_binary(text):
        warnings.append("binary content (control characters), not a page: nothing extracted")
        return result, []
    # count only up to the threshold: a Chinese page need not list all its characters
    few_cjk = extraction.count_cjk(text, _FEW_CJK) < _FEW_CJK
    if few_cjk:
        # No Chinese to speak of: trafilatura gets our parse — its own would silently drop
        # everything past markup nested 256 deep or a text node over 10 MB (and read on
        # past </body> as a browser does not). Still one parse, for the non-explain path.
        tree = extraction.parse_tree(text)
        if tree is not None:
            extraction.strip_invisible(tree)
            _clean_with_trafilatura(tree, url, result)
        if not want_decisions:
            return result, []
    root = extraction.parse_tree(text)
    if root is None:
        return result, []
    extraction.strip_invisible(root)
    if few_cjk or not _is_cjk_text(extraction.text_sample(root)):
        if not few_cjk:
            # trafilatura works on (a copy of) our tree: the page is still parsed only once
            _clean_with_trafilatura(root, url, result)
        if not want_decisions:
            return result, []
        page = extraction.linearise(root, max_depth=config.max_depth)
        kept = set(result.text.splitlines())
        return result, [
            LineDecision(b.index, b.text, b.text in kept, None if b.text in kept else "other", "trafilatura")
            for b in page.blocks
        ]
    extraction.mark_ad_labels(root)
    extraction.mark_action_cards(root)
    extraction.mark_captions(root)
    extraction.split_prose_pre(root)
    page = extraction.linearise(root, max_depth=config.max_depth)
    if page.truncated_depth:
        warnings.append(f"markup nested deeper than {config.max_depth} levels was flattened")
    if not page.blocks:
        return result, []
    decisions = _clean_cjk(page, config, result)
    if not result.is_gov and len(result.text) < _SHORT_TEXT:
        # Little prose (a table of contents, a gallery, a code page): our prose-driven
        # container choice has nothing to go on, trafilatura's tree heuristics may.
        fallback = CleanResult(provenance=result.provenance)
        _clean_with_trafilatura(root, url, fallback)
        if len(fallback.text) > len(result.text):
            result.text, result.simhash = fallback.text, fallback.simhash
            result.warnings.append("little prose found; used trafilatura's extraction")
    return result, decisions


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


def _looks_binary(text: str) -> bool:
    """An image or archive served as text/html: control characters all over its start."""
    head = text[:4096]
    return len(head) >= 16 and len(_CONTROL_RE.findall(head)) > 0.1 * len(head)


def _is_cjk_text(sample: str) -> bool:
    cjk = len(_CJK_RE.findall(sample))
    latin = len(_LATIN_RE.findall(sample))
    return cjk >= 50 and cjk >= 0.3 * (cjk + latin / 5)


# ---------------------------------------------------------------------------------------
# Non-Chinese pages: trafilatura does well on them; we only prune and fingerprint.


def _clean_with_trafilatura(page: Any, url: str, result: CleanResult) -> None:
    """trafilatura's extraction of a page (our parsed tree, or the text when we skip parsing)."""
    import trafilatura

    extracted = trafilatura.extract(
        page, url=url or None, include_comments=False, include_tables=True, deduplicate=False
    ) or ""
    lines = [extraction.clean_line(x) for x in extracted.splitlines()]
    result.text = "\n".join(x for x in lines if x)
    if isinstance(page, str):
        m = _HEAD_TITLE_RE.search(page[:200000])
        head_title = extraction.clean_line(html_lib.unescape(m.group(1))) if m else ""
    else:
        title_el = page.find(".//title")
        head_title = extraction.clean_line(title_el.text_content()) if title_el is not None else ""
    result.title = _title_from_head(head_title) if head_title else ""
    result.provenance["title"] = result.title or None
    result.simhash = simhash_hex(result.text)


def _title_from_head(head_title: str, *, prefer_document: bool = False) -> str:
    """The article's part of a <title> ("标题_站名", or "站名--标题" when it names a document)."""
    parts = [p for p in _TITLE_SPLIT_RE.split(head_title) if p.strip()]
    if not parts:
        return head_title.strip()
    if prefer_document:
        documentish = [p for p in parts if "关于" in p or govtext.title_doc_type(p)]
        if documentish:
            return documentish[0].strip()
    return parts[0].strip() if len(parts[0].strip()) >= 2 else max(parts[:2], key=len).strip()


# ---------------------------------------------------------------------------------------
# Chinese pages.


def _structural_kind(b: Block, rules: noise.NoiseRules) -> str | None:
    """Noise kind from wording or structure alone, for one block."""
    line = b.folded
    if line.startswith(extraction.AD_LABEL):
        return "ad"  # a line the page itself labels as an advert
    kind = noise.match_kind(line, rules)
    if kind == "ad":
        # a paragraph with an ad sentence in it is still a paragraph: sentences are cut later
        rest, _ = noise.strip_ad_sentences(b.text, rules, folded=line)
        return "ad" if len(rest) < 10 else None
    if kind == "banner" and len(line) >= _PROSE_BANNER_CHARS:
        # A hotline banner is a short line. A long one with whole sentences left after
        # its ad sentences are cut is a paragraph that names a hotline (a government
        # service line, "拨打12366…热线咨询") or ends with an appended ad: prose.
        rest, _ = noise.strip_ad_sentences(b.text, rules, folded=line)
        rest_folded = extraction.fold(rest)
        if len(rest) >= _PROSE_BANNER_CHARS and "。" in rest and not noise.is_ad_sentence(rest_folded, rules):
            return None
    if kind:
        return kind
    if len(line) <= 200 and len(_METADATA_FIELD_RE.findall(line)) >= 2:
        return "byline"  # provenance fields, read from here by _fill_provenance
    if noise.is_seo_line(line) and not _organ_names(noise.seo_items(line)):
        return "seo_keywords"
    if noise.inline_enumeration(line):
        return "headline_list"
    if b.link_count >= 3 and b.link_ratio >= 0.6 and not _has_prose_punct(line):
        return "nav"
    return None


_TRAILING_WORD_RE = re.compile(r"[。!?:;]\s{0,3}([^。!?:;,、\s]{2,12})\s{0,3}$")


def _cut_trailing_keyword_link(text: str, block: Block) -> tuple[str, str]:
    """(paragraph, cut keyword): a short linked keyword a site appended after the last
    sentence of a paragraph ("…特此通告。东莞保安公司哪家好"). Only when links in the line
    cover it, it holds Chinese, and it is not an attachment's name after "附件:"."""
    if not block.link_count or len(text) < 8:
        return text, ""
    m = _TRAILING_WORD_RE.search(extraction.fold(text))
    if m is None:
        return text, ""
    word = m.group(1)
    if block.link_chars < len(word) or not _CJK_RE.search(word) or m.group(0)[:1] == ":" and "附件" in extraction.fold(text)[max(0, m.start() - 4) : m.start()]:
        return text, ""
    return text[: m.start(1)].rstrip(), text[m.start(1):].strip()


def _organ_names(items: list[str]) -> bool:
    """Whether most items name state organs (a joint signature, an addressee list)."""
    rules = govtext.load_gov_rules()
    return sum(1 for it in items if govtext.is_organ_name(it, rules)) >= 0.6 * len(items)


def _has_prose_punct(text: str) -> bool:
    return any(ch in "。,;!?" for ch in text)


def _prose_value(b: Block, kind: str | None) -> float:
    return 0.0 if kind else extraction.block_value(b)


def _clean_cjk(page: ParsedPage, config: CleanConfig, result: CleanResult) -> list[LineDecision]:
    rules = noise.load_rules(tuple(config.extra_noise_patterns))
    grules = govtext.load_gov_rules()
    blocks = page.blocks
    lines = [b.folded for b in blocks]  # analysis; output always uses b.text
    n = len(blocks)
    kinds: list[str | None] = [_structural_kind(b, rules) for b in blocks]
    own_lists = _announced_lists(lines, kinds)
    data_rows = _numbered_table_rows(blocks)
    for i, j in noise.shared_affix_run(lines):
        if _organ_names(lines[i : j + 1]):
            continue  # a signature or addressee list of state organs, one per line
        for k in range(i, j + 1):
            if k not in own_lists and k not in data_rows:
                kinds[k] = kinds[k] or "seo_keywords"
    prose = [_prose_value(b, kinds[i]) for i, b in enumerate(blocks)]
    for k in own_lists | data_rows:  # the items of a list the document announced, the rows of its table
        prose[k] = max(prose[k], float(len(lines[k])))
    _mark_headline_runs(lines, kinds, prose, own_lists)
    _mark_listed_after_headings(lines, kinds)
    prose = [0.0 if kinds[i] else v for i, v in enumerate(prose)]

    r0, r1, _ = extraction.choose_region(page, prose, [k is not None for k in kinds])
    if r1 < r0:
        return []
    # list items pointing elsewhere: links, or a date and a headline (a table row with a
    # date among several cells is not one)
    listy = [
        b.link_ratio >= 0.5
        or (noise.has_date(lines[i]) and noise.is_headline_like(lines[i]) and lines[i].count(" ") <= 2)
        for i, b in enumerate(blocks)
    ]
    first_prose, last_prose, body_value = _main_segment(lines, kinds, prose, listy, r0, r1)

    # --- the document's end: its signature (issuing body + date) and what may follow it.
    end, sig_first, date_line = _document_end(lines, kinds, prose, first_prose, last_prose, body_value, r1, grules)

    # --- the title: the document's own heading, not the site's <title>.
    title, title_idx = _find_title(page, kinds, r0, first_prose)
    if title_idx is not None and title_idx >= first_prose:
        # the title itself read as prose ("…,这几点提醒请收好"): the text starts after it
        first_prose = next((i for i in range(title_idx + 1, last_prose + 1) if prose[i] > 0), title_idx + 1)

    # --- the document's start: its salutation, or its first body line.
    start = _document_start(lines, kinds, blocks, prose, r0, first_prose, last_prose, end, title, title_idx)
    head = _document_head(lines, kinds, start, end)
    if head is not None:
        # the document's own head (official title, then its number or salutation) below a
        # lead-in ("你好,通知全文如下:", a forum question): the text starts under it
        title_idx, title = head, _strip_title_label(blocks[head].text).strip()
        start = head + 1
        while start < end and _is_number_line(lines[start]):
            start += 1

    # the republisher's lead-in ("…小编特将最新通告转载如下") introduces the document: what
    # stands above it (the company's own introduction) is not the document
    # (not when the document has already begun with its salutation: then an "other" line is
    # one of the site's boxes between its paragraphs)
    lead_in = next((i for i in range(min(end - 1, start + 8), start - 1, -1) if kinds[i] == "other"), None)
    if lead_in is not None and not any(govtext.is_salutation(lines[k]) for k in range(start, lead_in)):
        start = lead_in + 1
        while start < end and (kinds[start] or _is_number_line(lines[start])):
            start += 1
    # page chrome in another script above a Chinese document ("Posted by …", "Key Takeaways"),
    # and the number line under it
    if start < end and _LATIN_LINE_RE.match(lines[start]):
        while start < end and _LATIN_LINE_RE.match(lines[start]):
            start += 1
        while start < end and _is_number_line(lines[start]):
            start += 1
    # a dateline under the title ("(2023年9月18日 四川省人力资源和社会保障厅)") is provenance
    if start <= end and govtext.dateline(lines[start], grules) is not None:
        start += 1

    # --- decide every line.
    vocabulary = noise.bigrams("\n".join(lines[i] for i in range(start, end + 1) if prose[i] > 0))
    in_doc_kinds: list[str | None] = [None] * n
    span_lines = list(range(start, end + 1))
    repeated_numbers = _repeated_phone_numbers(lines, kinds, span_lines)
    for i in span_lines:
        kind = kinds[i]
        pitch = _mobile_pitch(lines[i], rules)
        if kind == "banner" and not pitch and not (
            _phone_numbers(lines[i]) & repeated_numbers
        ) and (not _STRICT_BANNER_RE.search(lines[i]) or _SECTION_HEADING_RE.match(lines[i])):
            kind = None  # a service line the document names, maybe as one of its items ("四、…可拨打12366…热线咨询。")
        if kind is None and pitch:
            kind = "ad"
        if kind == "footer" and not _looks_like_stamp(lines[i]):
            kind = None  # "地址:…" may be the document's own
        in_doc_kinds[i] = kind if kind in _IN_DOC_KINDS or kind == "banner" else None
    site_numbers = _site_phone_numbers(lines, start, end)
    for i in span_lines:
        if in_doc_kinds[i] is not None:
            continue
        if blocks[i].mark == extraction.CARD:  # a call-to-action card the site put between its lines
            in_doc_kinds[i] = "ad"
        elif (
            site_numbers and len(lines[i]) <= _SITE_NUMBER_LINE_CHARS and not _CONTACT_LINE_RE.match(lines[i])
            and _phone_numbers(lines[i]) & site_numbers
        ):
            in_doc_kinds[i] = "ad"  # the site's own number, between the document's lines
    _mark_unrelated_lists(lines, span_lines, vocabulary, in_doc_kinds)
    _mark_inserted_cards(blocks, prose, span_lines, in_doc_kinds)
    # A forum post ends where the next post's header ("沙发 发表于 …") begins.
    seen_prose = 0.0
    for i in span_lines:
        seen_prose += prose[i]
        if seen_prose >= 0.3 * body_value and in_doc_kinds[i] == "byline" and _POST_HEADER_RE.search(lines[i]):
            end = i - 1
            break

    # only on an official document (signed, or opening with its addressee): a news story may
    # name its own site ("中国网5月13日讯"), and a <title> may end with a tag, not a name
    signed = date_line is not None or (start <= end and govtext.is_salutation(lines[start]))
    if signed:  # the pictures of a copied document are the site's, and so are their captions
        for i in span_lines:  # (a news story's captions are its text)
            if blocks[i].mark == extraction.CAPTION and in_doc_kinds[i] is None:
                in_doc_kinds[i] = "other"
    footer = "\n".join(line for line, kind in zip(lines, kinds) if kind == "footer" or _COPYRIGHT_RE.search(line))
    brand = _site_brand(page.head_title, title, result.provenance, grules, footer) if signed else None
    decisions: list[LineDecision] = []
    kept_lines: list[str] = []
    removed: list[tuple[str, str]] = []
    seen_long: set[str] = set()
    for i, b in enumerate(blocks):
        if start <= i <= end and in_doc_kinds[i] is None and b.text in seen_long:
            # the same paragraph again (a page that carries its text twice, e.g. a print copy)
            removed.append(("other", b.text))
            decisions.append(LineDecision(i, b.text, False, "other", "repeats an earlier paragraph"))
            continue
        if start <= i <= end and in_doc_kinds[i] is None:
            if len(b.text) >= 20:
                seen_long.add(b.text)
            text, folded, sources = noise.strip_inline_sources(b.text, b.folded, brand)
            for source in sources:
                removed.append(("byline", source))
            text, ads = noise.strip_ad_sentences(text, rules, folded=folded, brand=brand)
            for ad in ads:
                removed.append(("ad", ad))
            text, keyword = _cut_trailing_keyword_link(text, b)
            if keyword:
                removed.append(("seo_keywords", keyword))
            cut = bool(sources or ads or keyword)
            if text:
                kept_lines.append(text)
                decisions.append(LineDecision(i, b.text, True, None, "document, ad sentence cut" if cut else "document"))
            else:
                decisions.append(LineDecision(i, b.text, False, "ad", "ad sentence"))
            continue
        if i == title_idx:
            decisions.append(LineDecision(i, b.text, False, None, "title"))
            continue
        kind = in_doc_kinds[i] if start <= i <= end else (kinds[i] or _outside_kind(b))
        reason = _reason(i, start, end, r0, r1, kinds[i], kind)
        removed.append((kind, b.text))
        decisions.append(LineDecision(i, b.text, False, kind, reason))

    result.text = "\n".join(kept_lines)
    result.title = _without_trailing_number(title)
    result.noise = _merge_noise(removed)
    _fill_provenance(result, page, lines, kinds, start, end, sig_first, date_line, title, config, grules)
    result.simhash = simhash_hex(result.text)
    return decisions


def _document_end(
    lines: list[str],
    kinds: list[str | None],
    prose: list[float],
    first_prose: int,
    last_prose: int,
    body_value: float,
    r1: int,
    grules: govtext.GovRules,
) -> tuple[int, int | None, int | None]:
    """``(last_line, first_signature_line, date_line)`` of the text.

    A 公文 ends with its issuing body and date, then attachments and notes; an unsigned
    text ends with its last run of prose, a closing formula ("特此通知") or the bare name
    of the body that issued it.
    """
    n = len(lines)
    signature = govtext.find_signature(lines, prose, first_prose, min(n, r1 + 12), total=body_value)
    if signature is not None:
        sig_first, date_line = signature
        end = date_line
        k = date_line + 1
        while k < n and k <= date_line + 40 and (govtext.is_trailer_line(lines[k]) or _continues_attachments(lines, k)):
            end = k
            k += 1
        return end, sig_first, date_line
    end = last_prose
    k = end + 1
    while k <= r1 and not kinds[k] and govtext.is_closing_line(lines[k]):
        end = k
        k += 1
    if k < n and k <= r1 + 3 and not kinds[k] and govtext.is_organ_name(lines[k], grules):
        return k, k, None
    return end, None, None


def _document_start(
    lines: list[str],
    kinds: list[str | None],
    blocks: list[Block],
    prose: list[float],
    r0: int,
    first_prose: int,
    last_prose: int,
    end: int,
    title: str,
    title_idx: int | None,
) -> int:
    """The first line of the text: the salutation or first body line, past a number line
    printed under the title, a forum post's header, or the title repeated."""
    start = _find_start(lines, kinds, blocks, r0, first_prose, title_idx)
    # A line cannot open with "、" or ",": the line above is the start of the same sentence,
    # hard-wrapped ("各县(市、区)人力资源和社会保障局,嘉兴经济技术开发区(国际商务区)" / "、嘉兴港区…:").
    while r0 < start < len(lines) and lines[start][:1] in _CONTINUATION_OPENERS and not kinds[start - 1] and start - 1 != title_idx:
        start -= 1
    for i in range(start, min(start + 4, last_prose)):
        if _is_number_line(lines[i]):
            start = i + 1  # "于府字〔2023〕86号" under the title: provenance, not text
    first_para = next((i for i in range(start, end + 1) if prose[i] >= 30), start)
    for i in range(first_para - 1, start - 1, -1):
        if kinds[i] == "edit_stamp" or (kinds[i] == "byline" and _POST_HEADER_RE.search(lines[i])):
            start = i + 1  # what precedes a post header ("发表于 …") is the thread's chrome
            break
    if start < end and title and lines[start] == extraction.fold(title):
        start += 1  # the title repeated at the top of the text
    return start


_CONTINUATION_OPENERS = frozenset("、,;:)》.")  # folded: what a sentence cannot begin with

_PHONE_RE = re.compile(r"(?<![0-9])(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}|400-?[0-9]{3}-?[0-9]{4})(?![0-9])")


_MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def _mobile_pitch(line: str, rules: noise.NoiseRules) -> bool:
    """A hotline-like line with a mobile number and no sentence, not the document's own
    contact line (联系人/联系电话/…): a tradesman's advert between the paragraphs."""
    return (
        len(line) <= 80
        and _MOBILE_RE.search(line.replace(" ", "").replace("-", "")) is not None
        and "。" not in line
        and "联系" not in line
        and (rules.not_ad is None or not rules.not_ad.search(line))
    )


#: A short line inside the document carrying the site's number is its advert; a paragraph
#: that happens to name it is left to the sentence cutter.
_SITE_NUMBER_LINE_CHARS = 80
_CONTACT_LINE_RE = re.compile(r"^\s*[(\[]?\s*(?:联系|咨询单位|承办)")


def _phone_numbers(line: str) -> set[str]:
    """The phone numbers a line gives, spaces inside them ignored ("0512-6580 2233")."""
    return set(_PHONE_RE.findall(line.replace(" ", ""))) if any(ch.isdigit() for ch in line) else set()


def _site_phone_numbers(lines: list[str], start: int, end: int) -> set[str]:
    """Phone numbers the page prints outside the document (its banner, its footer): the
    site's. A document's own contact number is printed in the document only."""
    found: set[str] = set()
    for i, line in enumerate(lines):
        if i < start or i > end:
            found |= _phone_numbers(line)
    return found


def _repeated_phone_numbers(lines: list[str], kinds: list[str | None], span: list[int]) -> set[str]:
    """Phone numbers announced by two or more hotline-like lines inside the document.

    A document gives its contact number once ("联系人:李某某,联系电话:020-…"); the same
    number on several lines between its paragraphs is a republisher's advert.
    """
    seen: dict[str, int] = {}
    for i in span:
        if kinds[i] == "banner":
            for number in _phone_numbers(lines[i]):
                seen[number] = seen.get(number, 0) + 1
    return {number for number, count in seen.items() if count >= 2}


def _site_brand(
    head_title: str, title: str, prov: dict, grules: govtext.GovRules, footer: str = ""
) -> str | None:
    """The republishing site's name, from its <title> ("…通知_鑫达人力"): a short part after
    the first that is neither the document's nor a state organ's — the one the page's
    copyright footer repeats ("…通知 - 苏才人力 | 苏州劳务派遣_人力资源外包": 苏才人力), else
    the last part."""
    if prov.get("official_site"):
        return None
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(extraction.fold(head_title)) if p.strip()]
    folded_title = extraction.fold(title)

    def is_name(name: str) -> bool:
        return (
            3 <= len(name) <= 12 and len(_CJK_RE.findall(name)) >= 3 and not _has_prose_punct(name)
            and name not in folded_title and not any(word in name for word in grules.organ_words)
        )

    names = [name for name in parts[1:] if is_name(name)]
    in_footer = [name for name in names if name in footer]
    if in_footer:
        return in_footer[0]
    return parts[-1] if len(parts) >= 2 and names and names[-1] == parts[-1] else None


def _document_head(lines: list[str], kinds: list[str | None], start: int, end: int) -> int | None:
    """A full official title naming its issuer ("X厅关于…的通知") a few lines into the text,
    followed at once by the document's number or its salutation: where the document begins."""
    for i in range(start, min(start + 12, end - 1)):
        t = lines[i]
        if kinds[i] or len(t) > 120 or not govtext.title_doc_type(t) or _has_prose_punct(t):
            continue
        after = [k for k in range(i + 1, min(i + 3, end + 1)) if not kinds[k]]
        if not after:
            continue
        if "关于" in t and provenance.publisher_from_title(t):
            if _is_number_line(lines[after[0]]) or govtext.is_salutation(lines[after[0]]):
                return i
        elif _is_number_line(lines[after[0]]):
            # a title without 关于 ("福州市劳务派遣经营活动监督管理办法") under its own number
            return i
    return None


def _mark_listed_after_headings(lines: list[str], kinds: list[str | None]) -> None:
    """The items under a "相关阅读:" / "推荐文章" heading belong to its list: the short,
    unpunctuated lines right after it (up to the first line that reads as a sentence, or a
    section heading of the document — "三、下一步工作计划" — below a one-line
    "推荐阅读:…" the site slipped between its sections)."""
    n = len(lines)
    for i in range(n):
        if kinds[i] != "headline_list" or noise.numbered(lines[i]) is not None:
            continue
        j = i + 1
        while (
            j < n and j - i <= 60 and not kinds[j] and noise.is_headline_like(lines[j]) and len(lines[j]) <= 40
            and not _SECTION_HEADING_RE.match(lines[j])
        ):
            kinds[j] = "headline_list"
            j += 1


def _mark_headline_runs(lines: list[str], kinds: list[str | None], prose: list[float], own_lists: set[int]) -> None:
    """Long enumerations (1. … 2. …) and runs of dated lines whose items are headlines of
    other pages, unrelated to the page's own prose, are headline lists wherever they stand
    — unless the document itself announced the list (``own_lists``)."""
    vocabulary = noise.bigrams("\n".join(line for line, v in zip(lines, prose) if v > 0))
    runs = noise.enumeration_runs(lines, min_run=8) + noise.dated_runs(lines, min_run=5)
    for i, j in runs:
        if i in own_lists:
            continue
        items = lines[i : j + 1]
        headline_share = sum(1 for it in items if noise.is_headline_like(it)) / len(items)
        overlap = sum(noise.bigram_overlap(it, vocabulary) for it in items) / len(items)
        if headline_share >= 0.7 and overlap < 0.45:
            for k in range(i, j + 1):
                kinds[k] = kinds[k] or "headline_list"


_ATTACHMENT_HEADING_RE = re.compile(r"^附件\s{0,2}\d{0,2}\s{0,2}:?\s{0,2}\S{4,}")


def _announcing(line: str) -> bool:
    """A sentence of prose that announces a list ("…名单予以公布（共18家）:"), or the heading
    of an attachment the list is ("附件:2023年度劳务派遣单位年度核验结果一览表")."""
    text = line.rstrip()
    return len(text) >= 20 and text.endswith(":") or bool(_ATTACHMENT_HEADING_RE.match(text))


def _continues_text(line: str) -> bool:
    """What follows a document's own list: more of its prose, a closing formula, its signature."""
    return (
        _has_prose_punct(line) and len(line) >= 15 or govtext.is_closing_line(line)
        or govtext.date_only_line(line) is not None or _organ_names([line])
    )


def _announced_list(lines: list[str], kinds: list[str | None], i: int, j: int) -> bool:
    """Whether the numbered run ``lines[i..j]`` is the document's own list (firms approved,
    requirements …): a sentence of the document announces it ("…名单予以公布:") and the
    document goes on after it. A site's headline list comes after the document, or under
    a heading of its own ("推荐阅读")."""
    return (
        i > 0 and not kinds[i - 1] and _announcing(lines[i - 1])
        and j + 1 < len(lines) and not kinds[j + 1] and _continues_text(lines[j + 1])
    )


_ROW_NUMBER_RE = re.compile(r"^(\d{1,4})\s")


def _numbered_table_rows(blocks: list[Block]) -> set[int]:
    """Rows of a table whose first cell counts 1, 2, 3 … ("1 上饶市鑫诚人力资源服务有限公司 合格"):
    a document's data table, not a keyword block, however alike its rows end."""
    rows: set[int] = set()
    run: list[int] = []
    expected = 0  # the number the next row of the run must carry
    for b in blocks:
        m = _ROW_NUMBER_RE.match(b.text) if b.tag == "tr" else None
        number = int(m.group(1)) if m else None
        if number is not None and run and b.index == run[-1] + 1 and number == expected:
            run.append(b.index)
            expected += 1
            continue
        if len(run) >= 3:
            rows.update(run)
        run, expected = ([b.index], number + 1) if number is not None else ([], 0)
    if len(run) >= 3:
        rows.update(run)
    return rows


#: Lines a site may put between two parts of a document's own numbered list (an ad card).
_LIST_GAP_LINES = 4


def _list_continuation(lines: list[str], j: int) -> tuple[int, int] | None:
    """The run that goes on numbering after item ``lines[j]``, a few lines further down."""
    last = noise.numbered(lines[j])
    for k in range(j + 2, min(len(lines), j + 2 + _LIST_GAP_LINES)):
        number = noise.numbered(lines[k])
        if number is None:
            continue
        if last is None or number != last + 1:
            return None
        m = k
        while m + 1 < len(lines) and noise.numbered(lines[m + 1]) == noise.numbered(lines[m]) + 1:
            m += 1
        return k, m
    return None


def _announced_lists(lines: list[str], kinds: list[str | None]) -> set[int]:
    """Lines of every numbered run the document announced itself (see :func:`_announced_list`).

    A list the site split with a card ("1.…6.", an ad, "7.…12.") is one list: a run
    that goes on numbering a few lines below the last item continues it.
    """
    own: set[int] = set()
    for i, j in noise.enumeration_runs(lines, min_run=3):
        if i in own:
            continue
        parts = [(i, j)]
        while (more := _list_continuation(lines, parts[-1][1])) is not None:
            parts.append(more)
        if _announced_list(lines, kinds, i, parts[-1][1]):
            for a, b in parts:
                own.update(range(a, b + 1))
    return own


def _main_segment(
    lines: list[str], kinds: list[str | None], prose: list[float], listy: list[bool], r0: int, r1: int
) -> tuple[int, int, float]:
    """The main run of prose in the container: ``(first_line, last_line, prose_value)``.

    Prose lines separated by noise (two or more noise lines or list items pointing
    elsewhere: links, dated headlines) form separate segments; the richest segment is the text, and neighbours
    join it only when they speak of the same things (bigram overlap). This is how the end
    of an unsigned text is found when the container goes on with other material.
    """
    segments: list[list[float]] = []  # [first, last, value]
    gap_noise = 0
    for i in range(r0, r1 + 1):
        if prose[i] > 0:
            if segments and gap_noise < 2:
                segments[-1][1] = i
                segments[-1][2] += prose[i]
            else:
                segments.append([i, i, prose[i]])
            gap_noise = 0
        elif segments and ((kinds[i] and kinds[i] not in _LABEL_KINDS) or listy[i]):
            gap_noise += 1
    if not segments:
        fallback = [i for i in range(r0, r1 + 1) if not kinds[i]] or [r0]
        return fallback[0], fallback[-1], 0.0
    best = max(range(len(segments)), key=lambda k: segments[k][2])
    lo = hi = best
    vocab = noise.bigrams("\n".join(lines[i] for i in range(int(segments[best][0]), int(segments[best][1]) + 1)))

    def joins(k: int, gap: int) -> bool:
        """A neighbour joins across a short gap (an ad card inside an article), across a
        gap lighter than its own prose (cards between the sections of a long post), or
        when it speaks of the same things."""
        if gap <= 3:
            return True
        if k < lo and lines[int(segments[k][1])].rstrip().endswith(":"):
            return True  # "…下列纳税人认定为非正常户:" announces the list that follows
        first, last = (int(segments[k][1]) + 1, int(segments[k + 1][0])) if k < lo else (int(segments[k - 1][1]) + 1, int(segments[k][0]))
        gap_chars = sum(len(lines[i]) for i in range(first, last))
        if gap_chars <= 0.5 * segments[k][2]:
            return True
        seg_lines = [i for i in range(int(segments[k][0]), int(segments[k][1]) + 1) if prose[i] > 0]
        gap_noise_lines = sum(1 for i in range(first, last) if (kinds[i] and kinds[i] not in _LABEL_KINDS) or listy[i])
        if gap_noise_lines > 3 * len(seg_lines):
            return False  # a site's tagline above its menu and contact box speaks of the same trade
        seg_text = "\n".join(lines[i] for i in seg_lines)
        return noise.bigram_overlap(seg_text, vocab) >= 0.5

    while lo - 1 >= 0 and joins(lo - 1, int(segments[lo][0] - segments[lo - 1][1] - 1)):
        lo -= 1
    while hi + 1 < len(segments) and joins(hi + 1, int(segments[hi + 1][0] - segments[hi][1] - 1)):
        hi += 1
    value = sum(seg[2] for seg in segments[lo : hi + 1])
    return int(segments[lo][0]), int(segments[hi][1]), value


_ATTACHMENT_ITEM_RE = re.compile(r"^\s{0,3}(\d{1,2})\s{0,2}[.、]")


def _continues_attachments(lines: list[str], k: int) -> bool:
    """Numbered attachment titles continue an "附件:" line just above."""
    if k == 0:
        return False
    head = next((lines[j] for j in range(k - 1, max(-1, k - 12), -1) if lines[j].startswith("附件")), None)
    if head is None:
        return False
    m = _ATTACHMENT_ITEM_RE.match(lines[k])
    return m is not None and int(m.group(1)) <= 12 and len(lines[k]) <= 80


def _looks_like_stamp(line: str) -> bool:
    """Bylines/footers inside the document span are removed only when they are clearly stamps."""
    return len(line) <= 80 and (
        noise.has_date(line) and ("发表" in line or "发布" in line or "浏览" in line or "点击" in line)
        or "版权所有" in line or "ICP" in line
    )


def _mark_inserted_cards(blocks: list[Block], prose: list[float], span: list[int], kinds: list[str | None]) -> None:
    """Inside the document: a run of non-prose lines in a container named as noise
    (class "ad", "recommend" …) with the document's prose, outside such containers, on both
    sides is a card the site inserted ("广告 / 专业劳务派遣 一站式服务 / 立即咨询")."""
    k = 0
    while k < len(span):
        i = span[k]
        if blocks[i].hint >= 0 or prose[i] > 0:
            k += 1
            continue
        m = k
        while m + 1 < len(span) and blocks[span[m + 1]].hint < 0 and prose[span[m + 1]] == 0:
            m += 1
        before, after = span[k] - 1, span[m] + 1
        if (
            k > 0 and m + 1 < len(span)
            and blocks[before].hint >= 0 and prose[before] > 0
            and blocks[after].hint >= 0 and prose[after] > 0
        ):
            for j in span[k : m + 1]:
                kinds[j] = kinds[j] or "ad"
        k = m + 1


def _mark_unrelated_lists(lines: list[str], span: list[int], vocabulary: set[str], kinds: list[str | None]) -> None:
    """Inside the document: long numbered or affix-sharing lists unrelated to its vocabulary."""
    if not span:
        return
    offset = span[0]
    sub = [lines[i] for i in span]
    for i, j in noise.enumeration_runs(sub, min_run=6):
        if _announced_list(lines, kinds, offset + i, offset + j):
            continue  # the document's own list
        items = sub[i : j + 1]
        headline_share = sum(1 for it in items if noise.is_headline_like(it)) / len(items)
        overlap = sum(noise.bigram_overlap(it, vocabulary) for it in items) / len(items)
        if headline_share >= 0.7 and overlap < 0.45:
            for k in range(i, j + 1):
                kinds[offset + k] = "headline_list"


def _outside_kind(b: Block) -> str:
    """The kind of a removed line that announced none: judged by its shape."""
    line = b.folded
    if noise.numbered(line) is not None or noise.has_date(line) and noise.is_headline_like(line):
        return "headline_list"
    if b.link_ratio >= 0.6:
        return "headline_list" if noise.is_headline_like(line) and len(line) >= 8 else "nav"
    if b.hint < 0:
        return "nav"
    return "other"


def _reason(i: int, start: int, end: int, r0: int, r1: int, pattern_kind: str | None, kind: str) -> str:
    if start <= i <= end:
        return f"{kind} inside the document"
    where = "before the document" if i < start else "after the document's end"
    if not (r0 <= i <= r1):
        where = "outside the content container"
    return f"{where}; {'matched ' + pattern_kind if pattern_kind else 'structure'}"


def _merge_noise(removed: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Consecutive removed lines of one kind form one block (a headline list is one entry)."""
    merged: list[dict[str, str]] = []
    for kind, text in removed:
        if merged and merged[-1]["kind"] == kind and kind in ("headline_list", "nav", "seo_keywords", "other", "footer"):
            merged[-1]["text"] += "\n" + text
        else:
            merged.append({"kind": kind, "text": text})
    return merged


def _find_title(page: ParsedPage, kinds: list[str | None], r0: int, first_prose: int) -> tuple[str, int | None]:
    """The document's own title: a heading line above the text that the <title> starts with."""
    blocks = page.blocks
    head = extraction.fold(page.head_title)
    head_first = _title_from_head(head)
    site_parts = {p.strip() for p in _TITLE_SPLIT_RE.split(head)[1:] if p.strip()} - {head_first}
    lo = max(0, r0 - 40)
    best: tuple[float, int] | None = None
    # the nearest full official title ("X局关于…的通知"), maybe broken after the issuer
    official: tuple[int, str] | None = None
    for i in range(lo, min(len(blocks), first_prose + 4)):
        b = blocks[i]
        t = _strip_title_label(b.folded)
        if kinds[i] or not (4 <= len(t) <= 120) or b.link_ratio > 0.5 or _FIELD_LABEL_RE.match(t):
            continue
        two_lines = None
        prev = blocks[i - 1].folded.strip() if i > lo else ""
        if i > lo and not kinds[i - 1] and (
            t.startswith("关于") and govtext.is_organ_name(prev)
            or prev.endswith("关于") and govtext.is_organ_name(prev[:-2])
        ):
            whole = blocks[i - 1].text.strip() + b.text.strip()
            if _is_official_title(extraction.fold(whole)):
                # "河南省人力资源和社会保障厅" / "关于…的通知", or "X局关于" / "加强…的通知"
                two_lines = whole
        if two_lines is not None:
            official = (i, two_lines)
        elif _is_official_title(t) or (
            # a title without 关于 ("…监督管理办法") printed right above its own number
            govtext.title_doc_type(t) and not _has_prose_punct(t) and not t.startswith("关于")
            and i + 1 < len(blocks) and _is_number_line(blocks[i + 1].folded)
        ):
            official = (i, b.text[len(b.folded) - len(t):].strip())
        if i > first_prose:
            continue  # below the first prose line only a full official title is looked for
        score = 0.0
        if t in site_parts and not (b.in_heading or "关于" in t or govtext.title_doc_type(t)):
            continue  # the site's name, as in "<title>文章_公司名</title>"
        if head and (t in head or head_first and head_first in t):
            score += 3 + min(len(t), 60) / 60
        if b.in_heading:
            score += 1.5
        if "关于" in t and govtext.title_doc_type(t):
            score += 2
            if provenance.publisher_from_title(t):
                # a full official title naming its issuer ("X局关于…的函") beats a
                # republisher's own headline for the post ("省教育厅答复:…(附全文)")
                score += 2
        if _has_prose_punct(t) and t != head_first:
            score -= 2
        score -= (first_prose - i) * 0.02
        if score >= 1.5 and (best is None or score > best[0]):
            best = (score, i)
    if official is not None and (best is None or not _is_official_title(_strip_title_label(blocks[best[1]].folded))):
        # a news-style headline ("X局印发通知 进一步做好…") above the document's own
        # full title, printed at its head below a lead-in: the document's title wins
        return official[1], official[0]
    if best is not None:
        b = blocks[best[1]]
        label = len(b.folded) - len(_strip_title_label(b.folded))
        title = b.text[label:].strip()
        if len(extraction.fold(title)) < len(head_first) and extraction.fold(title) in head_first:
            # the page broke its heading over several lines; <title> has it whole
            title = _title_from_head(page.head_title)
        return title, best[1]
    return _title_from_head(page.head_title, prefer_document=True), None


_TRAILING_PAREN_RE = re.compile(r"\s{0,3}[(\uff08]([^()\uff08\uff09]{1,30})[)\uff09]\s{0,3}$")
# A bracketed tag a site appends to a title: "…的通知【政策解读】", "…办法[最新]".
_TITLE_TAG_RE = re.compile(r"\s{0,3}(?:【[^【】]{1,8}】|\[[^\[\]]{1,8}\])\s{0,3}$")
# A republisher's decoration after a title: "(全文)", "(附全文)", "(最新版)", "(原文+解读)",
# a recruitment notice's head count "(46人)".
_TITLE_DECORATION_RE = re.compile(r"^(?:附?(全文|原文|最新|最新版|全文下载|原文\+?解读|全文\+?解读|图解)|[0-9]{1,5}[人名])$")


def _without_trailing_number(title: str) -> str:
    """"…的通知(人社厅发〔2018〕45号)" -> "…的通知": the number is provenance, not title;
    "…办法(全文)" -> "…办法": the republisher's decoration."""
    tag = _TITLE_TAG_RE.search(title)
    if tag is not None and tag.start() > 0:
        title = title[: tag.start()].rstrip()
    m = _TRAILING_PAREN_RE.search(title)
    if m is None:
        return title
    inner = m.group(1).strip()
    if _TITLE_DECORATION_RE.match(extraction.fold(inner)):
        return title[: m.start()].rstrip()
    number = provenance.find_doc_number(inner)
    if number is None or len(inner) - len(number) > 2:
        return title
    return title[: m.start()].rstrip()


def _is_official_title(line: str) -> bool:
    """A full official title naming its issuer: "X局关于…的通知" (no sentence punctuation)."""
    return (
        "关于" in line
        and govtext.title_doc_type(line) is not None
        and provenance.publisher_from_title(line) is not None
        and not _has_prose_punct(line)
    )


_TITLE_LABEL_RE = re.compile(r"^((?:[\u4e00-\u9fff]\s{0,2}){2,4})[:]\s{0,3}")
_TITLE_LABELS = {"标题", "题名", "名称", "文件名称", "文章标题", "公文标题"}


def _strip_title_label(line: str) -> str:
    """"标 题: 吉林省人民政府关于…" -> "吉林省人民政府关于…" (official sites' metadata rows)."""
    m = _TITLE_LABEL_RE.match(line)
    if m and re.sub(r"\s", "", m.group(1)) in _TITLE_LABELS:
        return line[m.end():]
    return line


def _find_start(lines: list[str], kinds: list[str | None], blocks: list[Block], r0: int, first_prose: int, title_idx: int | None) -> int:
    """The salutation, else the first body line (walking back over short untitled lines)."""
    lo = r0 if title_idx is None else max(r0, title_idx + 1) if title_idx < first_prose else r0
    # The salutation may stand a few lines below the first prose line when the site put a
    # note of its own (a source line, an ad) above the document.
    for i in range(lo, min(len(lines), first_prose + 4)):
        if not kinds[i] and govtext.is_salutation(lines[i]) and i != title_idx and not _FIELD_LABEL_RE.match(lines[i]):
            return i
    start = first_prose
    j = first_prose - 1
    while j >= lo and j != title_idx and not kinds[j] and _could_be_body(lines[j], blocks[j]):
        start = j
        j -= 1
    return start


def _is_number_line(line: str) -> bool:
    """A line that is just a document number (maybe with the issuer's label)."""
    if len(line) > 30:
        return False
    if provenance.find_announcement_number(line):
        return True
    number = provenance.find_doc_number(line)
    return number is not None and len(line) - len(number) <= 6


def _could_be_body(line: str, block: Block) -> bool:
    """A short line above the first paragraph that still belongs to the text (a sub-heading)."""
    if block.link_ratio > 0.3 or len(line) > 60 or _FIELD_LABEL_RE.match(line):
        return False
    if provenance.find_doc_number(line) and len(line) <= 30:
        return False  # the number line printed under a title is not body text
    if noise.has_date(line) and not govtext.CN_DATE_RE.search(line):
        return False
    return True


_SOURCE_RE = re.compile(r"(?:内容|信息|文章)?来源\s{0,2}:\s{0,2}([\u4e00-\u9fff]{2,30}?)(?:官网|官方网站|门户网站|网站|微信公众号|公众号)?(?:\s|\||$)")


def _source_line(lines: list[str], kinds: list[str | None], grules: govtext.GovRules) -> tuple[str | None, str | None]:
    """(publisher, date) of an unsigned text from its source line: "内容来源:厦门市市场监督管理局
    官网" names the publisher, and a date on that line ("来源:佛山市人力资源和社会保障局 发布日期:
    2022-08-15") is the organ's, not the republishing site's."""
    for line, kind in zip(lines, kinds):
        if kind == "byline" and len(line) <= 120:
            m = _SOURCE_RE.search(line)
            if m and govtext.is_organ_name(m.group(1), grules):
                return m.group(1), govtext.parse_any_date(line[m.end(1):])
    return None, None


def _fill_provenance(
    result: CleanResult,
    page: ParsedPage,
    lines: list[str],
    kinds: list[str | None],
    start: int,
    end: int,
    sig_first: int | None,
    date_line: int | None,
    title: str,
    config: CleanConfig,
    grules: govtext.GovRules,
) -> None:
    prov = result.provenance
    text = result.text
    before = lines[max(0, start - 30) : start]
    fields = provenance.labelled_fields(before + lines[end + 1 : end + 15])

    publisher = None
    if sig_first is not None and date_line is not None:
        names: list[str] = []
        for k in range(sig_first, date_line + 1):
            cand = govtext.CN_DATE_RE.sub("", lines[k]).strip()
            if cand and govtext.is_organ_name(cand, grules):
                names.extend(p for p in cand.split() if p)
        publisher = "、".join(names) or None
    head_dateline = next(
        (d for d in (govtext.dateline(line, grules) for line in lines[max(0, start - 3) : start]) if d), None
    )
    source_publisher, source_date = _source_line(lines, kinds, grules)
    publisher = (
        publisher
        or fields.get("发文机关")
        or fields.get("发布机构")
        or provenance.publisher_from_title(title)
        or (head_dateline[1] if head_dateline else None)
        or source_publisher
    )

    doc_number = None
    for line in before[::-1]:
        notice_number = govtext.issuing_notice_number(line)
        if notice_number and govtext.dateline(line, grules):  # "(…以赣人社规〔2021〕5号印发)"
            doc_number = provenance.find_doc_number(notice_number)
        elif len(line) <= 40:
            doc_number = provenance.find_doc_number(line) or provenance.find_announcement_number(line)
        if doc_number:
            break
    if not doc_number and fields.get("发文字号"):
        number_field = fields["发文字号"]
        doc_number = provenance.find_doc_number(number_field) or provenance.find_announcement_number(number_field)
    if not doc_number:
        doc_number = provenance.find_doc_number(title)
    if not doc_number:
        first_lines = "\n".join(lines[start : min(end + 1, start + 3)])
        if govtext.title_doc_type(title) in ("函",) or "提案" in title or "建议" in title:
            doc_number = provenance.find_case_number(title) or provenance.find_case_number(first_lines)

    date = govtext.date_only_line(lines[date_line]) if date_line is not None else None
    if date is None and date_line is not None:
        date = govtext.parse_cn_date(lines[date_line])
    if date is None and fields.get("成文日期"):
        date = govtext.parse_any_date(fields["成文日期"])
    if date is None and date_line is None:
        date = govtext.cover_signature_date(lines, start, end + 1)
    if date is None and head_dateline is not None:
        date = head_dateline[0]
    if date is None and date_line is None and source_publisher == publisher:
        date = source_date

    # start is past the last block when the page's only prose was its title
    salutation = page.blocks[start].text if start < len(lines) and govtext.is_salutation(lines[start]) else None
    posted_at = edited_at = byline = None
    for i, kind in enumerate(kinds):
        if kind == "byline" and byline is None and not (start <= i <= end):
            byline = page.blocks[i].text
            posted_at = provenance.datetime_from_stamp(lines[i])
        elif kind == "edit_stamp" and edited_at is None:
            edited_at = provenance.datetime_from_stamp(lines[i])

    score = govtext.gov_score(
        text,
        title,
        has_signature=date_line is not None or head_dateline is not None,
        publisher=publisher,
        doc_number=doc_number,
        salutation=salutation,
        official_site=bool(prov["official_site"]),
    )
    is_gov = score >= config.min_gov_score
    result.gov_score = score
    result.is_gov = is_gov
    prov.update(
        publisher=publisher if is_gov else None,
        doc_number=doc_number if is_gov else None,
        date=date if is_gov else None,
        doc_type=govtext.title_doc_type(title, grules) if is_gov else None,
        addressee=provenance.addressee_from_salutation(salutation) if (is_gov and salutation) else None,
        title=title or None,
        republished=bool(is_gov and not prov["official_site"]),
        posted_at=posted_at,
        edited_at=edited_at,
        byline=byline,
    )
