"""Shared fixtures for the Scrapy integration tests: a local HTTP server and real crawls.

Crawls run in a subprocess (tests/crawl_runner.py): Twisted's reactor runs once per
process, and a crawl in its own process is also exactly what a user runs.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent


@dataclass
class Route:
    body: bytes
    content_type: str | None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Called before the page is served (e.g. to take a service down mid-crawl).
    on_hit: Callable[[], None] | None = None


class LocalServer:
    """An HTTP server on 127.0.0.1 at a free port, serving given bytes with given headers.

    It also answers as an HTTP proxy for pages added under other hosts' absolute URLs, so a
    crawl sees official (``*.gov.cn``) and commercial hosts while never leaving 127.0.0.1.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        routes, hits = self.routes, self.hits

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                path = self.path  # absolute when we are asked as a proxy
                hits[path] = hits.get(path, 0) + 1
                route = routes.get(path) or routes.get(path.split("?", 1)[0])
                if route is None:
                    route = Route(b"not found", "text/plain", status=404)
                if route.on_hit is not None:
                    route.on_hit()
                self.send_response(route.status)
                if route.content_type is not None:
                    self.send_header("Content-Type", route.content_type)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep pytest output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="govclean-test-http", daemon=True)

    def add(self, path: str, body: bytes, content_type: str | None = "text/html; charset=utf-8",
            status: int = 200, headers: dict[str, str] | None = None,
            on_hit: Callable[[], None] | None = None) -> str:
        """Serve ``body`` at ``path`` (or at an absolute URL, through the proxy); returns the URL."""
        route = Route(body, content_type, status, dict(headers or {}), on_hit)
        if path.startswith(("http://", "https://")):
            self.routes[path] = route
            return path
        if not path.startswith("/"):
            path = "/" + path
        self.routes[path] = route
        return self.base_url + path

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def http_server():
    server = LocalServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class CrawlResult:
    returncode: int
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    out_dir: Path

    def by_url(self) -> dict[str, dict[str, Any]]:
        return {item["url"]: item for item in self.items}

    def govclean_stats(self) -> dict[str, Any]:
        return {k: v for k, v in self.stats.items() if k.startswith("govclean/")}


def subprocess_env(extra_path: list[Path] | None = None) -> dict[str, str]:
    """The environment for a child crawl: this checkout and tests/ importable, no stray proxies."""
    env = dict(os.environ)
    paths = [str(REPO_ROOT), str(TESTS_DIR)] + [str(p) for p in (extra_path or [])]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(name, None)
    env["PYTHONHASHSEED"] = "0"
    return env


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class PendingCrawl:
    """A crawl running in its own process; ``result()`` waits for it."""

    def __init__(self, out: Path, proc: subprocess.Popen, timeout: float) -> None:
        self.out, self.proc, self.timeout = out, proc, timeout

    def result(self) -> CrawlResult:
        try:
            stdout, stderr = self.proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            stdout, stderr = self.proc.communicate()
        out = self.out
        log_path = out / "crawl.log"
        log = (log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else "")
        log += stdout + stderr
        stats_path = out / "stats.json"
        stats = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
        return CrawlResult(self.proc.returncode, _read_jsonl(out / "items.jsonl"), stats, log, out)


@pytest.fixture
def run_crawl(tmp_path: Path) -> Callable[..., Any]:
    """Run a real crawl of ``urls`` in a subprocess; returns items, stats and the log.

    ``proxy`` (the local server's base URL) carries requests to other hosts' URLs;
    ``wait=False`` returns a :class:`PendingCrawl`, so independent crawls can run side by side;
    ``count_loop_turns`` makes the spider's start() count start requests handed over with no
    event-loop turn between them (stat ``test/start_requests_back_to_back``).
    """
    counter = {"n": 0}
    pending: list[PendingCrawl] = []

    def run(urls: list[str], *, settings: dict[str, Any] | None = None, item: str = "dict",
            items_per_page: int = 1, meta: dict[str, dict[str, Any]] | None = None,
            preset: dict[str, Any] | None = None, html_field: str | None = None,
            follow: dict[str, list[str]] | None = None, proxy: str | None = None,
            count_loop_turns: bool = False, timeout: float = 120, wait: bool = True) -> Any:
        counter["n"] += 1
        out = tmp_path / f"crawl{counter['n']}"
        out.mkdir()
        config = {
            "out_dir": str(out), "urls": urls, "settings": settings or {}, "item": item,
            "items_per_page": items_per_page, "meta": meta or {}, "preset": preset or {},
            "html_field": html_field, "follow": follow or {}, "proxy": proxy,
            "count_loop_turns": count_loop_turns,
        }
        config_path = out / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, str(TESTS_DIR / "crawl_runner.py"), str(config_path)],
            cwd=out, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        crawl = PendingCrawl(out, proc, timeout)
        if not wait:
            pending.append(crawl)
            return crawl
        return crawl.result()

    yield run
    for crawl in pending:  # never leave a crawl running after its test
        if crawl.proc.poll() is None:
            crawl.proc.kill()
            crawl.proc.communicate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on 127.0.0.1 (no persistence), stoppable mid-test."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path):
    """A real redis-server (installed by tests/install-services.sh), stopped afterwards."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: run `sh tests/install-services.sh`")
    server = RedisServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()
