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


class Addon:
    """Enables GovCleanSpiderMiddleware, GovCleanPipeline and SimhashDedupePipeline with defaults."""

    def update_settings(self, settings: Any) -> None:
        from .middleware import GovCleanSpiderMiddleware
        from .pipelines import GovCleanPipeline, SimhashDedupePipeline

        for name, doc in SETTINGS.items():
            settings.set(name, copy.deepcopy(doc.default), priority="addon")
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
