"""The benchmark scripts run and print their tables; the peer scoring helpers score right.

The scripts are run as subprocesses with a tiny --limit. Tests that need the peer data skip
when ../shared/peer (or $GOVCLEAN_PEER_DIR) is absent.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def _load_peer():
    name = "govclean_bench_peer"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / "peer.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


peer = _load_peer()
PEER_DIR = peer.resolve_peer_dir()
needs_peer = pytest.mark.skipif(PEER_DIR is None, reason="peer data (../shared/peer or $GOVCLEAN_PEER_DIR) is absent")
NUM = r"\d+\.\d+"


def _run(script: str, *args: str, env: dict | None = None, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-3000:]}"
    return proc.stdout


# ------------------------------------------------------------------ scripts


@needs_peer
def test_bench_peer_prints_its_table(tmp_path):
    out_json = tmp_path / "peer.json"
    out = _ok(_run("bench_peer.py", "--limit", "1", "--sets", "cwce,trafilatura,aeb", "--worst", "1",
                   "--json", str(out_json), "-q"))
    assert re.search(r"^set\s+pages\s+clean_page\s+trafilatura\s+diff\s+target\s+ok\b", out, re.M), out
    assert re.search(rf"^cwce\s+1\s+{NUM}\s+{NUM}\s+[+-]{NUM}\s+>=\+0\.03\s+(yes|NO)\b", out, re.M), out
    assert re.search(rf"^trafilatura \(snippet F1\)\s+1\s+{NUM}\s+{NUM}\s+[+-]{NUM}\s+>=-0\.01\s+(yes|NO)\s+{NUM}", out, re.M), out
    assert re.search(rf"^worst 1 in aeb", out, re.M), out
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert set(data["sets"]) == {"cwce", "trafilatura", "aeb"}
    assert 0.0 <= data["sets"]["cwce"]["summary"]["clean_page"] <= 1.0


@needs_peer
def test_bench_clean_prints_its_table():
    out = _ok(_run("bench_clean.py", "--limit", "1", "--sets", "cwce,aeb", "-q"))
    assert re.search(r"^pages\s+n\s+cp median ms\s+cp p90 ms\s+tf median ms\s+tf p90 ms\s+ratio median\s+ratio p90", out, re.M), out
    assert re.search(rf"^cwce\s+1\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}\s+{NUM}", out, re.M), out
    assert re.search(rf"^ALL\s+\d+\s+{NUM}", out, re.M), out
    if (ROOT / "tests" / "fixtures" / "corpus.jsonl").is_file():
        assert re.search(rf"^fixtures\s+1\s+{NUM}", out, re.M), out


def test_bench_peer_skips_cleanly_without_peer_data(tmp_path):
    proc = _run("bench_peer.py", "--limit", "1", env={peer.PEER_ENV: str(tmp_path / "absent")})
    assert "skipping" in _ok(proc)


def test_bench_peer_option_wins_over_env(tmp_path):
    proc = _run("bench_peer.py", "--peer", str(tmp_path / "absent"), env={peer.PEER_ENV: str(PEER_DIR or tmp_path)})
    assert "skipping" in _ok(proc)


# ------------------------------------------------------------------ scoring helpers


def test_default_peer_dir_is_relative_to_the_repository():
    assert peer.DEFAULT_PEER_DIR == ROOT / ".." / "shared" / "peer"


def test_env_overrides_default(tmp_path, monkeypatch):
    (tmp_path / "cwce").mkdir()
    (tmp_path / "cwce" / "gold.jsonl").write_text("", encoding="utf-8")
    monkeypatch.setenv(peer.PEER_ENV, str(tmp_path))
    assert peer.resolve_peer_dir() == tmp_path
    monkeypatch.setenv(peer.PEER_ENV, str(tmp_path / "nope"))
    assert peer.resolve_peer_dir() is None


def test_cjk_bigrams_ignore_whitespace_and_width():
    assert peer.tokenize("中国 人\n民", cjk=True) == ["中国", "国人", "人民"]
    assert peer.token_f1("通知，如下", "通知,如下", cjk=True) == 1.0  # NFKC: full/half width
    assert peer.token_f1("Hello, World", "hello world", cjk=False) == 1.0


def test_f1_values():
    p, r, f = peer.prf("a b c d", "a b", cjk=False)
    assert (p, r) == (0.5, 1.0) and abs(f - 2 / 3) < 1e-12
    assert peer.token_f1("", "", cjk=False) == 1.0
    assert peer.token_f1("", "x y", cjk=False) == 0.0
    assert peer.token_f1("a a", "a", cjk=False) == pytest.approx(2 / 3)  # multiset, not set


def test_is_cjk():
    assert peer.is_cjk("zh") and peer.is_cjk("ja") and peer.is_cjk("zh-cn")
    assert not peer.is_cjk("en", "中文中文")
    assert peer.is_cjk("und", "这是中文 text")
    assert not peer.is_cjk("und", "plain english text only")


def test_snippets_whitespace_insensitive():
    c = peer.snippet_counts("First line\nsecond  line\nFooter", ["line\nsecond line", "absent words"], ["Footer", " Cookie"])
    assert c == {"tp": 1, "fn": 1, "fp": 1, "tn": 1}
    s = peer.snippet_scores({"tp": 3, "fn": 1, "fp": 1, "tn": 3})
    assert s["with_found"] == 0.75 and s["without_absent"] == 0.75 and s["f1"] == pytest.approx(0.75)


def test_sample_is_deterministic():
    rows = [{"id": str(i)} for i in range(50)]
    a = peer.select_rows("cwce", rows, 10)
    assert a == peer.select_rows("cwce", list(reversed(rows)), 10) and len(a) == 10
    assert peer.select_rows("cwce", rows, None) == rows


@needs_peer
def test_magic_html_zh_is_the_chinese_part_of_magic_html():
    zh = peer.gold_rows(PEER_DIR, "magic_html_zh")
    assert zh and all(r["lang"] == "zh" for r in zh)
    assert len(zh) < len(peer.gold_rows(PEER_DIR, "magic_html"))
    gne = list(peer.iter_pages(PEER_DIR, "gne"))
    assert gne and all(p.text and p.text.strip() for p in gne)  # only pages with a gold text
