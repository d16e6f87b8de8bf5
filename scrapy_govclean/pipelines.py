"""Item pipelines: cleaning stored HTML and the KEEP filter (GovCleanPipeline), and
collapsing near-duplicate documents (SimhashDedupePipeline).

Every item either goes on, or is dropped with a reason that goes to the stats, the log
and the rejects feed — never lost unseen.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured

from . import stats as st
from .handoff import handoff_for
from .items import apply_fields
from .middleware import Cleaning
from .rejects import DROPPED, PASSED, RejectsWriter
from .settings import GovCleanSettings, settings_for
from .workers import load_cleaner

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)

#: Drop reasons (stats key ``govclean/dropped/<reason>``, rejects feed ``reason``).
DUPLICATE = "duplicate"
NOT_GOV = "not_gov"
NOT_REPUBLISHED = "not_republished"


def _drop(message: str, *, audited: bool) -> DropItem:
    """A DropItem that does not flood the log: dropping is the plugin doing its job.

    Scrapy logs every dropped item in full; when the rejects feed already records it, that
    line goes to DEBUG, otherwise to INFO. (Counts are in the stats and the summary line.)
    """
    try:
        return DropItem(message, log_level="DEBUG" if audited else "INFO")
    except TypeError:  # Scrapy without DropItem(log_level=)
        return DropItem(message)


def item_url(adapter: ItemAdapter) -> str:
    """The item's own URL, else the one its provenance records."""
    url = adapter.get("url")
    if not url:
        url = (adapter.get("provenance") or {}).get("url")
    return str(url or "")


class GovCleanPipeline:
    """Cleans items that carry raw HTML (GOVCLEAN_HTML_FIELD) and applies GOVCLEAN_KEEP."""

    def __init__(self, crawler: Crawler, cfg: GovCleanSettings) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.cfg = cfg
        # The pool behind this only starts if an item actually carries HTML.
        self.cleaning = Cleaning(crawler, cfg)
        self.rejects = self.cleaning.rejects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GovCleanPipeline:
        cfg = settings_for(crawler)
        if not cfg.enabled:
            raise NotConfigured("GOVCLEAN_ENABLED is False")
        if cfg.html_field:
            load_cleaner(cfg.cleaner)
        pipe = cls(crawler, cfg)
        crawler.signals.connect(st.log_summary, signal=signals.spider_closed)
        return pipe

    def close_spider(self, spider: Spider | None = None) -> None:
        self.cleaning.close()

    async def _clean_field(self, item: Any, adapter: ItemAdapter) -> None:
        field = self.cfg.html_field
        if not field:
            return
        try:
            html = adapter.get(field)
        except (KeyError, AttributeError):
            return
        if not isinstance(html, (str, bytes)) or not html:
            return
        if adapter.get("simhash") is not None:  # already cleaned from its response
            return
        url = item_url(adapter)
        size = len(html.encode("utf-8") if isinstance(html, str) else html)
        if size > self.cfg.max_page_bytes:
            page = self.cleaning.skip(
                url, "too_large", f"{size} bytes > GOVCLEAN_MAX_PAGE_BYTES={self.cfg.max_page_bytes}",
                failed=True, level=logging.WARNING,
            )
        else:
            page = self.cleaning.finish(url, await self.cleaning.pool.clean(html, url, None))
        self.cleaning.annotate(item, page)

    def _keep_reason(self, adapter: ItemAdapter) -> str | None:
        """Why GOVCLEAN_KEEP rejects this item (None: keep it).

        Items never evaluated (non-HTML, opted out, failed) have no is_gov and pass on.
        """
        if self.cfg.keep == "all":
            return None
        try:
            is_gov = adapter["is_gov"]
        except (KeyError, AttributeError):
            return None
        if is_gov is None:
            return None
        if not is_gov:
            return NOT_GOV
        if self.cfg.keep == "republished" and not (adapter.get("provenance") or {}).get("republished"):
            return NOT_REPUBLISHED
        return None

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        try:
            adapter = ItemAdapter(item)
        except TypeError:
            return item
        await self._clean_field(item, adapter)
        reason = self._keep_reason(adapter)
        if reason is None:
            return item
        url = item_url(adapter)
        st.record_drop(self.stats, reason)
        self.rejects.write(reason, item, url, action=DROPPED)
        raise _drop(f"govclean: {reason} (GOVCLEAN_KEEP={self.cfg.keep!r}): {url}", audited=bool(self.rejects.path))


class SimhashDedupePipeline:
    """Collapses near-duplicate documents: drop them, or keep them with duplicate_of set."""

    def __init__(self, crawler: Crawler, cfg: GovCleanSettings) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.cfg = cfg
        self.rejects = RejectsWriter(cfg.rejects_path)
        self.index: Any = None
        self._index_down = False
        self._missing_logged: set[tuple[str, str]] = set()
        self.handoff = handoff_for(crawler)  # fingerprints the worker processes computed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SimhashDedupePipeline:
        cfg = settings_for(crawler)
        if not cfg.enabled:
            raise NotConfigured("GOVCLEAN_ENABLED is False")
        pipe = cls(crawler, cfg)
        crawler.signals.connect(st.log_summary, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider: Spider | None = None) -> None:
        """Open the index now: a crawl that cannot deduplicate must not start silently."""
        from .index import open_index, redact_uri
        from .index.base import IndexUnavailable

        uri = self.cfg.index
        try:
            self.index = open_index(uri, distance=self.cfg.simhash_distance, namespace=self.cfg.index_namespace)
        except IndexUnavailable as exc:
            logger.error(
                "govclean: the near-duplicate index %s is unreachable (%s); stopping the crawl "
                "(fix GOVCLEAN_INDEX or start the server)", redact_uri(uri), exc,
            )
            raise CloseSpider("govclean_index_unavailable") from exc
        except ValueError as exc:
            logger.error("govclean: GOVCLEAN_INDEX = %s cannot be used: %s; stopping the crawl", redact_uri(uri), exc)
            raise CloseSpider("govclean_bad_setting") from exc
        logger.info("govclean: near-duplicate index %s opened", redact_uri(uri))

    def close_spider(self, spider: Spider | None = None) -> None:
        index, self.index = self.index, None
        if index is not None:
            try:
                index.close()
            except Exception as exc:  # noqa: BLE001 - closing must not fail the crawl's end
                logger.warning("govclean: closing the index failed: %s", exc)
        self.rejects.close()

    def _set(self, item: Any, values: dict[str, Any]) -> None:
        missing = apply_fields(item, values, overwrite=True)
        for name in missing:
            key = (type(item).__qualname__, name)
            if key not in self._missing_logged:
                self._missing_logged.add(key)
                logger.warning("govclean: %s has no field %r; the value is not stored", key[0], name)
        if missing:
            self.stats.inc_value(st.SKIPPED_PREFIX + "missing_field")

    def _check(self, adapter: ItemAdapter, text: str, url: str) -> Any:
        """The index's verdict, or None when the index cannot be asked."""
        from .dedupe import make_entry
        from .index.base import IndexUnavailable

        provenance = adapter.get("provenance") or {}
        features = self.handoff.get(text)
        if features is not None:
            self.stats.inc_value(st.FINGERPRINTED_IN_WORKERS)
        entry = make_entry(text, url, provenance, official=bool(provenance.get("official_site")), features=features)
        try:
            verdict = self.index.check_and_insert(entry)
        except IndexUnavailable as exc:
            self._note_down(str(exc))
            return None
        if getattr(verdict, "unchecked", False):
            self._note_down(getattr(verdict, "reason", "") or "index unavailable")
            return None
        if self._index_down:
            self._index_down = False
            logger.warning("govclean: the near-duplicate index is back; items are checked again")
        return verdict

    def _note_down(self, why: str) -> None:
        if not self._index_down:
            self._index_down = True
            logger.error(
                "govclean: the near-duplicate index is unavailable (%s); items are kept and marked "
                "govclean_unchecked until it is back", why,
            )

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        try:
            adapter = ItemAdapter(item)
        except TypeError:
            return item
        text = adapter.get("text")
        if not text or not isinstance(text, str):
            st.record_skip(self.stats, "no_text")
            return item
        url = item_url(adapter)
        if self.index is None:  # opened by open_spider; only missing if that was bypassed
            verdict = None
            self._note_down("index not open")
        else:
            verdict = self._check(adapter, text, url)
        if verdict is None:
            st.record_skip(self.stats, "index_unavailable")
            self._set(item, {"duplicate_of": None, "canonical_url": url, "govclean_unchecked": True})
            self.rejects.write("index_unavailable", item, url, action=PASSED)
            return item
        canonical = getattr(verdict, "canonical_url", None) or url
        if verdict.duplicate:
            self.stats.inc_value(st.DUPLICATES)
            self._set(item, {
                "duplicate_of": verdict.duplicate_of, "canonical_url": canonical, "govclean_unchecked": False,
            })
            if self.cfg.duplicates == "drop":
                st.record_drop(self.stats, DUPLICATE)
                self.rejects.write(DUPLICATE, item, url, action=DROPPED)
                raise _drop(f"govclean: duplicate of {verdict.duplicate_of}: {url}", audited=bool(self.rejects.path))
            return item
        self._set(item, {"duplicate_of": None, "canonical_url": canonical, "govclean_unchecked": False})
        return item
