"""Turning the plugin on: the add-on, the explicit component settings, and bad values."""
from __future__ import annotations

import re

import pytest
import scrapy
from scrapy_pages import DOC_A, official_page

SCRAPY_VERSION = tuple(int(p) for p in scrapy.__version__.split(".")[:2])


def _enabled(log: str, kind: str) -> str:
    """The 'Enabled <kind>:' block of a Scrapy log."""
    match = re.search(rf"Enabled {kind}:\n(\[.*?\])", log, re.S)
    assert match, log
    return match.group(1)


def test_addon_enables_middleware_and_both_pipelines(http_server, run_crawl):
    url = http_server.add("/a.html", official_page(DOC_A).encode("utf-8"))
    res = run_crawl([url])  # the runner's settings: ADDONS only, plus a memory index
    assert res.returncode == 0, res.log
    assert "scrapy_govclean.middleware.GovCleanSpiderMiddleware" in _enabled(res.log, "spider middlewares")
    pipelines = _enabled(res.log, "item pipelines")
    assert pipelines.index("GovCleanPipeline") < pipelines.index("SimhashDedupePipeline")
    (item,) = res.items
    assert item["is_gov"] is True and item["duplicate_of"] is None and item["canonical_url"] == url
    assert res.log.count("govclean: cleaned 1 pages") == 1  # one summary line, however many components


def test_addon_never_overrides_the_users_values(http_server, run_crawl):
    url = http_server.add("/a.html", official_page(DOC_A).encode("utf-8"))
    res = run_crawl([url], settings={
        "ITEM_PIPELINES": {"scrapy_govclean.SimhashDedupePipeline": None},
        "GOVCLEAN_KEEP": "gov",
    })
    assert res.returncode == 0, res.log
    pipelines = _enabled(res.log, "item pipelines")
    assert "SimhashDedupePipeline" not in pipelines and "GovCleanPipeline" in pipelines
    (item,) = res.items
    assert "duplicate_of" not in item


def test_explicit_component_settings_without_the_addon(http_server, run_crawl):
    url = http_server.add("/a.html", official_page(DOC_A).encode("utf-8"))
    res = run_crawl([url], settings={
        "ADDONS": {},
        "SPIDER_MIDDLEWARES": {"scrapy_govclean.GovCleanSpiderMiddleware": 543},
    })
    assert res.returncode == 0, res.log
    (item,) = res.items
    assert item["title"] == DOC_A["title"]
    assert "govclean: cleaned 1 pages" in res.log


def test_disabled_plugin_leaves_items_alone(http_server, run_crawl):
    url = http_server.add("/a.html", official_page(DOC_A).encode("utf-8"))
    res = run_crawl([url], settings={"GOVCLEAN_ENABLED": False})
    assert res.returncode == 0, res.log
    assert res.items == [{"url": url, "n": 0}]


def test_bad_setting_stops_the_crawl_with_a_message(http_server, run_crawl):
    url = http_server.add("/a.html", official_page(DOC_A).encode("utf-8"))
    res = run_crawl([url], settings={"GOVCLEAN_KEEP": "official"})
    if SCRAPY_VERSION >= (2, 14):  # Scrapy 2.13 reports a failed start with exit status 0
        assert res.returncode != 0
    assert "GOVCLEAN_KEEP = 'official' is not valid: GOVCLEAN_KEEP accepts one of 'all', 'gov', 'republished'" in res.log
    assert res.items == []
    assert http_server.hits == {}  # nothing was fetched


@pytest.mark.parametrize(
    "name, scrapy_default, user_value",
    [
        ("SCRAPER_SLOT_MAX_ACTIVE_SIZE", 5_000_000, 1_000_000),  # the response backlog
        ("CONCURRENT_ITEMS", 100, 100),  # tasks Scrapy starts per response
    ],
)
def test_addon_lowers_a_scrapy_setting_unless_the_user_set_it(name, scrapy_default, user_value):
    from scrapy.settings import Settings

    from scrapy_govclean import addon

    settings = Settings()
    addon.Addon().update_settings(settings)
    assert settings.getint(name) == getattr(addon, name) < scrapy_default
    mine = Settings({name: user_value}, priority="project")
    addon.Addon().update_settings(mine)
    assert mine.getint(name) == user_value
