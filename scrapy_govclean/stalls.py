"""Keeping the crawl's event loop responsive while the plugin is on.

Cleaning itself runs in worker processes (:mod:`.workers`); what is left on the reactor
thread can still freeze it for a tenth of a second or more, and every download in flight
waits meanwhile. Two such freezes were measured with the plugin on
(``benchmarks/bench_crawl.py --profile``, issue 5), and each has its remedy here:

* **start-request bursts** — while a crawl backs out (the downloader or the scraper is
  full, which waiting for cleaning makes happen), Scrapy reads ``Spider.start()`` without
  returning to the event loop, so 2,000 start URLs froze it for 0.3–0.5 s.
  :func:`paced` passes start requests on one per event-loop turn.
* **full garbage collections** — the crawl process holds the extractor's and Scrapy's
  import-time objects (hundreds of thousands), and every full collection walked them
  all: 80–110 ms each. :class:`WarmStart` moves them out of the collector's reach
  (``gc.freeze()``) when the spider opens, and back when it closes; the remaining full
  collections (up to 31 ms: the crawl's own live objects) are made ten times rarer.
* **codec imports under the first responses** — Scrapy guesses the charset of a response
  that declares none (w3lib, then charset_normalizer), and each codec tried is imported
  on first use: 20–35 ms of imports on the reactor thread while the first responses
  arrive, the crawl's worst stall in several measured runs. :class:`WarmStart` imports
  them when the spider opens, before any download (:func:`import_codecs`, ~70 ms once).
"""
from __future__ import annotations

import asyncio
import codecs
import gc
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


async def paced(start: AsyncIterator[_T], *, turn: bool) -> AsyncIterator[_T]:
    """Yield from ``start``, giving the event loop a turn after each object when ``turn``.

    The order of the objects, and when they reach the scheduler, are unchanged: only the
    loop gets to run downloads and timers in between.
    """
    async for obj in start:
        yield obj
        if turn:
            await asyncio.sleep(0)


def import_codecs() -> int:
    """Import every codec the charset detector knows (cached: cheap after the first call)."""
    try:
        from charset_normalizer.constant import IANA_SUPPORTED
    except ImportError:  # not installed: Scrapy then has nothing to guess with
        return 0
    found = 0
    for name in IANA_SUPPORTED:
        try:
            codecs.lookup(name)
            found += 1
        except LookupError:
            pass
    return found


_ATTR = "_govclean_warm_start"


def warm_start_for(crawler: Crawler, *, freeze_heap: bool) -> WarmStart:
    """The crawler's one :class:`WarmStart`: the spider middleware and GovCleanPipeline share it,
    so the heap is frozen once however many of the plugin's components run."""
    warm = getattr(crawler, _ATTR, None)
    if warm is None:
        warm = WarmStart(crawler, freeze_heap=freeze_heap)
        setattr(crawler, _ATTR, warm)  # also keeps it alive: Scrapy holds receivers weakly
    return warm


#: Middle-generation collections between two full ones while the spider is open (Python's
#: default: 10). Measured (bench_crawl, 8 crawls each): 10 gave 8 full collections of up to
#: 31 ms per 2,000-page crawl, one of them under a 48.8 ms stall; 100 gave none, and the
#: worst stall fell from 31–49 to 28–39 ms.
FULL_COLLECTION_EVERY = 100


class WarmStart:
    """Pay start-up costs when the spider opens, before downloads: not under them.

    Codecs are imported (see the module's docstring). With ``freeze_heap``
    (GOVCLEAN_GC_FREEZE), the heap is then frozen: objects alive when the spider opens
    (modules, settings, the extractor's tables) are long-lived by construction, and the
    collector re-walking them on every full collection is pure cost. Objects created later
    are collected as usual, and full collections — which walk every object the crawl holds
    (requests in the scheduler, responses in flight) — come ten times less often
    (:data:`FULL_COLLECTION_EVERY`). When the spider closes, the heap is unfrozen and the
    collector's thresholds are put back, so a process that runs many crawls keeps nothing.
    """

    def __init__(self, crawler: Crawler, *, freeze_heap: bool) -> None:
        self.stats = crawler.stats
        self.freeze_heap = freeze_heap
        self._thresholds: tuple[int, ...] | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_opened(self, *args: Any, **kwargs: Any) -> None:
        self.stats.set_value("govclean/codecs_imported", import_codecs())
        if not self.freeze_heap:
            return
        gc.freeze()
        frozen = gc.get_freeze_count()
        self.stats.set_value("govclean/gc_frozen_objects", frozen)
        self._thresholds = gc.get_threshold()
        young, middle, _full = self._thresholds
        gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
        self.stats.set_value("govclean/gc_full_collection_every", FULL_COLLECTION_EVERY)
        logger.debug("govclean: gc.freeze(): %d start-up objects out of the collector's reach", frozen)

    def spider_closed(self, *args: Any, **kwargs: Any) -> None:
        if self.freeze_heap:
            gc.unfreeze()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
