"""One huge declaration, for the bounded-documents tests and the build-cost figure (issue 12, item 6).

    python benchmarks/huge.py OUTDIR [--signatures N] [--clauses M] [--build]

writes a project root (`b40graph.author.synthetic.huge_project`: generate()'s municipalities, places and
people for N municipalities) whose only declaration is a founding declaration signed by all N and holding M
operative clauses (each matching one or more themes, so it makes commitments as well). With --build it builds
the project and prints the source's size, the build's time and the number of quads. The same N and M give
the same bytes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from b40graph.author.synthetic import huge_project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--signatures", type=int, default=5000)
    parser.add_argument("--clauses", type=int, default=5000)
    parser.add_argument("--build", action="store_true")
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
