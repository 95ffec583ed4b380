"""Publishing to a remote store is atomic and recovers (issue 12 item 8), against real `oxigraph serve`
processes on 127.0.0.1: the publisher or the store killed at several points leaves the old release whole,
a rerun completes, and readers polling during a publication see one release, never a mix."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.sparql.results import QueryError
from b40graph.store.remote import STAGING, VERSION_TTL, RemoteBackend
from b40graph.store.remote_publish import publish_to
from b40graph.web.app import create_app

from .conftest import BASE, copy_project, free_port, grow, oxigraph_binary, running_server, wait_for

pytestmark = [pytest.mark.backend, pytest.mark.slow]
DESCRIPTION = BASE + "graph/description"
# Every named graph with its size, and the version, in one query: one snapshot of the store.
SNAPSHOT = f"""SELECT ?g ?n ?v WHERE {{
  {{ SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(!STRSTARTS(STR(?g), "{STAGING}")) }}
     GROUP BY ?g }}
  UNION {{ GRAPH <{DESCRIPTION}> {{ ?d <http://www.w3.org/2002/07/owl#versionInfo> ?v }} }}
}}"""


class Release:
    """A built release: its settings, version, and per-graph sizes and contents read from its own store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        release = build(settings)
        self.version = release.version
        quads = [q for q in ox.Store.read_only(str(release.store)) if isinstance(q.graph_name, ox.NamedNode)]
        self.counts: dict[str, int] = {}
        for quad in quads:
            name = quad.graph_name.value  # type: ignore[union-attr]
            self.counts[name] = self.counts.get(name, 0) + 1
        self.quads = quads

    def state(self) -> tuple[str, dict[str, int]]:
        return self.version, self.counts


@pytest.fixture(scope="module")
def releases(built, tmp_path_factory) -> tuple[Release, Release]:  # type: ignore[no-untyped-def]
    """The seed release (old) and a grown one (new): new and changed graphs, the description changed."""
    old = Release(built[0])
    root = grow(copy_project(tmp_path_factory.mktemp("grown")))
    new = Release(Settings(root=root, out=tmp_path_factory.mktemp("grown-dist"), query_timeout=3, query_workers=1))
    assert old.version != new.version and old.counts != new.counts
    assert set(new.counts) - set(old.counts)  # a graph only the new release has
    return old, new


@contextlib.contextmanager
def store_process(folder: Path, port: int) -> Iterator[tuple[str, subprocess.Popen]]:
    command = [oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/query?query=ASK%7B%7D", proc, "oxigraph serve")
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=10)


def snapshot(query_url: str) -> tuple[str | None, dict[str, int]]:
    r = requests.post(
        query_url, data={"query": SNAPSHOT}, headers={"Accept": "application/sparql-results+json"}, timeout=30
    )
    assert r.status_code == 200, r.text
    version, counts = None, {}
    for row in r.json()["results"]["bindings"]:
        if "v" in row:
            version = row["v"]["value"]
        else:
            counts[row["g"]["value"]] = int(row["n"]["value"])
    return version, counts


def settled(query_url: str, seconds: float = 60.0) -> tuple[str | None, dict[str, int]]:
    """The store's snapshot once it stops changing (bounded)."""
    deadline = time.monotonic() + seconds
    last = snapshot(query_url)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = snapshot(query_url)
        if now == last:
            return now
        last = now
    return last


def whole(url: str, release: Release) -> bool:
    """The store's graphs (staging graphs aside) are the release's, each isomorphic to the release's graph,
    and its default graph is their merge."""
    r = requests.get(url + "/store", headers={"Accept": "application/n-quads"}, timeout=60)
    assert r.status_code == 200
    served = [q for q in ox.parse(r.content, ox.RdfFormat.N_QUADS) if not str(q.graph_name).startswith(f"<{STAGING}")]

    def graphs(quads: list[ox.Quad]) -> dict[str, Graph]:
        by: dict[str, list[ox.Triple]] = {}
        for q in quads:
            by.setdefault(str(q.graph_name), []).append(q.triple)
        return {
            k: Graph().parse(data=ox.serialize(v, format=ox.RdfFormat.N_TRIPLES), format="nt") for k, v in by.items()
        }

    mine = graphs(release.quads)
    merged = Graph()
    for g in mine.values():
        merged += g
    theirs = graphs(served)
    default = theirs.pop(str(ox.DefaultGraph()), Graph())
    return (
        theirs.keys() == mine.keys()
        and all(isomorphic(theirs[k], mine[k]) for k in mine)
        and len(default) == len(merged)
    )


def publisher(release: Release, url: str, *extra: str) -> subprocess.Popen:
    settings = release.settings
    command = [sys.executable, "-m", "b40graph.cli", "publish", "--root", str(settings.root), "--out"]
    command += [str(settings.out_dir), "--no-build", "--progress", "--to", url + "/store", "--chunk", "300", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Reader(threading.Thread):
    """Polls a query URL with SNAPSHOT until stopped; keeps every distinct state it saw."""

    def __init__(self, query_url: str) -> None:
        super().__init__(daemon=True)
        self.query_url, self.stop, self.seen, self.errors = query_url, threading.Event(), [], []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                state = snapshot(self.query_url)
            except (requests.RequestException, AssertionError) as err:  # the store killed: not a state
                self.errors.append(err)
                time.sleep(0.05)
                continue
            if not self.seen or self.seen[-1] != state:
                self.seen.append(state)

    def states(self) -> list[tuple[str | None, dict[str, int]]]:
        self.stop.set()
        self.join(timeout=60)
        return self.seen


@pytest.fixture(scope="module")
def full_time(releases, tmp_path_factory) -> float:  # type: ignore[no-untyped-def]
    """Seconds a whole publication of the new release over the old one takes (the publisher process)."""
    old, new = releases
    with store_process(tmp_path_factory.mktemp("timing"), free_port()) as (url, _):
        publish_to(old.settings, url + "/store")
        started = time.monotonic()
        done = publisher(new, url)
        _, err = done.communicate(timeout=300)
        assert done.returncode == 0, err
        return time.monotonic() - started


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_publisher_killed_leaves_one_release_and_a_rerun_completes(releases, full_time, tmp_path, fraction):
    old, new = releases
    with store_process(tmp_path / "db", free_port()) as (url, _):
        publish_to(old.settings, url + "/store")
        assert snapshot(url + "/query") == old.state()
        reader = Reader(url + "/query")
        reader.start()
        proc = publisher(new, url)
        time.sleep(full_time * fraction)
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
        # A switch the publisher had sent before it was killed still runs to its end in the store: wait until
        # the store is still (two equal snapshots a second apart), then it holds one release whole.
        after = settled(url + "/query")
        assert after in (old.state(), new.state())
        if "switching to version" not in err:  # killed before the switch was sent: the old release, whole
            assert after == old.state()
        assert whole(url, old if after == old.state() else new)
        backend = RemoteBackend(url + "/query", old.settings)
        try:  # the staging graphs left behind are not the dataset's
            assert {g.value for g in backend.graphs()} == set((old if after == old.state() else new).counts)
        finally:
            backend.close()
        rerun = publisher(new, url)
        _, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        assert snapshot(url + "/query") == new.state() and whole(url, new)
        states = reader.states()
        assert states and all(state in (old.state(), new.state()) for state in states), states
        staging = requests.post(
            url + "/query",
            data={"query": f'ASK {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}'},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        )
        assert staging.json()["boolean"] is False  # nothing left over


@pytest.mark.parametrize("how", [(), ("--whole",)], ids=["by-difference", "whole"])
@pytest.mark.parametrize("point", ["staging", "switch"])
def test_store_killed_midway_keeps_the_old_release_and_a_rerun_completes(releases, tmp_path, point, how):
    """SIGKILL of the store while graphs are staged (after the 5th), or as the switch is sent; restarted
    on the same folder, it holds one release whole, and a rerun publishes the new one. The same by
    difference (the default: the store holds the old release) and with every graph (--whole)."""
    old, new = releases
    folder, port = tmp_path / "db", free_port()
    with store_process(folder, port) as (url, store):
        publish_to(old.settings, url + "/store")
        proc = publisher(new, url, *how)
        staged, killed = 0, False
        assert proc.stderr is not None
        for line in proc.stderr:
            staged += line.startswith("… staged ")
            if (point == "staging" and staged == 5) or (point == "switch" and "switching to version" in line):
                os.kill(store.pid, signal.SIGKILL)
                killed = True
                break
        _, err = proc.communicate(timeout=60)
        store.wait(timeout=10)
        assert proc.returncode in (0, 2)
        assert killed  # at the point asked for
        if proc.returncode == 2:
            assert "cannot reach" in err or "refused" in err, err
    with store_process(folder, port) as (url, _):
        after = snapshot(url + "/query")
        if point == "staging":
            assert after == old.state() and whole(url, old)
        else:
            assert after in (old.state(), new.state())
            assert whole(url, old if after == old.state() else new)
        rerun = publisher(new, url)
        _, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        assert snapshot(url + "/query") == new.state() and whole(url, new)


def test_readers_never_see_a_mix_and_a_rerun_is_a_no_op(releases, tmp_path):
    """Readers of the store and of `serve --backend` poll through a whole publication: each answer is one
    release. Publishing the same release again sends nothing and changes nothing."""
    old, new = releases
    with store_process(tmp_path / "db", free_port()) as (url, _):
        publish_to(old.settings, url + "/store")
        with running_server("--backend", url + "/query", "--out", str(tmp_path / "out")) as served:
            readers = [Reader(url + "/query"), Reader(served + "/sparql")]
            for reader in readers:
                reader.start()
            time.sleep(0.3)
            proc = publisher(new, url)
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            time.sleep(2.5)  # the backend trusts a version for 2 s
            for reader in readers:
                states = reader.states()
                assert states[0] == old.state() and states[-1] == new.state(), states
                assert all(state in (old.state(), new.state()) for state in states), states
        again = publisher(new, url)
        _, err = again.communicate(timeout=300)
        assert again.returncode == 0 and "already published" in err, err
        assert "staged" not in err and snapshot(url + "/query") == new.state()


def test_new_data_is_never_labelled_with_the_old_version(releases, tmp_path):
    """A page read after the switch by a request that was told the old version fails with a 503 (ask
    again) instead of answering new data under the old ETag; the next request gets the new version."""
    old, new = releases
    with store_process(tmp_path / "db", free_port()) as (url, _):
        publish_to(old.settings, url + "/store")
        backend = RemoteBackend(url + "/query", old.settings)
        try:
            assert backend.version().tag == old.version  # this request's ETag
            publish_to(new.settings, url + "/store")
            with pytest.raises(QueryError) as err:
                backend.quads(g=ox.NamedNode(DESCRIPTION))
            assert err.value.status == 503
            assert backend.version().tag == new.version
            assert backend.quads(g=ox.NamedNode(DESCRIPTION))
        finally:
            backend.close()


# A page's kind of read: a prologue, the default graph (the merge), an order; every subject with a label.
LABELLED = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s WHERE { ?s rdfs:label ?label } ORDER BY DESC(STR(?s))"""
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def labelled(release: Release) -> list[str]:
    """LABELLED's answer, from the release's own store: its subjects with a label, in descending order."""
    return sorted({q.subject.value for q in release.quads if q.predicate.value == RDFS_LABEL}, reverse=True)


def test_a_select_caught_by_a_switch_is_refused_not_mixed(releases, tmp_path):
    """`select` (the pages' fixed queries) and `graphs` through `serve --backend` are checked like every read: a
    request told the old version gets a 503 once the store has switched, even after the version it was
    told has expired from the cache (the check asks the store again, and must not re-tell the thread)."""
    old, new = releases
    assert labelled(old) != labelled(new)
    with store_process(tmp_path / "db", free_port()) as (url, _):
        publish_to(old.settings, url + "/store")
        backend = RemoteBackend(url + "/query", old.settings)
        try:
            assert backend.version().tag == old.version  # this request's ETag
            assert [row["s"].value for row in backend.select(LABELLED, {})] == labelled(old)  # in its order
            publish_to(new.settings, url + "/store")
            time.sleep(VERSION_TTL + 0.2)  # the version this request was told is no longer cached
            reads = (
                lambda: backend.select(LABELLED, {}),
                lambda: backend.labels([BASE + "id/network/b40"]),
                backend.graphs,
            )
            for read in reads:
                with pytest.raises(QueryError) as err:
                    read()
                assert err.value.status == 503 and err.value.reason == "version-changed"
            assert backend.version().tag == new.version  # the next request
            assert [row["s"].value for row in backend.select(LABELLED, {})] == labelled(new)
        finally:
            backend.close()


def test_a_thread_told_the_cached_version_is_checked_against_it(releases, tmp_path):
    """A thread told the version from the cache (another thread fetched it) reads that version without a
    503: being told is what `version()` does, fetched or cached."""
    old, new = releases
    with store_process(tmp_path / "db", free_port()) as (url, _):
        publish_to(old.settings, url + "/store")
        backend = RemoteBackend(url + "/query", old.settings)
        try:
            assert backend.version().tag == old.version
            publish_to(new.settings, url + "/store")
            time.sleep(VERSION_TTL + 0.2)
            other = threading.Thread(target=backend.version)  # another request fetches the new version
            other.start()
            other.join(30)
            assert backend.version().tag == new.version  # this thread's next request: from the cache
            assert [row["s"].value for row in backend.select(LABELLED, {})] == labelled(new)
            assert backend.quads(g=ox.NamedNode(DESCRIPTION))
        finally:
            backend.close()


def test_a_request_is_not_checked_against_an_earlier_requests_version(releases, tmp_path):
    """A server thread answers many requests: one that reads before it asks for the version (the redirect of
    /id/…, /sparql's check of FROM graphs) is not refused for the version an earlier request was told."""
    old, new = releases
    network = BASE + "id/network/b40"
    with store_process(tmp_path / "db", free_port()) as (url, _):
        publish_to(old.settings, url + "/store")
        backend = RemoteBackend(url + "/query", old.settings)
        try:
            client = create_app(old.settings, backend).test_client()  # requests run in this thread
            assert client.get("/").status_code == 200  # told the old version
            publish_to(new.settings, url + "/store")
            time.sleep(VERSION_TTL + 0.2)
            redirect = client.get(network.removeprefix(BASE.rstrip("/")))
            assert redirect.status_code == 303, redirect.text
            ask = f'ASK FROM <{DESCRIPTION}> {{ ?d <http://www.w3.org/2002/07/owl#versionInfo> "{new.version}" }}'
            answer = client.get("/sparql", query_string={"query": ask}, headers={"Accept": "application/json"})
            assert answer.status_code == 200 and answer.json["boolean"] is True, answer.text
            assert answer.headers["ETag"].strip('W/"').startswith(new.version), answer.headers["ETag"]
        finally:
            backend.close()


def test_a_store_without_sparql_update_gets_the_graph_by_graph_method_with_a_warning(releases, tmp_path):
    old, new = releases
    with store_process(tmp_path / "db", free_port()) as (url, _):
        publish_to(old.settings, url + "/store")
        proc = publisher(new, url, "--update", url + "/no-such-endpoint")
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "warning:" in err and "NOT atomic" in err and "404" in err
        assert snapshot(url + "/query") == new.state() and whole(url, new)
