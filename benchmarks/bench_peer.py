#!/usr/bin/env python
"""clean_page vs trafilatura alone on the peer sets (issue 2, "does no harm").

For each set: mean token F1 of ``clean_page(html, url).text`` and of
``trafilatura.extract(html, url=url)`` (plain defaults, comments off, tables on) against
the gold text, side by side, their difference and the issue's target for it. On the
``trafilatura`` set (snippets only) the score is the pooled snippet F1, and the share of
``with`` snippets found / ``without`` snippets absent is shown for both.

    python benchmarks/bench_peer.py                       # all sets
    python benchmarks/bench_peer.py --sets cwce,gne --limit 10
    python benchmarks/bench_peer.py --worst 10            # pages where clean_page loses most
    python benchmarks/bench_peer.py --json out.json --dump /tmp/peer-out

Exit status: 0, also when the peer data is absent (a note is printed); 1 when
clean_page is unavailable; with ``--check``, 3 when a set misses its target.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peer  # noqa: E402


def _fmt(x: float, nd: int = 3, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:+.{nd}f}" if signed else f"{x:.{nd}f}"


def summary_table(results: dict[str, peer.SetResult]) -> str:
    header = [
        "set", "pages", "clean_page", "trafilatura", "diff", "target", "ok",
        "with cp", "with tf", "w/o cp", "w/o tf", "err cp", "err tf",
    ]
    rows = []
    for name, res in results.items():
        s = res.summary()
        snip = res.snippet_based
        rows.append([
            name + (" (snippet F1)" if snip else ""),
            str(res.n),
            _fmt(s["clean_page"]),
            _fmt(s["trafilatura"]),
            _fmt(s["diff"], signed=True),
            ">=" + _fmt(s["target_diff"], 2, signed=True),
            ("yes" if s["ok"] else "NO") if res.n else "-",
            _fmt(s["with_found_clean_page"]) if snip else "-",
            _fmt(s["with_found_trafilatura"]) if snip else "-",
            _fmt(s["without_absent_clean_page"]) if snip else "-",
            _fmt(s["without_absent_trafilatura"]) if snip else "-",
            str(s["errors_clean_page"]),
            str(s["errors_trafilatura"]),
        ])
    return peer.format_table(header, rows)


def worst_table(res: peer.SetResult, k: int) -> str:
    snip = res.snippet_based
    header = ["id", "f1 cp", "f1 tf", "diff", "P cp", "R cp", "P tf", "R tf", "chars cp", "chars tf",
              "gold" if not snip else "snip cp", "url"]
    rows = []
    for p in res.worst(k):
        if snip:
            c = p.clean.snippets or {}
            extra = f"+{c.get('tp', 0)}/{c.get('tp', 0) + c.get('fn', 0)} -{c.get('fp', 0)}"
        else:
            extra = str(p.gold_chars)
        rows.append([
            p.id[:44],
            _fmt(p.clean.f1), _fmt(p.traf.f1), _fmt(p.diff, signed=True),
            _fmt(p.clean.precision, 2), _fmt(p.clean.recall, 2),
            _fmt(p.traf.precision, 2), _fmt(p.traf.recall, 2),
            str(p.clean.chars), str(p.traf.chars), extra,
            (p.url or "")[:60] + (f"  ERROR {p.clean.error}" if p.clean.error else ""),
        ])
    return peer.format_table(header, rows)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", metavar="DIR", help=f"peer data directory (default: ${peer.PEER_ENV} or ../shared/peer)")
    ap.add_argument("--sets", default=",".join(peer.SETS), help="comma-separated sets (default: all): " + ",".join(peer.SETS))
    ap.add_argument("--limit", type=int, metavar="N", help="at most N pages per set (deterministic sample)")
    ap.add_argument("--worst", type=int, metavar="K", default=0, help="list the K pages per set where clean_page loses most")
    ap.add_argument("--json", metavar="OUT", help="write summary and per-page scores as JSON")
    ap.add_argument("--dump", metavar="DIR", help="write gold/clean_page/trafilatura texts per page into DIR/<set>/")
    ap.add_argument("--check", action="store_true", help="exit 3 when a set misses the issue's target")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in sets if s not in peer.SETS]
    if unknown:
        print(f"unknown set(s): {', '.join(unknown)}; known: {', '.join(peer.SETS)}", file=sys.stderr)
        return 2
    peer_dir = peer.resolve_peer_dir(args.peer)
    if peer_dir is None:
        print("peer data not found (--peer DIR, $GOVCLEAN_PEER_DIR or ../shared/peer); skipping.")
        return 0
    clean_fn = peer.load_clean_page()  # ImportError with a clear message if the core is missing

    def progress(set_name, i, n):
        if not args.quiet and sys.stderr.isatty():
            print(f"\r{set_name}: {i + 1}/{n}   ", end="", file=sys.stderr, flush=True)

    outputs: dict = {}
    t0 = time.perf_counter()
    results = peer.compare(peer_dir, sets, limit=args.limit, clean_fn=clean_fn, outputs=outputs,
                           progress=progress)
    elapsed = time.perf_counter() - t0
    if not args.quiet and sys.stderr.isatty():
        print("\r" + " " * 40 + "\r", end="", file=sys.stderr)

    print("clean_page vs trafilatura.extract alone: mean token F1 per set "
          "(CJK: character bigrams; trafilatura set: pooled snippet F1)")
    print(summary_table(results))
    print(f"\n{sum(r.n for r in results.values())} page rows, {elapsed:.1f} s; "
          "target: diff >= -0.01, cwce and magic_html_zh >= +0.03 (issue 2)")

    if args.worst:
        for name, res in results.items():
            if not res.n:
                continue
            print(f"\nworst {min(args.worst, res.n)} in {name} (clean_page F1 - trafilatura F1, lowest first;"
                  f" P/R = token precision/recall{'; snippet accuracy as F1' if res.snippet_based else ''})")
            print(worst_table(res, args.worst))

    if args.json:
        data = {
            "command": "python benchmarks/bench_peer.py " + " ".join(sys.argv[1:] if argv is None else argv),
            "elapsed_s": elapsed,
            "sets": {n: {"summary": r.summary(), "pages": [peer.page_record(p) for p in r.pages]}
                     for n, r in results.items()},
        }
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")

    if args.dump:
        out = Path(args.dump)
        for name, res in results.items():
            d = out / name
            d.mkdir(parents=True, exist_ok=True)
            golds = {p.id: p for p in peer.iter_pages(peer_dir, name, args.limit)}
            for p in res.pages:
                (c_out, *_), (t_out, *_) = outputs[(peer.base_set(name), p.id)]
                g = golds[p.id]
                gold = g.text if g.text is not None else (
                    "WITH:\n" + "\n".join(g.with_) + "\n\nWITHOUT:\n" + "\n".join(g.without))
                (d / f"{p.id}.gold.txt").write_text(gold, encoding="utf-8")
                (d / f"{p.id}.clean.txt").write_text(c_out, encoding="utf-8")
                (d / f"{p.id}.traf.txt").write_text(t_out, encoding="utf-8")

    if args.check and not all(r.ok for r in results.values() if r.n):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
