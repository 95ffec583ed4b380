from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from benchmarks.loadmix import free_port, server

from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.publish.release import Release
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/b40/"


def copy_project(dest: Path) -> Path:
    for name in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / name, dest / name)
    return dest


GROWTH = ROOT / "tests" / "fixtures" / "growth"
SEED_DECLARATIONS = ("2021-11-30-b40-founding-declaration.md", "2025-02-24-b40-sofia-summit-declaration.md")


def seed_project(dest: Path) -> Path:
    """A copy of the project with only the two seed declarations and no later members: the fixture of tests
    that count what their own additions change, whatever valid data `data/` has gained since."""
    root = copy_project(dest)
    for path in (root / "data" / "declarations").iterdir():
        if path.name not in SEED_DECLARATIONS:
            path.unlink()
    memberships = root / "data" / "memberships.csv"
    if memberships.is_file():
        memberships.write_text(memberships.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return root


def replace_in(path: Path, old: str, new: str, count: int = -1) -> None:
    """Edit a test's copy of a file. `old` must be in it and differ from `new`: otherwise the "changed" input
    would be the unchanged one, and the test would pass without testing the change."""
    text = path.read_text(encoding="utf-8")
    assert old in text and old != new, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def grow(root: Path, fixture: Path = GROWTH) -> Path:
    """Add the test data of `fixture`/data to the project at `root` (see tests/fixtures/growth/README.md)."""
    for path in sorted((fixture / "data").rglob("*")):
        if not path.is_file():
            continue
        target = root / "data" / path.relative_to(fixture / "data")
        if path.suffix == ".md":
            shutil.copyfile(path, target)
        else:  # the rows after the header, appended
            rows = path.read_text(encoding="utf-8").splitlines(keepends=True)[1:]
            with target.open("a", encoding="utf-8") as fh:
                fh.writelines(rows)
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Release]:
    out = tmp_path_factory.mktemp("dist")
    settings = Settings(root=ROOT, out=out, query_timeout=3, query_workers=1)
    return settings, build(settings)


@pytest.fixture(scope="session")
def store(built: tuple[Settings, Release]) -> ox.Store:
    return ox.Store.read_only(str(built[1].store))


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    prefixes = """PREFIX b40: <https://w3id.org/b40/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
    PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX dct: <http://purl.org/dc/terms/> PREFIX schema: <https://schema.org/> PREFIX time: <http://www.w3.org/2006/time#>
    """
    answer = store.query(prefixes + query)  # a build's store: its default graph is the merge of the graphs
    names = [v.value for v in answer.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in answer]


def wait_for(url: str, proc: subprocess.Popen, what: str) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start at {url}")


def oxigraph_binary() -> str:
    return shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


@contextlib.contextmanager
def oxigraph_server(folder: Path, *extra: str, port: int | None = None) -> Iterator[str]:
    """A real Oxigraph SPARQL server (the `oxigraph` package's binary) on 127.0.0.1; yields its root URL."""
    port = port or free_port()
    command = [oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}", *extra]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/query?query=ASK%7B%7D", proc, "oxigraph serve")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def remote(built: tuple[Settings, Release], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built dataset published (`publish_to`, the Graph Store Protocol) into a real Oxigraph server."""
    from b40graph.store.remote_publish import publish_to

    settings, _ = built
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph"), "--timeout-s", "10") as url:
        publish_to(settings, url + "/store")
        yield url


def make_backend(kind: str, settings: Settings, remote_url: str | None = None):  # type: ignore[no-untyped-def]
    if kind == "remote":
        from b40graph.store.remote import RemoteBackend

        assert remote_url is not None
        return RemoteBackend(remote_url + "/query", settings)
    return EmbeddedBackend(settings)


@pytest.fixture(scope="session", params=["embedded", "remote"])
def backend_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def app(built: tuple[Settings, Release], backend_kind: str, request: pytest.FixtureRequest):
    """The app over the built dataset, once on the embedded store and once on a remote Oxigraph server."""
    settings, _ = built
    remote_url = request.getfixturevalue("remote") if backend_kind == "remote" else None
    backend = make_backend(backend_kind, settings, remote_url)
    application = create_app(settings, backend)
    application.config["TESTING"] = True
    application.config["B40_KIND"] = backend_kind
    yield application
    backend.close()


@pytest.fixture()
def client(app):
    return app.test_client()


@contextlib.contextmanager
def running_server(*args: str) -> Iterator[str]:
    """`b40graph serve ARGS` on a free port of 127.0.0.1; yields its root URL and stops it afterwards."""
    with server(*args) as (url, _):
        yield url
