"""Serving benchmark: start time, resource-document latency, a fixed SPARQL mix and requests/second,
each side by side with a bare `oxigraph serve` over the same quads, in the same run. Prints a table.

    .venv/bin/python benchmarks/bench_serve.py                          # the project's own data
    .venv/bin/python benchmarks/bench_serve.py --root benchmarks/.work/n10000 --requests 2000

`--root` is a project folder (data/, ontology/, shapes/), e.g. one made by benchmarks/generate.py; it is
built first if its build is out of date (build time is bench_build.py's business, not measured here).
All servers bind 127.0.0.1; every run is bounded by --requests and --seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests
from loadmix import free_port

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
OXIGRAPH = shutil.which("oxigraph") or str(Path(PY).with_name("oxigraph"))
P = """PREFIX b40: <https://w3id.org/b40/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
ACCEPTS = ("text/html", "text/turtle")
# The fixed SPARQL mix: the questions the example queries answer, at every size.
MIX = [
    P + "SELECT ?country (COUNT(?m) AS ?n) WHERE { ?m org:memberOf ?net ; b40:country ?country } GROUP BY ?country",
    P + "SELECT ?d (COUNT(?p) AS ?n) WHERE { ?d b40:signatory ?p } GROUP BY ?d",
    P + "SELECT ?d ?t WHERE { ?d b40:commitsTo ?t } LIMIT 1000",
    P + "SELECT ?name ?city WHERE { ?s prov:agent ?p ; b40:onBehalfOf ?c . ?c rdfs:label ?city . "
    "?p rdfs:label ?name } LIMIT 100",
    P + "ASK { ?d a b40:Declaration ; dct:issued ?date }",
]


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    wall: float = 0.0

    def pct(self, q: float) -> float:
        if not self.seconds:
            return float("nan")
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def rps(self) -> float:
        return len(self.seconds) / self.wall if self.wall else float("nan")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b and b == b else "–"


def _latency(name: str, ours: Timings, theirs: Timings) -> tuple[str, str, str, str]:
    """p50 / p99 side by side; the ratio is theirs over ours at p50 (above 1: b40graph is faster)."""
    return (
        name,
        f"{ours.pct(0.5):.1f} / {ours.pct(0.99):.1f}",
        f"{theirs.pct(0.5):.1f} / {theirs.pct(0.99):.1f}",
        _ratio(theirs.pct(0.5), ours.pct(0.5)),
    )


@contextlib.contextmanager
def process(command: list[str], ready: str) -> Iterator[tuple[str, float]]:
    """Start a server, yield (root URL, seconds until it answered `ready`), stop it."""
    port = free_port()
    command = [c.replace("{port}", str(port)) for c in command]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {' '.join(command)}")
            try:
                if requests.get(url + ready, timeout=2).status_code < 500:
                    break
            except requests.ConnectionError:
                time.sleep(0.01)
        yield url, time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def run_load(calls: list[Callable[[requests.Session], int]], clients: int, seconds: float) -> Timings:
    """Each call once (in order, shared by `clients` threads), stopped after `seconds` in any case."""
    out = Timings()
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    local = threading.local()

    def one(call: Callable[[requests.Session], int]) -> None:
        if time.perf_counter() > stop:
            return
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        t0 = time.perf_counter()
        try:
            status = call(session)
        except requests.RequestException:
            status = 599
        elapsed = time.perf_counter() - t0
        with lock:
            if status >= 400:
                out.errors += 1
            else:
                out.seconds.append(elapsed)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, calls))
    out.wall = time.perf_counter() - t0
    return out


def get(url: str, accept: str) -> Callable[[requests.Session], int]:
    return lambda s: s.get(url, headers={"Accept": accept}, timeout=30).status_code


def sparql(url: str, query: str, accept: str = "application/sparql-results+json") -> Callable[[requests.Session], int]:
    return lambda s: s.post(url, data={"query": query}, headers={"Accept": accept}, timeout=30).status_code


def sample_things(store: Path, base: str, count: int, shift: bool = False) -> list[str]:
    """`count` things spread evenly over the sorted list; `shift` takes the ones half a step further on
    (a disjoint sample of the same mix, to warm a server up with)."""
    st = ox.Store.read_only(str(store))
    q = f"""SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ <{base}ontology#Municipality> <{base}ontology#Declaration>
        <http://xmlns.com/foaf/0.1/Person> <http://www.w3.org/2004/02/skos/core#Concept> }} ?s a ?c }}"""
    things = sorted(str(sol["s"].value) for sol in st.query(q, use_default_graph_as_union=True))  # type: ignore[union-attr]
    step = max(1, len(things) // count)
    return things[step // 2 if shift else 0 :: step][:count]


def build_if_needed(root: Path, out: Path) -> Path:
    from b40graph.core.settings import Settings
    from b40graph.pipeline import is_current

    if not is_current(Settings(root=root, out=out)):
        command = [PY, "-m", "b40graph.cli", "build", "--root", str(root), "--out", str(out)]
        done = subprocess.run(command, check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
    return (out / "current").resolve()


def median_start(command: list[str], ready: str, times: int = 3) -> float:
    starts = []
    for _ in range(times):
        with process(command, ready) as (_, seconds):
            starts.append(seconds)
    return statistics.median(starts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=REPO)
    ap.add_argument("--out", type=Path, help="build output (default: ROOT/dist)")
    ap.add_argument("--requests", type=int, default=1000, help="requests per measurement (bounded)")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=60, help="hard stop per measurement")
    ap.add_argument("--base", default="https://w3id.org/b40/")
    args = ap.parse_args()
    root = args.root.resolve()
    out = (args.out or root / "dist").resolve()
    release = build_if_needed(root, out)
    quads = len(ox.Store.read_only(str(release / "store")))
    n, c, secs = args.requests, args.clients, args.seconds
    env_workers = os.environ.get("B40_QUERY_WORKERS", "2")

    with tempfile.TemporaryDirectory(prefix="b40bench-") as tmp:
        oxdir = Path(tmp) / "ox"
        subprocess.run([OXIGRAPH, "load", "--location", str(oxdir), "--file", str(release / "b40.nq")], check=True,
                       capture_output=True)  # fmt: skip
        b40_cmd = [PY, "-m", "b40graph.cli", "serve", "--root", str(root), "--out", str(out), "--no-build",
                   "--host", "127.0.0.1", "--port", "{port}", "--query-workers", env_workers]  # fmt: skip
        ox_cmd = [OXIGRAPH, "serve", "--location", str(oxdir), "--bind", "127.0.0.1:{port}", "--union-default-graph"]
        start_b40 = median_start(b40_cmd, "/sparql?query=ASK%7B%7D")
        start_ox = median_start(ox_cmd, "/query?query=ASK%7B%7D")
        things = sample_things(release / "store", args.base, 200)
        rows: list[tuple[str, str, str, str]] = []
        with (
            process(b40_cmd, "/sparql?query=ASK%7B%7D") as (b40, _),
            process(ox_cmd, "/query?query=ASK%7B%7D") as (
                oxu,
                _,
            ),
        ):
            docs = [b40 + "/doc/" + t.removeprefix(args.base + "id/") for t in things]
            # warm both servers up on other documents of the same mix (a running server, not a cold one)
            warm = sample_things(release / "store", args.base, 200, shift=True)
            warm_docs = [b40 + "/doc/" + t.removeprefix(args.base + "id/") for t in warm]
            run_load([get(d, a) for d in warm_docs for a in ACCEPTS], 1, secs)
            run_load([sparql(oxu + "/query", f"DESCRIBE <{t}>", "text/turtle") for t in warm], 1, secs)
            # first requests (each document made afresh), then repeats (served from the document cache)
            html_first = run_load([get(d, "text/html") for d in docs], 1, secs)
            ttl_first = run_load([get(d, "text/turtle") for d in docs], 1, secs)
            html = run_load([get(d, "text/html") for d in (docs * (n // len(docs) + 1))[:n]], 1, secs)
            ttl = run_load([get(d, "text/turtle") for d in (docs * (n // len(docs) + 1))[:n]], 1, secs)
            describe = [sparql(oxu + "/query", f"DESCRIBE <{t}>", "text/turtle") for t in things]
            ox_doc = run_load((describe * (n // len(describe) + 1))[:n], 1, secs)
            mix_b40 = run_load([sparql(b40 + "/sparql", MIX[i % len(MIX)]) for i in range(n)], c, secs)
            mix_ox = run_load([sparql(oxu + "/query", MIX[i % len(MIX)]) for i in range(n)], c, secs)
            mixed = []
            for i in range(n):
                kind = i % 4
                mixed.append(
                    get(docs[i % len(docs)], "text/html")
                    if kind == 0
                    else get(docs[i % len(docs)], "text/turtle")
                    if kind == 1
                    else sparql(b40 + "/sparql", MIX[i % len(MIX)])
                    if kind == 2
                    else get(b40 + "/.well-known/void", "text/turtle")
                )
            load = run_load(mixed, c, secs)

        rows.append(("server start (s)", f"{start_b40:.2f}", f"{start_ox:.2f}", _ratio(start_ox, start_b40)))
        rows.append(_latency("document HTML, first request p50 / p99 (ms)", html_first, ox_doc))
        rows.append(_latency("document Turtle, first request p50 / p99 (ms)", ttl_first, ox_doc))
        rows.append(_latency("document HTML, repeated p50 / p99 (ms)", html, ox_doc))
        rows.append(_latency("document Turtle, repeated p50 / p99 (ms)", ttl, ox_doc))
        rows.append(_latency("SPARQL mix p50 / p99 (ms)", mix_b40, mix_ox))
        rows.append(("SPARQL mix (req/s)", f"{mix_b40.rps:.0f}", f"{mix_ox.rps:.0f}", _ratio(mix_b40.rps, mix_ox.rps)))
        rows.append(("mixed load (req/s, errors)", f"{load.rps:.0f}, {load.errors}", "–", "–"))
        ours = html.errors + ttl.errors + html_first.errors + ttl_first.errors + mix_b40.errors + load.errors
        theirs = ox_doc.errors + mix_ox.errors
    print(f"\n{quads} quads · {len(things)} sampled documents · {n} requests per row · {c} clients for the mix")
    print(f"errors: b40graph {ours}, oxigraph {theirs}\n")
    print("| measure | b40graph | bare oxigraph serve | ratio (b40graph relative; >1 is better) |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if ours or theirs:
        sys.exit(1)


if __name__ == "__main__":
    main()
