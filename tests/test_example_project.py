"""The example project's offline crawl, exactly as the README runs it (in a temporary copy)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from urllib.parse import urlsplit

from conftest import REPO_ROOT, subprocess_env

EXAMPLE = REPO_ROOT / "example_project"
SEED_GROUP = "doc:lg-rsj-reply-20180084"  # one reply letter, republished on six commercial sites
TWINS = ("doc:lg-rsj-reply-20210052", "doc:lg-rsj-reply-20210117")  # two letters sharing boilerplate


def _manifest() -> list[dict]:
    return json.loads((EXAMPLE / "govclean_example" / "pages" / "manifest.json").read_text(encoding="utf-8"))


def test_bundled_pages_cover_official_and_commercial_copies():
    manifest = _manifest()
    assert len(manifest) >= 20
    for rec in manifest:
        assert (EXAMPLE / "govclean_example" / "pages" / rec["file"]).is_file()
        assert rec["url"].startswith(("http://", "https://")) and rec["content_type"]
    hosts = {urlsplit(r["url"]).hostname for r in manifest}
    assert any(h.endswith(".gov.cn") for h in hosts) and any(not h.endswith(".gov.cn") for h in hosts)
    groups = Counter(r["group"] for r in manifest)
    assert groups[SEED_GROUP] >= 4


def test_offline_example_crawl_collapses_copies(tmp_path):
    project = tmp_path / "example_project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".govclean", "clean.jsonl", "__pycache__"))
    env = subprocess_env()
    for name in ("http_proxy", "https_proxy"):  # offline means offline: any network use would fail
        env[name] = "http://127.0.0.1:9"
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "govclean_demo", "-O", "clean.jsonl"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=180)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert "Traceback" not in log and "ERROR" not in log
    records = [json.loads(line) for line in (project / "clean.jsonl").read_text(encoding="utf-8").splitlines()]
    manifest = {r["url"]: r for r in _manifest()}
    assert {r["url"] for r in records} <= set(manifest)
    for rec in records:
        for key in ("text", "title", "is_gov", "provenance", "simhash", "duplicate_of", "canonical_url"):
            assert key in rec
        assert rec["duplicate_of"] is None  # GOVCLEAN_DUPLICATES = "drop": one record per document

    per_group = Counter(manifest[r["url"]]["group"] for r in records)
    # The seed letter's copies collapse into one record: the official page, with its provenance.
    assert per_group[SEED_GROUP] == 1
    (seed,) = [r for r in records if manifest[r["url"]]["group"] == SEED_GROUP]
    assert urlsplit(seed["url"]).hostname.endswith(".gov.cn") and seed["canonical_url"] == seed["url"]
    assert seed["is_gov"] is True and seed["provenance"]["official_site"] is True
    assert seed["provenance"]["doc_number"] == "第20180084号"
    # Two different letters that share boilerplate stay two records.
    assert per_group[TWINS[0]] == 1 and per_group[TWINS[1]] == 1
    assert len(records) < len(manifest)

    # Every dropped copy is in the rejects feed, pointing at a copy of the same document.
    rejects = [json.loads(x) for x in (project / ".govclean" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rejects) == len(manifest) - len(records)
    for line in rejects:
        assert line["reason"] == "duplicate"
        assert manifest[line["url"]]["group"] == manifest[line["item"]["duplicate_of"]]["group"]
    assert "govclean: cleaned" in log and f"dropped {len(rejects)} (duplicate: {len(rejects)})" in log
