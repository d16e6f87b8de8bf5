"""Running the cleaner off the reactor thread, with a per-page time limit.

Scrapy runs middlewares and pipelines on its reactor thread, so CPU-heavy cleaning there
stalls every download in flight, and the extractor has no timeout of its own. Pages are
therefore cleaned in lazily started worker processes; a page over the limit is reported as
a timeout and its worker killed and replaced, so one pathological page cannot hang a crawl.

Under asyncio (Scrapy's default reactor) the workers are a :class:`~.procpool.ProcessPool`,
fed by the event loop itself; elsewhere (another Twisted reactor, synchronous callers) a
``ProcessPoolExecutor``, whose helper threads cost the reactor more (issue 5, measured in
``benchmarks/bench_pool.py``).
"""
from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable

from .procpool import PageTimeout, ProcessPool, TaskFailed, WorkerLost
from .result import CleanConfig, CleanResult

logger = logging.getLogger(__name__)

#: Reasons a page is passed on uncleaned (the stats key is ``govclean/skipped/<reason>``).
TIMEOUT = "timeout"
CORE_ERROR = "core_error"
WORKER_LOST = "worker_lost"

#: Pages in flight per worker: one being cleaned, the rest queued so the worker never waits
#: for the reactor to hand over the next one (the reactor is busy in bursts: garbage
#: collections, batches of responses).
PER_WORKER = 8

#: Workers run this much nicer than the crawl process: the reactor, which feeds them and
#: keeps downloads flowing, gets a core first (measured: fewer reactor waits for a CPU, and
#: more pages/s, since idle workers cost more than a briefly queued page).
WORKER_NICE = 10

#: Seconds a fresh pool may take to answer its first no-op task: starting processes and
#: importing the extractor must not count against a page's time limit.
STARTUP_GRACE = 120.0


@dataclass
class Outcome:
    """What cleaning one page gave: a result, or the reason there is none."""

    result: CleanResult | None = None
    error: str | None = None
    detail: str = ""
    seconds: float = 0.0
    #: ``dedupe.text_features(result.text)`` when the pool was asked for it (else None).
    features: Any = None


def load_cleaner(path: str) -> Callable[..., CleanResult]:
    """Import the cleaning function named by an import path (GOVCLEAN_CLEANER)."""
    module_name, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


#: In a worker process: the shared array where each task stamps the moment it starts.
_started_at: Any = None


def _init_worker(cleaner: str, started_at: Any = None) -> None:
    """Warm a worker up (imports) and leave Ctrl-C to the crawler process."""
    global _started_at  # per worker process, set once by the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(WORKER_NICE)
    except (AttributeError, OSError):  # no nice() on this platform: same priority then
        pass
    _started_at = started_at
    load_cleaner(cleaner)
    from .fingerprint import simhash64

    simhash64("warm the normalisation tables " * 4)  # built once here, not on a first page


def run_clean(
    cleaner: str,
    body: bytes | str,
    url: str,
    encoding: str | None,
    config: CleanConfig,
    ticket: int | None = None,
    with_features: bool = False,
) -> tuple[CleanResult | None, str, float, Any]:
    """Clean one page; never raises, so a worker never dies of a bad page.

    ``ticket`` names this task's cell in the pool's start-stamp array: the parent reads
    it to start the page's clock when the page starts, not when it was queued.
    ``with_features``: also fingerprint the clean text for the near-duplicate index, so
    the crawl process need not.
    Returns (result, error detail, seconds spent, text features or None).
    """
    if ticket is not None and _started_at is not None:
        _started_at[ticket] = time.monotonic()  # CLOCK_MONOTONIC: one clock for all processes
    started = time.perf_counter()
    try:
        result = load_cleaner(cleaner)(body, url, encoding=encoding, config=config)
        seconds = time.perf_counter() - started
    except Exception as exc:  # noqa: BLE001 - any failure of the core is a skip, not a crash
        return None, f"{type(exc).__name__}: {exc}"[:500], time.perf_counter() - started, None
    features = None
    if with_features and isinstance(getattr(result, "text", None), str) and result.text:
        try:
            from .dedupe import text_features

            features = text_features(result.text)
        except Exception:  # noqa: BLE001 - the pipeline computes them itself then
            features = None
    return result, "", seconds, features


def clean_task(
    cleaner: str, config: CleanConfig, with_features: bool, body: bytes | str, url: str, encoding: str | None
) -> tuple[CleanResult | None, str, float, Any]:
    """One page in a :class:`~scrapy_govclean.procpool.ProcessPool` worker (see :func:`run_clean`)."""
    return run_clean(cleaner, body, url, encoding, config, with_features=with_features)


def _ping() -> bool:
    """A no-op task: its answer means a worker is up and has imported the cleaner."""
    return True


def asyncio_available() -> bool:
    """Whether asyncio futures can be awaited here (asyncio reactor or reactorless)."""
    try:
        from scrapy.utils.asyncio import is_asyncio_available
    except ImportError:  # Scrapy < 2.14
        try:
            asyncio.get_running_loop()
            return True
        except RuntimeError:
            from scrapy.utils.reactor import is_asyncio_reactor_installed

            return is_asyncio_reactor_installed()
    return is_asyncio_available()


async def _await_future(fut: Future, timeout: float) -> Any:
    """Await a concurrent future without blocking the event loop / reactor."""
    if asyncio_available():
        try:
            # shielded: a timeout must not cancel a page still queued for a worker
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(fut)), timeout)
        except asyncio.TimeoutError:
            raise FutureTimeout() from None
    from twisted.internet import defer, reactor

    d: defer.Deferred = defer.Deferred()

    def _fire(f: Future) -> None:
        if d.called:
            return
        exc = f.exception()
        if exc is not None:
            d.errback(exc)
        else:
            d.callback(f.result())

    fut.add_done_callback(lambda f: reactor.callFromThread(_fire, f))
    d.addTimeout(timeout, reactor)
    try:
        return await d
    except defer.TimeoutError:
        raise FutureTimeout() from None


async def _in_thread(func: Callable[..., Any], *args: Any) -> Any:
    """Run a blocking call (starting worker processes) off the reactor thread."""
    if asyncio_available():
        return await asyncio.to_thread(func, *args)
    from twisted.internet.threads import deferToThread

    return await deferToThread(func, *args)


class _Slots:
    """A semaphore bounding pages in flight, handing each a ticket (its start-stamp cell).

    ``PER_WORKER`` times the worker count are in flight: each worker has pages queued while
    it cleans one, so it never idles waiting for the reactor to hand over the next page.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._sem: Any = None
        self._free = list(range(size))

    async def acquire(self) -> None:
        if self._sem is None:
            if asyncio_available():
                self._sem = asyncio.Semaphore(self._size)
            else:
                from twisted.internet.defer import DeferredSemaphore

                self._sem = DeferredSemaphore(self._size)
        await self._sem.acquire()

    def take(self) -> int:
        """A free ticket (call after :meth:`acquire`)."""
        return self._free.pop()

    def release(self, ticket: int) -> None:
        self._free.append(ticket)
        self._sem.release()


class CleanerPool:
    """Cleans pages inline (workers=0) or in a lazily started process pool."""

    def __init__(
        self, workers: int, timeout: float, config: CleanConfig, cleaner: str, *, features: bool = False
    ) -> None:
        self.workers = workers
        self.features = features
        self.timeout = timeout
        self.config = config
        self.cleaner = cleaner
        self._executor_restarts = 0
        self._procs: ProcessPool | None = None  # under asyncio
        self._executor: ProcessPoolExecutor | None = None  # elsewhere (Twisted reactors, blocking callers)
        self._warm = False
        self._slots = _Slots(PER_WORKER * max(workers, 1))
        self._started_at: Any = None  # shared start stamps, one cell per ticket
        self._closed = False

    # -- pool management -------------------------------------------------------------
    @property
    def restarts(self) -> int:
        """Workers killed and replaced (hung pages, crashes)."""
        return self._executor_restarts + (self._procs.restarts if self._procs is not None else 0)

    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (for benchmarks and diagnostics)."""
        pids = self._procs.pids() if self._procs is not None else []
        if self._executor is not None:
            pids += [p.pid for p in (getattr(self._executor, "_processes", None) or {}).values()]
        return pids

    def _context(self) -> Any:
        """forkserver on POSIX (no inherited reactor threads or sockets), spawn elsewhere."""
        methods = multiprocessing.get_all_start_methods()
        if "forkserver" in methods and sys.platform != "darwin":
            ctx = multiprocessing.get_context("forkserver")
            # Workers forked from a server that already imported the cleaner start in milliseconds.
            ctx.set_forkserver_preload([self.cleaner.rpartition(".")[0]])
            return ctx
        return multiprocessing.get_context("spawn")

    def _get_executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            ctx = self._context()
            # lock-free: each cell has one writer (the worker running that ticket's page)
            self._started_at = ctx.Array("d", PER_WORKER * max(self.workers, 1), lock=False)
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(self.cleaner, self._started_at),
            )
            logger.debug("govclean: started %d cleaning worker process(es)", self.workers)
        return self._executor

    @staticmethod
    def _kill(executor: ProcessPoolExecutor) -> None:
        """Stop an executor's processes now, even one stuck in C code."""
        processes = list((getattr(executor, "_processes", None) or {}).values())
        for proc in processes:
            try:
                proc.kill()
            except Exception:  # noqa: BLE001 - already gone
                pass
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.join(timeout=2)

    def _restart(self, executor: ProcessPoolExecutor) -> None:
        """Throw away a hung or broken pool; the next page starts a fresh one."""
        if self._executor is executor:
            self._executor = None
            self._warm = False
            self._executor_restarts += 1
        self._kill(executor)

    def close(self) -> None:
        """Shut the pool down (spider_closed); idempotent."""
        self._closed = True
        procs, self._procs = self._procs, None
        if procs is not None:
            procs.close()
        executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.join(timeout=2)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=1)

    # -- cleaning ------------------------------------------------------------------------
    def _outcome(self, value: tuple[CleanResult | None, str, float, Any]) -> Outcome:
        result, detail, seconds, features = value
        if result is None:
            return Outcome(error=CORE_ERROR, detail=detail, seconds=seconds)
        if seconds > self.timeout:
            return Outcome(
                error=TIMEOUT, detail=f"took {seconds:.2f}s > GOVCLEAN_TIMEOUT={self.timeout:g}s", seconds=seconds
            )
        return Outcome(result=result, seconds=seconds, features=features)

    def clean_inline(self, body: bytes | str, url: str, encoding: str | None) -> Outcome:
        """Clean on the calling thread; the time limit can only be checked afterwards."""
        return self._outcome(run_clean(self.cleaner, body, url, encoding, self.config))

    def _timeout_outcome(self) -> Outcome:
        return Outcome(
            error=TIMEOUT,
            detail=f"not done within GOVCLEAN_TIMEOUT={self.timeout:g}s; worker killed",
            seconds=self.timeout,
        )

    async def clean(self, body: bytes | str, url: str, encoding: str | None) -> Outcome:
        """Clean one page without blocking the reactor; never raises."""
        if self.workers == 0 or self._closed:
            return self.clean_inline(body, url, encoding)
        if asyncio_available():
            return await self._clean_in_processes(body, url, encoding)
        await self._slots.acquire()
        ticket = self._slots.take()
        try:
            detail = ""
            for _attempt in range(2):
                executor = self._get_executor()
                try:
                    if not self._warm:
                        # Starting processes blocks (the fork server imports the extractor
                        # first): do it in a thread so downloads keep flowing meanwhile.
                        ping = await _in_thread(executor.submit, _ping)
                        await _await_future(ping, STARTUP_GRACE)
                        self._warm = self._executor is executor
                    stamps = self._started_at
                    stamps[ticket] = 0.0
                    fut = executor.submit(
                        run_clean, self.cleaner, body, url, encoding, self.config, ticket, self.features
                    )
                    value = await self._await_page(fut, stamps, ticket)
                except FutureTimeout:
                    self._restart(executor)
                    return self._timeout_outcome()
                except BrokenProcessPool as exc:
                    # Killed because another page hung, or a worker crashed: retry once on a fresh pool.
                    self._restart(executor)
                    detail = f"worker process died: {exc}"
                    continue
                except Exception as exc:  # noqa: BLE001 - e.g. the page cannot be pickled
                    return Outcome(error=CORE_ERROR, detail=f"{type(exc).__name__}: {exc}"[:500])
                return self._outcome(value)
            return Outcome(error=WORKER_LOST, detail=detail[:500])
        finally:
            self._slots.release(ticket)

    async def _clean_in_processes(self, body: bytes | str, url: str, encoding: str | None) -> Outcome:
        """Clean in a worker fed by the event loop itself (no helper threads, see procpool)."""
        if self._procs is None:
            self._procs = ProcessPool(
                self._context(), self.workers, self.timeout, STARTUP_GRACE,
                init=functools.partial(_init_worker, self.cleaner),
                handle=functools.partial(clean_task, self.cleaner, self.config, self.features),
            )
        await self._slots.acquire()
        ticket = self._slots.take()  # only bounds the pages in flight here
        try:
            value = await self._procs.run(body, url, encoding)
        except PageTimeout:
            return self._timeout_outcome()
        except WorkerLost as exc:
            return Outcome(error=WORKER_LOST, detail=str(exc)[:500])
        except TaskFailed as exc:
            return Outcome(error=CORE_ERROR, detail=str(exc)[:500])
        finally:
            self._slots.release(ticket)
        return self._outcome(value)

    async def _await_page(self, fut: Future, stamps: Any, ticket: int) -> Any:
        """The page's result; FutureTimeout once it has RUN longer than the time limit.

        A queued page (its worker still busy with the page before it) has not started its
        clock: the wait is extended until the worker stamps the page's start.
        """
        waited_unstarted = 0.0
        while True:
            started = stamps[ticket]
            if started:
                wait = started + self.timeout - time.monotonic()
                if wait <= 0:
                    raise FutureTimeout()
            else:
                # the page ahead of it is itself bounded by the limit; a worker that never
                # starts it (all hung, pool wedged) is given up after a generous bound
                if waited_unstarted > PER_WORKER * self.timeout + STARTUP_GRACE:
                    raise FutureTimeout()
                wait = self.timeout
            try:
                return await _await_future(fut, wait)
            except FutureTimeout:
                if fut.done():
                    return fut.result()
                if not started:
                    waited_unstarted += wait

    def clean_blocking(self, body: bytes | str, url: str, encoding: str | None) -> Outcome:
        """For synchronous callers (old Scrapy): use the pool, but wait on this thread."""
        if self.workers == 0 or self._closed:
            return self.clean_inline(body, url, encoding)
        detail = ""
        for _attempt in range(2):
            executor = self._get_executor()
            try:
                if not self._warm:
                    executor.submit(_ping).result(timeout=STARTUP_GRACE)
                    self._warm = self._executor is executor
                value = executor.submit(
                    run_clean, self.cleaner, body, url, encoding, self.config, None, self.features
                ).result(timeout=self.timeout)
            except FutureTimeout:
                self._restart(executor)
                return self._timeout_outcome()
            except BrokenProcessPool as exc:
                self._restart(executor)
                detail = f"worker process died: {exc}"
                continue
            except Exception as exc:  # noqa: BLE001
                return Outcome(error=CORE_ERROR, detail=f"{type(exc).__name__}: {exc}"[:500])
            return self._outcome(value)
        return Outcome(error=WORKER_LOST, detail=detail[:500])
