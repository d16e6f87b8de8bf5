"""A real redis-server for the tests: 127.0.0.1, a random free port, no persistence.

Import the fixture into a test module with ``from redis_server import redis_server  # noqa``.
Tests using it are skipped (with the reason) when redis-server is not on PATH; CI installs
it with tests/install-services.sh.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RedisServer:
    """A running server: its URL, and a way to kill it mid-test."""

    url: str
    port: int
    process: subprocess.Popen

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def start_redis(tmp: Path, password: str | None = None) -> RedisServer:
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not on PATH (CI installs it with tests/install-services.sh)")
    port = free_port()
    args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(tmp), "--protected-mode", "no"]
    if password:
        args += ["--requirepass", password]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    auth = f":{password}@" if password else ""
    server = RedisServer(f"redis://{auth}127.0.0.1:{port}/0", port, proc)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"redis-server exited with {proc.returncode} on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                if password:
                    s.sendall(f"AUTH {password}\r\n".encode())
                    s.recv(64)
                s.sendall(b"PING\r\n")
                if s.recv(64).startswith(b"+PONG"):
                    return server
        except OSError:
            pass
        time.sleep(0.05)
    server.kill()
    pytest.fail(f"redis-server did not answer PING on port {port} within 10 s")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh server per test; killed afterwards."""
    server = start_redis(tmp_path)
    try:
        yield server
    finally:
        server.kill()
