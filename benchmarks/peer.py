"""Shared helpers for the peer benchmarks and the no-harm test.

The peer data (ordinary pages with human gold text, written by other projects) lives
outside the repository, in ``../shared/peer`` relative to the repository root::

    <peer>/<set>/pages/<id>.html.gz   page bytes as published
    <peer>/<set>/gold.jsonl           one JSON object per page (id, url, lang, text,
                                      with, without, encoding, tags, ...)

Where to find it, first match wins: an explicit ``--peer DIR``, the environment variable
``GOVCLEAN_PEER_DIR``, then ``../shared/peer`` next to this repository. When it is absent,
scripts and tests skip (see :func:`resolve_peer_dir`).

Scoring (as the peer README prescribes):

* token F1 against the gold ``text``: character bigrams for CJK pages (zh/ja/ko, or an
  ``und`` page whose gold is mostly CJK), words otherwise. Both sides are NFKC-normalised
  and case-folded; for bigrams all whitespace is removed first, so line breaks and spacing
  (rough in some gold files) do not count.
* the ``trafilatura`` set has no full text, only ``with`` snippets (must be in the output)
  and ``without`` snippets (boilerplate, must not be). A snippet is matched as a substring
  after collapsing whitespace runs to one space on both sides. The set's score is the
  pooled snippet F1, as trafilatura's own evaluation computes it: precision = TP/(TP+FP),
  recall = TP/(TP+FN), TP = ``with`` found, FN = ``with`` missing, FP = ``without`` found.

Both extractors get the same decoded ``str`` (bytes decoded with the page's ``encoding``
field, as Scrapy's ``response.text`` would) and the same URL: the gold ``url``, or
``http://<site_hint>/`` for pages saved without one.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PEER_DIR = REPO_ROOT / ".." / "shared" / "peer"
PEER_ENV = "GOVCLEAN_PEER_DIR"

#: Rows of the comparison, in print order. ``magic_html_zh`` is the Chinese (lang zh) part
#: of ``magic_html``; ``gne`` keeps only its pages with a gold text.
SETS: tuple[str, ...] = (
    "aeb",
    "trafilatura",
    "magic_html",
    "magic_html_zh",
    "gne",
    "cwce",
    "newspaper_cjk",
)
#: Directories on disk (``magic_html_zh`` is a filtered view of ``magic_html``).
BASE_SETS: tuple[str, ...] = ("aeb", "trafilatura", "magic_html", "gne", "cwce", "newspaper_cjk")
#: Issue 2: clean_page's mean F1 minus trafilatura's must be at least this, per set.
MIN_DIFF: dict[str, float] = {"cwce": 0.03, "magic_html_zh": 0.03}
DEFAULT_MIN_DIFF = -0.01
SNIPPET_SETS = frozenset({"trafilatura"})
CJK_LANGS = frozenset({"zh", "ja", "ko"})

Extractor = Callable[[str, str], str]


def min_diff(set_name: str) -> float:
    return MIN_DIFF.get(set_name, DEFAULT_MIN_DIFF)


# --------------------------------------------------------------------------- location


def resolve_peer_dir(arg: str | os.PathLike | None = None) -> Path | None:
    """The peer directory to use, or ``None`` when it is absent.

    ``arg`` (a ``--peer`` option) wins over ``$GOVCLEAN_PEER_DIR``, which wins over
    ``../shared/peer`` next to the repository.
    """
    raw = arg if arg else os.environ.get(PEER_ENV) or DEFAULT_PEER_DIR
    path = Path(raw).expanduser()
    if not path.is_dir():
        return None
    if not any((path / s / "gold.jsonl").is_file() for s in BASE_SETS):
        return None
    return path


def base_set(set_name: str) -> str:
    return "magic_html" if set_name == "magic_html_zh" else set_name


# --------------------------------------------------------------------------- pages

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass
class Page:
    set: str
    id: str
    url: str  # what both extractors are given ("" when unknown)
    html: str  # decoded with ``encoding``
    encoding: str
    lang: str
    text: str | None  # gold main text
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    nbytes: int = 0

    @property
    def cjk(self) -> bool:
        return is_cjk(self.lang, self.text or "")

    @property
    def key(self) -> tuple[str, str]:
        """Identity on disk (``magic_html_zh`` pages share it with ``magic_html``)."""
        return (base_set(self.set), self.id)


def is_cjk(lang: str | None, gold: str = "") -> bool:
    """Score with character bigrams? zh/ja/ko pages, and unknown-language pages whose
    gold text is at least 30% CJK characters."""
    lang = (lang or "").lower().split("-")[0]
    if lang in CJK_LANGS:
        return True
    if lang in ("", "und") and gold:
        chars = [c for c in gold if not c.isspace()]
        return bool(chars) and sum(1 for c in chars if _CJK_RE.match(c)) / len(chars) >= 0.3
    return False


def stable_order_key(set_name: str, page_id: str) -> str:
    return hashlib.sha1(f"{base_set(set_name)}/{page_id}".encode()).hexdigest()


def gold_rows(peer_dir: Path, set_name: str) -> list[dict]:
    """The gold rows that make up a row of the comparison, in file order."""
    path = Path(peer_dir) / base_set(set_name) / "gold.jsonl"
    if not path.is_file():
        return []
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            if set_name == "magic_html_zh" and (row.get("lang") or "") != "zh":
                continue
            rows.append(row)
    return rows


def has_gold(set_name: str, row: dict) -> bool:
    if base_set(set_name) in SNIPPET_SETS:
        return bool(row.get("with") or row.get("without"))
    return bool((row.get("text") or "").strip())


def select_rows(set_name: str, rows: list[dict], limit: int | None) -> list[dict]:
    """All rows in file order, or, with ``limit``, a deterministic sample: the first
    ``limit`` rows ordered by sha1 of ``<set>/<id>`` (spread over the whole set)."""
    if limit is None:
        return rows
    return sorted(rows, key=lambda r: stable_order_key(set_name, r["id"]))[: max(limit, 0)]


def load_page(peer_dir: Path, set_name: str, row: dict) -> Page:
    raw = gzip.decompress((Path(peer_dir) / base_set(set_name) / "pages" / f"{row['id']}.html.gz").read_bytes())
    enc = row.get("encoding") or "utf-8"
    html = raw.decode(enc, errors="replace")
    url = row.get("url") or ""
    if not url and row.get("site_hint"):
        url = f"http://{row['site_hint']}/"
    return Page(
        set=set_name,
        id=row["id"],
        url=url,
        html=html,
        encoding=enc,
        lang=row.get("lang") or "und",
        text=row.get("text"),
        with_=list(row.get("with") or []),
        without=list(row.get("without") or []),
        tags=list(row.get("tags") or []),
        nbytes=len(raw),
    )


def iter_pages(
    peer_dir: Path,
    set_name: str,
    limit: int | None = None,
    *,
    scored_only: bool = True,
) -> Iterator[Page]:
    """Pages of one row of the comparison.

    ``scored_only`` keeps only pages that can be scored (a non-empty gold text, or
    snippets for the trafilatura set); timing benchmarks pass ``False``.
    """
    rows = gold_rows(peer_dir, set_name)
    if scored_only:
        rows = [r for r in rows if has_gold(set_name, r)]
    for row in select_rows(set_name, rows, limit):
        yield load_page(peer_dir, set_name, row)


# --------------------------------------------------------------------------- scoring

_WS_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w+")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def tokenize(text: str, cjk: bool) -> list[str]:
    """Character bigrams (whitespace removed) for CJK text, ``\\w+`` words otherwise."""
    t = normalize(text)
    if cjk:
        s = _WS_RE.sub("", t)
        if len(s) < 2:
            return [s] if s else []
        return [s[i : i + 2] for i in range(len(s) - 1)]
    return _WORD_RE.findall(t)


def prf(pred: str, gold: str, cjk: bool) -> tuple[float, float, float]:
    """Bag-of-tokens precision, recall and F1 of ``pred`` against ``gold``.

    Both empty: (1, 1, 1). One empty: 0 for F1.
    """
    p = Counter(tokenize(pred, cjk))
    g = Counter(tokenize(gold, cjk))
    if not p and not g:
        return 1.0, 1.0, 1.0
    if not p:
        return 1.0, 0.0, 0.0
    if not g:
        return 0.0, 1.0, 0.0
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision = overlap / sum(p.values())
    recall = overlap / sum(g.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def token_f1(pred: str, gold: str, cjk: bool) -> float:
    return prf(pred, gold, cjk)[2]


def _collapse(s: str) -> str:
    return _WS_RE.sub(" ", s)


def snippet_counts(output: str, with_: Iterable[str], without: Iterable[str]) -> dict[str, int]:
    """tp/fn over ``with`` snippets, fp/tn over ``without`` snippets (whitespace-insensitive;
    the output's start and end count as whitespace)."""
    hay = " " + _collapse(output or "") + " "
    c = {"tp": 0, "fn": 0, "fp": 0, "tn": 0}
    for s in with_:
        c["tp" if _collapse(s) in hay else "fn"] += 1
    for s in without:
        c["fp" if _collapse(s) in hay else "tn"] += 1
    return c


def snippet_scores(c: dict[str, int]) -> dict[str, float]:
    """Pooled precision/recall/F1 and the two shares from summed snippet counts."""
    tp, fn, fp, tn = c["tp"], c["fn"], c["fp"], c["tn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "with_found": tp / (tp + fn) if tp + fn else 1.0,
        "without_absent": tn / (tn + fp) if tn + fp else 1.0,
        "accuracy": (tp + tn) / (tp + fn + fp + tn) if tp + fn + fp + tn else 1.0,
    }


# --------------------------------------------------------------------------- extractors


def load_clean_page() -> Extractor:
    """``clean_page(html, url).text`` as an extractor; a clear ImportError when the core
    has not landed (never a stub)."""
    if str(REPO_ROOT) not in sys.path:
        # Benchmark the package next to this script, installed or not.
        sys.path.insert(0, str(REPO_ROOT))
    try:
        from scrapy_govclean import clean_page
    except (ImportError, AttributeError) as exc:
        raise ImportError(
            "scrapy_govclean.clean_page is not available (the core has not landed yet?): "
            f"{type(exc).__name__}: {exc}"
        ) from exc

    def run(html: str, url: str) -> str:
        return clean_page(html, url).text or ""

    run.__name__ = "clean_page"
    return run


def trafilatura_extract(html: str, url: str) -> str:
    """trafilatura alone, plain defaults (no favor_*), comments off, tables on."""
    import trafilatura

    out = trafilatura.extract(html, url=url or None, include_comments=False, include_tables=True)
    return out or ""


# --------------------------------------------------------------------------- comparison


@dataclass
class Side:
    """One extractor's result on one page."""

    chars: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0  # token F1; snippet accuracy on the trafilatura set
    snippets: dict[str, int] | None = None
    seconds: float = 0.0
    error: str | None = None


@dataclass
class PageResult:
    set: str
    id: str
    url: str
    lang: str
    cjk: bool
    gold_chars: int
    clean: Side
    traf: Side

    @property
    def diff(self) -> float:
        return self.clean.f1 - self.traf.f1


@dataclass
class SetResult:
    set: str
    pages: list[PageResult]

    @property
    def n(self) -> int:
        return len(self.pages)

    def _pooled(self, side: str) -> dict[str, float]:
        tot = {"tp": 0, "fn": 0, "fp": 0, "tn": 0}
        for p in self.pages:
            for k, v in (getattr(p, side).snippets or {}).items():
                tot[k] += v
        return snippet_scores(tot)

    @property
    def snippet_based(self) -> bool:
        return base_set(self.set) in SNIPPET_SETS

    def score(self, side: str) -> float:
        """Mean token F1; pooled snippet F1 on the trafilatura set."""
        if not self.pages:
            return float("nan")
        if self.snippet_based:
            return self._pooled(side)["f1"]
        return sum(getattr(p, side).f1 for p in self.pages) / len(self.pages)

    @property
    def diff(self) -> float:
        return self.score("clean") - self.score("traf")

    @property
    def target(self) -> float:
        return min_diff(self.set)

    @property
    def ok(self) -> bool:
        return bool(self.pages) and self.diff >= self.target - 1e-12

    def errors(self, side: str) -> int:
        return sum(1 for p in self.pages if getattr(p, side).error)

    def worst(self, k: int) -> list[PageResult]:
        return sorted(self.pages, key=lambda p: (p.diff, p.id))[:k]

    def summary(self) -> dict:
        d = {
            "set": self.set,
            "pages": self.n,
            "metric": "snippet_f1" if self.snippet_based else "mean_token_f1",
            "clean_page": self.score("clean"),
            "trafilatura": self.score("traf"),
            "diff": self.diff,
            "target_diff": self.target,
            "ok": self.ok,
            "errors_clean_page": self.errors("clean"),
            "errors_trafilatura": self.errors("traf"),
            "seconds_clean_page": sum(p.clean.seconds for p in self.pages),
            "seconds_trafilatura": sum(p.traf.seconds for p in self.pages),
        }
        if self.snippet_based:
            for side, name in (("clean", "clean_page"), ("traf", "trafilatura")):
                s = self._pooled(side)
                d[f"with_found_{name}"] = s["with_found"]
                d[f"without_absent_{name}"] = s["without_absent"]
                d[f"snippet_precision_{name}"] = s["precision"]
                d[f"snippet_recall_{name}"] = s["recall"]
        return d


def _run(fn: Extractor, page: Page) -> tuple[str, float, str | None]:
    t0 = time.perf_counter()
    try:
        out = fn(page.html, page.url)
        err = None
    except Exception as exc:  # a crash scores as empty output and is reported
        out, err = "", f"{type(exc).__name__}: {exc}"[:300]
    return out or "", time.perf_counter() - t0, err


def score_side(page: Page, output: str, seconds: float, error: str | None) -> Side:
    side = Side(chars=len(output), seconds=seconds, error=error)
    if base_set(page.set) in SNIPPET_SETS:
        side.snippets = snippet_counts(output, page.with_, page.without)
        sc = snippet_scores(side.snippets)
        side.precision, side.recall, side.f1 = sc["precision"], sc["recall"], sc["accuracy"]
    else:
        side.precision, side.recall, side.f1 = prf(output, page.text or "", page.cjk)
    return side


def compare(
    peer_dir: Path,
    sets: Iterable[str] = SETS,
    *,
    limit: int | None = None,
    clean_fn: Extractor | None = None,
    traf_fn: Extractor = trafilatura_extract,
    outputs: dict | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, SetResult]:
    """Run both extractors over each set and score them.

    ``outputs``, if given, is filled with ``{(base_set, id): (clean_text, traf_text)}``
    and reused across rows (``magic_html_zh`` pages are not extracted twice).
    """
    if clean_fn is None:
        clean_fn = load_clean_page()
    cache = outputs if outputs is not None else {}
    results: dict[str, SetResult] = {}
    for set_name in sets:
        pages = list(iter_pages(peer_dir, set_name, limit))
        rows: list[PageResult] = []
        for i, page in enumerate(pages):
            if progress:
                progress(set_name, i, len(pages))
            if page.key in cache:
                (c_out, c_t, c_err), (t_out, t_t, t_err) = cache[page.key]
            else:
                # alternate which extractor goes first, so neither always runs on a warm cache
                if i % 2:
                    t_res = _run(traf_fn, page)
                    c_res = _run(clean_fn, page)
                else:
                    c_res = _run(clean_fn, page)
                    t_res = _run(traf_fn, page)
                cache[page.key] = (c_res, t_res)
                (c_out, c_t, c_err), (t_out, t_t, t_err) = c_res, t_res
            rows.append(
                PageResult(
                    set=set_name,
                    id=page.id,
                    url=page.url,
                    lang=page.lang,
                    cjk=page.cjk,
                    gold_chars=len(page.text or ""),
                    clean=score_side(page, c_out, c_t, c_err),
                    traf=score_side(page, t_out, t_t, t_err),
                )
            )
        results[set_name] = SetResult(set_name, rows)
    return results


def page_record(p: PageResult) -> dict:
    d = asdict(p)
    d["diff"] = p.diff
    return d


# --------------------------------------------------------------------------- printing


LEFT_ALIGNED = frozenset({"id", "url"})


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """Plain fixed-width table: text columns (first, id, url) left-aligned, numbers right."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    left = [j == 0 or h in LEFT_ALIGNED for j, h in enumerate(header)]
    lines = []
    for i, r in enumerate([header] + rows):
        cells = [str(c).ljust(w) if left[j] else str(c).rjust(w) for j, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
