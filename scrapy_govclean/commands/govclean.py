"""``scrapy govclean URL_OR_FILE``: clean one page with the project's settings, print the result.

For tuning ``GOVCLEAN_*`` settings before a crawl: the page is cleaned exactly as the spider
middleware would clean it (same settings, same decoding from the HTTP header's charset).
A URL is fetched through Scrapy itself, so the project's user agent, proxies and
middlewares apply; the plugin's own components are off for that fetch, so nothing is
written to the duplicate index or the rejects feed.
"""
from __future__ import annotations

import json
import os
import sys
from argparse import ArgumentParser, Namespace
from typing import Any

from scrapy import Request, Spider
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from w3lib.url import is_url

from ..settings import GovCleanSettingError, load_settings
from ..workers import load_cleaner


class _FetchOne(Spider):
    """Fetches one URL and hands the response back to the command."""

    name = "govclean_fetch"
    custom_settings = {"GOVCLEAN_ENABLED": False}

    def __init__(self, url: str, sink: list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.sink = sink

    async def start(self):  # Scrapy ≥ 2.13
        for request in self.start_requests():
            yield request

    def start_requests(self):
        yield Request(self.url, callback=self.keep, errback=self.failed, dont_filter=True,
                      meta={"handle_httpstatus_all": True})

    def keep(self, response: Any) -> None:
        self.sink.append(response)

    def failed(self, failure: Any) -> None:
        self.sink.append(failure)


class Command(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options] <url_or_file>"

    def short_desc(self) -> str:
        return "Clean one page with the project's GOVCLEAN_* settings and print the result JSON"

    def long_desc(self) -> str:
        return (
            "Clean one page (a URL, fetched with Scrapy, or a saved HTML file) exactly as the "
            "govclean spider middleware would in a crawl with this project's settings, and print "
            "text, title, is_gov, gov_score, provenance, noise and simhash as JSON. The decoding "
            "used and any warnings go to stderr."
        )

    def add_options(self, parser: ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", dest="page_url", default=None,
                            help="the page's original URL (for a file: provenance and official-site check)")
        parser.add_argument("--encoding", dest="page_encoding", default=None,
                            help="the charset to decode with, as an HTTP header would declare it")

    def run(self, args: list[str], opts: Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one URL or file")
        try:
            cfg = load_settings(self.settings)
        except GovCleanSettingError as exc:
            raise UsageError(str(exc), print_help=False) from None
        target = args[0]
        if os.path.exists(target):
            with open(target, "rb") as fh:
                body = fh.read()
            url = opts.page_url or ""
            encoding = opts.page_encoding
        elif is_url(target):
            body, url, encoding = self._fetch(target)
            url = opts.page_url or url
            encoding = opts.page_encoding or encoding
        else:
            raise UsageError(f"{target!r} is neither an existing file nor an absolute URL", print_help=False)
        if len(body) > cfg.max_page_bytes:
            print(f"govclean: warning: {len(body)} bytes > GOVCLEAN_MAX_PAGE_BYTES={cfg.max_page_bytes}; "
                  "a crawl would pass this page on uncleaned", file=sys.stderr)
        result = load_cleaner(cfg.cleaner)(body, url, encoding=encoding, config=cfg.clean_config())
        print(f"govclean: decoded as {result.encoding or 'text'}", file=sys.stderr)
        for warning in result.warnings:
            print(f"govclean: warning: {warning}", file=sys.stderr)
        out = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
        sys.stdout.buffer.write(out.encode("utf-8"))
        sys.stdout.flush()

    def _fetch(self, url: str) -> tuple[bytes, str, str | None]:
        from ..middleware import header_charset

        sink: list[Any] = []
        assert self.crawler_process is not None
        self.crawler_process.crawl(_FetchOne, url=url, sink=sink)
        self.crawler_process.start()
        if not sink or not hasattr(sink[0], "body"):
            reason = sink[0].getErrorMessage() if sink else "no response"
            raise UsageError(f"could not fetch {url}: {reason}", print_help=False)
        response = sink[0]
        if response.status >= 400:
            print(f"govclean: warning: HTTP {response.status} for {url}", file=sys.stderr)
        return response.body, response.url, header_charset(response)
