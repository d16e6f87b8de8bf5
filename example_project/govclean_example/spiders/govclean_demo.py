"""govclean_demo: one item per page; the govclean add-on fills in the clean document.

    scrapy crawl govclean_demo -O clean.jsonl                          # offline, bundled pages
    scrapy crawl govclean_demo -O clean.jsonl -a start_urls=URL1,URL2  # live pages
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from ..replay import load_manifest


def is_official(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith(".gov.cn")


class GovCleanDemoSpider(scrapy.Spider):
    """Offline, official sites are crawled first and the commercial sites once they are done,
    so each document's record is its official copy and the copies found later collapse onto
    it (the plugin handles either order; this just makes the demo's output the same on every
    machine, however many worker processes clean in parallel)."""

    name = "govclean_demo"

    def __init__(self, start_urls: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if start_urls:
            self.offline = False
            urls = [u.strip() for u in start_urls.split(",") if u.strip()]
            self.waves = [urls]
        else:
            self.offline = True
            urls = [rec["url"] for rec in load_manifest()]
            self.waves = [[u for u in urls if is_official(u)], [u for u in urls if not is_official(u)]]

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GovCleanDemoSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.next_wave, signal=signals.spider_idle)
        return spider

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):  # Scrapy < 2.13 calls this directly
        for url in self.waves.pop(0):
            yield scrapy.Request(url, callback=self.parse)

    def next_wave(self) -> None:
        if self.waves:
            for url in self.waves.pop(0):
                self.crawler.engine.crawl(scrapy.Request(url, callback=self.parse))
            raise DontCloseSpider

    def parse(self, response: scrapy.http.Response):
        # The spider only says which page an item came from; GovCleanSpiderMiddleware adds
        # text, title, is_gov, gov_score, provenance, noise and simhash, and the pipelines
        # collapse copies (duplicate_of, canonical_url).
        yield {"url": response.url}
