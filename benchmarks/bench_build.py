"""Build benchmark: generated networks, the fast build by stage, a rebuild after one change, and the plain
rdflib + owlrl + pyshacl path side by side.

    python benchmarks/bench_build.py [--scales 1000,10000] [--baseline-max 1000] [--work DIR]

Each build runs in a child process of its own, so peak memory (RSS, from getrusage of the children)
belongs to that build alone. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from b40graph.author.synthetic import generate

HERE = Path(__file__).resolve().parent

CHILD = """
import json, sys, time, resource
from pathlib import Path
from b40graph.pipeline import build
from b40graph.core.settings import Settings
if __name__ == "__main__":
    root, out, engine = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    timings = {}
    start = time.perf_counter()
    release = build(Settings(root=root, out=out, engine=engine), timings=timings)
    timings["total"] = time.perf_counter() - start
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"timings": timings, "quads": release.info["quads"], "rss_kib": max(self_rss, kids_rss)}))
"""


def run(root: Path, out: Path, engine: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(out), engine], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({engine}, {root}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def touch_one(root: Path) -> None:
    """Change one declaration: one clause gets other words (and so another theme)."""
    path = sorted((root / "data" / "declarations").glob("*.md"))[
        len(list((root / "data" / "declarations").glob("*.md"))) // 2
    ]
    text = path.read_text(encoding="utf-8")
    text = re.sub(
        r"^- (Work together|Cooperate|Develop|Strengthen|Share)", r"- Together, \1", text, count=1, flags=re.M
    )
    path.write_text(text + "\n", encoding="utf-8")


def fmt_stage(result: dict, stage: str) -> str:
    return f"{result['timings'].get(stage, 0.0):.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1000,10000")
    parser.add_argument("--baseline-max", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    args = parser.parse_args(argv)
    rows = []
    for n in [int(x) for x in args.scales.split(",") if x]:
        root = args.work / f"net-{n}"
        shutil.rmtree(root, ignore_errors=True)
        generate(n, root)
        decls = len(list((root / "data" / "declarations").glob("*.md")))
        fast = run(root, root / "dist", "fast")
        touch_one(root)
        again = run(root, root / "dist", "fast")
        plain = run(root, root / "dist-plain", "plain") if n <= args.baseline_max else None
        rows.append((n, decls, fast, again, plain))
        shutil.rmtree(root / "dist-plain", ignore_errors=True)
    print(
        "| municipalities | declarations | quads | engine | ingest s | reason s | validate s | write s | total s"
        " | peak RSS MiB |"
    )
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for n, decls, fast, again, plain in rows:
        for label, r in (
            ("fast (cold)", fast),
            ("fast, 1 declaration changed", again),
            ("plain rdflib+owlrl+pyshacl", plain),
        ):
            if r is None:
                continue
            stages = " | ".join(fmt_stage(r, s) for s in ("ingest", "reason", "validate", "write", "total"))
            print(f"| {n} | {decls} | {r['quads']} | {label} | {stages} | {r['rss_kib'] / 1024:.0f} |")
    print()
    for n, _, fast, _again, plain in rows:
        if plain is not None:
            ratio = plain["timings"]["total"] / fast["timings"]["total"]
            print(
                f"- {n} municipalities: fast is {ratio:.1f}x faster than the plain path end to end "
                f"(reason {plain['timings']['reason'] / max(fast['timings']['reason'], 1e-3):.0f}x, "
                f"validate {plain['timings']['validate'] / max(fast['timings']['validate'], 1e-3):.0f}x)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
