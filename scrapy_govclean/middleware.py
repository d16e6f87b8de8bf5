"""GovCleanSpiderMiddleware: every item yielded from an HTML page gets the clean_page() fields.

A spider middleware rather than a pipeline because only here are the response and the
items it produced seen together: the page is cleaned once, when its first item appears,
and every item from it gets the same fields.
"""
from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse

from . import stats as st
from .handoff import dedupe_pipeline_enabled, handoff_for
from .items import apply_fields
from .rejects import PASSED, RejectsWriter
from .settings import GovCleanSettings, settings_for
from .stalls import paced, warm_start_for
from .workers import CleanerPool, Outcome, asyncio_available, load_cleaner

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)

#: Skip reasons that leave items untouched: the page is not ours to clean.
NON_HTML = "non_html"
OPT_OUT = "opt_out"
#: Skip reasons recorded on the item (govclean_error) and in the rejects feed.
TOO_LARGE = "too_large"

_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.I)


def header_charset(response: Response) -> str | None:
    """The charset label the HTTP header declares, as written (the core normalises it).

    Only the header: the core looks at <meta>/BOM itself and must be able to tell when
    the header lies, so it gets the header's claim separately from the bytes.
    """
    raw = response.headers.get(b"Content-Type")
    if not raw:
        return None
    match = _CHARSET_RE.search(raw.decode("latin-1"))
    return match.group(1).strip().lower() or None if match else None


def skip_reason(response: Response, max_bytes: int) -> str | None:
    """Why this response is not cleaned, or None to clean it."""
    meta = getattr(response, "meta", None) if getattr(response, "request", None) is not None else None
    if meta is not None and meta.get("govclean") is not None and not meta["govclean"]:
        return OPT_OUT
    if not isinstance(response, TextResponse):
        return NON_HTML
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if not isinstance(response, HtmlResponse) and "html" not in ctype:
        return NON_HTML
    if len(response.body) > max_bytes:
        return TOO_LARGE
    return None


@dataclass
class Page:
    """The outcome for one page, shared by every item it yields."""

    url: str
    values: dict[str, Any] = field(default_factory=dict)
    skip: str | None = None
    #: Whether the skip is a failure to record on items and in the rejects feed.
    failed: bool = False


class Cleaning:
    """Cleaning, counting and annotating: shared by the spider middleware and GovCleanPipeline."""

    def __init__(self, crawler: Crawler, cfg: GovCleanSettings) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.cfg = cfg
        # Worker processes also fingerprint the clean text when the dedupe pipeline runs.
        self.handoff = handoff_for(crawler) if cfg.workers and dedupe_pipeline_enabled(crawler.settings) else None
        self.pool = CleanerPool(
            cfg.workers, cfg.timeout, cfg.clean_config(), cfg.cleaner, features=self.handoff is not None
        )
        self.rejects = RejectsWriter(cfg.rejects_path)
        self._missing_logged: set[tuple[str, str]] = set()
        self.warm_start = warm_start_for(crawler, freeze_heap=cfg.gc_freeze)

    def skip(self, url: str, reason: str, detail: str = "", *, failed: bool, level: int = logging.DEBUG) -> Page:
        st.record_skip(self.stats, reason)
        logger.log(level, "govclean: %s passed on uncleaned (%s)%s", url, reason, f": {detail}" if detail else "")
        return Page(url=url, skip=reason, failed=failed, values={"govclean_error": reason} if failed else {})

    def finish(self, url: str, outcome: Outcome) -> Page:
        """Turn a cleaning outcome into item fields, stats and log lines."""
        if outcome.result is None:
            st.record_seconds(self.stats, outcome.seconds)
            return self.skip(url, outcome.error or "core_error", outcome.detail, failed=True, level=logging.WARNING)
        result = outcome.result
        st.record_clean(self.stats, result, outcome.seconds)
        if self.handoff is not None and outcome.features is not None:
            self.handoff.put(result.text, outcome.features)
        values = result.to_dict()
        if result.warnings:
            values["govclean_warnings"] = list(result.warnings)
            logger.info("govclean: %s: %s", url, "; ".join(result.warnings))
        return Page(url=url, values=values)

    def precheck(self, response: Response) -> Page | None:
        reason = skip_reason(response, self.cfg.max_page_bytes)
        if reason is None:
            return None
        if reason == TOO_LARGE:
            return self.skip(
                response.url, reason,
                f"{len(response.body)} bytes > GOVCLEAN_MAX_PAGE_BYTES={self.cfg.max_page_bytes}",
                failed=True, level=logging.WARNING,
            )
        return self.skip(response.url, reason, failed=False)

    async def clean_response(self, response: Response) -> Page:
        page = self.precheck(response)
        if page is not None:
            return page
        outcome = await self.pool.clean(response.body, response.url, header_charset(response))
        return self.finish(response.url, outcome)

    def clean_response_blocking(self, response: Response) -> Page:
        page = self.precheck(response)
        if page is not None:
            return page
        return self.finish(response.url, self.pool.clean_blocking(response.body, response.url, header_charset(response)))

    def annotate(self, item: Any, page: Page) -> Any:
        """Add the page's fields to one item; count fields the item has no room for."""
        if page.skip is not None and not page.failed:
            return item
        try:
            missing = apply_fields(item, page.values, overwrite=self.cfg.overwrite)
        except TypeError:  # not an item type itemadapter knows
            return item
        if missing:
            self.stats.inc_value(st.SKIPPED_PREFIX + "missing_field")
            for name in missing:
                key = (type(item).__qualname__, name)
                if key not in self._missing_logged:
                    self._missing_logged.add(key)
                    logger.warning(
                        "govclean: %s has no field %r; the value is not stored (declare it, "
                        "e.g. subclass scrapy_govclean.GovCleanItem)", key[0], name,
                    )
        if page.failed:
            self.rejects.write(page.skip or "error", item, page.url, action=PASSED)
        return item

    def close(self) -> None:
        self.pool.close()
        self.rejects.close()


class GovCleanSpiderMiddleware:
    """Adds text, title, is_gov, gov_score, provenance, noise and simhash to items from HTML pages."""

    def __init__(self, crawler: Crawler, cfg: GovCleanSettings) -> None:
        self.crawler = crawler
        self.cfg = cfg
        self.cleaning = Cleaning(crawler, cfg)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GovCleanSpiderMiddleware:
        cfg = settings_for(crawler)
        if not cfg.enabled:
            raise NotConfigured("GOVCLEAN_ENABLED is False")
        load_cleaner(cfg.cleaner)  # a missing cleaner fails now, not in every worker
        mw = cls(crawler, cfg)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(st.log_summary, signal=signals.spider_closed)
        return mw

    def spider_closed(self) -> None:
        self.cleaning.close()

    @staticmethod
    def _is_item(obj: Any) -> bool:
        return not isinstance(obj, Request) and ItemAdapter.is_item(obj)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterable[Any]:
        """Synchronous form (Scrapy < 2.13 chains); waits for the pool on this thread."""
        page: Page | None = None
        for obj in result:
            if self._is_item(obj):
                if page is None:
                    page = self.cleaning.clean_response_blocking(response)
                obj = self.cleaning.annotate(obj, page)
            yield obj

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Start requests, passed on one per event-loop turn (Scrapy >= 2.13): see :func:`.stalls.paced`."""
        async for obj in paced(start, turn=asyncio_available()):
            yield obj

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        """Asynchronous form: awaits the worker pool, so the reactor keeps downloading."""
        page: Page | None = None
        async for obj in result:
            if self._is_item(obj):
                if page is None:
                    page = await self.cleaning.clean_response(response)
                obj = self.cleaning.annotate(obj, page)
            yield obj
