"""Worker processes fed through one socket each, read and written by the event loop.

Why not ``concurrent.futures.ProcessPoolExecutor``: it moves every page and every result
through two helper threads of the crawl process (a queue feeder and a result manager).
They pickle and unpickle while holding the GIL and wake up for every page, so the reactor
thread, which has the downloads to serve, waits for them — measured as reactor stalls
with time "blocked" (issue 5). Here the event loop itself writes each page to a worker's
socket and reads each result when it is ready (non-blocking, ``loop.add_reader``), and
there is no other thread in the crawl process.

It also knows more than the executor: which page each worker is running (pages are sent
ahead, a few per worker, and run in order), so the time limit counts from the moment a
page starts, and a hung worker is killed alone — the pages queued behind it go to a fresh
worker instead of failing with it.

asyncio only; :class:`~scrapy_govclean.workers.CleanerPool` uses the executor where no
asyncio loop runs (a non-asyncio Twisted reactor, synchronous callers).
"""
from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Callable

logger = logging.getLogger(__name__)

#: Pages sent to a worker ahead of the one it is running: it starts the next page without
#: waiting for the event loop (which is busy in bursts) to hand one over.
SENT_AHEAD = 2

#: A frame is a 4-byte big-endian signed length, then a pickle — the framing of
#: ``multiprocessing.connection.Connection``, which the worker side uses.
_HEADER = struct.Struct("!i")
_READ_SIZE = 1 << 20


class PageTimeout(Exception):
    """The page ran longer than the time limit; its worker was killed."""


class WorkerLost(Exception):
    """The worker died while running the page (twice), or could not start."""


class TaskFailed(Exception):
    """``handle`` raised in the worker, or its value could not be pickled."""


@dataclass
class _Task:
    payload: bytes  # the pickled page, sent as one frame
    future: asyncio.Future
    attempts: int = 0


@dataclass
class _Worker:
    process: Any
    sock: socket.socket
    ready: bool = False
    sent: deque[_Task] = field(default_factory=deque)  # in the order the worker runs them
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    writing: bool = False
    timer: asyncio.TimerHandle | None = None
    dead: bool = False


def frame(payload: bytes) -> bytes:
    """One message as the worker's ``Connection.recv_bytes`` reads it."""
    if len(payload) > 0x7FFFFFFF:
        return _HEADER.pack(-1) + struct.pack("!Q", len(payload)) + payload
    return _HEADER.pack(len(payload)) + payload


def split_frames(buf: bytearray) -> list[bytes]:
    """Take every complete frame off the front of ``buf`` (in place)."""
    out: list[bytes] = []
    pos = 0
    while len(buf) - pos >= 4:
        (size,) = _HEADER.unpack_from(buf, pos)
        start = pos + 4
        if size == -1:
            if len(buf) - start < 8:
                break
            (size,) = struct.unpack_from("!Q", buf, start)
            start += 8
        if len(buf) - start < size:
            break
        out.append(bytes(buf[start:start + size]))
        pos = start + size
    del buf[:pos]
    return out


def worker_main(conn: Any, init: Callable[[], None], handle: Callable[..., Any]) -> None:
    """A worker process: initialise, say ready, then answer each page in order until EOF.

    Each answer carries ``time.monotonic()`` at its end: the moment the next page sent
    ahead starts, which is when its time limit starts counting.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle
    init()
    answer = pickle.dumps((None, None, time.monotonic()))  # ready
    while True:
        try:
            conn.send_bytes(answer)
            args = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):  # the pool closed its end: nothing more to do
            return
        try:
            value = handle(*args)
            answer = pickle.dumps((value, None, time.monotonic()), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - the page's failure, not the worker's
            answer = pickle.dumps((None, f"{type(exc).__name__}: {exc}"[:500], time.monotonic()))


async def _in_thread(func: Callable[[], Any]) -> Any:
    """Run a blocking call in a thread of its own that ends with the call.

    Starting a process blocks (a fork server imports the cleaner first); a short-lived
    thread, rather than the loop's default executor, leaves no thread behind.
    """
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def settle(value: Any, exc: BaseException | None) -> None:
        if not done.done():
            done.set_exception(exc) if exc is not None else done.set_result(value)

    def call() -> None:
        try:
            value, exc = func(), None
        except BaseException as error:  # noqa: BLE001 - handed to the awaiting coroutine
            value, exc = None, error
        try:
            loop.call_soon_threadsafe(settle, value, exc)
        except RuntimeError:  # the loop closed meanwhile
            pass

    threading.Thread(target=call, name="govclean-start-worker", daemon=True).start()
    return await done


class ProcessPool:
    """N worker processes, each fed pages through its own socket by the running event loop.

    ``ctx`` is a multiprocessing context; ``init`` and ``handle`` run in the workers
    (picklable: module-level functions or ``functools.partial`` of them). ``run(*args)``
    returns ``handle(*args)`` from a worker, or raises :class:`PageTimeout`,
    :class:`WorkerLost` or :class:`TaskFailed`.
    """

    def __init__(self, ctx: Any, size: int, timeout: float, startup_grace: float,
                 init: Callable[[], None], handle: Callable[..., Any]) -> None:
        self.ctx = ctx
        self.size = size
        self.timeout = timeout
        self.startup_grace = startup_grace
        self.init = init
        self.handle = handle
        self.restarts = 0
        self._workers: list[_Worker | None] = [None] * size
        self._starting: set[int] = set()
        self._spawns: set[asyncio.Task] = set()
        self._backlog: deque[_Task] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    # -- public --------------------------------------------------------------------------
    async def run(self, *args: Any) -> Any:
        if self._closed:
            raise WorkerLost("the pool is closed")
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # workers read by another (finished) loop: start afresh
            self._stop_workers()
            self._loop = loop
        task = _Task(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL), self._loop.create_future())
        self._backlog.append(task)
        for slot in range(self.size):
            if self._workers[slot] is None and slot not in self._starting:
                self._start(slot)
        self._dispatch()
        return await task.future

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w is not None and w.process.pid]

    def close(self) -> None:
        """Stop every worker (EOF, then a kill after 2 s); pages still waiting fail."""
        self._closed = True
        self._stop_workers()

    def _stop_workers(self) -> None:
        workers = [w for w in self._workers if w is not None]
        self._workers = [None] * self.size
        for worker in workers:
            self._detach(worker)
        for worker in workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=1)
        for task in [t for w in workers for t in w.sent] + list(self._backlog):
            self._fail(task, WorkerLost("the pool was closed"))
        self._backlog.clear()

    # -- workers ---------------------------------------------------------------------------
    def _start(self, slot: int) -> None:
        """Start a worker in a thread: with a fork server, the first start imports the cleaner."""
        self._starting.add(slot)
        assert self._loop is not None
        task = self._loop.create_task(self._spawn(slot))
        self._spawns.add(task)  # the loop holds tasks weakly: keep it until it is done
        task.add_done_callback(self._spawns.discard)

    async def _spawn(self, slot: int) -> None:
        parent, child = socket.socketpair()
        try:
            child_conn = Connection(child.detach())
            process = self.ctx.Process(target=worker_main, args=(child_conn, self.init, self.handle), daemon=True)
            await _in_thread(process.start)
            child_conn.close()
        except Exception as exc:  # noqa: BLE001 - cannot start processes at all
            parent.close()
            self._starting.discard(slot)
            logger.error("govclean: could not start a cleaning worker: %s", exc)
            while self._backlog:
                self._fail(self._backlog.popleft(), WorkerLost(f"could not start a worker: {exc}"))
            return
        self._starting.discard(slot)
        parent.setblocking(False)
        worker = _Worker(process=process, sock=parent)
        if self._closed:
            self._detach(worker)
            process.kill()
            return
        self._workers[slot] = worker
        assert self._loop is not None
        self._loop.add_reader(parent.fileno(), self._on_readable, worker)
        worker.timer = self._loop.call_later(self.startup_grace, self._on_stuck, worker, None)

    def _detach(self, worker: _Worker) -> None:
        """Forget a worker's socket and timer (the process is the caller's to stop)."""
        worker.dead = True
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(worker.sock.fileno())
            if worker.writing:
                self._loop.remove_writer(worker.sock.fileno())
        worker.sock.close()

    def _replace(self, worker: _Worker, reason: Exception, *, hung: _Task | None = None) -> None:
        """Kill a worker; its running page gets ``reason`` or one more try, the rest go back in line."""
        if worker.dead or worker not in self._workers:
            return
        slot = self._workers.index(worker)
        self._workers[slot] = None
        self._detach(worker)
        worker.process.kill()
        worker.process.join(timeout=2)
        self.restarts += 1
        pending = list(worker.sent)
        if pending and worker.ready:
            head = pending.pop(0)
            head.attempts += 1
            if head is hung or head.attempts >= 2:
                self._fail(head, reason)
            else:
                pending.insert(0, head)
        elif not worker.ready:
            # died before it could say ready: every waiting page fails rather than loop
            for task in pending + list(self._backlog):
                self._fail(task, reason)
            self._backlog.clear()
            pending = []
        self._backlog.extendleft(reversed(pending))
        if self._backlog and not self._closed:
            self._start(slot)

    # -- event-loop callbacks ---------------------------------------------------------------
    def _on_readable(self, worker: _Worker) -> None:
        try:
            data = worker.sock.recv(_READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._replace(worker, WorkerLost("worker process died"))
            self._dispatch()
            return
        worker.inbox += data
        for payload in split_frames(worker.inbox):
            self._answer(worker, payload)
        self._dispatch()

    def _answer(self, worker: _Worker, payload: bytes) -> None:
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None
        if not worker.ready:  # the first answer says the worker is ready
            worker.ready = True
            return
        task = worker.sent.popleft()
        try:
            value, error, finished_at = pickle.loads(payload)
        except Exception as exc:  # noqa: BLE001 - e.g. a result class the crawl cannot import
            value, error, finished_at = None, f"{type(exc).__name__}: {exc}"[:500], time.monotonic()
        if not task.future.done():
            if error is None:
                task.future.set_result(value)
            else:
                task.future.set_exception(TaskFailed(error))
        if worker.sent:  # the next page started when this one ended
            self._arm(worker, finished_at)

    def _arm(self, worker: _Worker, started_at: float) -> None:
        """The running page's time limit, on the loop's clock (monotonic, as the worker's)."""
        assert self._loop is not None
        delay = started_at + self.timeout - time.monotonic()
        worker.timer = self._loop.call_later(max(delay, 0.0), self._on_stuck, worker, worker.sent[0])

    def _on_stuck(self, worker: _Worker, task: _Task | None) -> None:
        if worker.dead:
            return
        worker.timer = None
        if task is None:
            self._replace(worker, WorkerLost(f"worker not ready within {self.startup_grace:g}s"))
        else:
            self._replace(worker, PageTimeout(), hung=task)
        self._dispatch()

    def _dispatch(self) -> None:
        """Send waiting pages to ready workers, the least loaded first, up to SENT_AHEAD + 1 each."""
        while self._backlog:
            ready = [w for w in self._workers if w is not None and w.ready and len(w.sent) <= SENT_AHEAD]
            if not ready:
                return
            worker = min(ready, key=lambda w: len(w.sent))
            task = self._backlog.popleft()
            if task.future.done():  # its awaiter was cancelled
                continue
            idle = not worker.sent
            worker.sent.append(task)
            self._write(worker, frame(task.payload))
            if idle:
                self._arm(worker, time.monotonic())

    def _write(self, worker: _Worker, data: bytes) -> None:
        if not worker.writing:
            try:
                sent = worker.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                return  # the reader sees the worker's end and replaces it
            if sent == len(data):
                return
            data = data[sent:]
            worker.writing = True
            assert self._loop is not None
            self._loop.add_writer(worker.sock.fileno(), self._on_writable, worker)
        worker.outbox += data

    def _on_writable(self, worker: _Worker) -> None:
        try:
            sent = worker.sock.send(worker.outbox)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            sent = len(worker.outbox)
        del worker.outbox[:sent]
        if not worker.outbox:
            worker.writing = False
            assert self._loop is not None
            self._loop.remove_writer(worker.sock.fileno())

    @staticmethod
    def _fail(task: _Task, exc: Exception) -> None:
        if not task.future.done():
            task.future.set_exception(exc)
