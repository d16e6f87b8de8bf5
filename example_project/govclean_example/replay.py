"""Replays the bundled pages under their original URLs, with their recorded Content-Type.

So the example crawl runs offline yet looks real to the plugin: provenance shows the real
hosts (official *.gov.cn sites and commercial republishers) and decoding starts from the
HTTP header's charset, exactly as in a live crawl. Not file:// URLs, which would hide both.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

logger = logging.getLogger(__name__)

PAGES_DIR = Path(__file__).resolve().parent / "pages"


def load_manifest(pages_dir: Path = PAGES_DIR) -> list[dict[str, Any]]:
    """The bundled pages: file, url, content_type, group, kind."""
    return json.loads((pages_dir / "manifest.json").read_text(encoding="utf-8"))


class ReplayDownloaderMiddleware:
    """Answers requests for bundled URLs from disk; offline, everything else is a 404.

    Live crawls (the spider's ``offline`` is False) go to the network for other URLs.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.pages = {rec["url"]: rec for rec in load_manifest()}

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReplayDownloaderMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> Response | None:
        rec = self.pages.get(request.url)
        if rec is not None:
            body = (PAGES_DIR / rec["file"]).read_bytes()
            headers = Headers({"Content-Type": rec["content_type"]} if rec.get("content_type") else {})
            cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
            return cls(url=request.url, status=200, headers=headers, body=body, request=request,
                       flags=["replayed"])
        if getattr(self.crawler.spider, "offline", False):
            # robots.txt and anything not bundled: "not here", never the network.
            return Response(url=request.url, status=404, body=b"", request=request, flags=["replayed"])
        return None
