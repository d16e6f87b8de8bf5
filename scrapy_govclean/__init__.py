"""scrapy-govclean: government documents out of noisy Chinese republisher pages.

The core (:func:`clean_page`) is pure Python and never imports Scrapy; the Scrapy
components are imported lazily, so ``from scrapy_govclean import clean_page`` stays
cheap and usable without a crawler.
"""
from __future__ import annotations

from typing import Any

from .result import NOISE_KINDS, CleanResult, CleanConfig

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "clean_page",
    "CleanResult",
    "CleanConfig",
    "NOISE_KINDS",
    "Addon",
    "GovCleanSpiderMiddleware",
    "SimhashDedupePipeline",
    "GovCleanPipeline",
    "GovCleanItem",
]

# Scrapy-facing names, resolved on first access (PEP 562) so the core never pays for Scrapy.
_LAZY = {
    "clean_page": ("scrapy_govclean.core", "clean_page"),
    "Addon": ("scrapy_govclean.addon", "Addon"),
    "GovCleanSpiderMiddleware": ("scrapy_govclean.middleware", "GovCleanSpiderMiddleware"),
    "SimhashDedupePipeline": ("scrapy_govclean.pipelines", "SimhashDedupePipeline"),
    "GovCleanPipeline": ("scrapy_govclean.pipelines", "GovCleanPipeline"),
    "GovCleanItem": ("scrapy_govclean.items", "GovCleanItem"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'scrapy_govclean' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value
