"""Parse a page once and turn it into an ordered list of text blocks.

Everything downstream (noise detection, government-text detection, provenance) works on
these blocks, so the page is parsed exactly once. A *block* is one visual line: the text
of a block-level element, or one ``<br>``-separated line inside it. Each block remembers
the chain of block-level ancestors it sits in, which is what lets us pick the content
container by where the prose is, and still see noise that sits inside that container.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from lxml import etree, html as lxml_html

__all__ = [
    "Block", "ParsedPage", "parse_page", "parse_tree", "linearise", "strip_invisible", "mark_ad_labels", "split_prose_pre", "text_sample",
    "choose_region", "clean_line", "fold",
]

# Elements whose whole subtree is never text a reader sees.
_DROP_TAGS = {
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "video", "audio", "select", "option", "button", "input", "textarea", "head",
    "map", "area", "picture", "source",
}
# Elements that start a new line.
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "ul", "caption",
    "frameset", "frame", "noframes", "legend", "marquee",
}
_CELL_TAGS = {"td", "th"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

# Sentence punctuation: what prose has and lists of headlines or keywords do not.
_SENTENCE_FINAL = frozenset("。!?;:…\"'\u201d\u2019\u300d\u300f)")
_PROSE_PUNCT_CHARS = "。,;!?、"  # matched against fold(text); a colon alone is a label, not prose
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")

# Class/id hints, matched on the tokens of class and id ("news-con" -> news, con).
# Content hints include the Chinese CMS containers trafilatura doesn't know.
_CONTENT_TOKENS = frozenset(
    "trs_editor trseditor trs_word zoom article articles content contents entry post postbody "
    "maintext main-text detail details neirong wenzhang zhengwen textcon text_con newscon "
    "news_con context con_text pages_content bodytext body-text artcon art_con showcontent "
    "infocontent txt text note rich_text richtext story".split()
)
_NOISE_TOKENS = frozenset(
    "nav navbar navigation menu menus footer foot sidebar side aside comment comments reply "
    "replies related relate recommend recommends tuijian xiangguan share bdshare copyright "
    "breadcrumb breadcrumbs crumb crumbs ad ads advert adv banner toolbar pager pagination page-nav "
    "tags tag keywords friendlink friendlinks links hot hotnews rank ranking widget login header "
    "topbar tabbar bottom pinglun guess".split()
)
# Tokens that name an advert outright: they outweigh content words in the same name.
_AD_TOKENS = frozenset("ad ads advert adverts adv advertisement guanggao sponsor sponsored promo".split())
# Substrings that give a container away even inside longer tokens ("commentlist").
_STRONG_NOISE_HINT_RE = re.compile(
    r"comment|reply|replies|related|recommend|tuijian|xiangguan|sidebar|footer|breadcrumb|"
    r"copyright|pagination|pinglun|friendlink",
    re.I,
)
_TOKEN_SPLIT_RE = re.compile(r"[\s_\-]+")


# Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space fold to ASCII, one
# character for one, so analysis can use one set of punctuation and offsets stay valid.
_FOLD_TABLE = {0xFF01 + i: 0x21 + i for i in range(94)}
_FOLD_TABLE[0x3000] = 0x20


def fold(text: str) -> str:
    """Full-width punctuation/digits/letters to ASCII (length-preserving) for matching."""
    return text.translate(_FOLD_TABLE)

def clean_line(text: str) -> str:
    """Collapse whitespace (incl. U+3000, NBSP, zero-width space, BOM) to single spaces and strip.

    Same result as ``re.sub(r"[\\s\\u3000\\u00a0\\u200b\\ufeff]+", " ", text).strip()``;
    ``str.split`` does it in C, ~5x faster than a regex that replaces every space with a space.
    """
    if "\u200b" in text or "\ufeff" in text:  # not whitespace to str.split
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    return " ".join(text.split())


@dataclass(slots=True)
class Block:
    """One visual line of the page."""

    index: int
    text: str  # as on the page (whitespace collapsed)
    folded: str  # fold(text): what rules and heuristics look at
    tag: str  # the nearest block-level (or cell) element's tag
    ancestors: tuple[int, ...]  # ids (pre-order numbers) of block-level ancestors, outermost first
    link_chars: int = 0
    link_count: int = 0
    in_heading: bool = False
    in_list_item: bool = False
    in_cell: bool = False
    hint: int = 0  # +1 inside a content-hinted container, -1 inside a noise-hinted one
    mark: str = ""  # CARD or CAPTION: inside an element a tree pass marked

    @property
    def length(self) -> int:
        return len(self.text)

    @property
    def link_ratio(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    @property
    def punct(self) -> int:
        text = self.folded
        return sum(text.count(ch) for ch in _PROSE_PUNCT_CHARS)


@dataclass
class ParsedPage:
    """The page as blocks, plus what the title and metadata code needs."""

    blocks: list[Block]
    head_title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    element_tags: dict[int, str] = field(default_factory=dict)
    truncated_depth: bool = False


#: What the tree passes below found an element to be (an attribute the linearizer reads
#: into ``Block.mark``): a call-to-action card (its lines are adverts) or a picture caption.
_MARK_ATTR = "data-govclean-mark"
CARD = "card"
CAPTION = "caption"


def _elem_hint(el: etree._Element) -> int:
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"))))
    if not attrs:
        return 0
    attrs = attrs[:200].lower()
    if _STRONG_NOISE_HINT_RE.search(attrs):
        return -1
    whole = set(attrs.split())
    tokens = set(_TOKEN_SPLIT_RE.split(attrs)) | whole
    if tokens & _AD_TOKENS:  # before content words: "ad-text" is an advert's text
        return -1
    if tokens & _CONTENT_TOKENS:
        return 1
    if tokens & _NOISE_TOKENS:
        return -1
    return 0


_DOC_END_TAG_RE = re.compile(r"</(?:html|body)\s{0,10}>", re.I)


def parse_tree(text: str) -> etree._Element | None:
    """Parse HTML text into an lxml tree (libxml2's HTML parser: tolerant of tag soup)."""
    if not text or not text.strip():
        return None
    # Strip an XML declaration: lxml refuses str input that carries an encoding declaration.
    if text.lstrip().startswith("<?xml"):
        end = text.find("?>")
        text = text[end + 2:] if end != -1 else text
    text = text.replace("\x00", "")
    # libxml2 stops at the first </html> (or drops what follows </body>); browsers don't.
    # Pages stitched from templates often carry a stray one before their content.
    text = _DOC_END_TAG_RE.sub("", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (str input): libxml2 would stop at the first
        text = _SURROGATE_RE.sub("\ufffd", text)
    root, limited = _parse_html(text, huge=False)
    if limited:
        # libxml2 gives up at a resource limit (nesting deeper than 256, a text node over
        # 10 MB) and silently drops the rest of the page: flatten the nesting (below the
        # limit, above max_depth's default, so the page is reported as flattened) and parse
        # again with the size limits lifted.
        root, _ = _parse_html(_flatten_deep(text), huge=True)
    return root


_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# One tag, bounded: `[^<>]` stops at the next "<", so scanning a page is linear; the
# lookahead ends the name where the name ends (no backtracking into it: 64 x 4096 steps).
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]{0,63})(?![A-Za-z0-9:_-])([^<>]{0,4096})>|<!--")
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr keygen".split())
# Raw text (no tags inside): skipped whole, the element kept as a leaf.
_RAW_TEXT_TAGS = frozenset("script style textarea title xmp iframe noembed noframes".split())
_RAW_END_RES: dict[str, re.Pattern[str]] = {}
# Elements whose subtree is never page text: kept (so it stays hidden) a little past the limit.
_KEEP_TAGS = frozenset(_DROP_TAGS) | _RAW_TEXT_TAGS
_FLATTEN_DEPTH = 240  # libxml2 stops at 256; html and body add two levels


def _parse_html(text: str, *, huge: bool) -> tuple[etree._Element | None, bool]:
    """Parse; also tell whether libxml2 hit one of its resource limits (and dropped text)."""
    parser = lxml_html.HTMLParser(
        remove_comments=True, remove_pis=True, recover=True, no_network=True, huge_tree=huge
    )
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        try:
            root = lxml_html.fragment_fromstring(text, create_parent="div", parser=parser)
        except (etree.ParserError, ValueError):
            root = None
    limited = any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in parser.error_log)
    return root, limited


def _flatten_deep(text: str, limit: int = _FLATTEN_DEPTH) -> str:
    """Drop the tags nested deeper than ``limit``: their text stays, a dropped block tag
    becomes a ``<br>`` (lines stay lines), a cell a space, an inline tag nothing.

    Depth is tracked like the HTML parser does: an end tag closes the innermost open
    element of its name (and everything opened inside it), an end tag with no open
    element of that name is ignored.
    """
    out: list[str] = []
    stack: list[str] = []
    open_count: dict[str, int] = {}
    pos = 0
    skip_to = 0
    for m in _TAG_RE.finditer(text):
        if m.start() < skip_to:
            continue  # inside a comment or a raw-text element
        closing, name, rest = m.groups()
        if name is None:  # a comment: skip it whole
            end = text.find("-->", m.end())
            skip_to = len(text) if end < 0 else end + 3
            continue
        name = name.lower()
        if name in _RAW_TEXT_TAGS:
            if closing:
                continue  # a stray end tag: the parser ignores it
            # the whole element is one leaf: kept as it is, or dropped with its content
            end_re = _RAW_END_RES.get(name) or _RAW_END_RES.setdefault(
                name, re.compile(f"</{name}(?:[^<>]{{0,4096}}>)?", re.I)
            )
            found = end_re.search(text, m.end())
            skip_to = len(text) if found is None else found.end()
            if len(stack) >= limit + 200:
                out.append(text[pos : m.start()])
                out.append(" ")
                pos = skip_to
            continue
        if closing:
            if open_count.get(name):
                while stack:
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        break
            keep = len(stack) < limit  # the closed element stood at len(stack) + 1
        elif name in _VOID_TAGS or rest.endswith("/"):
            keep = len(stack) < limit
        else:
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            keep = len(stack) <= limit
        if not keep and name in _KEEP_TAGS and len(stack) <= limit + 200:
            keep = True  # a <select> or an <svg> flattened away would show its content
        if not keep and (rest.count('"') % 2 or rest.count("'") % 2):
            keep = True  # an unclosed quote: the parser reads on past ">" as attribute value, not text
        if not keep:
            # what the tag meant for the text: a line break (block), a space (cell), nothing (inline)
            sep = "<br>" if name in _BLOCK_TAGS else " " if name in _CELL_TAGS else ""
            if m.start() > pos or not out:
                out.append(text[pos : m.start()])
                out.append(sep)
            elif sep and out[-1] != "<br>":  # a run of dropped tags: the strongest separator
                out[-1] = sep
            pos = m.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _head_info(root: etree._Element) -> tuple[str, dict[str, str]]:
    title = ""
    meta: dict[str, str] = {}
    for el in root.iter("title", "meta"):
        if el.tag == "title":
            if not title:
                title = clean_line(el.text_content() or "")
        else:
            key = (el.get("name") or el.get("property") or "").lower()
            if key and el.get("content"):
                meta.setdefault(key, el.get("content", "")[:500])
    return title, meta


def parse_page(text: str, *, max_depth: int = 200) -> ParsedPage:
    """Parse once and linearise into blocks. Deeper-than-``max_depth`` markup is flattened."""
    root = parse_tree(text)
    if root is None:
        return ParsedPage(blocks=[])
    return linearise(root, max_depth=max_depth)


_COUNT_CHUNK = 1 << 18  # characters per numpy pass (a 10 MB page: no 40 MB temporary)


def count_cjk(text: str, limit: int) -> int:
    """Chinese ideographs (U+4E00..U+9FFF) in ``text``, counting stops once ``limit`` is reached.

    Why not a regex: on a page with no Chinese the regex walks every character in Python's
    matcher (~1 ms per 100 KB, a measurable share of a European page's cleaning); numpy
    compares the code points in C, ~5x faster, and an ASCII page is answered at once.
    """
    if text.isascii():
        return 0
    count = 0
    for start in range(0, len(text), _COUNT_CHUNK):
        try:
            cp = np.frombuffer(text[start : start + _COUNT_CHUNK].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        except UnicodeEncodeError:  # pragma: no cover - surrogatepass encodes every str
            return count + len(_CJK_RE.findall(text, start, start + _COUNT_CHUNK))
        count += int(np.count_nonzero((cp >= 0x4E00) & (cp <= 0x9FFF)))
        if count >= limit:
            return count
    return count


# Advert slots by definition (AMP's ad components): their placeholder and fallback text
# ("广告加载中", "广告 … 点击咨询") is never the page's text.
_AD_ELEMENTS = ("amp-ad", "amp-embed", "amp-sticky-ad", "amp-auto-ads")

# Inline styles, read as attribute values: the hiding rules below look at these.
_STYLE_ATTRS = etree.XPath("//@style")  # attribute values only: no element proxies made
# Inline styles that hide an element from a reader: display:none, zero-size type, white
# type (on the page's white: keyword stuffing), or a box pushed far off the screen.
_HIDING_STYLE_RE = re.compile(
    r"(?:^|;)\s{0,20}(?:"
    r"display\s{0,20}:\s{0,20}none\b"
    r"|font-size\s{0,20}:\s{0,20}0(?:\.0{1,4})?(?:px|pt|em|rem|%)?\s{0,20}(?:!important\s{0,20})?(?:;|$)"
    r"|color\s{0,20}:\s{0,20}(?:#fff\b|#ffffff\b|white\b|rgb\(\s{0,5}255\s{0,5},\s{0,5}255\s{0,5},\s{0,5}255\s{0,5}\))"
    r"|(?:left|top|text-indent)\s{0,20}:\s{0,20}-\d{3,6}(?:\.\d{1,4})?(?:px|pt|em|rem)\b"
    r")",
    re.I,
)
_BACKGROUND_RE = re.compile(r"background", re.I)
_COLORED_FONTS = etree.XPath("//font[@color]")
_WHITE = frozenset({"#fff", "#ffffff", "white"})
# Elements that break a run into lines: such a run is no small inline one.
_CONTAINER_TAGS = frozenset(_BLOCK_TAGS | _CELL_TAGS)
#: Zero-size, white or off-screen type hides keyword stuffing only in small inline runs:
#: a container styled ``font-size:0`` is the inline-block gap trick (its children set their
#: own size in CSS), and a big white block sits on a background a stylesheet gives it.
_MAX_HIDDEN_RUN_CHARS = 300


def _small_inline(el: etree._Element) -> bool:
    if el.tag in _CONTAINER_TAGS or any(d.tag in _CONTAINER_TAGS for d in el.iterdescendants()):
        return False
    return len(etree.tostring(el, method="text", encoding="unicode", with_tail=False)) <= _MAX_HIDDEN_RUN_CHARS


def _hidden_elements(root: etree._Element) -> list[etree._Element]:
    """Elements a reader cannot see, by their inline style or <font color>.

    ``display:none`` hides any element; zero-size, white (with no background of its own)
    or off-screen type (100 units or more to the left or above) only a small inline run.
    """
    hidden = []
    for style in _STYLE_ATTRS(root):
        match = _HIDING_STYLE_RE.search(style)
        if match is None:
            continue
        el = style.getparent()
        rule = match.group(0).lstrip("; \t").lower()
        if not rule.startswith("display"):
            if rule.startswith("color") and _BACKGROUND_RE.search(style):
                continue
            if not _small_inline(el):
                continue
        hidden.append(el)
    hidden += [
        el for el in _COLORED_FONTS(root) if el.get("color", "").strip().lower() in _WHITE and _small_inline(el)
    ]
    return hidden


def _text_size(el: etree._Element) -> int:
    """Characters of text under ``el``, whitespace excluded (joined in C, counted once)."""
    text = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    return len(text) - sum(text.count(ch) for ch in " \n\t\r\u3000\xa0")


#: Leaf elements whose whole text is an advert label ("<span>广告</span>" before an ad's text).
_AD_LABELS = etree.XPath(
    "//*[not(*)][normalize-space(text())='广告' or normalize-space(text())='推广' or normalize-space(text())='赞助']"
)
#: What an advert label is rewritten to, so the line it labels can be recognised by its start.
AD_LABEL = "【广告】"


def mark_ad_labels(root: etree._Element) -> None:
    """Rewrite advert labels to ``【广告】``.

    A label set off in its own element ("<span class=tag>广告</span>专业保安派遣…") marks
    the line it starts as an advert; as text alone, "广告专业保安派遣…" cannot be told from a
    document's "广告经营者应当…". Only a label followed by more text in its parent counts.
    """
    for el in _AD_LABELS(root):
        parent = el.getparent()
        if parent is None:
            continue
        rest = etree.tostring(parent, method="text", encoding="unicode", with_tail=False)
        if len(rest.strip()) >= len(el.text.strip()) + 8:
            el.text = AD_LABEL


#: A card says one or two things; a container with more text around its button is not one.
_CARD_MAX_CHARS = 120


#: A link that is a call to action: styled as a button, or worded as one ("立即咨询",
#: "免费咨询财税顾问", "在线预约"); never a download (a document's attachment links are).
_CTA_PREFIXES = ("立即", "马上", "免费", "在线", "一键", "点击")
_CTA_VERBS = ("咨询", "预约", "报名", "领取", "申请", "办理", "联系", "获取", "购买", "订购", "试用", "抢购", "开户", "注册")
_CTA_TEXT_RE = re.compile(f"^(?:{'|'.join(_CTA_PREFIXES)})(?:{'|'.join(_CTA_VERBS)})[\u4e00-\u9fff]{{0,6}}$")
_BUTTON_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:btn|button)(?:$|[\s_-])", re.I)
_FILE_HREF_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|zip|rar|ofd|txt)(?:$|[?#])", re.I)

def _link_buttons(root: etree._Element) -> list[etree._Element]:
    """Links styled as buttons, or whose own text is a call to action (a page of SEO links
    has hundreds of others: only the link's own text and class are read)."""
    found = []
    for link in root.iter("a"):
        css = (link.get("class") or "").lower()
        text = link.text if link.text and link.text.strip() else (link[0].text if len(link) else None)
        text = clean_line(text or "")
        if not (("btn" in css or "button" in css) and _BUTTON_CLASS_RE.search(css)) and not (
            text[:2] in _CTA_PREFIXES and _CTA_TEXT_RE.match(text)
        ):
            continue
        if text and len(text) <= 12 and not _FILE_HREF_RE.search(link.get("href", "")):
            found.append(link)
    return found


def _block_ancestor(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag not in _CONTAINER_TAGS:
        parent = parent.getparent()
    return parent


def mark_action_cards(root: etree._Element) -> None:
    """Mark small cards built around a button: their lines are adverts.

    Sites insert call-to-action cards into the document they copy ("遇到合同纠纷…？正衡律师
    团队为您提供免费法律咨询 [立即咨询]"); a document's own lines never sit beside a button.
    The card is the button's nearest container with text of its own (climbing through up to
    three containers), if that text is short; a button in a long container (a comment form under an article)
    marks nothing.
    """
    sizes: dict[etree._Element, int] = {}  # a container holding many buttons is measured once
    buttons = [*root.iter("button"), *(i for i in root.iter("input") if i.get("type") in ("submit", "button"))]
    for button in buttons + _link_buttons(root):
        own = _text_size(button) if button.tag in ("button", "a") else 0
        if not (own or (button.get("value") or "").strip()):
            continue  # an icon (a heading's "show contents" toggle) calls for nothing
        card = _block_ancestor(button)
        for _level in range(3):  # up through wrappers with no text of their own
            if card is None or card.tag in ("body", "html") or card.tag in _HEADINGS:
                break
            if card not in sizes:
                sizes[card] = _text_size(card)
            size = sizes[card] - own
            if size > _CARD_MAX_CHARS:
                break
            if size > 0:
                if button.tag != "a" or "\u3002" not in etree.tostring(card, method="text", encoding="unicode"):
                    card.set(_MARK_ATTR, CARD)  # (beside a link, a sentence ending in 。 is prose)
                break
            card = _block_ancestor(card)


#: Caption wording: "图为…", "（图：…）", "▲…", "…（资料图）", "…摄", "图片来源：…", and a
#: picture viewer's own line ("点击查看大图") (folded text).
_CAPTION_RE = re.compile(
    r"^\s*(?:图为|图\s?[:/]|\(图|图片[:来]|上图|下图|左图|右图|▲|△)|(?:资料图\)?|供图|摄|摄影)\s*$"
    r"|\(?图片来源[:][^。]{0,40}\)?\s*$"
    r"|^\s*\(?(?:点击|单击)?(?:查看|浏览)?(?:大图|原图|高清大图|图片放大)\)?\s*$|^\s*点击图片(?:放大|查看)"
)
_CAPTION_MAX_CHARS = 60


def mark_captions(root: etree._Element) -> None:
    """Mark picture captions: a short line worded as a caption, under or beside a picture,
    or in a ``<figcaption>``. A copied document's pictures are the site's, and so are
    their captions ("图为2018年度全市民办教育工作会议现场（资料图）")."""
    for caption in root.iter("figcaption"):
        caption.set(_MARK_ATTR, CAPTION)
    seen: set[etree._Element] = set()  # a gallery's pictures share their container: judged once
    for img in root.iter("img"):
        holder = _block_ancestor(img)
        if holder is None or holder in seen:
            continue
        seen.add(holder)
        candidates = [holder]
        if _text_size(holder) == 0:  # a picture alone in its line: the caption is the next one
            nxt = holder.getnext()
            while nxt is not None and not isinstance(nxt.tag, str):
                nxt = nxt.getnext()
            candidates = [nxt] if nxt is not None and nxt.tag in _CONTAINER_TAGS else []
        for el in candidates:
            text = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
            if 0 < len(text.strip()) <= _CAPTION_MAX_CHARS and _CAPTION_RE.search(fold(text)):
                el.set(_MARK_ATTR, CAPTION)


_CODE_CHARS = frozenset("{};=<>$#")


def split_prose_pre(root: etree._Element) -> None:
    """Give a ``<pre>`` that holds prose one line per line of its text.

    A document pasted as plain text into ``<pre>`` keeps its paragraphs on lines of their
    own, and the rest of the cleaner reads lines; a ``<pre>`` of code stays one block (its
    lines are not sentences): only a ``<pre>`` whose lines are mostly Chinese and show
    almost no code characters is split.
    """
    for pre in list(root.iter("pre")):
        text = etree.tostring(pre, method="text", encoding="unicode", with_tail=False)
        rows = [row for row in text.split("\n") if row.strip()]
        if len(rows) < 3:
            continue
        cjk_rows = sum(1 for row in rows if _CJK_RE.search(row))
        code_chars = sum(1 for row in rows for ch in row if ch in _CODE_CHARS)
        if cjk_rows < 0.6 * len(rows) or code_chars > len(rows):
            continue
        for child in list(pre):
            pre.remove(child)
        first, *rest = text.split("\n")  # a hard-wrapped text keeps its rows: they are its lines
        pre.text = first
        for row in rest:
            etree.SubElement(pre, "br").tail = row


def strip_invisible(root: etree._Element) -> None:
    """Remove scripts, styles, AMP ad slots and the like in C (their tails, which are page
    text, stay), and elements a reader cannot see (:func:`_hidden_elements`: ``display:none``,
    zero-size or white type, off-screen boxes) — a second, hidden copy of the text ("print
    version") or keyword stuffing hidden inside the document's paragraphs is not what a reader sees.

    A hidden element holding two thirds of the page's text or more is kept: some pages hide
    their content until a script reveals it, and then it is the content (a hidden copy of
    visible text holds about half).
    """
    etree.strip_elements(root, "script", "style", "noscript", "template", *_AD_ELEMENTS, with_tail=False)
    hidden = _hidden_elements(root)
    if not hidden:
        return
    total_chars = _text_size(root)
    for el in hidden:
        parent = el.getparent()
        if parent is None:
            continue  # the root itself, or already removed with an ancestor
        chars = _text_size(el)
        if chars >= 2 * (total_chars - chars):
            continue  # two thirds of the page's text: the content, revealed by a script
        tail = el.tail
        if tail:  # keep the text that follows the hidden element
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)


def text_sample(root: etree._Element, limit: int = 6000) -> str:
    """The first ``limit`` characters of the body's text, cheaply (for language sniffing)."""
    chunks: list[str] = []
    size = 0
    # the whole tree, not just <body>: broken pages leave text after a premature </body>
    for chunk in root.itertext():
        chunk = chunk.strip()  # indentation whitespace would otherwise fill the sample
        if not chunk:
            continue
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return "".join(chunks)[:limit]


def linearise(root: etree._Element, *, max_depth: int = 200) -> ParsedPage:
    """The page as blocks (see :class:`Block`), with its <title> and meta tags."""
    head_title, meta = _head_info(root)
    return _linearise(root, head_title, meta, max_depth)


def _linearise(root: etree._Element, head_title: str, meta: dict[str, str], max_depth: int) -> ParsedPage:
    blocks: list[Block] = []
    element_tags: dict[int, str] = {}
    # Stack entries: (element, is_block, block_id or -1, is_link, hint)
    stack: list[tuple[str, bool, int, bool, int]] = []
    block_ids: list[int] = []
    hints: list[int] = []
    marks: list[str] = []
    parts: list[str] = []
    link_chars = 0
    link_count = 0
    next_id = 0
    skip_depth = 0
    truncated = False
    depth = 0
    link_depth = 0
    heading_depth = 0
    li_depth = 0
    cell_depth = 0

    def flush() -> None:
        nonlocal parts, link_chars, link_count
        if not parts:
            return
        raw = "".join(parts)
        line = clean_line(raw)
        if line:
            owner_tag = element_tags.get(block_ids[-1], "div") if block_ids else "div"
            hint = 0
            for h in hints:
                if h:
                    hint = h
            blocks.append(
                Block(
                    index=len(blocks),
                    text=line,
                    folded=fold(line),
                    tag=owner_tag,
                    ancestors=tuple(block_ids),
                    link_chars=min(link_chars, len(line)),
                    link_count=link_count,
                    in_heading=heading_depth > 0,
                    in_list_item=li_depth > 0,
                    in_cell=cell_depth > 0,
                    hint=hint,
                    mark=next((m for m in marks if m), ""),
                )
            )
        parts = []
        link_chars = 0
        link_count = 0

    def add_text(s: str | None) -> None:
        nonlocal link_chars
        if not s:
            return
        parts.append(s)
        if link_depth:
            link_chars += len(clean_line(s))

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower() if tag else ""
        if event == "start":
            depth += 1
            if skip_depth:
                skip_depth += 1
                continue
            if not tag or tag in _DROP_TAGS:
                skip_depth = 1
                continue
            is_block = tag in _BLOCK_TAGS
            line_break = False
            if depth > max_depth:
                truncated = True
                # flatten: no longer a container of its own, but still the end of a line
                line_break, is_block = is_block, False
            if tag == "br" or line_break:
                flush()
            elif is_block:
                flush()
                ident = next_id
                next_id += 1
                element_tags[ident] = tag
                block_ids.append(ident)
                hints.append(_elem_hint(el))
                marks.append(el.get(_MARK_ATTR) or "")
            stack.append((tag, is_block, int(line_break), tag == "a", 0))
            if tag == "a":
                link_depth += 1
                link_count += 1
            if tag in _HEADINGS:
                heading_depth += 1
            if tag == "li":
                li_depth += 1
            if tag in _CELL_TAGS:
                cell_depth += 1
            add_text(el.text)
        else:
            depth -= 1
            if skip_depth:
                skip_depth -= 1
                if skip_depth == 0:
                    add_text(el.tail)
                continue
            tag_, is_block, line_break, is_link, _ = stack.pop()
            if is_link:
                link_depth -= 1
            if tag_ in _HEADINGS:
                heading_depth -= 1
            if tag_ == "li":
                li_depth -= 1
            if tag_ in _CELL_TAGS:
                # cells of one row stay on one line, separated by a space
                parts.append(" ")
                cell_depth -= 1
            if is_block:
                flush()
                block_ids.pop()
                hints.pop()
                marks.pop()
            elif line_break:
                flush()
            add_text(el.tail)
    flush()
    return ParsedPage(blocks=blocks, head_title=head_title, meta=meta, element_tags=element_tags, truncated_depth=truncated)


def block_value(block: Block) -> float:
    """How much this line looks like prose of a main text (0 for lists, menus, stamps).

    Lines inside containers named like comments, sidebars or footers count for nothing.
    """
    n = block.length - block.link_chars
    if n < 8 or block.link_ratio > 0.5 or block.hint < 0:
        return 0.0
    if block.punct == 0:
        # Long unpunctuated CJK lines are keyword blocks or headlines, not prose;
        # long unpunctuated latin lines are rare too.
        return 0.0
    return float(n)


def choose_region(
    page: ParsedPage, values: list[float] | None = None, noise_mask: list[bool] | None = None
) -> tuple[int, int, int | None]:
    """Pick the content container: returns (first_block, last_block, container_id).

    Each block-level element scores the prose it holds minus a share of the other text
    in it (menus, lists, stamps); the best-scoring element is the container. Noise in the
    same container as the document is left to line-level detection. ``values`` are the
    blocks' prose values when the caller has already judged them (default: block_value);
    blocks in ``noise_mask`` are known noise and do not count against a container (a
    republisher's headline list in the document's own container must not push the choice
    down to a single paragraph).
    """
    blocks = page.blocks
    if not blocks:
        return 0, -1, None
    value_by_el: dict[int, float] = {}
    text_by_el: dict[int, int] = {}
    first_by_el: dict[int, int] = {}
    last_by_el: dict[int, int] = {}
    if values is None:
        values = [block_value(b) for b in blocks]
    for b in blocks:
        v = values[b.index]
        counted = 0 if (noise_mask is not None and noise_mask[b.index]) else b.length
        for anc in b.ancestors:
            value_by_el[anc] = value_by_el.get(anc, 0.0) + v
            text_by_el[anc] = text_by_el.get(anc, 0) + counted
            if anc not in first_by_el:
                first_by_el[anc] = b.index
            last_by_el[anc] = b.index
    total_value = sum(values)
    if total_value <= 0:
        return 0, len(blocks) - 1, None
    best_id, best_score = None, -math.inf
    for el, v in value_by_el.items():
        if v <= 0:
            continue
        other = text_by_el[el] - v
        score = v - 0.3 * other
        if score > best_score or (score == best_score and best_id is not None and el > best_id):
            best_id, best_score = el, score
    assert best_id is not None
    return first_by_el[best_id], last_by_el[best_id], best_id
