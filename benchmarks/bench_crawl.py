#!/usr/bin/env python
"""Pages/s of a real Scrapy crawl of local pages, plugin off / inline / worker processes (issue 5).

    python benchmarks/bench_crawl.py                        # 2,000 pages, modes off,inline,w1,w2
    python benchmarks/bench_crawl.py --pages 500 --modes inline,w2 --repeat 3
    python benchmarks/bench_crawl.py --json crawl.json

The script starts an HTTP server on 127.0.0.1 (a free port, stopped at the end) that serves
the fixture pages (tests/fixtures/pages, each with the Content-Type recorded in
tests/fixtures/corpus.jsonl) under synthetic paths ``/p/<i>/<page_id>.html``, cycled to
``--pages`` URLs. Each mode is one crawl in its own subprocess (this script with
``--child``), all with the same settings: CONCURRENT_REQUESTS (and per domain) =
``--concurrency``, LOG_LEVEL INFO, no feed; with the plugin on, GOVCLEAN_INDEX memory://,
GOVCLEAN_DUPLICATES keep (every item flows through both pipelines), rejects feed off.

Modes: ``off`` (no add-on), ``inline`` (GOVCLEAN_WORKERS=0), ``w1`` / ``w2`` (GOVCLEAN_WORKERS
=1 / 2). Seconds are Scrapy's ``elapsed_time_seconds`` (engine start to spider close, so
the worker pool's start-up counts); pages/s = items scraped / seconds.

The reactor's stalls come from a heartbeat (:class:`Heartbeat`, loaded through EXTENSIONS):
a looping call every 10 ms from engine start to spider close; a stall is the gap between
two ticks minus the interval. Worst and p99 are printed, and when the worst happened.
The heartbeat's own four memory samples (reading /proc for every process of the crawl,
10-20 ms each, on the reactor thread) are the benchmark's cost, not the crawl's: the time
they take is taken off the gap they fall in.
With ``--repeat R`` the modes run R times, interleaved; every run is printed, then the
median and the best run per mode. The 1-minute load average before each run is printed too:
on a busy machine the figures are only comparable within one run of the script.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"

#: mode name -> settings added on top of the common ones (None: plugin off).
MODES: dict[str, dict[str, Any] | None] = {
    "off": None,
    "inline": {"GOVCLEAN_WORKERS": 0},
    "w1": {"GOVCLEAN_WORKERS": 1},
    "w2": {"GOVCLEAN_WORKERS": 2},
}
MODE_LABELS = {"off": "plugin off", "inline": "inline (workers=0)", "w1": "workers=1", "w2": "workers=2"}
HEARTBEAT_INTERVAL = 0.010
SAMPLE_MARKS = (0.25, 0.50, 0.75, 1.00)


# ----------------------------------------------------------------------------- pages + server
def load_pages() -> list[tuple[str, bytes, str]]:
    """(page_id, raw bytes, Content-Type) of every fixture page, in corpus order."""
    pages = []
    with open(FIXTURES / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            pages.append((rec["page_id"], (FIXTURES / "pages" / f"{rec['page_id']}.html").read_bytes(),
                          rec.get("content_type") or "text/html"))
    if not pages:
        raise SystemExit("no fixture pages in tests/fixtures/corpus.jsonl")
    return pages


class PageServer:
    """127.0.0.1 at a free port; ``/p/<i>/<anything>`` serves fixture page i mod len(pages)."""

    def __init__(self, pages: list[tuple[str, bytes, str]]) -> None:
        self.pages = pages
        self.served = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = self.path.split("/")
                try:
                    _, body, ctype = pages[int(parts[2]) % len(pages)] if parts[1] == "p" else (None, b"", "")
                except (IndexError, ValueError):
                    body, ctype = b"", ""
                if not body:
                    body, ctype = b"not found", "text/plain"
                    self.send_response(404)
                else:
                    server.served += 1
                    self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="bench-http", daemon=True)

    def urls(self, n: int) -> list[str]:
        return [f"{self.base_url}/p/{i}/{self.pages[i % len(self.pages)][0]}.html" for i in range(n)]

    def __enter__(self) -> PageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


# ----------------------------------------------------------------------------- /proc helpers
def proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS / VmHWM (kB) of a process from /proc (empty when gone or not Linux)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return out


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (workers, the fork server, the resource tracker)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(path: str) -> float:
    """utime + stime of /proc/<pid>[/task/<tid>]/stat, in seconds (0 when gone)."""
    try:
        with open(f"{path}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def malloc_info() -> dict[str, int]:
    """glibc's heap figures in kB (mallinfo2): in use, free but kept, and mmapped blocks."""
    try:
        import ctypes

        class MallInfo2(ctypes.Structure):
            _fields_ = [(name, ctypes.c_size_t) for name in (
                "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                "fordblks", "keepcost")]

        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = MallInfo2
        mi = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    return {"heap_in_use_kb": mi.uordblks // 1024, "heap_free_kb": mi.fordblks // 1024,
            "mmapped_kb": mi.hblkhd // 1024, "arena_kb": mi.arena // 1024}


def machine_cpu() -> dict[str, float]:
    """Cumulative seconds of all CPUs from /proc/stat: busy (nice excluded), nice (niced processes), total."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(x) for x in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return {}
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    tck = os.sysconf("SC_CLK_TCK")
    return {"busy": (user + system + irq + softirq + steal) / tck, "nice": nice / tck,
            "total": sum(fields) / tck}


def schedstat_of(pid: int) -> dict[str, Any]:
    """A process's name, age, seconds on a CPU and seconds runnable but waiting for one."""
    out: dict[str, Any] = {"pid": pid}
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as fh:
            run, wait, _ = fh.read().split()
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except (OSError, ValueError):
        return out
    start = int(stat.rpartition(")")[2].split()[19]) / os.sysconf("SC_CLK_TCK")
    out.update({"run_s": int(run) / 1e9, "cpu_wait_s": int(wait) / 1e9, "age_s": uptime - start,
                "cmd": cmd[:120], **proc_status(pid), "Pss": pss_kb(pid)})
    return out


def pss_kb(pid: int | str = "self") -> int:
    """Proportional set size (kB): shared pages split between the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children_memory() -> dict[str, int]:
    """Number, summed VmRSS, VmHWM (peak RSS) and PSS (kB) of this process's live descendants."""
    out = {"n": 0, "rss_kb": 0, "hwm_kb": 0, "pss_kb": 0}
    for pid in descendants(os.getpid()):
        st = proc_status(pid)
        if st:
            out["n"] += 1
            out["rss_kb"] += st.get("VmRSS", 0)
            out["hwm_kb"] += st.get("VmHWM", 0)
            out["pss_kb"] += pss_kb(pid)
    return out


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(len(s) * q) - 1))]


# ----------------------------------------------------------------------------- crawl side
class Heartbeat:
    """Scrapy extension: reactor heartbeat every 10 ms, and RSS samples at 25/50/75/100 % of items.

    Settings: BENCH_PAGES (items expected), BENCH_HEARTBEAT_INTERVAL. Results go to
    ``crawler.bench`` (read by the child runner after the crawl).
    """

    def __init__(self, crawler: Any) -> None:
        from scrapy import signals

        self.crawler = crawler
        self.interval = crawler.settings.getfloat("BENCH_HEARTBEAT_INTERVAL", HEARTBEAT_INTERVAL)
        self.expected = crawler.settings.getint("BENCH_PAGES", 0)
        self.marks = [max(1, math.ceil(self.expected * q)) for q in SAMPLE_MARKS] if self.expected else []
        self.items = 0
        self.t0 = 0.0
        self.last = 0.0
        self.gaps: list[float] = []  # seconds late, per tick
        self.at: list[float] = []  # when (s after engine start) each late tick came
        self.samples: list[dict[str, Any]] = []
        self.first_item_at: float | None = None
        self.closed_at: float | None = None
        self.children_peak: dict[str, int] = {}
        self._loop: Any = None
        self.cpu: dict[str, float] = {}
        self.stall_ms = crawler.settings.getfloat("BENCH_STALL_MS", 50.0)
        self.tracemalloc = crawler.settings.getint("BENCH_TRACEMALLOC", 0)
        self.stalls: list[dict[str, float]] = []
        self._schedstat = ""
        self._schedstat_fd: int | None = None
        self._gc_started = 0.0
        self.gc: dict[int, tuple[int, float, float]] = {}
        self.gc_pauses: list[list[Any]] = []
        self._sched_last = (0, 0)
        self._own_s = 0.0  # time spent in this extension's memory samples since the last tick
        self._sampler: StackSampler | None = None
        if crawler.settings.getbool("BENCH_PROFILE"):
            self._sampler = StackSampler(self, crawler.settings.getfloat("BENCH_STALL_MS", 50.0) / 1000)
        crawler.bench = self
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        # Connected before the plugin's components (extensions load first), so this runs
        # before the worker pool is shut down: the workers' peak RSS can still be read.
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Heartbeat:
        return cls(crawler)

    def engine_started(self) -> None:
        try:
            from scrapy.utils.asyncio import create_looping_call
        except ImportError:  # Scrapy < 2.14
            from twisted.internet.task import LoopingCall as create_looping_call
        self._schedstat = f"/proc/{os.getpid()}/task/{threading.get_native_id()}/schedstat"
        self._sched_last = self.read_schedstat()
        self.t0 = self.last = time.perf_counter()
        self._loop = create_looping_call(self.tick)
        self._loop.start(self.interval, now=False)
        import gc

        gc.callbacks.append(self.gc_callback)
        if self._sampler is not None:
            self._sampler.start()

    def gc_callback(self, phase: str, info: dict[str, Any]) -> None:
        """Time the garbage collector's pauses (they run on whichever thread allocates)."""
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        ms = (time.perf_counter() - self._gc_started) * 1000
        gen = info.get("generation", 0)
        count, total, worst = self.gc.get(gen, (0, 0.0, 0.0))
        self.gc[gen] = (count + 1, total + ms, max(worst, ms))
        if ms > 20:
            self.gc_pauses.append([round(self._gc_started - self.t0, 3), gen, round(ms, 1),
                                   threading.current_thread().name])

    def read_schedstat(self) -> tuple[int, int]:
        """(ns on a CPU, ns runnable but waiting for a CPU) of the reactor thread so far."""
        try:
            if self._schedstat_fd is None:
                self._schedstat_fd = os.open(self._schedstat, os.O_RDONLY)
            run, wait, _ = os.pread(self._schedstat_fd, 128, 0).split()
            return int(run), int(wait)
        except (OSError, ValueError):
            return 0, 0

    def tick(self) -> None:
        now = time.perf_counter()
        sched = self.read_schedstat()
        gap = now - self.last - self.interval - self._own_s
        self._own_s = 0.0
        self.gaps.append(gap)
        self.at.append(self.last - self.t0)
        if gap * 1000 > self.stall_ms:
            # Where the stall went: the reactor thread running (our code), runnable but waiting
            # for a CPU (other processes, or our workers, had the cores), or neither (blocked:
            # waiting for the GIL held by another of our threads, or on I/O).
            run_ms = (sched[0] - self._sched_last[0]) / 1e6
            wait_ms = (sched[1] - self._sched_last[1]) / 1e6
            total_ms = (now - self.last) * 1000
            self.stalls.append({"at": round(self.last - self.t0, 3), "stall_ms": round(gap * 1000, 1),
                                "running_ms": round(run_ms, 1), "cpu_wait_ms": round(wait_ms, 1),
                                "blocked_ms": round(max(total_ms - run_ms - wait_ms, 0.0), 1)})
        self._sched_last = sched
        self.last = now

    def item_scraped(self, item: Any = None, response: Any = None, spider: Any = None) -> None:
        self.items += 1
        if self.first_item_at is None:
            self.first_item_at = time.perf_counter() - self.t0
        if len(self.samples) < len(self.marks) and self.items >= self.marks[len(self.samples)]:
            started = time.perf_counter()
            self.sample()
            self._own_s += time.perf_counter() - started

    def index_info(self) -> tuple[int | None, int | None]:
        """(entries, bytes) of the plugin's near-duplicate index, when it is the memory index."""
        try:
            pipes = self.crawler.engine.scraper.itemproc.middlewares
        except AttributeError:
            return None, None
        for pipe in pipes:
            index = getattr(pipe, "index", None)
            if index is not None and hasattr(index, "__len__"):
                nbytes = sum(index.nbytes().values()) if hasattr(index, "nbytes") else None
                return len(index), nbytes
        return None, None

    def engine_status(self) -> dict[str, Any]:
        """Scrapy's backlog: requests scheduled, downloading, responses waiting in the scraper."""
        try:
            from scrapy.utils.engine import get_engine_status

            return {k: v for k, v in get_engine_status(self.crawler.engine)
                    if isinstance(v, (int, float)) and not isinstance(v, bool)}
        except Exception:  # noqa: BLE001 - diagnostics only
            return {}

    def sample(self) -> None:
        kids = children_memory()
        entries, nbytes = self.index_info()
        top = None
        if self.tracemalloc:
            import tracemalloc

            snap = tracemalloc.take_snapshot()
            stats = snap.statistics("traceback")
            top = [{"kb": round(st.size / 1024), "count": st.count,
                    "where": [f"{f.filename.rsplit('site-packages/', 1)[-1]}:{f.lineno}" for f in st.traceback][-8:]}
                   for st in stats[:15]]
            top.insert(0, {"kb": round(sum(st.size for st in stats) / 1024), "count": len(stats), "where": ["TOTAL"]})
        self.samples.append({"tracemalloc": top,
            "items": self.items, "t": time.perf_counter() - self.t0,
            "rss_kb": proc_status().get("VmRSS", 0), "pss_kb": pss_kb(), "children": kids["n"],
            "children_rss_kb": kids["rss_kb"], "children_hwm_kb": kids["hwm_kb"], "children_pss_kb": kids["pss_kb"],
            "index_entries": entries, "index_bytes": nbytes,
            "threads": threading.active_count(), "py_blocks": sys.getallocatedblocks(), **malloc_info(),
            "engine": self.engine_status(),
        })

    def spider_closed(self) -> None:
        self.closed_at = time.perf_counter() - self.t0
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.children_peak = children_memory()
        pid = os.getpid()
        run, wait = self.read_schedstat()
        self.cpu = {
            "reactor_thread_s": cpu_seconds(f"/proc/{pid}/task/{pid}"),
            "process_s": cpu_seconds(f"/proc/{pid}"),
            "children_s": sum(cpu_seconds(f"/proc/{c}") for c in descendants(pid)),
            "reactor_run_s": run / 1e9, "reactor_cpu_wait_s": wait / 1e9, "crawl_s": self.closed_at,
            "children": [schedstat_of(c) for c in descendants(pid)],
        }
        if self._sampler is not None:
            self._sampler.stop()
        import gc

        if self.gc_callback in gc.callbacks:
            gc.callbacks.remove(self.gc_callback)

    def report(self) -> dict[str, Any]:
        ms = [g * 1000 for g in self.gaps]
        worst = max(range(len(ms)), key=ms.__getitem__) if ms else None
        top = sorted(range(len(ms)), key=ms.__getitem__, reverse=True)[:10]
        return {
            "ticks": len(ms), "stall_max_ms": ms[worst] if worst is not None else float("nan"),
            "stall_p99_ms": pct(ms, 0.99), "stall_p50_ms": pct(ms, 0.50),
            "stall_worst_at_s": self.at[worst] if worst is not None else None,
            "stalls_top": [[round(self.at[i], 3), round(ms[i], 1)] for i in top],
            "stalls_over_50ms": sum(1 for v in ms if v > 50),
            "stalls": self.stalls,
            "gc": {str(g): {"count": c, "total_ms": round(t, 1), "max_ms": round(m, 1)} for g, (c, t, m) in self.gc.items()},
            "gc_pauses_over_20ms": self.gc_pauses,
            "first_item_at_s": self.first_item_at, "closed_at_s": self.closed_at,
            "samples": self.samples, "children_at_close": self.children_peak, "cpu": self.cpu,
            "profile": self._sampler.report() if self._sampler is not None else None,
        }


class StackSampler:
    """A poor man's sampling profiler of the reactor thread (``--profile``; no dependencies).

    Every ~2 ms a thread takes the reactor thread's stack. All samples give where the reactor
    thread spends its time (idle = waiting in select/epoll); samples taken while the heartbeat
    is late by more than ``stall`` seconds give what the reactor was doing during stalls.
    """

    IDLE = ("select", "poll", "epoll", "_run_once")

    def __init__(self, heartbeat: Heartbeat, stall: float) -> None:
        self.hb = heartbeat
        self.stall = stall
        self.main_id = threading.main_thread().ident
        self.total = 0
        self.inclusive: dict[str, int] = {}
        self.leaf: dict[str, int] = {}
        self.stall_total = 0
        self.stall_inclusive: dict[str, int] = {}
        self.stall_leaf: dict[str, int] = {}
        self.stall_stacks: list[list[Any]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    @staticmethod
    def _name(frame: Any) -> str:
        code = frame.f_code
        path = code.co_filename.replace(os.sep, "/")
        for marker in ("site-packages/", "scrapy_govclean/", "lib/python"):
            if marker in path:
                path = path.split(marker, 1)[1]
                break
        return f"{path}:{code.co_name}"

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            frame = sys._current_frames().get(self.main_id)
            if frame is None:
                continue
            names = []
            ours = False
            while frame is not None:
                ours = ours or "scrapy_govclean" in frame.f_code.co_filename
                names.append(self._name(frame))
                frame = frame.f_back
            stalled = time.perf_counter() - self.hb.last > self.hb.interval + self.stall
            self.total += 1
            self.leaf[names[0]] = self.leaf.get(names[0], 0) + 1
            for n in set(names):
                self.inclusive[n] = self.inclusive.get(n, 0) + 1
            if stalled:
                if len(self.stall_stacks) < 3000:
                    self.stall_stacks.append([round(time.perf_counter() - self.hb.t0, 3), names[:12], ours])
                self.stall_total += 1
                self.stall_leaf[names[0]] = self.stall_leaf.get(names[0], 0) + 1
                for n in set(names):
                    self.stall_inclusive[n] = self.stall_inclusive.get(n, 0) + 1

    def report(self, top: int = 40) -> dict[str, Any]:
        def best(d: dict[str, int]) -> list[tuple[str, int]]:
            return sorted(d.items(), key=lambda kv: -kv[1])[:top]

        return {"samples": self.total, "inclusive": best(self.inclusive), "leaf": best(self.leaf),
                "stall_samples": self.stall_total, "stall_inclusive": best(self.stall_inclusive),
                "stall_leaf": best(self.stall_leaf), "stall_stacks": self.stall_stacks}


def child_main(config_path: str) -> int:
    """One crawl (run in its own process): writes result.json next to the config."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    out = Path(config_path).parent
    urls: list[str] = config["urls"]

    class BenchSpider(scrapy.Spider):
        name = "bench"

        async def start(self):
            for url in urls:
                yield scrapy.Request(url, dont_filter=False, callback=self.parse)

        def parse(self, response):
            yield {"url": response.url}

    settings: dict[str, Any] = {
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(out / "crawl.log"),
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "RETRY_ENABLED": False,
        "COOKIES_ENABLED": False,
        "CONCURRENT_REQUESTS": config["concurrency"],
        "CONCURRENT_REQUESTS_PER_DOMAIN": config["concurrency"],
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "MEMUSAGE_ENABLED": True,
        "MEMUSAGE_CHECK_INTERVAL_SECONDS": 1.0,
        "LOGSTATS_INTERVAL": 60.0,
        "EXTENSIONS": {"bench_crawl.Heartbeat": 0},
        "BENCH_PAGES": len(urls),
        "BENCH_HEARTBEAT_INTERVAL": config.get("interval", HEARTBEAT_INTERVAL),
        "BENCH_PROFILE": bool(config.get("profile")),
        "BENCH_TRACEMALLOC": int(config.get("tracemalloc") or 0),
    }
    if config.get("tracemalloc"):
        import tracemalloc

        tracemalloc.start(int(config["tracemalloc"]))
    settings.update(config.get("settings") or {})
    plugin = config.get("plugin")
    if plugin is not None:
        settings.update({
            "ADDONS": {"scrapy_govclean.Addon": 0},
            "GOVCLEAN_INDEX": "memory://",
            "GOVCLEAN_DUPLICATES": "keep",
            "GOVCLEAN_REJECTS_URI": None,
        })
        settings.update(plugin)
    started = time.perf_counter()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BenchSpider)
    process.crawl(crawler)
    profiler = None
    if os.environ.get("BENCH_CPROFILE"):
        # diagnostics: deterministic profile of the reactor thread, written next to the log
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    process.start()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(out / "reactor.prof"))
    wall = time.perf_counter() - started
    stats = crawler.stats.get_stats()
    bench = getattr(crawler, "bench", None)
    result = {
        "wall_s": wall,
        "stats": {k: v for k, v in stats.items() if isinstance(v, (int, float, str))},
        "heartbeat": bench.report() if bench is not None else {},
        "ru_maxrss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "ru_maxrss_children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
    (out / "result.json").write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0 if not process.bootstrap_failed else 1


# ----------------------------------------------------------------------------- orchestration
def child_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(BENCH_DIR), str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(name, None)
    return env


def run_crawl(mode: str, urls: list[str], workdir: Path, *, concurrency: int, timeout: float,
              extra: dict[str, Any] | None = None, profile: bool = False,
              tracemalloc: int = 0, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """One crawl of ``urls`` in a subprocess; returns its result.json plus load and rusage."""
    if mode not in MODES:
        raise SystemExit(f"unknown mode {mode!r} (known: {', '.join(MODES)})")
    out = Path(tempfile.mkdtemp(prefix=f"{mode}-", dir=workdir))
    plugin = MODES[mode]
    config = {"urls": urls, "concurrency": concurrency, "profile": profile, "tracemalloc": tracemalloc,
              "settings": settings or {},
              "plugin": None if plugin is None else {**plugin, **(extra or {})}}
    (out / "config.json").write_text(json.dumps(config), encoding="utf-8")
    load = os.getloadavg()
    cpu0, self0 = machine_cpu(), resource.getrusage(resource.RUSAGE_SELF)
    wall0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(out / "config.json")],
        cwd=out, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    status = usage = None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    output = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    result_path = out / "result.json"
    if proc.returncode != 0 or not result_path.exists():
        log = (out / "crawl.log").read_text(encoding="utf-8", errors="replace") if (out / "crawl.log").exists() else ""
        raise RuntimeError(f"crawl {mode} failed (exit {proc.returncode}):\n{output[-3000:]}\n{log[-3000:]}")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    cpu1, self1 = machine_cpu(), resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - wall0
    if cpu0 and cpu1 and wall > 0:
        # Cores in use over the crawl: everything but idle, and the part that were niced processes;
        # this script's own share is the HTTP server; the crawl tree's share is its CPU seconds.
        cpu = result["heartbeat"].get("cpu") or {}
        # wait4's figure may or may not include the workers (they are the fork server's
        # children); their CPU at spider_closed is known, so take whichever is larger.
        waited = usage.ru_utime + usage.ru_stime if usage else 0.0
        crawl_cpu = max(waited, cpu.get("process_s", 0.0) + cpu.get("children_s", 0.0))
        server_cpu = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
        result["machine"] = {
            "wall_s": wall, "busy_cores": (cpu1["busy"] - cpu0["busy"]) / wall,
            "nice_cores": (cpu1["nice"] - cpu0["nice"]) / wall,
            "crawl_cores": crawl_cpu / wall, "server_cores": server_cpu / wall,
        }
        m = result["machine"]
        m["others_cores"] = max(m["busy_cores"] + m["nice_cores"] - m["crawl_cores"] - m["server_cores"], 0.0)
    result.update({"mode": mode, "load_before": load, "wait4_maxrss_kb": usage.ru_maxrss if usage else None,
                   "dir": str(out)})
    log_path = out / "crawl.log"
    if log_path.exists():
        log = log_path.read_text(encoding="utf-8", errors="replace")
        result["log_errors"] = sum(1 for line in log.splitlines() if "] ERROR:" in line or "Traceback" in line)
        result["log_warnings"] = sum(1 for line in log.splitlines() if "] WARNING:" in line)
    return result


def row_figures(r: dict[str, Any]) -> dict[str, Any]:
    stats, hb = r["stats"], r["heartbeat"]
    items = int(stats.get("item_scraped_count", 0))
    secs = float(stats.get("elapsed_time_seconds", r["wall_s"]))
    return {
        "mode": r["mode"], "pages": items, "seconds": secs, "pps": items / secs if secs else float("nan"),
        "stall_max": hb.get("stall_max_ms", float("nan")), "stall_p99": hb.get("stall_p99_ms", float("nan")),
        "stall_at": hb.get("stall_worst_at_s"), "load1": r["load_before"][0],
        "cleaned": int(stats.get("govclean/pages", 0)),
    }


def parse_settings(values: list[str] | None) -> dict[str, Any]:
    """``--set NAME=VALUE`` options (VALUE as JSON when it parses, else text)."""
    out: dict[str, Any] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SystemExit(f"--set wants NAME=VALUE, got {item!r}")
        try:
            out[name.strip()] = json.loads(value)
        except ValueError:
            out[name.strip()] = value
    return out


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def crawl_table(figs: list[dict[str, Any]], inline_pps: float | None) -> str:
    header = ["mode", "pages", "seconds", "pages/s", "vs inline", "worst stall ms", "p99 stall ms",
              "worst at s", "cleaned", "load1"]
    rows = []
    for f in figs:
        ratio = f"{f['pps'] / inline_pps:.2f}" if inline_pps else "-"
        rows.append([MODE_LABELS[f["mode"]], str(f["pages"]), f"{f['seconds']:.2f}", f"{f['pps']:.1f}", ratio,
                     f"{f['stall_max']:.1f}", f"{f['stall_p99']:.1f}",
                     "-" if f["stall_at"] is None else f"{f['stall_at']:.2f}", str(f["cleaned"]), f"{f['load1']:.2f}"])
    return format_table(header, rows)


def print_profiles(runs: list[dict[str, Any]], top: int = 12) -> None:
    """CPU seconds per run and the reactor thread's hottest functions (``--profile``)."""
    print("CPU seconds (reactor thread / whole crawl process / worker processes) and reactor-thread samples")
    for r in runs:
        cpu, prof = r["heartbeat"].get("cpu", {}), r["heartbeat"].get("profile") or {}
        print(f"\n{MODE_LABELS[r['mode']]} run {r.get('run', 1)}: reactor thread {cpu.get('reactor_thread_s', 0):.1f} s, "
              f"process {cpu.get('process_s', 0):.1f} s, workers {cpu.get('children_s', 0):.1f} s; "
              f"{prof.get('samples', 0)} samples, {prof.get('stall_samples', 0)} during stalls > 50 ms")
        total = max(prof.get("samples", 0), 1)
        for title, key, n in (("inclusive", "inclusive", total), ("self", "leaf", total),
                              ("during stalls, inclusive", "stall_inclusive", max(prof.get("stall_samples", 0), 1))):
            print(f"  {title}:")
            for name, count in (prof.get(key) or [])[:top]:
                print(f"    {100 * count / n:5.1f} %  {name}")


def stall_causes(hb: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Each stall over 50 ms with what most of its samples show: "plugin" (a frame of
    scrapy_govclean on the reactor's stack), "gc" (a garbage collection), or "scrapy/other"."""
    stacks = (hb.get("profile") or {}).get("stall_stacks") or []
    out = []
    for stall in hb.get("stalls") or []:
        start, end = stall["at"], stall["at"] + (stall["stall_ms"] + 2 * HEARTBEAT_INTERVAL * 1000) / 1000
        votes = {"plugin": 0, "gc": 0, "scrapy/other": 0}
        for entry in stacks:
            if start <= entry[0] <= end:
                ours = len(entry) > 2 and entry[2]
                gc_run = any("gc_callback" in n for n in entry[1])
                votes["gc" if gc_run else "plugin" if ours else "scrapy/other"] += 1
        cause = max(votes, key=votes.__getitem__) if any(votes.values()) else "unsampled"
        out.append((stall, cause))
    return out


def cause_table(runs: list[dict[str, Any]]) -> str:
    """Stalls over 50 ms by cause (``--profile`` runs only)."""
    header = ["mode", "run", "stalls>50ms", "plugin", "gc", "scrapy/other", "unsampled", "worst plugin ms"]
    rows = []
    for r in runs:
        causes = stall_causes(r["heartbeat"])
        count = {c: sum(1 for _, k in causes if k == c) for c in ("plugin", "gc", "scrapy/other", "unsampled")}
        worst = max((s["stall_ms"] for s, k in causes if k == "plugin"), default=0.0)
        rows.append([MODE_LABELS[r["mode"]], str(r.get("run", 1)), str(len(causes)),
                     *(str(count[c]) for c in ("plugin", "gc", "scrapy/other", "unsampled")), f"{worst:.0f}"])
    return format_table(header, rows)


def stall_table(runs: list[dict[str, Any]]) -> str:
    """Stalls over 50 ms, split by what the reactor thread was doing (from its schedstat)."""
    header = ["mode", "run", "stalls>50ms", "stalled ms", "running", "waiting for CPU", "blocked",
              "worst ms", "worst: running/waiting/blocked", "GC max ms", "CPU s reactor", "CPU s workers"]
    rows = []
    for r in runs:
        hb = r["heartbeat"]
        stalls = hb.get("stalls") or []
        cpu = hb.get("cpu") or {}
        worst = max(stalls, key=lambda x: x["stall_ms"]) if stalls else None
        rows.append([
            MODE_LABELS[r["mode"]], str(r.get("run", 1)), str(len(stalls)),
            f"{sum(x['stall_ms'] for x in stalls):.0f}",
            f"{sum(x['running_ms'] for x in stalls):.0f}", f"{sum(x['cpu_wait_ms'] for x in stalls):.0f}",
            f"{sum(x['blocked_ms'] for x in stalls):.0f}",
            f"{worst['stall_ms']:.0f}" if worst else "-",
            f"{worst['running_ms']:.0f}/{worst['cpu_wait_ms']:.0f}/{worst['blocked_ms']:.0f}" if worst else "-",
            f"{max((g['max_ms'] for g in (hb.get('gc') or {}).values()), default=0.0):.0f}",
            f"{cpu.get('reactor_thread_s', 0):.1f}", f"{cpu.get('children_s', 0):.1f}",
        ])
    return format_table(header, rows)


def cpu_table(runs: list[dict[str, Any]]) -> str:
    """Cores in use during each crawl (from /proc/stat): by the crawl, the HTTP server, others."""
    header = ["mode", "run", "wall s", "machine busy cores", "niced cores", "crawl cores", "server cores",
              "others' cores", "reactor waiting for CPU s", "workers waiting for CPU s"]
    rows = []
    for r in runs:
        m, cpu = r.get("machine") or {}, r["heartbeat"].get("cpu") or {}
        if not m:
            continue
        workers_wait = sum(c.get("cpu_wait_s", 0.0) for c in cpu.get("children", []))
        rows.append([MODE_LABELS[r["mode"]], str(r.get("run", 1)), f"{m['wall_s']:.1f}",
                     f"{m['busy_cores']:.2f}", f"{m['nice_cores']:.2f}", f"{m['crawl_cores']:.2f}",
                     f"{m['server_cores']:.2f}", f"{m['others_cores']:.2f}",
                     f"{cpu.get('reactor_cpu_wait_s', 0.0):.1f}", f"{workers_wait:.1f}"])
    return format_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=2000, metavar="N", help="pages crawled per mode (default 2000)")
    ap.add_argument("--modes", default="off,inline,w1,w2", help="comma-separated: off, inline, w1, w2")
    ap.add_argument("--repeat", type=int, default=1, metavar="R", help="runs per mode, interleaved (default 1)")
    ap.add_argument("--concurrency", type=int, default=32, help="CONCURRENT_REQUESTS (and per domain)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds allowed per crawl")
    ap.add_argument("--json", metavar="OUT", help="write every run's figures and raw results as JSON")
    ap.add_argument("--profile", action="store_true",
                    help="sample the reactor thread's stack every ~2 ms (slows the crawl a little) and print "
                         "where it spends its time, overall and during stalls over 50 ms; plus CPU seconds")
    ap.add_argument("--set", action="append", metavar="NAME=VALUE",
                    help="a Scrapy setting for every crawl (VALUE as JSON if it parses), e.g. --set CONCURRENT_ITEMS=16")
    ap.add_argument("--keep", action="store_true", help="keep the crawl directories (logs) and print where")
    ap.add_argument("--child", metavar="CONFIG", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args.child)

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for m in modes:
        if m not in MODES:
            ap.error(f"unknown mode {m!r} (known: {', '.join(MODES)})")
    pages = load_pages()
    extra_settings = parse_settings(args.set)
    workdir = Path(tempfile.mkdtemp(prefix="govclean-bench-crawl-"))
    load = os.getloadavg()
    print(f"# bench_crawl: {args.pages:,} pages ({len(pages)} fixture pages cycled), modes {','.join(modes)}, "
          f"{args.repeat} run(s) each, CONCURRENT_REQUESTS={args.concurrency}"
          + "".join(f", {k}={v!r}" for k, v in extra_settings.items()))
    print(f"# python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    runs: list[dict[str, Any]] = []
    try:
        with PageServer(pages) as server:
            urls = server.urls(args.pages)
            for rep in range(args.repeat):
                for mode in modes:
                    print(f"  run {rep + 1}/{args.repeat}: {mode} ...", file=sys.stderr, flush=True)
                    r = run_crawl(mode, urls, workdir, concurrency=args.concurrency, timeout=args.timeout,
                                  profile=args.profile, settings=extra_settings)
                    r["run"] = rep + 1
                    runs.append(r)
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)

    figs = [row_figures(r) | {"run": r["run"]} for r in runs]
    print()
    for rep in range(1, args.repeat + 1):
        these = [f for f in figs if f["run"] == rep]
        inline = next((f["pps"] for f in these if f["mode"] == "inline"), None)
        print(f"run {rep}" if args.repeat > 1 else "crawl")
        print(crawl_table(these, inline))
        print()
    if args.repeat > 1:
        header = ["mode", "runs", "median pages/s", "best pages/s", "median vs inline", "best vs inline",
                  "worst stall ms (all runs)", "median worst stall ms", "median p99 stall ms"]
        rows = []
        inl = [f["pps"] for f in figs if f["mode"] == "inline"]
        for mode in modes:
            fs = [f for f in figs if f["mode"] == mode]
            pps = [f["pps"] for f in fs]
            rows.append([
                MODE_LABELS[mode], str(len(fs)), f"{statistics.median(pps):.1f}", f"{max(pps):.1f}",
                f"{statistics.median(pps) / statistics.median(inl):.2f}" if inl else "-",
                f"{max(pps) / max(inl):.2f}" if inl else "-",
                f"{max(f['stall_max'] for f in fs):.1f}", f"{statistics.median(f['stall_max'] for f in fs):.1f}",
                f"{statistics.median(f['stall_p99'] for f in fs):.1f}",
            ])
        print(f"summary over {args.repeat} runs (best vs inline = best run / best inline run)")
        print(format_table(header, rows))
        print()
    print("stalls over 50 ms: ms the reactor thread spent running, runnable but waiting for a CPU "
          "(other processes or our workers had the cores), or blocked (GIL held by another thread, I/O)")
    print(stall_table(runs))
    print()
    print(f"CPU: cores in use over each crawl ({os.cpu_count()} on this machine); others' = busy + niced - crawl - server")
    print(cpu_table(runs))
    print()
    if args.profile:
        print("stalls over 50 ms by what most of their reactor-thread samples show (plugin = a frame of "
              "scrapy_govclean on the stack, gc = a garbage collection)")
        print(cause_table(runs))
        print()
        print_profiles(runs)
    problems = [f"{r['mode']} run {r['run']}: {row_figures(r)['pages']} items of {args.pages}"
                for r in runs if row_figures(r)["pages"] != args.pages]
    problems += [f"{r['mode']} run {r['run']}: cleaned {row_figures(r)['cleaned']} of {args.pages}"
                 for r in runs if r["mode"] != "off" and row_figures(r)["cleaned"] != args.pages]
    for p in problems:
        print(f"WARNING: {p}")
    print("issue 5: workers=2 >= 1.5x the pages/s of inline on 2 cores, no reactor stall over 50 ms; "
          "a stall = heartbeat gap - 10 ms")
    if args.keep:
        print(f"# crawl directories kept in {workdir}")
    if args.json:
        write_json(args.json, "bench_crawl.py", argv, figs, runs)
    return 0


def write_json(path: str, script: str, argv: list[str] | None, figs: Any, runs: Any) -> None:
    """The command that ran, the figures and every run's raw results (``--json``)."""
    data = {"command": f"python benchmarks/{script} " + " ".join(sys.argv[1:] if argv is None else argv),
            "figures": figs, "runs": runs}
    Path(path).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
