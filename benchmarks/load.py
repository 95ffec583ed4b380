"""Print load figures for b40graph: requests/s, p50/p95/p99 latency, errors, server memory before and after.

    .venv/bin/python benchmarks/load.py [--requests 600] [--clients 8] [--hard-stop 30] [--runaway-every 60]
                                        [--rounds 2] [--out DIST] [--query-timeout 2]
    .venv/bin/python benchmarks/load.py --scenarios [--pages 200] [--out DIST]

Builds the dataset first when DIST (default: a temporary folder) holds none; serves it on 127.0.0.1 only.
The request mix and the measuring code are shared with tests/test_load.py (benchmarks/loadmix.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.loadmix import (  # noqa: E402
    SORT_RUNAWAY,
    PeakMemory,
    one_row_seconds,
    page_latencies,
    rss_bytes,
    run_round,
    runaway_clients,
    server,
    settle,
    slow_connections,
)


def _pct(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * 1000


def scenarios(url: str, pid: int, pages: int, timeout: float) -> None:
    """A normal client's pages, side by side: quiet, with 1,000 slow connections held open, and with 16
    runaway SPARQL clients (from one address, then from 16); a one-row query's time in each; peak memory."""
    rows = []
    with PeakMemory(pid) as memory:
        rows.append(("quiet", page_latencies(url, pages), one_row_seconds(url)))
        with slow_connections(url, 1000) as held:
            rows.append((f"{len(held)} slow connections", page_latencies(url, pages), one_row_seconds(url)))
        for addresses in (1, 16):
            with runaway_clients(url, 16, addresses, seconds=120) as statuses:
                # the runaways fill the workers and each runs into the time limit at least once
                time.sleep(4 if addresses == 1 else 8 * timeout + 10)  # 16 clients, 2 slots for the heavy
                rows.append(
                    (f"16 runaway clients, {addresses} address(es)", page_latencies(url, pages), one_row_seconds(url))
                )
            refused = sum(1 for s in statuses if s == 503)
            print(f"  (runaways from {addresses} address(es): {len(statuses)} answers, {refused} of them 503)")
        with runaway_clients(url, 8, 8, seconds=120, query=SORT_RUNAWAY) as statuses:
            time.sleep(4 * timeout + 5)
            rows.append(("8 ORDER BY runaways, 8 addresses", page_latencies(url, pages), one_row_seconds(url)))
        print(f"  (ORDER BY runaways: answers {sorted(set(statuses))})")
    print(f"{'scenario':<40} {'pages p50':>10} {'pages p99':>10} {'one-row query':>16}")
    for name, times, (status, seconds) in rows:
        print(f"{name:<40} {_pct(times, 0.5):>8.1f}ms {_pct(times, 0.99):>8.1f}ms {seconds * 1000:>9.0f}ms ({status})")
    print(f"peak memory of the server and its query workers: {memory.peak / 2**20:.0f} MiB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=600, help="requests per round (bounded: at most 5000)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--hard-stop", type=float, default=30.0, help="seconds per round before it stops sending")
    ap.add_argument("--runaway-every", type=int, default=60, help="one runaway query every N requests (0: none)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", help="output folder holding a build (default: build into a temporary folder)")
    ap.add_argument("--query-timeout", default="2")
    ap.add_argument("--scenarios", action="store_true", help="slow connections and runaway clients, side by side")
    ap.add_argument("--pages", type=int, default=200, help="page requests per scenario (at most 2000)")
    args = ap.parse_args()
    requests_total = min(args.requests, 5000)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="b40-load-"))
    if not (out / "current").exists():
        from b40graph.core.settings import Settings
        from b40graph.pipeline import build

        print(f"building into {out} …", flush=True)
        build(Settings(root=ROOT, out=out))
    serve_args = ("--root", str(ROOT), "--out", str(out), "--no-build", "--query-timeout", args.query_timeout)
    with server(*serve_args) as (url, pid):
        run_round(url, 30, args.clients, args.hard_stop, 0)
        if args.scenarios:
            scenarios(url, pid, min(args.pages, 2000), float(args.query_timeout))
            return 0
        memory = [settle(url, pid)]
        print(f"server {url} (pid {pid}); {args.clients} clients; {requests_total} requests per round")
        print(f"memory before: {memory[0] / 2**20:.1f} MiB (server + query workers)")
        for n in range(args.rounds):
            result = run_round(url, requests_total, args.clients, args.hard_stop, args.runaway_every)
            memory.append(settle(url, pid))
            f = result.figures()
            print(
                f"round {n + 1}: {f['requests']:.0f} requests ({f['runaways']:.0f} runaway) in {result.wall:.1f} s"
                f"{' (hard stop)' if result.stopped_early else ''}: {f['requests_per_s']:.1f} req/s; "
                f"latency p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms; "
                f"errors {f['errors']:.0f}; memory after {memory[-1] / 2**20:.1f} MiB"
            )
            for e in result.errors()[:5]:
                print(f"  error: {e.kind} -> {e.status} {e.error}")
        print(f"memory growth between the last two rounds: {(memory[-1] - memory[-2]) / 2**20:+.1f} MiB")
        print(f"server alive: {rss_bytes(pid) > 0}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
