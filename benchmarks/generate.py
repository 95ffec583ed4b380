"""A synthetic city network in b40graph's own source format, for benchmarks and scale tests.

    python benchmarks/generate.py N OUTDIR [--seed S]

writes a project root with N municipalities (see `b40graph.author.synthetic.generate`, where the generator
lives so that tests and benchmarks import it the same way). The same N and seed give the same bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from b40graph.author.synthetic import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of municipalities")
    parser.add_argument("out", type=Path, help="output folder (a project root)")
    parser.add_argument("--seed", type=int, default=40)
    args = parser.parse_args(argv)
    generate(args.n, args.out, args.seed)
    files = len(list((args.out / "data" / "declarations").glob("*.md")))
    print(f"{args.out}: {args.n} municipalities, {files} declarations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
