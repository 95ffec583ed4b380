"""One huge declaration, for the bounded-documents tests and the build-cost figure (issue 12, item 6).

    python benchmarks/huge.py OUTDIR [--signatures N] [--clauses M] [--build]
    python benchmarks/huge.py OUTDIR --time [--pages 1,50,100] [--repeat 3] [--backend QUERY_URL]

writes a project root (`b40graph.author.synthetic.huge_project`: generate()'s municipalities, places and
people for N municipalities) whose only declaration is a founding declaration signed by all N and holding M
operative clauses (each matching one or more themes, so it makes commitments as well). With --build it builds
the project and prints the source's size, the build's time and the number of quads. The same N and M give
the same bytes.

--time (after a --build) times pages of the declaration's document, uncached (no document cache), in HTML,
Turtle and N-Quads, through the app in this process: over the built store, or with --backend over a SPARQL
endpoint the release was published to (`b40graph publish --to`). Pages: 1, the middle and the last (the
pages of the longest list), unless --pages says which. Each cell is the first request's time and the median
of --repeat more (the label memo then holds the page's labels), and the body's size.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from pathlib import Path

from b40graph.author.synthetic import HUGE_DECLARATION, huge_project

FORMATS = ("html", "ttl", "nq")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--signatures", type=int, default=5000)
    parser.add_argument("--clauses", type=int, default=5000)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--time", action="store_true", help="time pages of the built declaration's document")
    parser.add_argument("--pages", help="comma-separated page numbers (default: first, middle, last)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", help="a SPARQL query URL holding the published release")
    args = parser.parse_args(argv)
    if args.time:
        return time_pages(args)
    path = huge_project(args.out, args.signatures, args.clauses)
    print(f"{path}: {path.stat().st_size:,} bytes, {args.signatures} signatures, {args.clauses} clauses")
    if args.build:
        import pyoxigraph as ox

        from b40graph.core.settings import Settings
        from b40graph.pipeline import build

        settings = Settings(root=args.out, out=args.out / "dist", cache=False)
        started = time.perf_counter()
        release = build(settings)
        seconds = time.perf_counter() - started
        store = ox.Store.read_only(str(release.store))
        quads = sum(1 for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
        print(f"built in {seconds:.1f} s: {quads:,} quads in the named graphs")
    return 0


def time_pages(args: argparse.Namespace) -> int:
    os.environ["B40_DOC_CACHE_BYTES"] = "0"
    from b40graph.core.settings import Settings
    from b40graph.store.embedded import EmbeddedBackend
    from b40graph.web.app import create_app

    settings = Settings(root=args.out, out=args.out / "dist", cache=False, query_workers=1)
    if args.backend:
        from b40graph.store.remote import RemoteBackend

        backend = RemoteBackend(args.backend, settings)
    else:
        backend = EmbeddedBackend(settings)
    client = create_app(settings, backend).test_client()
    path = f"/doc/declaration/{HUGE_DECLARATION}"
    numbers = [int(n) for n in args.pages.split(",")] if args.pages else _default_pages(settings)
    print(f"| page | {' | '.join(FORMATS)} |\n|---|{'---|' * len(FORMATS)}")
    try:
        for page in numbers:
            cells = []
            for ext in FORMATS:
                url = f"{path}.{ext}?page={page}"
                times, size, last = [], 0, False
                for _ in range(1 + args.repeat):
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - started)
                    assert response.status_code == 200, (url, response.status_code)
                    size, last = len(response.data), 'rel="next"' not in response.headers.get("Link", "")
                repeat = statistics.median(times[1:]) if args.repeat else times[0]
                cells.append(f"{size / 1000:.0f} KB, {_ms(times[0])} / {_ms(repeat)}{' (last)' if last else ''}")
            print(f"| {page} | {' | '.join(cells)} |", flush=True)
    finally:
        backend.close()
    return 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _default_pages(settings: object) -> list[int]:
    """1, the middle and the last page: the last of the longest list (clauses, signatures, outgoing triples,
    incoming links), counted in the built store with each list's page size."""
    import pyoxigraph as ox

    from b40graph.publish.release import current
    from b40graph.store import resource
    from b40graph.web import pages

    release = current(settings.out_dir)  # type: ignore[attr-defined]
    assert release is not None, "build first (--build)"
    store = ox.Store.read_only(str(release.store))
    decl = ox.NamedNode(f"{settings.base}id/declaration/{HUGE_DECLARATION}")  # type: ignore[attr-defined]
    b40 = "https://w3id.org/b40/ontology#"

    def count(s: object = None, p: str | None = None, o: object = None) -> int:
        pred = ox.NamedNode(p) if p else None
        found = store.quads_for_pattern(s, pred, o, None)  # type: ignore[arg-type]
        return sum(1 for q in found if not isinstance(q.graph_name, ox.DefaultGraph))

    last = max(
        math.ceil(count(decl) / resource.OUT_PAGE_SIZE),
        math.ceil(count(o=decl) / resource.PAGE_SIZE),
        math.ceil(count(decl, b40 + "hasClause") / pages.CLAUSES_PER_PAGE),
        math.ceil(count(decl, b40 + "hasSignature") / pages.ROWS_PER_PAGE),
    )
    return sorted({1, max(1, last // 2), last})


if __name__ == "__main__":
    raise SystemExit(main())
