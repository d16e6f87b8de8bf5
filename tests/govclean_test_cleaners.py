"""Hostile stand-ins for clean_page, named by GOVCLEAN_CLEANER in the Scrapy tests.

They misbehave only on marked URLs and otherwise call the real core, so a crawl shows
that one bad page is skipped while the others are cleaned as usual.
"""
from __future__ import annotations

import os
import time
from typing import Any

from scrapy_govclean.core import clean_page


def hanging(html: Any, url: str = "", **kwargs: Any):
    """Never returns on URLs containing /hang (like a pathological page)."""
    if "/hang" in url:
        while True:
            time.sleep(1)
    return clean_page(html, url, **kwargs)


def failing(html: Any, url: str = "", **kwargs: Any):
    """Raises on URLs containing /boom, as a bug in the core would."""
    if "/boom" in url:
        raise RuntimeError("core exploded on purpose")
    return clean_page(html, url, **kwargs)


def slow(html: Any, url: str = "", **kwargs: Any):
    """Takes 0.8 s on URLs containing /slow (well under the tests' time limit), then cleans."""
    if "/slow" in url:
        time.sleep(0.8)
    return clean_page(html, url, **kwargs)


def crashing(html: Any, url: str = "", **kwargs: Any):
    """Kills its own process on URLs containing /crash (a segfault in a C extension would)."""
    if "/crash" in url:
        os._exit(3)
    return clean_page(html, url, **kwargs)
