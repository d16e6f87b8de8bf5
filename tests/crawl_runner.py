"""Runs one real Scrapy crawl in its own process, for the Scrapy integration tests.

A process per crawl because Twisted's reactor cannot be restarted within one process.
Usage: python crawl_runner.py CONFIG.json — the config names the URLs, the item type the
spider yields, and the settings; the runner writes items.jsonl, stats.json and crawl.log
into the config's out_dir.
"""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import attrs
import scrapy
from scrapy.crawler import CrawlerProcess

from scrapy_govclean import GovCleanItem


class PageItem(GovCleanItem):
    """A project Item that declares the plugin's fields by subclassing GovCleanItem."""

    n = scrapy.Field()
    raw_html = scrapy.Field()


class BareItem(scrapy.Item):
    """An Item that declares only some plugin fields: the rest must be skipped, not crash."""

    url = scrapy.Field()
    n = scrapy.Field()
    text = scrapy.Field()
    title = scrapy.Field()


@dataclasses.dataclass
class PageRecord:
    """A dataclass item with some plugin fields and a spider-set default."""

    url: str
    n: int = 0
    text: str | None = None
    title: str | None = None
    is_gov: bool | None = None
    provenance: dict | None = None
    simhash: str | None = None
    duplicate_of: str | None = None
    canonical_url: str | None = None


@attrs.define
class AttrsRecord:
    url: str
    n: int = 0
    text: str | None = None
    title: str | None = None
    is_gov: bool | None = None


ITEM_TYPES: dict[str, Any] = {
    "dict": dict,
    "item": PageItem,
    "bare_item": BareItem,
    "dataclass": PageRecord,
    "attrs": AttrsRecord,
}


class _LoopTurns:
    """Counts event-loop turns: a callback that re-schedules itself with call_soon."""

    def __init__(self) -> None:
        import asyncio

        self.count = 0
        self._loop = asyncio.get_running_loop()
        self._handle = self._loop.call_soon(self._tick)

    def _tick(self) -> None:
        self.count += 1
        self._handle = self._loop.call_soon(self._tick)

    def stop(self) -> None:
        self._handle.cancel()


class FixtureSpider(scrapy.Spider):
    name = "fixture"

    def __init__(self, config: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config

    async def start(self):
        turns = _LoopTurns() if self.config.get("count_loop_turns") else None
        seen: list[int] = []
        for url in self.config["urls"]:
            meta = dict(self.config.get("meta", {}).get(url, {}))
            if self.config.get("proxy") and not url.startswith("http://127.0.0.1"):
                meta.setdefault("proxy", self.config["proxy"])
            if turns is not None:
                seen.append(turns.count)
            yield scrapy.Request(url, meta=meta, dont_filter=True, callback=self.parse)
        if turns is not None:
            turns.stop()
            # start requests handed over with no event-loop turn since the one before
            back_to_back = sum(1 for a, b in zip(seen, seen[1:]) if a == b)
            self.crawler.stats.set_value("test/start_requests_back_to_back", back_to_back)

    def parse(self, response):
        cfg = self.config
        cls = ITEM_TYPES[cfg.get("item", "dict")]
        for n in range(int(cfg.get("items_per_page", 1))):
            values: dict[str, Any] = {"url": response.url, "n": n}
            values.update(cfg.get("preset", {}))
            if cfg.get("html_field"):
                values[cfg["html_field"]] = response.text
            yield cls(**values)
        for url in cfg.get("follow", {}).get(response.url, []):
            meta = {"proxy": cfg["proxy"]} if cfg.get("proxy") and not url.startswith("http://127.0.0.1") else {}
            yield response.follow(url, callback=self.parse, meta=meta)


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    out = Path(config["out_dir"])
    settings: dict[str, Any] = {
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(out / "crawl.log"),
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # Scrapy ≥ 2.19; ignored by older versions
        "ROBOTSTXT_OBEY": False,
        "RETRY_ENABLED": False,
        "FEED_EXPORT_ENCODING": "utf-8",
        "FEEDS": {str(out / "items.jsonl"): {"format": "jsonlines", "overwrite": True}},
        "ADDONS": {"scrapy_govclean.Addon": 0},
        "GOVCLEAN_INDEX": "memory://",
        "GOVCLEAN_WORKERS": 0,
        # a loaded test machine must not turn an ordinary page into a timeout skip; the
        # time-limit tests set their own
        "GOVCLEAN_TIMEOUT": 60,
    }
    settings.update(config.get("settings", {}))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FixtureSpider)
    process.crawl(crawler, config=config)
    process.start()
    try:
        stats = crawler.stats.get_stats()
    except Exception:  # noqa: BLE001 - the crawl failed before stats existed
        stats = {}
    (out / "stats.json").write_text(json.dumps(stats, default=str, ensure_ascii=False), encoding="utf-8")
    return 1 if process.bootstrap_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
