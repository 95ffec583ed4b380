"""Search latency: build a generated network (the search index is written with the release), then time
`SearchIndex.search` and `SearchIndex.reconcile` on random names of the index, and `GET /search` through
the app (test client: no network). Prints what it measured as JSON.

    .venv/bin/python benchmarks/generate.py 10000 benchmarks/.work/n10000
    .venv/bin/python benchmarks/bench_search.py benchmarks/.work/n10000 --queries 200
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from b40graph.core.settings import Settings
from b40graph.pipeline import build, is_current
from b40graph.publish.release import current
from b40graph.search.index import INDEX_FILE, SearchIndex, write_release_index


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    settings = Settings(root=args.root.resolve(), out=args.root.resolve() / "dist")
    out: dict[str, object] = {}
    if not is_current(settings):
        timings: dict[str, float] = {}
        start = time.perf_counter()
        build(settings, timings=timings)
        out["build_s"] = round(time.perf_counter() - start, 1)
        out["index_s_in_build"] = round(timings.get("index", 0.0), 1)
    release = current(settings.out_dir)
    assert release is not None
    out["quads"] = release.info["quads"]
    start = time.perf_counter()
    write_release_index(release.path, settings.base)  # once more, alone: what a rebuild of the index costs
    out["index_rebuild_s"] = round(time.perf_counter() - start, 1)
    path = release.path / INDEX_FILE
    out["index_mib"] = round(path.stat().st_size / 2**20, 1)
    db = sqlite3.connect(path)
    out["entities"] = db.execute("SELECT count(*) FROM entity").fetchone()[0]
    out["labels"] = db.execute("SELECT count(*) FROM label").fetchone()[0]
    names = [r[0] for r in db.execute("SELECT name FROM entity WHERE kind IN ('municipality', 'person', 'place')")]
    db.close()
    rng = random.Random(args.seed)
    sample = rng.sample(names, min(args.queries, len(names)))
    index = SearchIndex(path)
    index.search("warm up")
    for what, run in (
        ("search", index.search),
        ("search_prefix", lambda q: index.search(q[: max(3, len(q) // 2)])),
        ("reconcile_typo", lambda q: index.reconcile(q[:-2] + q[-1:] + q[-2], ["municipality", "person"])),
    ):
        seconds = []
        for name in sample:
            start = time.perf_counter()
            run(name)
            seconds.append(time.perf_counter() - start)
        out[what] = {
            "p50_ms": round(pct(seconds, 0.5), 2),
            "p99_ms": round(pct(seconds, 0.99), 2),
            "mean_ms": round(statistics.mean(seconds) * 1000, 2),
        }
    from b40graph.store.embedded import EmbeddedBackend
    from b40graph.web.app import create_app

    backend = EmbeddedBackend(settings)
    client = create_app(settings, backend).test_client()
    seconds = []
    for name in sample:
        start = time.perf_counter()
        response = client.get("/search", query_string={"q": name, "format": "json"})
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, response.data[:200]
    out["http_search_json"] = {"p50_ms": round(pct(seconds, 0.5), 2), "p99_ms": round(pct(seconds, 0.99), 2)}
    backend.close()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
