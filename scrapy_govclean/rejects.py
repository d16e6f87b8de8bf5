"""The rejects feed: a JSONL audit trail of every item the plugin drops or cannot process.

So that nothing is lost unseen: a dropped duplicate, an item filtered out by GOVCLEAN_KEEP,
a page passed on uncleaned after a timeout — each becomes one line
``{"reason", "action", "url", "item", "time"}`` in the file GOVCLEAN_REJECTS_URI names.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from typing import IO, Any

from itemadapter import ItemAdapter

logger = logging.getLogger(__name__)

#: ``action`` values: the item left the crawl, or went on unprocessed.
DROPPED = "dropped"
PASSED = "passed"


def _jsonable(value: Any) -> Any:
    """json.dumps fallback: bytes as text, items as dicts, anything else as its str()."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if ItemAdapter.is_item(value):
        return ItemAdapter(value).asdict()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def item_dict(item: Any) -> Any:
    """A plain dict of an item of any supported type (or the object itself otherwise)."""
    try:
        return ItemAdapter(item).asdict()
    except TypeError:  # not an item type: json.dumps' fallback takes it from here
        return item
    except (RecursionError, ValueError):  # self-referencing items
        return repr(item)[:100_000]


class RejectsWriter:
    """Appends one JSON line per rejected item; opened on first use, flushed per line.

    Appending keeps earlier crawls' records; flushing per line means a killed crawl loses
    at most the line being written.
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.count = 0
        self._fh: IO[str] | None = None

    def write(self, reason: str, item: Any, url: str | None = None, *, action: str = DROPPED) -> None:
        if not self.path:
            return
        record = {
            "reason": reason,
            "action": action,
            "url": url,
            "item": item_dict(item),
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        }
        try:
            line = json.dumps(record, ensure_ascii=False, default=_jsonable)
        except (TypeError, ValueError) as exc:  # e.g. a self-referencing item: keep its repr
            record["item"] = repr(item)[:100_000]
            record["serialization_error"] = str(exc)
            line = json.dumps(record, ensure_ascii=False, default=str)
        try:
            if self._fh is None:
                parent = os.path.dirname(self.path)
                if parent:
                    os.makedirs(parent, exist_ok=True)
                self._fh = open(self.path, "a", encoding="utf-8")
            self._fh.write(line + "\n")
            self._fh.flush()
            self.count += 1
        except OSError as exc:
            logger.error("govclean: cannot write to the rejects feed %s: %s", self.path, exc)

    def close(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()
