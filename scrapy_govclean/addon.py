"""The Scrapy add-on: ``ADDONS = {"scrapy_govclean.Addon": 0}`` turns the plugin on.

Everything is added at the add-on settings priority or only when absent, so a value the
user wrote in settings.py (or on the command line) always wins — including ``None`` to
disable one component.
"""
from __future__ import annotations

import copy
from typing import Any

from .settings import SETTINGS

#: Components and their default orders: the middleware sits where Scrapy documents custom
#: spider middlewares; GovCleanPipeline filters before SimhashDedupePipeline indexes, so
#: dropped items never become canonicals.
MIDDLEWARE_ORDER = 543
CLEAN_PIPELINE_ORDER = 290
DEDUPE_PIPELINE_ORDER = 300
#: Scrapy keeps downloaded responses waiting for the spider up to this many bytes (its
#: default is 5 MB). With cleaning in worker processes that backlog held ~500 pages and
#: their tasks: +265 MB and full garbage collections of up to 0.9 s in a 10,000-page crawl;
#: 250 kB brought it to +175 MB (benchmarks/bench_memory.py --set, issue 5).
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 250_000
#: Scrapy (2.13+, asyncio) starts CONCURRENT_ITEMS tasks for every response, whatever it
#: yields: its default of 100 made ~400,000 tasks in a 2,000-page crawl, in bursts that
#: froze the event loop (p99 stall 132 ms with workers; 29 ms with 16, the same pages/s or
#: more: benchmarks/bench_crawl.py, issue 5). 16 items of one response still go through
#: the pipelines at once.
CONCURRENT_ITEMS = 16


class Addon:
    """Enables GovCleanSpiderMiddleware, GovCleanPipeline and SimhashDedupePipeline with defaults."""

    def update_settings(self, settings: Any) -> None:
        from .middleware import GovCleanSpiderMiddleware
        from .pipelines import GovCleanPipeline, SimhashDedupePipeline

        for name, doc in SETTINGS.items():
            settings.set(name, copy.deepcopy(doc.default), priority="addon")
        settings.set("SCRAPER_SLOT_MAX_ACTIVE_SIZE", SCRAPER_SLOT_MAX_ACTIVE_SIZE, priority="addon")
        settings.set("CONCURRENT_ITEMS", CONCURRENT_ITEMS, priority="addon")
        _setdefault_component(settings, "SPIDER_MIDDLEWARES", GovCleanSpiderMiddleware, MIDDLEWARE_ORDER)
        _setdefault_component(settings, "ITEM_PIPELINES", GovCleanPipeline, CLEAN_PIPELINE_ORDER)
        _setdefault_component(settings, "ITEM_PIPELINES", SimhashDedupePipeline, DEDUPE_PIPELINE_ORDER)


def _setdefault_component(settings: Any, name: str, cls: type, order: int) -> None:
    """Add a component unless the user already listed it (by class or any import path)."""
    if hasattr(settings, "setdefault_in_component_priority_dict"):
        settings.setdefault_in_component_priority_dict(name, cls, order)
        return
    from scrapy.utils.misc import load_object  # Scrapy < 2.13 fallback

    components = settings.getdict(name)
    if any(load_object(key) is cls for key in components if isinstance(key, (str, type))):
        return
    components[cls] = order
    settings.set(name, components, priority=settings.getpriority(name) or 0)
