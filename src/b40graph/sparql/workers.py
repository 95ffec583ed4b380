"""Public SPARQL queries run in worker processes, so a time limit can really stop the work.

pyoxigraph cannot cancel a running query, and a thread cannot be killed. Each worker process opens the
store read-only; a query that runs past the limit gets its worker killed and replaced, and the client
gets a clear error. Other clients keep being served by the other workers meanwhile.

A worker joins the pool only once it says it is ready (its imports done), so starting a process never eats
into a query's time limit; a request that finds no free worker while one is starting waits for it (up to
STARTUP_TIMEOUT) rather than only the query timeout. An unexpected error in a worker is logged here, in the
server's process, with the worker's traceback; the client gets a short message.

Each worker may use `memory` bytes (RLIMIT_DATA: heap and private mappings; the store's files are mapped
read-only and do not count): a query that needs more makes the allocator fail, the worker dies, and the
client gets 422 saying so. So the server's memory stays under its own plus `size` times `memory`. Workers die
with the server (the kernel kills them when their parent goes, and they watch for it too), and a worker that
died while idle (the OS's OOM killer, an operator's kill) is replaced before a query is given to it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from b40graph.sparql.results import QueryError, QueryResult, SerializedResult

log = logging.getLogger(__name__)
STARTUP_TIMEOUT = 60.0  # seconds a new worker process may take to be ready
INTERNAL = "the query failed with an internal error; it has been logged on the server"
_POOLS: weakref.WeakSet[QueryPool] = weakref.WeakSet()


@atexit.register
def _close_pools() -> None:
    """At exit, stop the workers before multiprocessing does, so a worker still starting is not an error."""
    for pool in list(_POOLS):
        pool.close()


@dataclass
class Job:
    store: str
    query: str
    fmt: str | None  # a format key (core.formats) to answer in bytes, or None for the typed result
    cap: int
    default_graph: list[str] | None
    named_graphs: list[str] | None
    base_iri: str | None = None
    union_default: bool = True  # no default graph of its own: queries see the union of the named graphs


MEMORY_EXIT_CODES = (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV)  # an allocation failed, or the OOM killer


def _die_with_parent(parent: int) -> None:
    """In a worker: end when the server ends, even in the middle of a query (SIGKILL of the server included)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass

    def watch() -> None:  # elsewhere, and for a parent that went before prctl took effect
        while os.getppid() == parent:
            threading.Event().wait(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _limit_memory(memory: int | None) -> None:
    if memory:
        import resource

        resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))


def _worker(conn: Connection, parent: int = 0, memory: int | None = None) -> None:  # runs in the child process
    import traceback

    if parent:
        _die_with_parent(parent)
    import pyoxigraph as ox

    from b40graph.sparql.results import QueryError as Error
    from b40graph.sparql.results import run_local

    _limit_memory(memory)
    stores: dict[str, ox.Store] = {}
    conn.send(("ready", None))
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            store = stores.get(job.store)
            if store is None:
                stores.clear()
                store = stores[job.store] = ox.Store.read_only(job.store)
            results = run_local(
                store,
                job.query,
                job.cap,
                job.default_graph,
                job.named_graphs,
                union_default=job.union_default,
                base_iri=job.base_iri,
            )
            conn.send(("ok", results if job.fmt is None else results.serialized(job.fmt)))
        except Error as err:
            conn.send(("error", (str(err), err.status, err.reason)))
        except MemoryError:
            conn.send(("memory", None))
        except Exception:  # noqa: BLE001 - logged by the parent with this traceback; the client gets a 500
            conn.send(("crash", traceback.format_exc()))


class Worker:
    def __init__(self, ctx: Any, memory: int | None = None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, os.getpid(), memory), daemon=True)
        self.proc.start()
        child.close()

    def ready(self, timeout: float) -> bool:
        """Wait for the worker's first message, which says its imports are done."""
        try:
            return bool(self.conn.poll(timeout)) and self.conn.recv() == ("ready", None)
        except (EOFError, OSError, TypeError, ValueError):  # closed by close() meanwhile
            return False

    def kill(self) -> None:
        """Stop the process and close the pipe; safe to call twice (close() and a starting worker's thread)."""
        self.proc.kill()
        self.proc.join(timeout=5)
        with contextlib.suppress(OSError):
            if not self.conn.closed:
                self.conn.close()


class QueryPool:
    def __init__(self, size: int, timeout: float, memory: int | None = None) -> None:
        self.ctx = mp.get_context("spawn")
        self.timeout = timeout
        self.memory = memory
        self.idle: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[Worker] = []
        self.starting = 0  # workers started and not yet ready
        self.closed = False
        self.killed = 0
        _POOLS.add(self)
        for _ in range(max(1, size)):
            self._start()

    def _start(self, attempt: int = 1) -> None:
        """Start a worker process (here: the spawn handshake is over when this returns); it joins the idle
        ones when it says it is ready, which a thread waits for (the caller does not)."""
        with self._lock:
            if self.closed:
                return
            worker = Worker(self.ctx, self.memory)
            self._all.append(worker)
            self.starting += 1
        threading.Thread(target=self._join_when_ready, args=(worker, attempt), daemon=True).start()

    def _join_when_ready(self, worker: Worker, attempt: int) -> None:
        try:
            self._admit(worker, attempt)
        except Exception:  # a thread's error would otherwise be lost
            log.exception("starting a query worker failed")

    def _admit(self, worker: Worker, attempt: int) -> None:
        ready = worker.ready(STARTUP_TIMEOUT)
        with self._lock:
            self.starting -= 1
            closed = self.closed
            if ready and not closed:
                self.idle.put(worker)
                return
        if closed:  # stopped by close() (or at exit), which killed it: not an error
            return
        self._drop(worker)
        log.error("a query worker did not start (attempt %d, exit code %s)", attempt, worker.proc.exitcode)
        if attempt < 3:
            self._start(attempt + 1)

    def _drop(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def _replace(self, worker: Worker) -> None:
        self._drop(worker)
        with self._lock:
            self.killed += 1
        self._start()

    def _take(self) -> Worker:
        """A free, living worker (one that died while idle is replaced): wait up to the query timeout, and while
        a worker is starting, for it to be ready."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                worker = self.idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if worker.proc.is_alive():
                return worker
            log.warning("a query worker died while idle (exit code %s); replacing it", worker.proc.exitcode)
            self._replace(worker)
        with self._lock:
            starting = self.starting
        if starting:
            try:
                return self.idle.get(timeout=STARTUP_TIMEOUT)
            except queue.Empty:
                pass
        raise QueryError(
            f"the endpoint is busy: no query worker became free within {self.timeout:g} s; try again shortly",
            503,
            "busy",
        )

    def run(self, job: Job) -> QueryResult | SerializedResult:
        worker = self._take()
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):  # the time limit counts from here: the query's own run
                self._replace(worker)
                raise QueryError(
                    f"the query ran past the time limit of {self.timeout:g} s and was stopped; narrow it or add LIMIT",
                    503,
                    "timeout",
                )
            status, payload = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            worker.proc.join(timeout=2)
            code = worker.proc.exitcode
            self._replace(worker)
            if self.memory and code in MEMORY_EXIT_CODES:
                log.warning("a query needed more than %d MiB: %s", self.memory >> 20, job.query[:500])
                raise self._too_big() from None
            log.error("a query worker stopped unexpectedly (exit code %s) running: %s", code, job.query[:2000])
            raise QueryError(INTERNAL, 500, "internal") from None
        self.idle.put(worker)
        if status == "memory":
            raise self._too_big()
        if status == "crash":
            log.error("a query worker failed running: %s\n%s", job.query[:2000], payload)
            raise QueryError(INTERNAL, 500, "internal")
        if status == "error":
            message, code, reason = payload
            raise QueryError(message, code, reason)
        assert isinstance(payload, QueryResult | SerializedResult)
        return payload

    def _too_big(self) -> QueryError:
        mib = (self.memory or 0) >> 20
        return QueryError(
            f"the query needed more memory than the {mib} MiB one query may use on this endpoint and was stopped; "
            "narrow it (fewer variables in ORDER BY or GROUP BY, a more selective pattern) or add LIMIT",
            422,
            "memory-limit",
        )

    def close(self) -> None:
        with self._lock:
            self.closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
