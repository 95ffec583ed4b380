"""The embedded store on start-up: a damaged or missing store is restored from the release's dump, or
reported clearly (exit 2) when the dump is damaged too; a good release is never touched."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import requests

from b40graph.core.settings import Settings
from b40graph.pipeline import build

from .conftest import BASE, copy_project, running_server

pytestmark = pytest.mark.slow


@pytest.fixture()
def project(tmp_path):
    root = copy_project(tmp_path)
    settings = Settings(root=root, out=tmp_path / "dist")
    return settings, build(settings)


def _damage(folder) -> None:  # type: ignore[no-untyped-def]
    for sst in folder.glob("*.sst"):
        sst.write_bytes(b"\0garbage" * 100)


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_damaged_store_is_restored_from_the_dump(project, damage):
    settings, release = project
    if damage == "corrupt":
        _damage(release.store)
    else:
        shutil.rmtree(release.store)
    args = ("--root", str(settings.root), "--out", str(settings.out_dir), "--no-build")
    with running_server(*args) as url:
        r = requests.get(url + "/doc/network/b40", headers={"Accept": "application/n-triples"}, timeout=10)
        assert r.status_code == 200 and f"<{BASE}id/network/b40>".encode() in r.content
        q = requests.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=10)  # fmt: skip
        assert int(q.json()["results"]["bindings"][0]["n"]["value"]) == release.info["quads"]


def test_damaged_store_and_dump_are_reported(project):
    settings, release = project
    _damage(release.store)
    (release.path / "b40.nq").write_text("<not n-quads\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "b40graph.cli", "serve", "--root", str(settings.root), "--out", str(settings.out_dir),
         "--no-build", "--port", "0"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "cannot be restored" in done.stderr and "run `b40graph build`" in done.stderr
