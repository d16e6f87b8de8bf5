#!/usr/bin/env python
"""Time per page: clean_page vs trafilatura.extract alone (issue 5).

Over the fixture corpus (tests/fixtures/corpus.jsonl, when present) and the peer pages
(../shared/peer, every page of every set, gold or not), each page is decoded once and the
same ``str`` is given to ``clean_page(html, url)`` and to ``trafilatura.extract(html,
url=url, include_comments=False, include_tables=True)``, interleaved page by page in one
run; which goes first alternates from page to page (and from repeat to repeat). A page's
time is the median of its ``--repeat`` runs. Printed per source and for all pages: median
and p90 ms/page of each, and the ratios clean_page / trafilatura (issue 5 wants both
<= 1.0).

    python benchmarks/bench_clean.py                  # fixtures + all peer pages, 1 run each
    python benchmarks/bench_clean.py --limit 20 --repeat 3
    python benchmarks/bench_clean.py --sets cwce,gne --no-fixtures --json times.json
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peer  # noqa: E402

FIXTURES = peer.REPO_ROOT / "tests" / "fixtures"
TIMING_SETS = peer.BASE_SETS  # magic_html_zh is a subset of magic_html: not timed twice

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def decode_bytes(raw: bytes, encoding: str | None = None) -> str:
    """Declared encoding, else <meta> charset, else UTF-8, else GB18030."""
    for enc in (encoding, _meta_charset(raw)):
        if enc:
            try:
                return raw.decode(enc)
            except (LookupError, UnicodeDecodeError):
                pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _meta_charset(raw: bytes) -> str | None:
    m = _META_CHARSET.search(raw[:4096])
    if not m:
        return None
    enc = m.group(1).decode("ascii", "ignore").lower()
    return "gb18030" if enc in ("gb2312", "gbk", "gb_2312-80") else enc


def fixture_pages(limit: int | None = None) -> list[tuple[str, str, str]]:
    """(id, url, html) of the pages listed in tests/fixtures/corpus.jsonl.

    Each line is a JSON object naming its page by ``path``/``file``/``html``/``page``
    (relative to tests/fixtures/ or tests/fixtures/pages/) or by ``page_id``/``id``
    (tests/fixtures/pages/<id>.html); ``url`` and ``encoding`` are used when present.
    """
    corpus = FIXTURES / "corpus.jsonl"
    if not corpus.is_file():
        return []
    out = []
    for line in corpus.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        path = _fixture_path(row)
        if path is None:
            continue
        raw = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            raw = gzip.decompress(raw)
        pid = str(row.get("page_id") or row.get("id") or path.stem)
        out.append((pid, row.get("url") or "", decode_bytes(raw, row.get("encoding"))))
    if limit is not None:
        out = out[:limit]
    return out


def _fixture_path(row: dict) -> Path | None:
    names = [row.get(k) for k in ("path", "file", "html", "page", "html_path", "filename")]
    pid = row.get("page_id") or row.get("id")
    if isinstance(pid, str) and pid:
        names += [f"{pid}.html", f"{pid}.htm", f"{pid}.html.gz"]
    for name in names:
        if not isinstance(name, str) or not name or "\n" in name or "<" in name:
            continue
        for base in (FIXTURES, FIXTURES / "pages", peer.REPO_ROOT):
            p = base / name
            if p.is_file():
                return p
    return None


def percentile(xs: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def time_pages(pages, clean_fn, traf_fn, repeat: int = 1, progress=None):
    """Per page: (source, id, clean ms, traf ms, clean error). Interleaved, order alternating."""
    rows = []
    if pages:  # warm-up (imports, lazy initialisation) outside the measurement
        _, _, url, html = pages[0]
        for fn in (clean_fn, traf_fn):
            try:
                fn(html, url)
            except Exception:
                pass
    for i, (source, pid, url, html) in enumerate(pages):
        if progress:
            progress(i, len(pages))
        c_ts, t_ts, err = [], [], None
        for r in range(repeat):
            order = ((clean_fn, c_ts), (traf_fn, t_ts))
            if (i + r) % 2:
                order = order[::-1]
            for fn, acc in order:
                t0 = time.perf_counter()
                try:
                    fn(html, url)
                except Exception as exc:
                    if fn is clean_fn and err is None:
                        err = f"{type(exc).__name__}: {exc}"[:200]
                acc.append((time.perf_counter() - t0) * 1000)
        rows.append((source, pid, statistics.median(c_ts), statistics.median(t_ts), err))
    return rows


def stats(rows) -> dict:
    c = [r[2] for r in rows]
    t = [r[3] for r in rows]
    d = {
        "pages": len(rows),
        "clean_median_ms": statistics.median(c) if c else float("nan"),
        "clean_p90_ms": percentile(c, 90),
        "traf_median_ms": statistics.median(t) if t else float("nan"),
        "traf_p90_ms": percentile(t, 90),
        "clean_total_s": sum(c) / 1000,
        "traf_total_s": sum(t) / 1000,
        "errors": sum(1 for r in rows if r[4]),
    }
    d["ratio_median"] = d["clean_median_ms"] / d["traf_median_ms"] if t else float("nan")
    d["ratio_p90"] = d["clean_p90_ms"] / d["traf_p90_ms"] if t else float("nan")
    d["ratio_total"] = d["clean_total_s"] / d["traf_total_s"] if t and d["traf_total_s"] else float("nan")
    return d


def table(groups: dict[str, dict]) -> str:
    header = ["pages", "n", "cp median ms", "cp p90 ms", "tf median ms", "tf p90 ms",
              "ratio median", "ratio p90", "ratio total", "err cp"]
    rows = []
    for name, s in groups.items():
        rows.append([name, str(s["pages"]),
                     f"{s['clean_median_ms']:.1f}", f"{s['clean_p90_ms']:.1f}",
                     f"{s['traf_median_ms']:.1f}", f"{s['traf_p90_ms']:.1f}",
                     f"{s['ratio_median']:.2f}", f"{s['ratio_p90']:.2f}", f"{s['ratio_total']:.2f}",
                     str(s["errors"])])
    return peer.format_table(header, rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--peer", metavar="DIR", help=f"peer data directory (default: ${peer.PEER_ENV} or ../shared/peer)")
    ap.add_argument("--sets", default=",".join(TIMING_SETS), help="comma-separated peer sets (default: all)")
    ap.add_argument("--no-fixtures", action="store_true", help="leave out tests/fixtures pages")
    ap.add_argument("--no-peer", action="store_true", help="leave out the peer pages")
    ap.add_argument("--limit", type=int, metavar="N", help="at most N pages per source (deterministic sample)")
    ap.add_argument("--repeat", type=int, default=1, metavar="R", help="runs per page and extractor; the median counts (default 1)")
    ap.add_argument("--json", metavar="OUT", help="write the figures and per-page times as JSON")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)

    pages: list[tuple[str, str, str, str]] = []
    if not args.no_fixtures:
        pages += [("fixtures", pid, url, html) for pid, url, html in fixture_pages(args.limit)]
    notes = []
    if not args.no_peer:
        peer_dir = peer.resolve_peer_dir(args.peer)
        if peer_dir is None:
            notes.append("peer data not found (--peer DIR, $GOVCLEAN_PEER_DIR or ../shared/peer): peer pages skipped")
        else:
            for s in [x.strip() for x in args.sets.split(",") if x.strip()]:
                if s not in peer.SETS:
                    print(f"unknown set: {s}", file=sys.stderr)
                    return 2
                for p in peer.iter_pages(peer_dir, s, args.limit, scored_only=False):
                    pages.append((s, p.id, p.url, p.html))
    for n in notes:
        print(n)
    if not pages:
        print("no pages to time (no tests/fixtures/corpus.jsonl and no peer data); skipping.")
        return 0

    clean_fn = peer.load_clean_page()  # clear ImportError if the core is missing

    def progress(i, n):
        if not args.quiet and sys.stderr.isatty():
            print(f"\r{i + 1}/{n}   ", end="", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    rows = time_pages(pages, clean_fn, peer.trafilatura_extract, max(1, args.repeat), progress)
    elapsed = time.perf_counter() - t0
    if not args.quiet and sys.stderr.isatty():
        print("\r" + " " * 20 + "\r", end="", file=sys.stderr)

    groups: dict[str, dict] = {}
    for src in dict.fromkeys(r[0] for r in rows):
        groups[src] = stats([r for r in rows if r[0] == src])
    if "fixtures" in groups and len(groups) > 2:
        groups["peer (all sets)"] = stats([r for r in rows if r[0] != "fixtures"])
    groups["ALL"] = stats(rows)

    print(f"ms/page, clean_page vs trafilatura.extract alone, interleaved, median of {max(1, args.repeat)} run(s) per page")
    print(table(groups))
    print(f"\n{len(rows)} pages, {elapsed:.1f} s; ratio = clean_page / trafilatura (issue 5: median and p90 <= 1.00)")
    errs = [r for r in rows if r[4]]
    for r in errs[:10]:
        print(f"clean_page error on {r[0]}/{r[1]}: {r[4]}")

    if args.json:
        data = {
            "command": "python benchmarks/bench_clean.py " + " ".join(sys.argv[1:] if argv is None else argv),
            "elapsed_s": elapsed,
            "groups": groups,
            "pages": [{"source": r[0], "id": r[1], "clean_ms": r[2], "traf_ms": r[3], "error": r[4]} for r in rows],
        }
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
