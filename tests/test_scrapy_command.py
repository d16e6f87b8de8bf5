"""`scrapy govclean URL_OR_FILE`: one page, the project's settings, the result JSON."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import subprocess_env
from scrapy_pages import DOC_B, republished_page


def _project(tmp_path: Path, settings: str) -> Path:
    """A minimal Scrapy project whose settings.py holds ``settings``."""
    root = tmp_path / "proj"
    (root / "myproj").mkdir(parents=True)
    (root / "scrapy.cfg").write_text("[settings]\ndefault = myproj.settings\n", encoding="utf-8")
    (root / "myproj" / "__init__.py").write_text("", encoding="utf-8")
    (root / "myproj" / "settings.py").write_text(
        'BOT_NAME = "myproj"\nTELNETCONSOLE_ENABLED = False\nROBOTSTXT_OBEY = False\n' + settings, encoding="utf-8")
    return root


def _scrapy(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "govclean", *args], cwd=cwd, env=subprocess_env(),
                          capture_output=True, timeout=120)


def test_file_is_cleaned_with_the_projects_settings(tmp_path):
    page = tmp_path / "copy.html"
    page.write_bytes(republished_page(DOC_B, meta_charset=None).encode("gbk"))
    url = "http://www.szldpq.com/news/zcfg/2023/0901/2401.html"
    plain = _scrapy(tmp_path, str(page), "--url", url, "--encoding", "gbk")
    assert plain.returncode == 0, plain.stderr.decode()
    result = json.loads(plain.stdout.decode("utf-8"))
    assert list(result) == ["text", "title", "is_gov", "gov_score", "provenance", "noise", "simhash"]
    assert result["title"] == DOC_B["title"] and result["is_gov"] is True
    assert result["provenance"]["url"] == url and result["provenance"]["official_site"] is False
    assert "decoded as gb" in plain.stderr.decode()

    # the same page in a project that declares the site official
    project = _project(tmp_path, 'GOVCLEAN_OFFICIAL_DOMAINS = ["szldpq.com"]\n')
    tuned = _scrapy(project, str(page), "--url", url, "--encoding", "gbk")
    assert tuned.returncode == 0, tuned.stderr.decode()
    assert json.loads(tuned.stdout.decode("utf-8"))["provenance"]["official_site"] is True


def test_url_is_fetched_and_decoded_by_its_header_charset(http_server, tmp_path):
    url = http_server.add("/gbk.html", republished_page(DOC_B, meta_charset=None).encode("gbk"),
                          "text/html; charset=GBK")
    proc = _scrapy(tmp_path, url)
    assert proc.returncode == 0, proc.stderr.decode()
    result = json.loads(proc.stdout.decode("utf-8"))
    assert result["title"] == DOC_B["title"] and result["provenance"]["url"] == url
    assert "\ufffd" not in result["text"]


def test_bad_project_setting_is_reported(tmp_path):
    project = _project(tmp_path, 'GOVCLEAN_MIN_GOV_SCORE = "high"\n')
    page = tmp_path / "p.html"
    page.write_bytes(b"<html><body><p>x</p></body></html>")
    proc = _scrapy(project, str(page))
    assert proc.returncode != 0
    assert "GOVCLEAN_MIN_GOV_SCORE" in proc.stderr.decode() and "from 0 to 1" in proc.stderr.decode()
