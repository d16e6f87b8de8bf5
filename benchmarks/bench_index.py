"""Near-duplicate index figures: insert-if-new time and bytes per entry at N stored docs.

    python benchmarks/bench_index.py                 # N = 1,000,000, all backends
    python benchmarks/bench_index.py --n 100000 --backends memory,sqlite

Each backend is filled with N synthetic entries through its bulk path (random
fingerprints, sketches and band keys, ~55-byte URLs — making 1,000,000 real entries
would take minutes of fingerprinting), then ``--queries`` NEW entries go through the
public ``check_and_insert`` one by one, each timed; ``--queries/10`` copies of stored
entries are checked as well.  Bytes per entry: memory — allocated numpy arrays and the
URL store (postings / fixed records / URLs); SQLite — file size after a WAL checkpoint / N;
Redis — ``used_memory`` delta / N (a private redis-server on a free port is started when
``--redis`` is not given).  Fingerprinting is timed on a 3,000-character text against the
``simhash`` package.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from scrapy_govclean.dedupe import BANDS, DocumentEntry, make_entry
from scrapy_govclean.fingerprint import simhash64
from scrapy_govclean.index import open_index

CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
)


def fake_entries(rng: random.Random, start: int, count: int) -> Iterator[DocumentEntry]:
    """Synthetic stored documents (no text): what the index holds, at the cost of a few µs."""
    for i in range(start, start + count):
        yield DocumentEntry(
            fingerprint=rng.getrandbits(64),
            exact=f"{rng.getrandbits(64):016x}",
            sketch=rng.randbytes(32),
            figures=tuple(sorted(rng.sample(range(65536), 8))),
            url=f"https://www.example-news.com/zhengce/2024/{i % 12 + 1:02d}/{i:08d}.html",
            first_seen=1.7e9 + i,
            length=1500,
            shingles=1400 + i % 1000,
            n_figures=8 + i % 20,
            doc_number_key=rng.getrandbits(32) if i % 3 == 0 else 0,
            band_keys=tuple(rng.getrandbits(32) for _ in range(BANDS)),
        )


def gov_text(rng: random.Random, n: int) -> str:
    out = []
    while sum(map(len, out)) < n:
        out.append("".join(rng.choice(CHARS) for _ in range(rng.randrange(20, 60))))
        out.append(rng.choice("，。；、：") if rng.random() < 0.9 else f"{rng.randrange(1, 3000)}")
        if rng.random() < 0.05:
            out.append("\n")
    return "".join(out)[:n]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - t0) / 1000)
    return samples


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * q))]


def start_redis(tmp: str) -> tuple[str, subprocess.Popen] | None:
    exe = shutil.which("redis-server")
    if exe is None:
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", tmp],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    return f"redis://127.0.0.1:{port}/0", proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None


def run_backend(name: str, uri: str, n: int, queries: int, chunk: int) -> dict[str, Any]:
    rng = random.Random(42)
    idx = open_index(uri)
    info: dict[str, Any] = {"backend": name}
    redis_client = None
    if name == "redis":
        import redis

        redis_client = redis.Redis.from_url(uri)
        base_mem = int(redis_client.info("memory")["used_memory"])
    t0 = time.perf_counter()
    stored_sample: list[DocumentEntry] = []
    for start in range(0, n, chunk):
        batch = list(fake_entries(rng, start, min(chunk, n - start)))
        stored_sample.extend(rng.sample(batch, min(len(batch), max(1, queries // 10 * chunk // n + 1))))
        idx.bulk_insert(batch)
        print(f"  {name}: filled {start + len(batch):,}/{n:,}", file=sys.stderr, end="\r")
    if hasattr(idx, "compact"):
        idx.compact()
    info["fill_s"] = time.perf_counter() - t0
    print(file=sys.stderr)

    new = list(fake_entries(rng, n, queries))
    if redis_client is not None:
        redis_client.config_resetstat()
    samples = []
    for e in new:
        t = time.perf_counter_ns()
        v = idx.check_and_insert(e)
        samples.append((time.perf_counter_ns() - t) / 1000)
        assert not v.duplicate
    info["new_med"], info["new_p90"] = statistics.median(samples), pct(samples, 0.9)
    dup_samples = []
    for e in stored_sample[: max(1, queries // 10)]:
        copy = DocumentEntry(**{**e.__dict__, "url": e.url + "?copy"})
        t = time.perf_counter_ns()
        v = idx.check_and_insert(copy)
        dup_samples.append((time.perf_counter_ns() - t) / 1000)
        assert v.duplicate and v.duplicate_of == e.url, v
    info["dup_med"] = statistics.median(dup_samples)
    total = len(idx)
    info["entries"] = total
    if name == "memory":
        sizes = idx.nbytes()  # type: ignore[attr-defined]
        info["bytes"] = sum(sizes.values()) / total
        info["detail"] = ", ".join(f"{k} {v / total:.0f}" for k, v in sizes.items())
    elif name == "sqlite":
        idx.checkpoint()  # type: ignore[attr-defined]
        path = idx.path  # type: ignore[attr-defined]
        size = os.path.getsize(path) + sum(
            os.path.getsize(path + s) for s in ("-wal", "-shm") if os.path.exists(path + s)
        )
        info["bytes"] = size / total
        info["detail"] = f"file {size / 1e6:.0f} MB"
    else:
        assert redis_client is not None
        used = int(redis_client.info("memory")["used_memory"]) - base_mem
        info["bytes"] = used / total
        stats = redis_client.info("commandstats").get("cmdstat_evalsha", {})
        pings = timed(redis_client.ping, 2000)
        info["detail"] = (
            f"used_memory +{used / 1e6:.0f} MB; server-side script {stats.get('usec_per_call', 0):.0f} µs/call, "
            f"loopback PING {statistics.median(pings):.0f} µs"
        )
        redis_client.close()
    idx.close()
    return info


def bench_fingerprint() -> list[tuple[str, float, float]]:
    import simhash

    rng = random.Random(7)
    texts = [gov_text(rng, 3000) for _ in range(20)]
    rows = []
    for label, fn in (
        ("simhash64 (ours, incl. normalisation)", simhash64),
        ("make_entry (simhash + sketch + figures)", lambda t: make_entry(t, "u", {}, official=False)),
        ("simhash.Simhash (package)", simhash.Simhash),
    ):
        for t in texts[:3]:
            fn(t)
        samples = []
        for _ in range(10 if "package" in label else 50):
            for t in texts:
                s = time.perf_counter_ns()
                fn(t)
                samples.append((time.perf_counter_ns() - s) / 1e6)
        rows.append((label, statistics.median(samples), pct(samples, 0.9)))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="stored entries per backend")
    ap.add_argument("--queries", type=int, default=10_000, help="new documents timed")
    ap.add_argument("--backends", default="memory,sqlite,redis")
    ap.add_argument("--redis", default=None, help="redis:// URL (default: a private redis-server)")
    ap.add_argument("--chunk", type=int, default=50_000)
    args = ap.parse_args(argv)

    print(f"# bench_index: N={args.n:,} stored, {args.queries:,} new + {args.queries // 10:,} copies timed")
    print(f"# python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    tmp = tempfile.mkdtemp(prefix="govclean-bench-")
    server = None
    rows = []
    try:
        for name in args.backends.split(","):
            if name == "memory":
                uri = "memory://"
            elif name == "sqlite":
                uri = "sqlite:///" + os.path.join(tmp, "index.sqlite3")
            elif name == "redis":
                if args.redis:
                    uri = args.redis
                else:
                    server = start_redis(tmp)
                    if server is None:
                        print("# redis: skipped (no redis-server on PATH)")
                        continue
                    uri = server[0]
            else:
                raise SystemExit(f"unknown backend {name!r}")
            rows.append(run_backend(name, uri, args.n, args.queries, args.chunk))
    finally:
        if server is not None:
            server[1].kill()
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"{'backend':8} {'entries':>10} {'new µs med':>11} {'new µs p90':>11} {'copy µs med':>12} "
          f"{'B/entry':>8}  detail (B/entry)")
    for r in rows:
        print(f"{r['backend']:8} {r['entries']:>10,} {r['new_med']:>11.1f} {r['new_p90']:>11.1f} "
              f"{r['dup_med']:>12.1f} {r['bytes']:>8.0f}  {r['detail']}; fill {r['fill_s']:.0f} s")
    print()
    print("(the simhash package row below is a yardstick of this machine: the issue measured 2.5–7 ms)")
    print(f"{'fingerprinting a 3,000-character text':45} {'ms med':>8} {'ms p90':>8}")
    for label, med, p90 in bench_fingerprint():
        print(f"{label:45} {med:>8.3f} {p90:>8.3f}")


if __name__ == "__main__":
    main()
