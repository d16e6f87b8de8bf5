"""bench_crawl.py and bench_memory.py run real crawls with a tiny --pages and print their tables.

No timing or memory assertions: only that every mode crawls every page (cleaning each one
when the plugin is on), that the tables have their columns and a row per mode, and that the
figures are numbers. Each crawl runs in its own subprocess, as the scripts do.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
NUM = r"-?\d+\.\d+"


def _run(script: str, *args: str, timeout: int = 600) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=timeout, check=False,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-3000:]}"
    assert "WARNING" not in proc.stdout, proc.stdout
    return proc.stdout


def test_bench_crawl_prints_its_table(tmp_path):
    out_json = tmp_path / "crawl.json"
    out = _run("bench_crawl.py", "--pages", "12", "--modes", "off,inline,w1,w2", "--json", str(out_json))
    assert re.search(r"^mode\s+pages\s+seconds\s+pages/s\s+vs inline\s+worst stall ms\s+p99 stall ms", out, re.MULTILINE), out
    for label in (r"plugin off", r"inline \(workers=0\)", r"workers=1", r"workers=2"):
        assert re.search(rf"^{label}\s+12\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s", out, re.MULTILINE), (label, out)
    assert re.search(rf"^inline \(workers=0\)\s+12\s+{NUM}\s+{NUM}\s+1\.00\s", out, re.MULTILINE), out
    assert re.search(r"^mode\s+run\s+stalls>50ms\s+stalled ms\s+running\s+waiting for CPU\s+blocked", out, re.MULTILINE), out
    assert re.search(r"^mode\s+run\s+wall s\s+machine busy cores\s+niced cores\s+crawl cores\s+server cores", out, re.MULTILINE), out
    assert re.search(rf"^workers=2\s+1\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}", out, re.MULTILINE), out
    data = json.loads(out_json.read_text(encoding="utf-8"))
    by_mode = {f["mode"]: f for f in data["figures"]}
    assert set(by_mode) == {"off", "inline", "w1", "w2"}
    assert all(f["pages"] == 12 for f in by_mode.values())
    assert by_mode["off"]["cleaned"] == 0
    assert all(by_mode[m]["cleaned"] == 12 for m in ("inline", "w1", "w2"))
    runs = {r["mode"]: r for r in data["runs"]}
    assert runs["w2"]["heartbeat"]["ticks"] > 0
    # the workers were alive (and measured) when the spider closed; inline has none
    assert runs["w2"]["heartbeat"]["children_at_close"]["n"] >= 2
    assert runs["inline"]["heartbeat"]["children_at_close"]["n"] == 0


def test_bench_crawl_repeat_prints_a_summary():
    out = _run("bench_crawl.py", "--pages", "6", "--modes", "inline,w2", "--repeat", "2", "--profile",
               "--set", "SCRAPER_SLOT_MAX_ACTIVE_SIZE=250000")
    assert "SCRAPER_SLOT_MAX_ACTIVE_SIZE=250000" in out, out
    assert re.search(r"^run 1$", out, re.MULTILINE) and re.search(r"^run 2$", out, re.MULTILINE), out
    assert re.search(r"^summary over 2 runs", out, re.MULTILINE), out
    assert re.search(rf"^workers=2\s+2\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}", out, re.MULTILINE), out
    assert re.search(r"^workers=2 run 2: reactor thread \d+\.\d s", out, re.MULTILINE), out
    causes = re.search(r"^mode\s+run\s+stalls>50ms\s+plugin\s+gc\s+scrapy/other\s+unsampled", out, re.MULTILINE)
    assert causes, out


@pytest.mark.parametrize("noop", [False, True])
def test_bench_pool_cleans_every_page_inline_and_in_workers(noop):
    out = _run("bench_pool.py", "--pages", "12", "--workers", "0,2", *(["--noop"] if noop else []))
    rows = re.findall(rf"^\s+([02])\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+(\d+)$", out, re.MULTILINE)
    assert [r[0] for r in rows] == ["0", "2"], out
    assert all(r[1] == "0" for r in rows), out  # no page failed
    assert ("bench_pool.noop" in out) == noop, out


def test_bench_memory_prints_its_table(tmp_path):
    out_json = tmp_path / "mem.json"
    out = _run("bench_memory.py", "--pages", "16", "--modes", "off,w2", "--json", str(out_json))
    assert re.search(r"^mode\s+pages\s+main peak\s+memusage/max\s+workers peak\s+workers PSS\s+total peak\s+vs off"
                     r"\s+RSS@25%\s+RSS@50%\s+RSS@75%\s+RSS@100%", out, re.MULTILINE), out
    assert re.search(r"^plugin off\s+16\s+\d+\s+\d+\s+0\s+0\s+\d+\s+\+0\s+\d+\s+\d+\s+\d+\s+\d+\s", out, re.MULTILINE), out
    assert re.search(r"^workers=2\s+16\s+\d+\s+\d+\s+\d+ \(\d+\)\s+\d+\s+\d+\s+[+-]\d+\s+\d+\s+\d+\s+\d+\s+\d+\s", out, re.MULTILINE), out
    data = json.loads(out_json.read_text(encoding="utf-8"))
    w2 = next(f for f in data["figures"] if f["mode"] == "w2")
    assert w2["workers"] >= 2 and w2["workers_peak"] > 0 and len(w2["rss"]) == 4
    assert w2["index_entries"] and w2["index_entries"] > 0
