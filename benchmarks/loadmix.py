"""A bounded load against a b40graph server on 127.0.0.1: a fixed mix of resource pages, downloads and SPARQL
queries (a few runaway queries among them), several concurrent clients, a hard stop.

Shared by `benchmarks/load.py` (prints the figures) and `tests/test_load.py` (asserts on them).
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_CLIENT = "127.0.0.250"  # the address the mix's runaway queries come from
SORT_RUNAWAY = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"  # memory, not only time
SELECT = (
    "PREFIX b40: <https://w3id.org/b40/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?p ?l WHERE { ?d b40:signatory ?p . OPTIONAL { ?p rdfs:label ?l } } LIMIT 50"
)
#: (kind, path, Accept, SPARQL query or None). Runaways are added by `plan`.
MIX: list[tuple[str, str, str, str | None]] = [
    ("page-html", "/doc/municipality/prishtina", "text/html", None),
    ("page-html", "/doc/declaration/2021-b40-founding-declaration", "text/html", None),
    ("page-html", "/doc/theme/climate-action", "text/html", None),
    ("page-html", "/", "text/html", None),
    ("page-turtle", "/doc/municipality/athens", "text/turtle", None),
    ("page-turtle", "/doc/person/merita-maliqi", "text/turtle", None),
    ("page-turtle", "/doc/network/b40", "application/ld+json", None),
    ("download", "/download/b40.ttl", "*/*", None),
    ("download", "/download/b40.nq.gz", "*/*", None),
    ("download", "/download/graph/reference.ttl", "*/*", None),
    ("sparql", "/sparql", "application/sparql-results+json", SELECT),
    ("sparql", "/sparql", "text/csv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
    ("sparql", "/sparql", "text/turtle", "CONSTRUCT WHERE { ?s a <https://w3id.org/b40/ontology#Declaration> }"),
    ("redirect", "/id/place/sofia", "text/turtle", None),
]


@dataclass
class Result:
    kind: str
    status: int  # 0 = no answer (connection error or client timeout)
    seconds: float
    error: str = ""


@dataclass
class Round:
    results: list[Result] = field(default_factory=list)
    wall: float = 0.0
    stopped_early: bool = False

    def normal(self) -> list[Result]:
        return [r for r in self.results if r.kind != "runaway"]

    def errors(self) -> list[Result]:
        """Every answer that is not what it should be: runaways must get 503, the rest 2xx/3xx/304."""
        bad = []
        for r in self.results:
            ok = r.status == 503 if r.kind == "runaway" else 200 <= r.status < 400
            if not ok:
                bad.append(r)
        return bad

    def figures(self) -> dict[str, float]:
        times = sorted(r.seconds for r in self.normal()) or [0.0]

        def pct(p: float) -> float:
            return times[min(len(times) - 1, round(p * (len(times) - 1)))] * 1000

        return {
            "requests": len(self.results),
            "runaways": len(self.results) - len(self.normal()),
            "requests_per_s": len(self.results) / self.wall if self.wall else 0.0,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "mean_ms": statistics.fmean(times) * 1000,
            "errors": len(self.errors()),
        }


def plan(requests_total: int, runaway_every: int) -> list[tuple[str, str, str, str | None]]:
    """The same list of requests for every round: the mix in order, one runaway every `runaway_every`."""
    mix = itertools.cycle(MIX)
    out = []
    for i in range(requests_total):
        if runaway_every and i % runaway_every == runaway_every // 2:
            out.append(("runaway", "/sparql", "application/sparql-results+json", RUNAWAY))
        else:
            out.append(next(mix))
    return out


def run_round(url: str, requests_total: int, clients: int, hard_stop: float, runaway_every: int) -> Round:
    """Send the plan with `clients` threads; stop taking new work after `hard_stop` seconds."""
    jobs = plan(requests_total, runaway_every)
    local = threading.local()
    numbers = itertools.count()
    one_runaway = threading.Semaphore(1)  # at most one runaway at a time: a query worker always stays free
    deadline = time.monotonic() + hard_stop
    round_ = Round()

    def one(job: tuple[str, str, str, str | None]) -> Result | None:
        if time.monotonic() > deadline:
            return None
        session = getattr(local, "session", None)
        if session is None:  # each simulated client from an address of its own, as real clients are
            session = local.session = client_session(f"127.0.0.{10 + next(numbers) % 200}")
            local.runaway = client_session(RUNAWAY_CLIENT)
        kind, path, accept, query = job
        if kind == "runaway":  # runaways come from one misbehaving client, not from every client of the mix
            session = local.runaway
        guard = one_runaway if kind == "runaway" else contextlib.nullcontext()
        with guard:
            started = time.monotonic()
            try:
                params = {"query": query} if query else None
                r = session.get(
                    url + path, params=params, headers={"Accept": accept}, timeout=60, allow_redirects=False
                )
                _ = r.content
                return Result(kind, r.status_code, time.monotonic() - started)
            except requests.RequestException as err:
                return Result(kind, 0, time.monotonic() - started, type(err).__name__)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for result in pool.map(one, jobs):
            if result is None:
                round_.stopped_early = True
            else:
                round_.results.append(result)
    round_.wall = time.monotonic() - started
    return round_


class _BoundAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def client_session(source: str) -> requests.Session:
    """A session whose connections come from `source`, an address of the loopback range (127.0.0.0/8):
    the server tells clients apart by address, so simulated clients need addresses of their own."""
    session = requests.Session()
    session.mount("http://", _BoundAdapter(source))
    return session


# -- the server and its memory ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(*args: str) -> Iterator[tuple[str, int]]:
    """`b40graph serve ARGS` on a free port of 127.0.0.1; yields (root URL, pid) and stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "b40graph.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}")
            try:
                requests.get(url + "/sparql", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (psutil when installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            todo += _children(current)
    return total


def settle(url: str, pid: int, seconds: float = 1.0) -> int:
    """RSS after the killed query workers have been replaced (their respawn is asynchronous)."""
    time.sleep(seconds)
    requests.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    return rss_bytes(pid)


# -- scenarios of a busy day (benchmarks/load.py --scenarios) ---------------------------------------------------
PAGES = ["/doc/municipality/athens", "/doc/declaration/2021-b40-founding-declaration", "/", "/doc/person/merita-maliqi"]
ONE_ROW = "SELECT ?d WHERE { ?d a <https://w3id.org/b40/ontology#Declaration> } LIMIT 1"


def page_latencies(url: str, count: int, source: str = "127.0.0.3") -> list[float]:
    """Seconds per page request of one normal client (HTML and Turtle in turn), `count` requests."""
    session = client_session(source)
    times = []
    for i in range(count):
        path = PAGES[i % len(PAGES)]
        accept = "text/html" if i % 2 else "text/turtle"
        started = time.monotonic()
        r = session.get(url + path, headers={"Accept": accept}, timeout=60)
        _ = r.content
        times.append(time.monotonic() - started)
    return times


def one_row_seconds(url: str, source: str = "127.0.0.4") -> tuple[int, float]:
    started = time.monotonic()
    r = client_session(source).get(url + "/sparql", params={"query": ONE_ROW}, timeout=60)
    return r.status_code, time.monotonic() - started


@contextlib.contextmanager
def slow_connections(url: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections that each sent half a request and then nothing (bounded: at most 2000)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(count + 200, hard), hard))
    host, port = url.removeprefix("http://").split(":")
    held: list[socket.socket] = []
    try:
        for i in range(min(count, 2000)):
            sock = socket.create_connection((host, int(port)), timeout=10)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" if i % 2 else b"GET /doc")
            held.append(sock)
        yield held
    finally:
        for sock in held:
            sock.close()


@contextlib.contextmanager
def runaway_clients(url: str, count: int, addresses: int, seconds: float, query: str = RUNAWAY) -> Iterator[list[int]]:
    """`count` threads sending runaway queries without pause, from `addresses` distinct loopback addresses,
    until the block ends or `seconds` pass (a hard bound); yields the statuses they got."""
    stop = threading.Event()
    deadline = time.monotonic() + seconds
    statuses: list[int] = []

    def loop(n: int) -> None:
        session = client_session(f"127.0.1.{1 + n % max(1, addresses)}")
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                r = session.get(url + "/sparql", params={"query": query}, timeout=30)
                statuses.append(r.status_code)
                if r.status_code == 503 and r.headers.get("X-B40-Error") == "busy":
                    stop.wait(float(r.headers.get("Retry-After", "1")) / 4)
            except requests.RequestException:
                statuses.append(0)

    threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(count)]
    for t in threads:
        t.start()
    try:
        yield statuses
    finally:
        stop.set()
        for t in threads:
            t.join(35)


class PeakMemory:
    """Samples the server's memory (with its workers) every 0.2 s on a thread; `peak` in bytes."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            self._stop.wait(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)


__all__ = [
    "MIX",
    "PeakMemory",
    "Round",
    "client_session",
    "one_row_seconds",
    "page_latencies",
    "plan",
    "rss_bytes",
    "run_round",
    "runaway_clients",
    "server",
    "settle",
    "slow_connections",
]
