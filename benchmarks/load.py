"""Print load figures for b40graph: requests/s, p50/p95/p99 latency, errors, server memory before and after.

    .venv/bin/python benchmarks/load.py [--requests 600] [--clients 8] [--hard-stop 30] [--runaway-every 60]
                                        [--rounds 2] [--out DIST] [--query-timeout 2]

Builds the dataset first when DIST (default: a temporary folder) holds none; serves it on 127.0.0.1 only.
The request mix and the measuring code are shared with tests/test_load.py (benchmarks/loadmix.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.loadmix import rss_bytes, run_round, server, settle  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=600, help="requests per round (bounded: at most 5000)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--hard-stop", type=float, default=30.0, help="seconds per round before it stops sending")
    ap.add_argument("--runaway-every", type=int, default=60, help="one runaway query every N requests (0: none)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", help="output folder holding a build (default: build into a temporary folder)")
    ap.add_argument("--query-timeout", default="2")
    args = ap.parse_args()
    requests_total = min(args.requests, 5000)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="b40-load-"))
    if not (out / "current").exists():
        from b40graph.build import build
        from b40graph.settings import Settings

        print(f"building into {out} …", flush=True)
        build(Settings(root=ROOT, out=out))
    serve_args = ("--root", str(ROOT), "--out", str(out), "--no-build", "--query-timeout", args.query_timeout)
    with server(*serve_args) as (url, pid):
        run_round(url, 30, args.clients, args.hard_stop, 0)
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
