"""Turn page bytes into text without guessing wrong.

Chinese pages come in GBK / GB2312 / GB18030 as often as UTF-8, and their declarations lie.
Statistical guessing (what trafilatura does when handed bytes) gets about one GBK page in
five wrong, so the order here is deterministic and every decision is explained:

1. a byte-order mark (UTF-8, UTF-16);
2. the declared charset (HTTP header, or the caller's ``encoding=``), if the bytes decode
   under it — except that

   * bytes which are valid UTF-8 with non-ASCII content are UTF-8 even when declared
     otherwise (GBK or Latin-1 "decode" UTF-8 bytes into mojibake without error);
   * when the declared charset is not a Chinese one (typically a server's default
     ``ISO-8859-1``) or is the wrong Chinese one (GBK declared, Big5 bytes), and the bytes
     read as Chinese text under GB18030 or Big5 — a decoding dense in common Chinese
     characters, where the declared one has few — the Chinese reading is used;

3. the ``<meta charset>`` / ``http-equiv`` declaration in the first 4 KB, same tests;
4. the fallback chain: BOM-less UTF-16 (NUL bytes beside the markup's ASCII), UTF-8, then GB18030 (a superset of GBK and GB2312), then Big5 — when
   several decode, the one whose text uses more common Chinese characters wins;
5. a body too broken for any of these (spliced, mangled) that still reads as Chinese under
   GB18030 or Big5 with up to 10 % of its non-ASCII bytes broken: that reading, with a
   warning; then windows-1252 (what browsers assume for an undeclared Western page), with a
   warning;
6. if nothing fits: UTF-8 with replacement characters, and a warning.

A Chinese decoding (declared or chosen) whose text has few common Chinese characters —
Japanese or Korean bytes read as GBK, say — is flagged in a warning.

"Decodes" allows a handful of broken byte sequences (a body cut off in the middle of a
character, a stray corrupt byte): at most one per 200 non-ASCII bytes, each replaced by
U+FFFD and counted in a warning. A wrong charset breaks far more than that.

Only the charsets browsers support (the WHATWG Encoding Standard's labels) are honoured;
any other name (``utf-7``, ``unicode_escape``, ``undefined``…) is ignored with a warning,
since Python codecs of that kind would invent text or raise. A ``<meta>`` declaring UTF-16
is read as UTF-8, as browsers do (the bytes it was found in are ASCII-compatible).

Every departure from the declaration is reported in the returned warnings, so a wrong
charset is flagged, never silently turned into mojibake.
"""
from __future__ import annotations

import codecs
import re

from .extraction import count_cjk

__all__ = ["decode_html", "normalize_charset", "sniff_meta_charset", "check_text"]

# GB2312 and GBK are strict subsets of GB18030; decoding with the superset loses nothing.
# Other aliases follow the WHATWG Encoding Standard (what browsers do with these labels).
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "x-euc-cn": "gb18030",
    "euc-cn": "gb18030",
    "iso-ir-58": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "unicode": "utf-8",
    "iso-8859-1": "cp1252",  # as browsers do
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "windows-949": "cp949",
    "utf-16": "utf-16-le",
    "ucs-2": "utf-16-le",
    "unicodefffe": "utf-16-be",
}

# The charsets browsers decode (WHATWG Encoding Standard), as Python codec names. Anything
# else is ignored: Python also has codecs that invent text (utf-7, unicode_escape, idna)
# or always raise (undefined).
_WEB_CHARSETS = (
    "utf-8", "cp866", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
    "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16", "koi8-r",
    "koi8-u", "mac-roman", "mac-cyrillic", "cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254",
    "cp1255", "cp1256", "cp1257", "cp1258", "gb18030", "big5hkscs", "euc_jp", "iso2022_jp", "cp932",
    "cp949", "utf-16-le", "utf-16-be",
)
_WEB_CODECS = frozenset(codecs.lookup(name).name for name in _WEB_CHARSETS)
_UTF16 = frozenset(codecs.lookup(name).name for name in ("utf-16-le", "utf-16-be"))
_UTF8 = codecs.lookup("utf-8").name
_CHINESE = ("gb18030", "big5hkscs")

_FALLBACKS = ("utf-8", "gb18030", "big5hkscs")

# Bounded: attribute values are short; the scan covers the first 4 KB only.
_META_RE = re.compile(rb"""<meta[^>]{0,300}?charset\s{0,5}=\s{0,5}["']?\s{0,5}([A-Za-z0-9_\-:.]{1,40})""", re.I)

#: Broken sequences tolerated per non-ASCII byte (a cut-off last character, a stray bad
#: byte); a wrong charset breaks about every other multi-byte character.
_TOLERANCE = 1 / 200
#: Non-ASCII bytes needed before a UTF-8 reading with broken sequences is trusted over a
#: Chinese charset that decodes the bytes cleanly.
_UTF8_EVIDENCE = 50

# A decoding "reads as Chinese" when it has at least this many CJK characters and at least
# this share of them are common ones; a wrong decoding of Chinese bytes scores about 0.1.
_MIN_CJK = 20
_GOOD_SCORE = 0.4
_MARGIN = 0.25
_SUSPECT_SCORE = 0.2  # below this a Chinese decoding is flagged as doubtful
#: A body too broken for the tolerance above is still read as Chinese (with a warning) when
#: at most this share of its non-ASCII bytes is broken and the rest reads as Chinese.
_ROUGH_TOLERANCE = 0.1

# Common Chinese characters in both simplified and traditional forms: the right decoding
# of a Chinese page is dense in them, a wrong one (GBK bytes read as Big5) is not.
_COMMON_HANZI = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过"
    "发后作里用道行所然家种事成方多经去法学如都同现当没动面起看定天分还进好小部其些主样理心本前开"
    "但因只从想实日者意无力与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物"
    "手应向头文体政美相见被利二等产或新己制身果加月话合回特代内信表化老给世位次度门任常先海通教原"
    "东声提立及比员解水名真论处走义各入几口认条平系气题活更别打变四电数安少报才结反受目量再感建务"
    "做接必场件计管期市直资命山金指许统区保至队形社便空决治展科司五基书非则白界达光放强即像难且权"
    "思象完设式色路记南品住告类求据程北边张该交规万取觉术领共确传师观清今切院让识候带导争运改收根"
    "造言联持组每济车亲极服快办议往元英士证近失转令准布始存未远台单影具字爱流备连调深商算质团集百"
    "需价党华城级整府离况请技际约示复息究线官断精满支视消越器容照须增研写称企功包片史委查轻易早曾"
    "除农找装广显图念引历首医局专费号另周较注语仅考落青随选列响虽推势参希古众构房半节土投某案维划"
    "致律足态护兴派验责营星够章音跟志底站严例防族供效续施留讲型料终答紧察京段依批群项故按河围江织"
    "們國來這個為說時會對發後過裡動現當還進樣體開從實無長機們點業將間問題條給經關應變區權書則義報"
)


def normalize_charset(name: str | None) -> str | None:
    """Map a declared charset to the Python codec we decode with, or None if unknown.

    Only charsets browsers support are known; ``utf-7``, ``unicode_escape`` and the like
    are not (they would invent text).
    """
    if not name or not isinstance(name, str):
        return None
    key = name.strip().strip("\"'").strip().lower()
    if not key or len(key) > 64:
        return None
    key = _ALIASES.get(key, key)
    try:
        codec = codecs.lookup(key).name
    except (LookupError, ValueError, TypeError):
        return None
    return codec if codec in _WEB_CODECS else None


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset named in a ``<meta>`` tag within the first 4 KB, as declared."""
    m = _META_RE.search(body[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        return None


def _tolerant(body: bytes, codec: str, high: int) -> tuple[str, int] | None:
    """``(text, broken sequences)`` if the bytes decode under ``codec`` but for a few
    broken sequences (replaced by U+FFFD), else None."""
    text = _strict(body, codec)
    if text is not None:
        return text, 0
    if not high:
        return None  # ASCII bytes that do not decode: a codec that does not fit at all
    try:
        text = body.decode(codec, "replace")
    except (UnicodeError, LookupError, ValueError):
        return None
    broken = text.count("\ufffd")
    if broken > max(1, int(high * _TOLERANCE)):
        return None
    return text, broken


# Character counts by regex: the scan runs in C, a Python loop over 20,000 characters doesn't.
_COMMON_HANZI_RE = re.compile("[" + "".join(sorted(_COMMON_HANZI)) + "]")
_PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff]")


def _cjk_count(text: str) -> int:
    """Chinese ideographs in the first 20,000 characters (extraction.count_cjk, uncapped)."""
    return count_cjk(text[:20000], 20000)


def _hanzi_score(text: str) -> float:
    cjk = _cjk_count(text)
    if not cjk:
        return 0.0
    return len(_COMMON_HANZI_RE.findall(text, 0, 20000)) / cjk


def _private_use(text: str) -> int:
    return len(_PRIVATE_USE_RE.findall(text, 0, 20000))


def _is_ascii(body: bytes) -> bool:
    return body.isascii()


def _high_bytes(body: bytes) -> int:
    """Number of non-ASCII bytes (cheaply: the length the ASCII-only view loses)."""
    if body.isascii():
        return 0
    return len(body) - len(body.decode("latin-1").encode("ascii", "ignore"))


def _utf16_order(body: bytes) -> str | None:
    """"utf-16-le" / "utf-16-be" for BOM-less UTF-16 markup (a NUL byte next to every ASCII
    character: tags, attributes), else None."""
    head = body[:4000]
    units = len(head) // 2
    if units < 8:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd * 10 >= units and even * 50 < units:
        return "utf-16-le"
    if even * 10 >= units and odd * 50 < units:
        return "utf-16-be"
    return None


def _looks_utf16(body: bytes, codec: str | None = None) -> bool:
    order = _utf16_order(body)
    return order is not None and (codec is None or codec == codecs.lookup(order).name)


def _chinese_reading(body: bytes, codec: str, text: str) -> tuple[str, str] | None:
    """A GB18030 or Big5 reading of the bytes far more Chinese than the ``codec`` one.

    Catches a Chinese page declared ``ISO-8859-1`` (mojibake of Latin letters, no CJK) or
    declared GBK while its bytes are Big5 (rare characters only), and vice versa.
    """
    own = _hanzi_score(text) if codec in _CHINESE else 0.0
    best: tuple[float, str, str] | None = None
    for alt in _CHINESE:
        if alt == codec:
            continue
        alt_text = _strict(body, alt)
        if alt_text is None or _cjk_count(alt_text) < _MIN_CJK:
            continue
        score = _hanzi_score(alt_text)
        if score >= _GOOD_SCORE and score >= own + _MARGIN and (best is None or score > best[0]):
            best = (score, alt, alt_text)
    return (best[2], best[1]) if best else None


def decode_html(
    body: bytes, *, declared: str | None = None
) -> tuple[str, str, list[str]]:
    """Decode page bytes; returns ``(text, codec_used, warnings)``.

    ``declared`` is the HTTP header's charset or the caller's ``encoding=``. Never raises
    on any bytes or any declared name.
    """
    warnings: list[str] = []
    if body.startswith(codecs.BOM_UTF8):
        text = body[3:].decode("utf-8", "replace")
        _note_broken(warnings, "utf-8", text.count("\ufffd") - body.count("\ufffd".encode()))
        return text, "utf-8", warnings
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", "replace"), "utf-16", warnings

    high = _high_bytes(body)
    utf8 = _tolerant(body, "utf-8", high)
    meta = sniff_meta_charset(body)
    for source, name in (("declared", declared), ("meta", meta)):
        if not name:
            continue
        codec = normalize_charset(name)
        if codec is None:
            warnings.append(f"unknown {source} charset {name!r} ignored")
            continue
        if codec in _UTF16:
            if source == "meta":
                codec = _UTF8  # a <meta> found in ASCII-compatible bytes cannot mean UTF-16
            elif not _looks_utf16(body, codec):
                warnings.append(f"{source} charset {name!r} does not fit these bytes (no UTF-16 markup)")
                continue
        decoded = utf8 if codec == _UTF8 else _tolerant(body, codec, high)
        if decoded is None:
            warnings.append(f"{source} charset {name!r} does not decode these bytes")
            continue
        if codec != _UTF8 and codec not in _UTF16 and utf8 is not None and high and (not utf8[1] or high >= _UTF8_EVIDENCE):
            warnings.append(f"{source} charset {name!r} but the bytes are valid UTF-8; decoded as utf-8")
            return utf8[0], "utf-8", warnings
        text, broken = decoded
        if high and codec not in (_UTF8, *_UTF16):
            chinese = _chinese_reading(body, codec, text)
            if chinese is not None:
                warnings.append(
                    f"{source} charset {name!r} but the bytes read as Chinese in {chinese[1]}; decoded as {chinese[1]}"
                )
                return chinese[0], chinese[1], warnings
        _note_broken(warnings, codec, broken)
        _note_unlike_chinese(warnings, codec, text, f"the {source} charset {name!r}")
        return text, codec, warnings

    order = _utf16_order(body) if b"\x00" in body[:4000] else None
    if order is not None:  # undeclared, BOM-less UTF-16 (NUL bytes are valid UTF-8)
        decoded = _tolerant(body, order, high or 1)
        if decoded is not None:
            warnings.append(f"no byte-order mark, but the bytes are {order}; decoded as {order}")
            _note_broken(warnings, order, decoded[1])
            return decoded[0], order, warnings
    # UTF-8 validity is decisive on its own — with a few broken sequences (a cut-off body)
    # only when there is enough non-ASCII to tell: two stray bytes may well be one Big5 character.
    if utf8 is not None and (not utf8[1] or high >= _UTF8_EVIDENCE):
        if declared or meta:
            warnings.append("decoded as utf-8 instead")
        _note_broken(warnings, "utf-8", utf8[1])
        return utf8[0], "utf-8", warnings
    # Ranked: decodes cleanly, fewest private-use characters (GBK's user-defined area is
    # where Big5 bytes land), most common Chinese characters, fewest broken sequences.
    candidates: list[tuple[bool, int, float, int, int, str, str]] = []
    for rank, codec in enumerate(_FALLBACKS[1:]):
        decoded = _tolerant(body, codec, high)
        if decoded is None:
            continue
        text, broken = decoded
        candidates.append((not broken, -_private_use(text), _hanzi_score(text), -broken, -rank, codec, text))
    if utf8 is not None and not any(c[0] for c in candidates):
        candidates.append((False, 0, 1.0, -utf8[1], 1, "utf-8", utf8[0]))
    if candidates:
        _, _, _, neg_broken, _, codec, text = max(candidates)
        if declared or meta:
            warnings.append(f"decoded as {codec} instead")
        _note_broken(warnings, codec, -neg_broken)
        _note_unlike_chinese(warnings, codec, text, "the fallback")
        return text, codec, warnings
    rough: list[tuple[float, int, str, str]] = []
    for codec in _CHINESE:  # badly corrupted (spliced, mangled) but unmistakably Chinese
        text = body.decode(codec, "replace")
        broken = text.count("\ufffd")
        if broken <= high * _ROUGH_TOLERANCE and _cjk_count(text) >= _MIN_CJK:
            score = _hanzi_score(text)
            if score >= _GOOD_SCORE:
                rough.append((score, -broken, codec, text))
    if rough:
        _, neg_broken, codec, text = max(rough)
        warnings.append(f"decoded as {codec}, the bytes read as Chinese despite broken sequences")
        _note_broken(warnings, codec, -neg_broken)
        return text, codec, warnings
    decoded = _tolerant(body, "cp1252", high)
    if decoded is not None:  # a Western page (what browsers assume outside East Asia)
        warnings.append("neither utf-8 nor a Chinese charset decodes these bytes; decoded as cp1252 (windows-1252)")
        _note_broken(warnings, "cp1252", decoded[1])
        return decoded[0], "cp1252", warnings
    warnings.append("no charset decodes these bytes cleanly; decoded as utf-8 with replacements")
    return body.decode("utf-8", "replace"), "utf-8", warnings


def _note_unlike_chinese(warnings: list[str], codec: str, text: str, how: str) -> None:
    """Flag a Chinese decoding whose text has few common characters (likely the wrong charset)."""
    if codec in _CHINESE and _cjk_count(text) >= _MIN_CJK and _hanzi_score(text) < _SUSPECT_SCORE:
        warnings.append(
            f"text decoded as {codec} ({how}) has few common Chinese characters; the charset may be wrong"
        )


def _note_broken(warnings: list[str], codec: str, broken: int) -> None:
    if broken > 0:
        warnings.append(f"{broken} undecodable byte sequence(s) under {codec} replaced by U+FFFD")


# ---------------------------------------------------------------------------------------
# Pages handed over as str (GovCleanPipeline's GOVCLEAN_HTML_FIELD holds ``response.text``):
# the decoding happened upstream, where a lying Content-Type header wins (Scrapy trusts it).

# windows-1252's characters for bytes 0x80-0x9F, mapped back to those bytes' code points
_CP1252_BACK = {
    ord(ch): i for i in range(0x80, 0xA0) for ch in [bytes([i]).decode("cp1252", "ignore")] if ch
}
_LATIN_HIGH_RE = re.compile("[\x80-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]")


def check_text(text: str) -> tuple[str, list[str]]:
    """A page given as text: flag a wrong decoding done upstream, and undo it when it can be.

    Chinese bytes read as ISO-8859-1 / windows-1252 (a server's default charset, trusted by
    Scrapy) come back as the same bytes re-read as Chinese, with a warning; text full of
    U+FFFD (Chinese bytes read as UTF-8 with replacement) or of rare characters only (GBK
    read as Big5) cannot be undone and is flagged.
    Text that looks right is returned unchanged.
    """
    sample = text[:20000]
    warnings: list[str] = []
    replaced = sample.count("\ufffd")
    if replaced >= _MIN_CJK and replaced * 50 >= len(sample.strip()):
        warnings.append(
            f"the text has {replaced} U+FFFD in its first {len(sample)} characters: it was decoded with the "
            "wrong charset before it reached govclean (hand over the body bytes instead)"
        )
        return text, warnings
    if count_cjk(sample, _MIN_CJK) >= _MIN_CJK:  # numpy count: a European page costs ~nothing here
        if _hanzi_score(sample) < _SUSPECT_SCORE:  # Chinese bytes read as the wrong Chinese charset
            warnings.append(
                "the text has few common Chinese characters: it may have been decoded with the wrong "
                "charset before it reached govclean (hand over the body bytes instead)"
            )
        return text, warnings
    latin_high = len(_LATIN_HIGH_RE.findall(sample))
    if latin_high < _MIN_CJK or latin_high * 20 < len(sample):
        # Chinese read as windows-1252 is dense in such characters (two per hanzi); a
        # Portuguese or German page has a few per hundred
        return text, warnings
    try:
        sample.translate(_CP1252_BACK).encode("latin-1")  # cheap refusal on the sample first
        raw = text.translate(_CP1252_BACK).encode("latin-1")
    except UnicodeEncodeError:
        return text, warnings  # characters no single-byte reading produces: not that mistake
    decoded, codec, _ = decode_html(raw)
    if codec in _CHINESE and _cjk_count(decoded) >= _MIN_CJK and _hanzi_score(decoded) >= _GOOD_SCORE:
        warnings.append(f"the text was Chinese bytes read as windows-1252 upstream; re-read as {codec}")
        return decoded, warnings
    return text, warnings
