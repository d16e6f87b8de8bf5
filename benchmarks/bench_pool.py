#!/usr/bin/env python
"""The worker pool alone, without Scrapy: pages/s and CPU seconds, inline vs workers.

    python benchmarks/bench_pool.py                     # 2,000 fixture pages, workers 0 and 2
    python benchmarks/bench_pool.py --pages 500 --workers 0,1,2 --noop

Why: ``bench_crawl.py`` measures the pool inside a crawl, where Scrapy's reactor competes
with the workers for the cores. This script feeds the same ``CleanerPool`` the fixture
pages from a plain asyncio loop (``--in-flight`` pages awaited at a time, as Scrapy's
concurrent responses would), so the pool's own cost — pickling, the round trips,
the workers' start-up — can be told apart from the crawl's. ``--noop`` swaps the cleaner
for one that returns at once: what remains is the cost of a round trip to a worker.
Worker CPU seconds are read from /proc for the pool's processes (Linux).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrapy_govclean.result import CleanConfig, CleanResult  # noqa: E402
from scrapy_govclean.workers import CleanerPool  # noqa: E402

PAGES_DIR = REPO / "tests" / "fixtures" / "pages"


def noop(html: object, url: str = "", **kwargs: object) -> CleanResult:
    """A cleaner that does nothing (``--noop``): the round trip alone."""
    return CleanResult(text="x")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(workers: int, cleaner: str, bodies: list[bytes], pages: int, in_flight: int) -> dict:
    pool = CleanerPool(workers, 60.0, CleanConfig(), cleaner, features=workers > 0)
    try:
        # start-up not timed: enough pages at once that every worker process is spawned
        await asyncio.gather(*(pool.clean(bodies[0], f"http://127.0.0.1/warm/{i}", None)
                               for i in range(2 * max(workers, 1))))
        pids = pool.worker_pids()
        cpu_workers0 = sum(_proc_cpu(p) for p in pids)
        gate = asyncio.Semaphore(in_flight)
        failures = 0

        async def one(i: int) -> None:
            nonlocal failures
            async with gate:
                outcome = await pool.clean(bodies[i % len(bodies)], f"http://127.0.0.1/p/{i}.html", None)
                failures += outcome.result is None

        started, cpu0 = time.perf_counter(), _own_cpu()
        await asyncio.gather(*(one(i) for i in range(pages)))
        wall, cpu = time.perf_counter() - started, _own_cpu() - cpu0
        late = [p for p in pool.worker_pids() if p not in pids]
        # a worker spawned during the run (none expected) counts from its start
        cpu_workers = sum(_proc_cpu(p) for p in pids + late) - cpu_workers0
    finally:
        pool.close()
    return {"workers": workers, "wall": wall, "cpu": cpu, "cpu_workers": cpu_workers, "failures": failures}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=2000, help="pages cleaned per setting (fixtures cycled)")
    ap.add_argument("--workers", default="0,2", help="comma-separated worker counts (0 = inline)")
    ap.add_argument("--in-flight", type=int, default=32, help="pages awaited at a time")
    ap.add_argument("--noop", action="store_true", help="a cleaner that returns at once (round-trip cost)")
    args = ap.parse_args(argv)
    bodies = [p.read_bytes() for p in sorted(PAGES_DIR.glob("*.html"))]
    if not bodies:
        print(f"no fixture pages in {PAGES_DIR}")
        return 0
    cleaner = "bench_pool.noop" if args.noop else "scrapy_govclean.core.clean_page"
    if args.noop:
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))
    print(f"# bench_pool: {args.pages} pages ({len(bodies)} fixture pages cycled), cleaner {cleaner}, "
          f"{args.in_flight} in flight; python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = [asyncio.run(run(int(w), cleaner, bodies, args.pages, args.in_flight)) for w in args.workers.split(",")]
    inline = next((r for r in rows if r["workers"] == 0), None)
    print(f"{'workers':>7}  {'seconds':>7}  {'pages/s':>7}  {'vs inline':>9}  {'CPU s this process':>18}  "
          f"{'CPU s workers':>13}  {'CPU ms/page (all)':>17}  failures")
    for r in rows:
        ratio = f"{inline['wall'] / r['wall']:.2f}" if inline else "-"
        total_ms = (r["cpu"] + r["cpu_workers"]) / args.pages * 1000
        print(f"{r['workers']:>7}  {r['wall']:>7.2f}  {args.pages / r['wall']:>7.1f}  {ratio:>9}  {r['cpu']:>18.2f}  "
              f"{r['cpu_workers']:>13.2f}  {total_ms:>17.2f}  {r['failures']}")
    return 1 if any(r["failures"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
