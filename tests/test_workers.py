"""Query workers (issue 12, items 3 and 5): each has a memory allowance that a query cannot exceed, they die with
the server whatever the signal, and one that died while idle is replaced before a query is given to it."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from benchmarks.loadmix import _children

from b40graph.sparql.results import QueryError, SerializedResult
from b40graph.sparql.workers import Job, QueryPool

from .conftest import running_server

SORT_RUNAWAY = "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y } ORDER BY ?x ?y LIMIT 1"
CROSS_RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("store")
    store = ox.Store(str(folder))
    p = ox.NamedNode("http://example.org/p")
    store.extend(
        ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(f"value {i:05d}"), ox.DefaultGraph())
        for i in range(4000)
    )
    store.flush()
    del store
    return str(folder)


def _job(store: str, query: str) -> Job:
    return Job(store, query, "json", 1000, None, None, union_default=False)


def test_a_query_past_its_memory_allowance_is_stopped_with_422(store_path: str) -> None:
    pool = QueryPool(1, timeout=60, memory=400 << 20)
    try:
        started = time.monotonic()
        with pytest.raises(QueryError) as err:
            pool.run(_job(store_path, SORT_RUNAWAY))  # 16M rows to sort: gigabytes without the allowance
        assert err.value.status == 422 and err.value.reason == "memory-limit"
        assert "400 MiB" in str(err.value)
        assert time.monotonic() - started < 60  # stopped by the allowance, not by the time limit
        answer = pool.run(_job(store_path, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        assert isinstance(answer, SerializedResult) and b'"4000"' in answer.body
    finally:
        pool.close()


def test_an_idle_worker_killed_by_the_os_is_replaced_before_use(store_path: str) -> None:
    pool = QueryPool(1, timeout=10)
    try:
        pool.run(_job(store_path, "ASK { ?s ?p ?o }"))
        worker = pool._all[0]
        os.kill(worker.proc.pid, signal.SIGKILL)
        worker.proc.join(5)
        answer = pool.run(_job(store_path, "ASK { ?s ?p ?o }"))
        assert isinstance(answer, SerializedResult) and b"true" in answer.body
        assert pool._all[0] is not worker
    finally:
        pool.close()


def _gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]
        time.sleep(0.1)
    return alive


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
    except (OSError, IndexError):
        return "Z"


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_server_even_mid_query(built, sig: int) -> None:
    settings, _ = built
    args = ["--root", str(settings.root), "--out", str(settings.out_dir), "--no-build", "--query-timeout", "30"]
    with running_server(*args, "--query-workers", "2") as url:

        def ask() -> None:
            with contextlib.suppress(requests.RequestException):  # the server is killed while it answers
                requests.get(url + "/sparql", params={"query": CROSS_RUNAWAY}, timeout=60)

        runaway = threading.Thread(target=ask, daemon=True)
        runaway.start()
        time.sleep(1.5)  # the runaway is running in a worker
        pid = _server_pid(url)
        workers = [c for c in _children(pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()]
        assert workers, "no query worker found"
        os.kill(pid, sig)
        assert _gone(workers, 10) == []


def _server_pid(url: str) -> int:
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_text()
            except OSError:
                continue
            if "b40graph.cli" in cmd and f"\0{port}" in cmd:
                return int(proc.name)
    raise AssertionError("server process not found")
