"""The ``govclean`` console command, run as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

SEED = Path(__file__).parent / "data" / "seed_page.html"
URL = "https://www.szjinnuo-lw.com/news/20220429/1532.html"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy_govclean.cli", *args], capture_output=True, text=True, check=False)


def test_clean_one_page_prints_json():
    proc = _run("clean", str(SEED), "--url", URL)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["provenance"]["publisher"] == "深圳市龙岗区人力资源局"
    assert record["text"].startswith("尊敬的王金乐委员:")


def test_clean_directory_writes_jsonl(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_bytes(SEED.read_bytes())
    (pages / "b.html").write_bytes(SEED.read_bytes().decode("utf-8").replace('charset="utf-8"', 'charset="gbk"').encode("gb18030"))
    out = tmp_path / "out.jsonl"
    proc = _run("clean", str(pages), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(rows) == 2
    assert rows[0]["text"] == rows[1]["text"]  # the GBK copy decodes to the same letter
    assert "2/2" in proc.stderr  # progress bar


def test_explain_marks_blocks_and_writes_html(tmp_path):
    out = tmp_path / "explain.html"
    proc = _run("explain", str(SEED), "--url", URL, "--html", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "DROP disclaimer" in proc.stdout and "KEEP" in proc.stdout
    page = out.read_text("utf-8")
    assert "<s>本文章内容来源于网络公开内容" in page
    assert 'class="removed headline_list"' in page
