"""Fingerprints computed in the worker processes, handed on to the dedupe pipeline.

Why: the spider middleware (which has the worker's answer) and the dedupe pipeline (which
needs the text's fingerprint) are separate Scrapy components, and fingerprinting on the
crawl's reactor thread costs ~0.5 ms an item that a worker has already spent.  The hand-off
is keyed by the clean text itself, so a hit is exactly what recomputing would give (an
item whose text was changed in between simply misses and is fingerprinted again), and it
is a bounded FIFO, so items that never reach the pipeline cannot make it grow.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

__all__ = ["FeatureHandoff", "handoff_for", "dedupe_pipeline_enabled"]

_ATTR = "_govclean_feature_handoff"


class FeatureHandoff:
    """text -> ``dedupe.TextFeatures``, the ``size`` most recent texts."""

    def __init__(self, size: int = 256) -> None:
        # An item reaches the pipeline soon after its page is cleaned; the bound only keeps
        # texts of items that never arrive (dropped by another pipeline) from piling up —
        # it holds the texts alive, so it stays small (256 texts of ~5 KB: ~1.3 MB).
        self.size = size
        self._by_text: OrderedDict[str, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def put(self, text: str, features: Any) -> None:
        if not text or features is None:
            return
        self._by_text[text] = features
        self._by_text.move_to_end(text)
        while len(self._by_text) > self.size:
            self._by_text.popitem(last=False)

    def get(self, text: str) -> Any:
        """The features handed over for ``text``, or None (then compute them)."""
        features = self._by_text.get(text)
        if features is None:
            self.misses += 1
        else:
            self.hits += 1
        return features

    def __len__(self) -> int:
        return len(self._by_text)


def handoff_for(crawler: Any) -> FeatureHandoff:
    """The crawler's hand-off (one per crawler, created on first use)."""
    handoff = getattr(crawler, _ATTR, None)
    if handoff is None:
        handoff = FeatureHandoff()
        setattr(crawler, _ATTR, handoff)
    return handoff


def dedupe_pipeline_enabled(settings: Any) -> bool:
    """Whether ITEM_PIPELINES runs our dedupe pipeline (else nobody needs fingerprints)."""
    try:
        pipelines = settings.getwithbase("ITEM_PIPELINES")
    except Exception:  # noqa: BLE001 - a settings object without it
        return False
    for key, order in dict(pipelines).items():
        if order is None:
            continue
        name = key if isinstance(key, str) else f"{getattr(key, '__module__', '')}.{getattr(key, '__qualname__', '')}"
        if name.rsplit(".", 1)[-1] == "SimhashDedupePipeline":
            return True
    return False
