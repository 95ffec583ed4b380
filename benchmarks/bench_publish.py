"""Publishing to a remote store: a whole publication, then a republication after one declaration changed.

    python benchmarks/bench_publish.py N WORKDIR [--oxigraph PATH]

generates a synthetic network of N municipalities in WORKDIR (`b40graph.author.synthetic`), builds it and
publishes it with `publish_to` into `oxigraph serve` on disk (WORKDIR/db, a server started afresh for each
publication); then changes the title of one declaration, rebuilds, publishes, and publishes once more.
Prints per publication the time, the requests and bytes the publisher sent (counted at `requests`), and
the store's peak RSS while it ran. Run it with PYTHONPATH pointing at another checkout's src/ to measure
that code the same way.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

from b40graph.author.synthetic import generate
from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.store.remote_publish import publish_to


class Sent:
    """Counts the requests (by method) and the bytes of their bodies sent through `requests`."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        self.bytes = 0
        self._original = requests.Session.request

    def __enter__(self) -> Sent:
        original, counts = self._original, self

        def request(session: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            counts.requests[method] = counts.requests.get(method, 0) + 1
            body = kwargs.get("data")
            counts.bytes += len(body) if isinstance(body, bytes) else len(str(body or ""))
            return original(session, method, url, *args, **kwargs)

        requests.Session.request = request  # type: ignore[method-assign]
        return self

    def __exit__(self, *_: object) -> None:
        requests.Session.request = self._original  # type: ignore[method-assign]


class PeakRss(threading.Thread):
    """The peak resident memory of a process, sampled every 50 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        self.peak = max(self.peak, int(line.split()[1]) * 1024)
            except OSError:
                return
            time.sleep(0.05)

    def stop(self) -> int:
        self.done.set()
        self.join(5)
        return self.peak


def publish(settings: Settings, oxigraph: str, folder: Path) -> dict[str, Any]:
    """One publication into a store started for it on `folder` (so that its peak memory is this one's)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [oxigraph, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    store = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(url + "/query?query=ASK%7B%7D", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or store.poll() is not None:
                    raise
                time.sleep(0.2)
        lines: list[str] = []
        rss = PeakRss(store.pid)
        rss.start()
        with Sent() as sent:
            started = time.monotonic()

            def progress(line: str) -> None:
                lines.append(f"{line} [{time.monotonic() - started:.1f} s]")

            publish_to(settings, url + "/store", progress=progress)
            seconds = time.monotonic() - started
    finally:
        store.terminate()
        store.wait(10)
    return {"s": seconds, "requests": sent.requests, "bytes": sent.bytes, "rss": rss.stop(), "lines": lines}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of municipalities")
    parser.add_argument("work", type=Path, help="a folder for the project, the build and the store (emptied)")
    parser.add_argument(
        "--oxigraph", default=shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    )
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    root = generate(args.n, args.work / "project")
    settings = Settings(root=root, out=args.work / "dist")
    started = time.monotonic()
    release = build(settings)
    print(f"build: {release.info['quads']} quads in {time.monotonic() - started:.0f} s", flush=True)
    rows = [("whole publication", publish(settings, args.oxigraph, args.work / "db"))]
    declaration = sorted((root / "data" / "declarations").glob("*.md"))[0]
    text = declaration.read_text(encoding="utf-8")
    declaration.write_text(text.replace("\ntitle: ", "\ntitle: Revised ", 1), encoding="utf-8")
    started = time.monotonic()
    build(settings)
    print(f"rebuild after one declaration changed: {time.monotonic() - started:.0f} s", flush=True)
    rows.append(("one declaration changed", publish(settings, args.oxigraph, args.work / "db")))
    rows.append(("the same release again", publish(settings, args.oxigraph, args.work / "db")))
    print("| publication | time | requests | bytes sent | store peak RSS |\n| --- | --- | --- | --- | --- |")
    for name, row in rows:
        counts = ", ".join(f"{n} {m}" for m, n in sorted(row["requests"].items()))
        print(f"| {name} | {row['s']:.1f} s | {counts} | {row['bytes'] / 1e3:,.0f} kB | {row['rss'] / 1e6:.0f} MB |")
    for name, row in rows:
        print(f"{name}:", *row["lines"], sep="\n  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
