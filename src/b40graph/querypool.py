"""Public SPARQL queries run in worker processes, so a time limit can really stop the work.

pyoxigraph cannot cancel a running query, and a thread cannot be killed. Each worker process opens the
store read-only; a query that runs past the limit gets its worker killed and replaced, and the client
gets a clear error. Other clients keep being served by the other workers meanwhile.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from .results import QueryError


@dataclass
class Job:
    store: str
    query: str
    fmt: str
    cap: int
    default_graph: list[str] | None
    named_graphs: list[str] | None
    base_iri: str | None = None
    union_default: bool = True  # no default graph of its own: queries see the union of the named graphs


def _worker(conn: Connection) -> None:  # runs in the child process
    import pyoxigraph as ox

    from .results import QueryError as Error
    from .results import run_local

    stores: dict[str, ox.Store] = {}
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
            if job.fmt == "results":
                conn.send(("ok", results))
            else:
                body, _ = results.serialize(job.fmt)
                conn.send(("ok-bytes", (results.kind, body)))
        except Error as err:
            conn.send(("error", (str(err), err.status, err.reason)))
        except Exception as err:  # noqa: BLE001 - reported to the client as a 500 with the message
            conn.send(("error", (f"the query failed: {err}", 500, "error")))


class Worker:
    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child,), daemon=True)
        self.proc.start()
        child.close()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(timeout=5)
        self.conn.close()


class QueryPool:
    def __init__(self, size: int, timeout: float) -> None:
        self.ctx = mp.get_context("spawn")
        self.timeout = timeout
        self.idle: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[Worker] = []
        self.killed = 0
        for _ in range(max(1, size)):
            self._add()

    def _add(self) -> None:
        worker = Worker(self.ctx)
        with self._lock:
            self._all.append(worker)
        self.idle.put(worker)

    def _replace(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.remove(worker)
            self.killed += 1
        threading.Thread(target=self._add, daemon=True).start()

    def run(self, job: Job) -> tuple[str, Any]:
        started = time.monotonic()
        try:
            worker = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryError(
                f"the endpoint is busy: no query worker became free within {self.timeout:g} s; try again shortly",
                503,
                "busy",
            ) from None
        left = max(0.05, self.timeout - (time.monotonic() - started))
        try:
            worker.conn.send(job)
            if not worker.conn.poll(left):
                self._replace(worker)
                raise QueryError(
                    f"the query ran past the time limit of {self.timeout:g} s and was stopped; narrow it or add LIMIT",
                    503,
                    "timeout",
                )
            status, payload = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise QueryError("the query worker stopped unexpectedly; try again", 500, "error") from None
        self.idle.put(worker)
        if status == "error":
            message, code, reason = payload
            raise QueryError(message, code, reason)
        return status, payload

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
