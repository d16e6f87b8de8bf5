"""Item field declarations for users of ``scrapy.Item``.

Scrapy Items reject undeclared keys, so a project that uses Items subclasses
:class:`GovCleanItem` (or copies :data:`GOVCLEAN_FIELDS` into its own Item) to let the
plugin fill in its output fields.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import scrapy
from itemadapter import ItemAdapter

from .result import RESULT_KEYS

#: Fields the spider middleware / GovCleanPipeline fill from ``clean_page()``.
CLEAN_FIELDS: tuple[str, ...] = RESULT_KEYS

#: Fields SimhashDedupePipeline fills.
DEDUPE_FIELDS: tuple[str, ...] = ("duplicate_of", "canonical_url", "govclean_unchecked")

#: Fields that say why a page was passed on uncleaned, or what was odd about it.
STATUS_FIELDS: tuple[str, ...] = ("govclean_error", "govclean_warnings")

#: Every field the plugin may set, in output order.
GOVCLEAN_FIELDS: tuple[str, ...] = CLEAN_FIELDS + DEDUPE_FIELDS + STATUS_FIELDS


class GovCleanItem(scrapy.Item):
    """Base Item declaring every plugin field, plus ``url``; subclass it and add your own."""

    url = scrapy.Field()
    text = scrapy.Field()
    title = scrapy.Field()
    is_gov = scrapy.Field()
    gov_score = scrapy.Field()
    provenance = scrapy.Field()
    noise = scrapy.Field()
    simhash = scrapy.Field()
    duplicate_of = scrapy.Field()
    canonical_url = scrapy.Field()
    govclean_unchecked = scrapy.Field()
    govclean_error = scrapy.Field()
    govclean_warnings = scrapy.Field()


def _declared_default(item: Any, name: str) -> Any:
    """The default a dataclass/attrs field declares (``_NO_DEFAULT`` if none)."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        for f in dataclasses.fields(item):
            if f.name == name:
                if f.default is not dataclasses.MISSING:
                    return f.default
                if f.default_factory is not dataclasses.MISSING:
                    return f.default_factory()
                return _NO_DEFAULT
    attrs_fields = getattr(type(item), "__attrs_attrs__", None)
    if attrs_fields is not None:
        for a in attrs_fields:
            if a.name == name:
                default = a.default
                factory = getattr(default, "factory", None)
                if factory is not None:
                    return factory(item) if getattr(default, "takes_self", False) else factory()
                if default is None or type(default).__name__ != "_Nothing":
                    return default
                return _NO_DEFAULT
    return _NO_DEFAULT


_NO_DEFAULT = object()


def is_set(adapter: ItemAdapter, name: str) -> bool:
    """Whether the spider gave ``name`` a value (None and a declared default don't count)."""
    try:
        value = adapter[name]
    except (KeyError, AttributeError):
        return False
    if value is None:
        return False
    default = _declared_default(adapter.item, name)
    if default is not _NO_DEFAULT:
        try:
            return bool(value != default)
        except Exception:  # noqa: BLE001 - exotic __eq__
            return True
    return True


def apply_fields(item: Any, values: dict[str, Any], *, overwrite: bool) -> list[str]:
    """Set ``values`` on any itemadapter-supported item; return the fields it has no room for.

    Fields the spider already set are left alone unless ``overwrite``.
    """
    adapter = ItemAdapter(item)
    missing: list[str] = []
    for name, value in values.items():
        if not overwrite and is_set(adapter, name):
            continue
        try:
            adapter[name] = value
        except (KeyError, AttributeError, TypeError, ValueError):  # ValueError: validating items
            missing.append(name)
    return missing
