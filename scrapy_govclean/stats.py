"""Stats keys and the end-of-crawl summary line.

All keys live under ``govclean/`` so a crawl's stats dump shows at a glance what the
plugin cleaned, dropped and skipped, and why.
"""
from __future__ import annotations

import logging
from typing import Any

from .result import CleanResult

logger = logging.getLogger(__name__)

PREFIX = "govclean/"
PAGES = "govclean/pages"
GOV_PAGES = "govclean/gov_pages"
REPUBLISHED = "govclean/republished"
DUPLICATES = "govclean/duplicates"
#: Items whose fingerprint came from the worker that cleaned the page (not computed again).
FINGERPRINTED_IN_WORKERS = "govclean/dedupe/fingerprinted_in_workers"
CLEAN_SECONDS = "govclean/clean_seconds"
NOISE_PREFIX = "govclean/noise/"
DROPPED_PREFIX = "govclean/dropped/"
SKIPPED_PREFIX = "govclean/skipped/"


def record_clean(stats: Any, result: CleanResult, seconds: float) -> None:
    """Count one cleaned page: its verdicts, the noise removed and the time it took."""
    stats.inc_value(PAGES)
    if result.is_gov:
        stats.inc_value(GOV_PAGES)
        if (result.provenance or {}).get("republished"):
            stats.inc_value(REPUBLISHED)
    kinds: dict[str, int] = {}
    for block in result.noise or ():  # one stats call per kind, not per removed block
        kind = str(block.get("kind") or "other")
        kinds[kind] = kinds.get(kind, 0) + 1
    for kind, count in kinds.items():
        stats.inc_value(NOISE_PREFIX + kind, count)
    stats.inc_value(CLEAN_SECONDS, round(seconds, 6), start=0.0)


def record_seconds(stats: Any, seconds: float) -> None:
    """Time spent on a page that was not cleaned in the end (timeouts) still counts."""
    if seconds:
        stats.inc_value(CLEAN_SECONDS, round(seconds, 6), start=0.0)


def record_skip(stats: Any, reason: str, count: int = 1) -> None:
    stats.inc_value(SKIPPED_PREFIX + reason, count)


def record_drop(stats: Any, reason: str) -> None:
    stats.inc_value(DROPPED_PREFIX + reason)


def _breakdown(values: dict[str, Any], prefix: str) -> tuple[int, str]:
    parts = {k[len(prefix):]: int(v) for k, v in values.items() if k.startswith(prefix)}
    total = sum(parts.values())
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(parts.items(), key=lambda kv: (-kv[1], kv[0])))
    return total, detail


def summary(values: dict[str, Any]) -> str:
    """One line: how many pages were cleaned, and how many items dropped and skipped, and why."""
    dropped, dropped_detail = _breakdown(values, DROPPED_PREFIX)
    skipped, skipped_detail = _breakdown(values, SKIPPED_PREFIX)
    line = (
        f"govclean: cleaned {int(values.get(PAGES, 0))} pages "
        f"({int(values.get(GOV_PAGES, 0))} government, {int(values.get(REPUBLISHED, 0))} republished) "
        f"in {float(values.get(CLEAN_SECONDS, 0.0)):.2f} s; "
        f"{int(values.get(DUPLICATES, 0))} near-duplicates; dropped {dropped}"
    )
    if dropped_detail:
        line += f" ({dropped_detail})"
    line += f"; skipped {skipped}"
    if skipped_detail:
        line += f" ({skipped_detail})"
    return line


def log_summary(spider: Any) -> None:
    """spider_closed receiver shared by all components; connecting it twice registers it once."""
    crawler = getattr(spider, "crawler", None)
    stats = getattr(crawler, "stats", None)
    if stats is None:
        return
    logger.info(summary(stats.get_stats()), extra={"spider": spider})
