"""Noise detection: which lines of a page are a republisher's additions, and what kind.

Three kinds of evidence, from cheapest to most general:

* **Patterns** (``rules/noise.toml``): short lines that announce themselves — hotline
  banners, bylines, disclaimers, edit stamps, pagers, share bars, footers.
* **Repetition**: SEO keyword blocks are many short items built from one template
  ("深圳福永…工业区劳务派遣公司"), on one line or one per line; what gives them away is a
  long suffix (or prefix) shared by most items, not any particular word.
* **Enumeration and lists**: runs of short, unpunctuated lines ("1. …", "2. …", dated
  lines, link lists) are lists of other articles; inside the document they are only removed
  when long and unrelated to the document's own vocabulary.

All functions here are pure and work on plain strings, so they can be tested alone.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "NoiseRules",
    "load_rules",
    "match_kind",
    "is_seo_line",
    "seo_items",
    "shared_affix_run",
    "is_headline_like",
    "enumeration_runs",
    "split_sentences",
    "strip_ad_sentences",
    "bigram_overlap",
]

_SENTENCE_END = set("。!?;!?;…")
_ITEM_SPLIT_RE = re.compile(r"(?:\s{2,}|\u3000|[||/、]|\s(?=\S{4,}))")
_NUM_PREFIX_RE = re.compile(r"^\s{0,3}[((\[【]?\s{0,2}(\d{1,3})\s{0,2}[.、.)\])】::]\s{0,3}(?!\d)")
_DATE_ANY_RE = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?")
_INLINE_ENUM_RE = re.compile(r"(?:^|\s)(\d{1,3})[.、.]\s{0,2}(?=\S)")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class NoiseRules:
    """Compiled noise patterns: kind -> one combined regex (alternation of the rules)."""

    max_line_chars: int
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    ad: re.Pattern[str] | None
    not_ad: re.Pattern[str] | None  # the document's own contact lines are never ads


@lru_cache(maxsize=8)
def load_rules(extra_patterns: tuple[str, ...] = ()) -> NoiseRules:
    """Load ``rules/noise.toml`` once; ``extra_patterns`` are added to the ``ad`` kind."""
    data = tomllib.loads(resources.files("scrapy_govclean").joinpath("rules/noise.toml").read_text("utf-8"))
    compiled: list[tuple[str, re.Pattern[str]]] = []
    ad_parts: list[str] = []
    for kind, pats in data["patterns"].items():
        if kind == "ad":
            ad_parts = list(pats)
            continue
        compiled.append((kind, re.compile("|".join(f"(?:{p})" for p in pats))))
    ad_parts.extend(extra_patterns)
    ad = re.compile("|".join(f"(?:{p})" for p in ad_parts)) if ad_parts else None
    exceptions = data.get("exceptions", {}).get("ad", [])
    not_ad = re.compile("|".join(f"(?:{p})" for p in exceptions)) if exceptions else None
    # One regex per kind: Python's engine tries every branch at every position, so one
    # giant alternation of all kinds is about three times slower than this.
    return NoiseRules(int(data["max_line_chars"]), tuple(compiled), ad, not_ad)


def is_ad_sentence(sentence: str, rules: NoiseRules) -> bool:
    """An advertising sentence: matches an ad rule and none of the exceptions."""
    if rules.ad is None or len(sentence) > 200 or not rules.ad.search(sentence):
        return False
    return rules.not_ad is None or not rules.not_ad.search(sentence)


def match_kind(line: str, rules: NoiseRules) -> str | None:
    """The noise kind a short line announces by its wording, or None."""
    if len(line) > rules.max_line_chars:
        return None
    for kind, pattern in rules.patterns:
        if pattern.search(line):
            return kind
    if is_ad_sentence(line, rules):
        return "ad"
    return None


def _common_suffix_len(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        n += 1
    return n


def _common_prefix_len(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _affix_share(items: list[str], min_affix: int) -> float:
    """Share of items that share a suffix or prefix of ``min_affix``+ chars with another item."""
    if len(items) < 2:
        return 0.0
    suffixes: dict[str, int] = {}
    prefixes: dict[str, int] = {}
    for it in items:
        if len(it) >= min_affix:
            suffixes[it[-min_affix:]] = suffixes.get(it[-min_affix:], 0) + 1
            prefixes[it[:min_affix]] = prefixes.get(it[:min_affix], 0) + 1
    best = max(max(suffixes.values(), default=0), max(prefixes.values(), default=0))
    return best / len(items)


_SENTENCE_PUNCT_RE = re.compile(r"[。!?;!?;…,,]")


def _has_sentence_punct(text: str) -> bool:
    return _SENTENCE_PUNCT_RE.search(text) is not None


def is_seo_line(line: str) -> bool:
    """One line holding many short keyword items built from a template.

    E.g. "深圳福永凤凰第三工业区劳务派遣公司  深圳宝安大道旁塘尾工业区劳务派遣公司  …":
    five or more whitespace-separated items (four when they are long, as place-and-service
    items are; a table row's short cells are not), no sentence punctuation, and most items
    sharing a suffix or prefix of 3+ characters (or all items short tags of one site).
    (A joint signature — several state organs of one city on one line — looks the same: the
    caller tells them apart by whether the :func:`seo_items` name state organs.)
    """
    if line.count(" ") + line.count("|") + line.count("、") < 3 or _has_sentence_punct(line[:2000]):
        return False
    items = seo_items(line)
    lengths = sorted(len(it) for it in items)
    if len(items) < 4 or len(items) == 4 and lengths[1] < 8:
        return False  # four items only when long ("深圳沙井劳务派遣公司"), not table cells
    if lengths[len(lengths) // 2] > 40:
        return False
    return _affix_share(items, 3) >= 0.5 or _affix_share(items, 2) >= 0.7


def seo_items(line: str) -> list[str]:
    """The items of a keyword line: split at whitespace, "|" and "、"."""
    return [it for it in re.split(r"\s+|[||、]", line[:5000]) if it]


def shared_affix_run(lines: list[str], min_run: int = 4) -> list[tuple[int, int]]:
    """Runs of consecutive short lines that share a 3+ char suffix/prefix (SEO item lists)."""
    runs: list[tuple[int, int]] = []
    i = 0
    n = len(lines)
    while i < n:
        j = i
        while (
            j + 1 < n
            and 2 <= len(lines[j + 1]) <= 40
            and 2 <= len(lines[j]) <= 40
            and not _has_sentence_punct(lines[j + 1])
            and (
                _common_suffix_len(lines[j], lines[j + 1]) >= 3
                or _common_prefix_len(lines[j], lines[j + 1]) >= 4
            )
        ):
            j += 1
        if j - i + 1 >= min_run:
            runs.append((i, j))
            i = j + 1
        else:
            i += 1
    return runs


def numbered(line: str) -> int | None:
    """The list number a line starts with ("12. …", "12、…", "(12)…"), else None."""
    m = _NUM_PREFIX_RE.match(line)
    return int(m.group(1)) if m else None


def is_headline_like(line: str) -> bool:
    """A short line without sentence-final punctuation: a title of some other page."""
    body = line.strip()
    if not (4 <= len(body) <= 80):
        return False
    return not any(ch in _SENTENCE_END for ch in body[-3:]) and "。" not in body


def has_date(line: str) -> bool:
    return _DATE_ANY_RE.search(line[:200]) is not None


def enumeration_runs(lines: list[str], min_run: int = 5) -> list[tuple[int, int]]:
    """Runs of lines numbered 1, 2, 3 … in order (numbering may start anywhere)."""
    runs: list[tuple[int, int]] = []
    i = 0
    n = len(lines)
    while i < n:
        k = numbered(lines[i])
        if k is None:
            i += 1
            continue
        j = i
        while j + 1 < n:
            nxt = numbered(lines[j + 1])
            if nxt != k + (j + 1 - i):
                break
            j += 1
        if j - i + 1 >= min_run:
            runs.append((i, j))
        i = j + 1
    return runs


def dated_runs(lines: list[str], min_run: int = 5) -> list[tuple[int, int]]:
    """Runs of consecutive short lines that each carry a date ("2021-03-04 标题")."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate(lines + [""]):
        if line and len(line) <= 100 and has_date(line):
            if start is None:
                start = i
        else:
            if start is not None and i - start >= min_run:
                runs.append((start, i - 1))
            start = None
    return runs


def inline_enumeration(line: str, min_items: int = 5) -> bool:
    """A single line that strings together "1. … 2. … 3. …" headline items."""
    if len(line) < 40:
        return False
    nums = [int(m.group(1)) for m in _INLINE_ENUM_RE.finditer(line[:20000])]
    if len(nums) < min_items:
        return False
    ascending = sum(1 for a, b in zip(nums, nums[1:]) if b == a + 1)
    return ascending >= min_items - 1 and line.count("。") <= len(nums) // 4


_SENTENCE_RE = re.compile(r"[^。!?!?;;]*(?:[。!?!?;;]+[”’」』)\"]?|$)")


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph after sentence-final punctuation, keeping the punctuation."""
    return [s for s in _SENTENCE_RE.findall(paragraph) if s]


#: "（来源：苏才劳务网）" inside a sentence of the document (folded: ASCII brackets, colon).
_INLINE_SOURCE_RE = re.compile(
    r"\(\s{0,2}(?:文章|本文|内容|信息)?(?:来源|来自|出处|转自|转载自)\s{0,2}:?\s{0,2}"
    r"([^()\n]{2,24}?(?:网|网站|官网|平台|公众号|号))\s{0,2}\)"
)
_SELF_SOURCE_RE = re.compile(r"\(\s{0,2}(?:文章|本文|内容|信息)(?:来源|来自|转自|转载自)")
_BRAND_SOURCE_PREFIX = r"(?:本文|文章|内容|此文)(?:来自|来源于|转载自|摘自|由)\s{0,2}"


def strip_inline_sources(paragraph: str, folded: str, brand: str | None) -> tuple[str, str, list[str]]:
    """Cut source stamps a site wrote INTO a sentence of the document.

    "（来源：苏才劳务网）" naming a website, or "本文来自苏才人力" naming the site itself
    (``brand``), placed in the middle of a paragraph — with text of the document after it —
    is the republisher's watermark; the sentence around it is the document's and stays.
    At the very end of a paragraph only a stamp naming itself ("(本文来源:…官网)") is cut;
    a bare "(来源:…网)" there may be the document citing a source.
    Returns (paragraph, folded paragraph, removed stamps); the two stay the same length.
    """
    patterns = [_INLINE_SOURCE_RE]
    if brand:
        patterns.append(re.compile(_BRAND_SOURCE_PREFIX + re.escape(brand) + r"(?:整理|编辑|发布|转载)?"))
    removed: list[str] = []
    for pattern in patterns:
        spans = [
            m.span() for m in pattern.finditer(folded)
            # at the very end of a paragraph only a stamp that says so ("(本文来源:…官网)")
            if folded[m.end():].strip(" 。.,;!?") or _SELF_SOURCE_RE.match(folded, m.start())
        ]
        removed += [paragraph[a:b] for a, b in spans]
        for a, b in reversed(spans):
            paragraph, folded = paragraph[:a] + paragraph[b:], folded[:a] + folded[b:]
    return paragraph, folded, removed


def strip_ad_sentences(
    paragraph: str, rules: NoiseRules, *, folded: str | None = None, brand: str | None = None
) -> tuple[str, list[str]]:
    """Remove advertising sentences a site inserted into a paragraph of the document.

    ``folded`` is the paragraph with full-width punctuation folded (same length): the rules
    match it, while the kept text is cut from the original. ``brand`` is the republishing
    site's own name (from its <title>): a document never names the site that copied it, so a
    sentence that does is the site's pitch — and so is a question right before it
    ("惠州高温补贴怎么发?鑫达人力为您免费解答。").
    """
    folded = paragraph if folded is None else folded
    has_brand = bool(brand) and brand in folded[:20000]
    if not has_brand and (rules.ad is None or not rules.ad.search(folded[:20000])):
        return paragraph, []
    sentences = split_sentences(folded)
    drop = [is_ad_sentence(sentence, rules) or (has_brand and brand in sentence) for sentence in sentences]
    if has_brand:
        pieces: list[str] = []
        flags: list[bool] = []
        for k, (sentence, dropped) in enumerate(zip(sentences, drop)):
            pitch_follows = k + 1 < len(sentences) and drop[k + 1] and brand in sentences[k + 1]
            if not dropped and pitch_follows and sentence.rstrip().endswith("?"):
                # the question of a question-and-pitch pair; after a colon, only its tail
                # ("…通知如下:惠州劳务派遣公司哪家好?")
                colon = sentence.rfind(":")
                if colon >= 0:
                    pieces += [sentence[: colon + 1], sentence[colon + 1 :]]
                    flags += [False, True]
                    continue
                dropped = True
            pieces.append(sentence)
            flags.append(dropped)
        sentences, drop = pieces, flags
    kept: list[str] = []
    removed: list[str] = []
    pos = 0
    for sentence, dropped in zip(sentences, drop):
        original = paragraph[pos : pos + len(sentence)]
        pos += len(sentence)
        if dropped:
            removed.append(original.strip())
        else:
            kept.append(original)
    return "".join(kept).strip(), removed


def bigrams(text: str) -> set[str]:
    """Character bigrams of the CJK part of a text (topic vocabulary)."""
    chars = "".join(_CJK_RE.findall(text[:50000]))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def bigram_overlap(line: str, vocabulary: set[str]) -> float:
    """Share of a line's bigrams that occur in the document's vocabulary."""
    grams = bigrams(line)
    if not grams:
        return 0.0
    return sum(1 for g in grams if g in vocabulary) / len(grams)
