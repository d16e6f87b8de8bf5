#!/usr/bin/env python
"""Peak memory of a real Scrapy crawl of local pages, plugin off vs on (issue 5).

    python benchmarks/bench_memory.py                       # 10,000 pages, modes off,inline,w2
    python benchmarks/bench_memory.py --pages 2000 --modes off,w2 --json mem.json

Same crawl as bench_crawl.py (its local server, its ``--child`` crawl in a subprocess, the
same settings: GOVCLEAN_INDEX memory://, duplicates kept, rejects off), one crawl per mode.

Figures per mode, in MB:

- ``main peak``: ru_maxrss of the crawl process (getrusage(RUSAGE_SELF) at its end);
  ``memusage/max``: Scrapy's MemoryUsage stat (the same ru_maxrss, polled every second);
- ``workers peak``: the worker processes' (and the fork server's and the resource
  tracker's) peak RSS (VmHWM from /proc), summed, read at spider_closed before the pool
  shuts down; ``workers PSS``: their proportional set size then — the workers are forked
  from a fork server that has imported the cleaner, so much of their RSS is shared pages
  that the RSS sum counts once per process;
- ``total peak`` = main peak + workers peak (an upper bound: the peaks need not coincide),
  and its difference from the plugin-off crawl (issue 5: within 200 MB);
- RSS (crawl process + workers) when 25, 50, 75 and 100 % of the items were scraped, and
  the growth from 25 % to 100 % per 1,000 pages next to the near-duplicate index's own
  growth (its allocated bytes) over the same pages (issue 5: no growth per page beyond
  the index entries).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_crawl as bc

MB = 1024.0  # kB per MB


def figures(r: dict[str, Any]) -> dict[str, Any]:
    hb, stats = r["heartbeat"], r["stats"]
    kids = hb.get("children_at_close") or {}
    samples = hb.get("samples") or []
    main_peak = r["ru_maxrss_self_kb"] / MB
    workers_peak = kids.get("hwm_kb", 0) / MB
    rss = [(s["rss_kb"] + s["children_rss_kb"]) / MB for s in samples]
    main_rss = [s["rss_kb"] / MB for s in samples]
    growth = idx_growth = None
    if len(samples) >= 2 and samples[-1]["items"] > samples[0]["items"]:
        per = 1000.0 / (samples[-1]["items"] - samples[0]["items"])
        growth = (samples[-1]["rss_kb"] + samples[-1]["children_rss_kb"]
                  - samples[0]["rss_kb"] - samples[0]["children_rss_kb"]) * per
        if samples[-1].get("index_bytes") is not None:
            idx_growth = (samples[-1]["index_bytes"] - samples[0]["index_bytes"]) / 1024 * per
    return {
        "mode": r["mode"], "pages": int(stats.get("item_scraped_count", 0)),
        "cleaned": int(stats.get("govclean/pages", 0)),
        "main_peak": main_peak, "memusage_max": float(stats.get("memusage/max", 0)) / 2**20,
        "workers": kids.get("n", 0), "workers_peak": workers_peak, "workers_pss": kids.get("pss_kb", 0) / MB,
        "total_peak": main_peak + workers_peak, "rss": rss, "main_rss": main_rss,
        "growth_kb_per_1k": growth, "index_growth_kb_per_1k": idx_growth,
        "index_entries": samples[-1].get("index_entries") if samples else None,
        "index_mb": (samples[-1]["index_bytes"] / 2**20) if samples and samples[-1].get("index_bytes") else None,
        "load1": r["load_before"][0], "seconds": float(stats.get("elapsed_time_seconds", 0)),
    }


def memory_table(figs: list[dict[str, Any]]) -> str:
    off = next((f["total_peak"] for f in figs if f["mode"] == "off"), None)
    header = ["mode", "pages", "main peak", "memusage/max", "workers peak", "workers PSS", "total peak",
              "vs off", "RSS@25%", "RSS@50%", "RSS@75%", "RSS@100%", "growth KB/1k pages",
              "index KB/1k pages", "index entries", "index MB"]
    rows = []
    for f in figs:
        rss = [f"{x:.0f}" for x in f["rss"]] + ["-"] * (4 - len(f["rss"]))
        rows.append([
            bc.MODE_LABELS[f["mode"]], str(f["pages"]), f"{f['main_peak']:.0f}", f"{f['memusage_max']:.0f}",
            f"{f['workers_peak']:.0f} ({f['workers']})" if f["workers"] else "0",
            f"{f['workers_pss']:.0f}" if f["workers"] else "0", f"{f['total_peak']:.0f}",
            f"{f['total_peak'] - off:+.0f}" if off is not None else "-", *rss,
            "-" if f["growth_kb_per_1k"] is None else f"{f['growth_kb_per_1k']:+.0f}",
            "-" if f["index_growth_kb_per_1k"] is None else f"{f['index_growth_kb_per_1k']:+.0f}",
            "-" if f["index_entries"] is None else str(f["index_entries"]),
            "-" if f["index_mb"] is None else f"{f['index_mb']:.1f}",
        ])
    return bc.format_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=10_000, metavar="N", help="pages crawled per mode (default 10000)")
    ap.add_argument("--modes", default="off,inline,w2", help="comma-separated: off, inline, w1, w2 (default off,inline,w2)")
    ap.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS (and per domain)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds allowed per crawl")
    ap.add_argument("--set", action="append", metavar="NAME=VALUE",
                    help="a Scrapy setting for every crawl (VALUE as JSON if it parses)")
    ap.add_argument("--json", metavar="OUT", help="write the figures and raw results as JSON")
    args = ap.parse_args(argv)

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for m in modes:
        if m not in bc.MODES:
            ap.error(f"unknown mode {m!r} (known: {', '.join(bc.MODES)})")
    pages = bc.load_pages()
    extra_settings = bc.parse_settings(args.set)
    load = os.getloadavg()
    print(f"# bench_memory: {args.pages:,} pages ({len(pages)} fixture pages cycled), modes {','.join(modes)}, "
          f"CONCURRENT_REQUESTS={args.concurrency}, GOVCLEAN_INDEX memory://"
          + "".join(f", {k}={v!r}" for k, v in extra_settings.items()))
    print(f"# python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    workdir = Path(tempfile.mkdtemp(prefix="govclean-bench-memory-"))
    runs = []
    try:
        with bc.PageServer(pages) as server:
            urls = server.urls(args.pages)
            for mode in modes:
                print(f"  {mode} ...", file=sys.stderr, flush=True)
                runs.append(bc.run_crawl(mode, urls, workdir, concurrency=args.concurrency, timeout=args.timeout,
                                         settings=extra_settings))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    figs = [figures(r) for r in runs]
    print()
    print("MB; RSS@q = crawl process + workers when q of the items were scraped; "
          "growth = that RSS from 25 % to 100 %, per 1,000 pages")
    print(memory_table(figs))
    print()
    for f in figs:
        print(f"{bc.MODE_LABELS[f['mode']]}: {f['seconds']:.0f} s, load1 before {f['load1']:.2f}; "
              f"crawl process RSS@25..100% {' '.join(f'{x:.0f}' for x in f['main_rss'])} MB")
    for f in figs:
        if f["pages"] != args.pages or (f["mode"] != "off" and f["cleaned"] != args.pages):
            print(f"WARNING: {f['mode']}: {f['pages']} items, {f['cleaned']} cleaned, of {args.pages}")
    print("issue 5: total peak within 200 MB of the plugin-off crawl; no growth per page beyond the index entries")
    if args.json:
        bc.write_json(args.json, "bench_memory.py", argv, figs, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
