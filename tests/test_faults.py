"""Faults: a build killed at any point leaves the published dataset intact and served; a corrupted or missing
store at start-up is restored (from the release's dump) or reported with a non-zero exit."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from .conftest import copy_project, free_port, replace_in, running_server

pytestmark = pytest.mark.slow
DECL = "data/declarations/2021-11-30-b40-founding-declaration.md"
FRACTIONS = [0.05, 0.2, 0.4, 0.6, 0.75, 0.9]


def _build(root: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "b40graph.cli", "build", "--root", str(root), "--no-progress", *extra]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _snapshot(root: Path) -> dict[str, object]:
    target = (root / "dist/current").resolve(strict=True)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(target.iterdir()) if p.is_file()}
    return {"target": target, "files": files}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("faults"))
    started = time.monotonic()
    assert _build(root).wait(timeout=300) == 0
    duration = time.monotonic() - started
    # Change the input, so that every build below would publish a new release if it got to the end.
    path = root / DECL
    replace_in(path, "fruitful cooperation", "fruitful  cooperation")
    return {"root": root, "duration": duration, "baseline": _snapshot(root)}


def _loadable(release: Path) -> int:
    store = ox.Store.read_only(str(release / "store"))
    return len(store)


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_killed_build_leaves_the_published_dataset_intact(project, fraction):
    root = project["root"]
    proc = _build(root)
    time.sleep(project["duration"] * fraction)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    code = proc.wait(timeout=60)
    if finished and code == 0:  # this machine was faster than the first build: it published, legitimately
        project["baseline"] = _snapshot(root)
        return
    assert code == -signal.SIGKILL
    now = _snapshot(root)
    if now["target"] != project["baseline"]["target"]:
        # killed after `current` moved (while pruning old releases or exiting): the new release is whole
        assert {"release.json", "b40.nq", "b40.trig", "b40.ttl", "b40.nt", "b40.jsonld"} <= set(now["files"])
        project["baseline"] = now
    assert now == project["baseline"]
    release = now["target"]
    assert isinstance(release, Path)
    assert _loadable(release) > 1000
    assert not any(p.name.startswith(".current-") for p in (root / "dist").iterdir())


def test_the_last_good_release_is_served_after_the_kills(project):
    root = project["root"]
    version = project["baseline"]["target"].name  # type: ignore[union-attr]
    with running_server("--root", str(root), "--no-build") as url:
        r = requests.get(url + "/doc/municipality/prishtina", headers={"Accept": "text/turtle"}, timeout=20)
        assert r.status_code == 200 and b"Prishtina" in r.content
        assert version in r.headers["ETag"]
        q = requests.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=20)
        assert q.status_code == 200 and q.json()["boolean"] is True


def test_a_later_build_publishes_and_clears_what_killed_builds_left(project):
    root = project["root"]
    path = root / DECL  # a new input again: one of the kill tests may have finished and published the last one
    replace_in(path, "fruitful  cooperation", "fruitful   cooperation")
    assert _build(root).wait(timeout=300) == 0
    now = _snapshot(root)
    assert now["target"] != project["baseline"]["target"]
    assert not list((root / "dist/releases").glob(".staging-*"))
    assert _loadable(now["target"]) > 1000  # type: ignore[arg-type]


# -- the store at start-up ----------------------------------------------------------------------------------------
@pytest.fixture()
def release_copy(built, tmp_path):
    """A private copy of the built output folder, to break."""
    import shutil

    out = tmp_path / "dist"
    source = built[1].path.parent.parent
    shutil.copytree(source, out, symlinks=True)
    return out, (out / "current").resolve()


def _garbage(store: Path) -> None:
    for path in store.iterdir():
        if path.is_file():
            path.write_bytes(os.urandom(4096))


@pytest.mark.parametrize("damage", ["garbage", "missing", "empty-folder"])
def test_broken_store_is_restored_at_start_up(release_copy, damage):
    out, release = release_copy
    store = release / "store"
    if damage == "garbage":
        _garbage(store)
    else:
        import shutil

        shutil.rmtree(store)
        if damage == "empty-folder":
            store.mkdir()
    with running_server("--out", str(out), "--no-build") as url:
        r = requests.get(url + "/doc/municipality/prishtina", headers={"Accept": "text/turtle"}, timeout=20)
        assert r.status_code == 200 and b"Prishtina" in r.content
        count = requests.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"})
        assert int(count.json()["results"]["bindings"][0]["n"]["value"]) == release_info_quads(release)


def release_info_quads(release: Path) -> int:
    import json

    return int(json.loads((release / "release.json").read_text(encoding="utf-8"))["quads"])


@pytest.mark.parametrize("dump", ["garbage", "missing"])
def test_broken_store_and_dump_is_reported_with_non_zero_exit(release_copy, dump):
    out, release = release_copy
    _garbage(release / "store")
    for name in ("b40.nq", "b40.nq.gz"):
        path = release / name
        if dump == "missing":
            path.unlink(missing_ok=True)
        elif path.exists():
            path.write_bytes(b"<not a> quad \x00\xff" * 100)
    command = [
        sys.executable,
        "-m",
        "b40graph.cli",
        "serve",
        "--out",
        str(out),
        "--no-build",
        "--port",
        str(free_port()),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "store" in done.stderr and "error" in done.stderr.lower(), done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
