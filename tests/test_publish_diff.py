"""Publishing to a remote store by difference: when the store holds an earlier release whole, the switch
costs what changed. Against real `oxigraph serve` processes: after a republication the store holds exactly
the new release (every graph and the default graph compared with the release's N-Quads file), graphs that
did not change were neither sent nor named in the switch, a triple another graph still holds stays in the
default graph and one no graph holds leaves it, readers see one release or the other, and a store that
does not hold what it says gets every graph."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.publish.release import Release
from b40graph.store.remote import STAGING
from b40graph.store.remote_publish import _Target, publish_to

from .conftest import BASE, oxigraph_server, replace_in
from .test_sets import FOUNDING, FOUNDING_SPLIT, GRAPH_A, GRAPH_B, NAME, PERSON, SPLIT, THIRD, resigned_project

pytestmark = [pytest.mark.backend, pytest.mark.slow]
DESCRIPTION = BASE + "graph/description"
JSON = {"Accept": "application/sparql-results+json"}
Graphs = dict[str, set[ox.Triple]]
FOREIGN = "http://other.example/graph"


def dump(release: Release) -> Graphs:
    """The release's graphs as its N-Quads file says (the default graph under "")."""
    (nq,) = release.path.glob("*.nq")
    return by_graph(ox.parse(nq.read_bytes(), ox.RdfFormat.N_QUADS))


def by_graph(quads: Iterator[ox.Quad] | list[ox.Quad]) -> Graphs:
    graphs: Graphs = {}
    for q in quads:
        graphs.setdefault(q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "", set()).add(q.triple)
    return graphs


def rdflib(triples: set[ox.Triple]) -> Graph:
    return Graph().parse(data=(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode(), format="nt")


def holds_exactly(url: str, release: Release) -> None:
    """The store's graphs (staging graphs aside: none may be left) are the release's, each the same graph, and
    its default graph is their merge."""
    r = requests.get(url + "/store", headers={"Accept": "application/n-quads"}, timeout=60)
    assert r.status_code == 200
    served = by_graph(ox.parse(r.content, ox.RdfFormat.N_QUADS))
    assert not [g for g in served if g.startswith(STAGING)]
    mine = dump(release)
    merged = set().union(*(t for g, t in mine.items() if g))
    assert served.keys() - {""} == mine.keys() - {""}
    for name in mine.keys() - {""}:
        assert isomorphic(rdflib(served[name]), rdflib(mine[name])), name
    assert isomorphic(rdflib(served.get("", set())), rdflib(merged))


def ask(url: str, query: str) -> bool:
    r = requests.post(url + "/query", data={"query": query}, headers=JSON, timeout=30)
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


class Recorder:
    """Every request the publisher sends, as (method, URL, body)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[tuple[str, str, bytes]] = []
        original = requests.Session.request

        def request(session: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            body = kwargs.get("data")
            self.sent.append((method, url, body if isinstance(body, bytes) else str(body or "").encode()))
            return original(session, method, url, *args, **kwargs)

        monkeypatch.setattr(requests.Session, "request", request)

    def clear(self) -> None:
        self.sent.clear()

    def graph_requests(self, method: str) -> list[str]:
        """The graphs named by the Graph Store Protocol requests of `method`."""
        return [
            parse_qs(urlsplit(url).query).get("graph", [""])[0]
            for m, url, _ in self.sent
            if m == method and urlsplit(url).path.endswith("/store")
        ]

    def uploaded(self) -> int:
        return sum(len(body) for m, url, body in self.sent if m in ("PUT", "POST") and "/store" in url)

    def updates(self) -> list[str]:
        return [body.decode() for m, url, body in self.sent if urlsplit(url).path.endswith("/update")]


def out_with(folder: Path, *releases: Release) -> Settings:
    """An output folder holding `releases` (linked), the last one current."""
    (folder / "releases").mkdir(parents=True)
    for release in releases:
        os.symlink(release.path, folder / "releases" / release.version)
    os.symlink(Path("releases") / releases[-1].version, folder / "current")
    return Settings(root=folder, out=folder)


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Release, Release, Release]:
    """A: the seed plus a third declaration the Mayor of Split signs again (his name in two graphs); B: his
    signature taken off the third declaration (one declaration changed); C: off the founding one too."""
    root = resigned_project(tmp_path_factory.mktemp("diff"))
    made = []
    for step in range(3):
        if step == 1:
            replace_in(root / THIRD, SPLIT, "")
        if step == 2:
            replace_in(root / FOUNDING, FOUNDING_SPLIT, "")
        made.append(build(Settings(root=root, out=tmp_path_factory.mktemp(f"out{step}"), query_workers=1)))
    a, b, c = made
    name = ox.Triple(ox.NamedNode(PERSON[1:-1]), ox.NamedNode(NAME[1:-1]), ox.Literal("Ivica Puljak"))
    graphs = [dump(r) for r in made]
    assert name in graphs[0][GRAPH_A] and name in graphs[0][GRAPH_B]  # the fixture: in two graphs, then one
    assert name in graphs[1][GRAPH_A] and name not in graphs[1][GRAPH_B]
    assert not any(name in t for g, t in graphs[2].items() if g)  # then in none
    return a, b, c


def test_a_changed_declaration_is_switched_by_its_difference(releases, tmp_path, monkeypatch):
    a, b, _ = releases
    recorder = Recorder(monkeypatch)
    with oxigraph_server(tmp_path / "db") as url:
        lines: list[str] = []
        publish_to(out_with(tmp_path / "a", a), url + "/store", progress=lines.append)
        assert any("publishing every graph: nothing is published there yet" in line for line in lines)
        whole = recorder.uploaded()
        recorder.clear()
        lines.clear()
        publish_to(out_with(tmp_path / "b", a, b), url + "/store", progress=lines.append)
        holds_exactly(url, b)
        assert any("by difference from version " + a.version in line for line in lines), lines
        old, new = dump(a), dump(b)
        unchanged = {g for g in new if g and old.get(g) == new[g]}
        assert {GRAPH_A, BASE + "graph/ontology"} <= unchanged and GRAPH_B not in unchanged
        staged = recorder.graph_requests("PUT") + recorder.graph_requests("POST")
        assert staged and all(s.startswith(STAGING) for s in staged)
        assert not [s for s in staged if any(s.endswith(":" + g) for g in unchanged)]  # not re-sent
        (update,) = [u for u in recorder.updates() if "switch" in u or "INSERT" in u or "DELETE" in u]
        assert not [g for g in unchanged if f"<{g}>" in update]  # not touched by the switch
        assert f"<{GRAPH_B}>" in update
        assert recorder.graph_requests("GET") == [DESCRIPTION]  # version A's graphs read from its folder
        assert recorder.uploaded() < whole / 4, (recorder.uploaded(), whole)
        # his name left the third declaration's graph and stays in the default graph: the founding one holds it
        assert not ask(url, f"ASK {{ GRAPH <{GRAPH_B}> {{ {PERSON} {NAME} ?n }} }}")
        assert ask(url, f"ASK {{ {PERSON} {NAME} ?n }}")
        recorder.clear()
        lines.clear()
        publish_to(out_with(tmp_path / "b2", a, b), url + "/store", progress=lines.append)  # B again
        assert any("already published: nothing to send" in line for line in lines)
        assert not recorder.uploaded() and not recorder.updates()
        holds_exactly(url, b)


def test_a_triple_no_graph_holds_leaves_the_default_graph(releases, tmp_path, monkeypatch):
    """From B to C, with B's graphs read from the store (the publisher has no folder of B)."""
    _, b, c = releases
    recorder = Recorder(monkeypatch)
    with oxigraph_server(tmp_path / "db") as url:
        publish_to(out_with(tmp_path / "b", b), url + "/store")
        recorder.clear()
        lines: list[str] = []
        publish_to(out_with(tmp_path / "c", c), url + "/store", progress=lines.append)
        holds_exactly(url, c)
        assert any("by difference from version " + b.version in line for line in lines), lines
        assert sorted(recorder.graph_requests("GET")) == sorted([DESCRIPTION, *(g for g in dump(b) if g)])
        assert not ask(url, f"ASK {{ {PERSON} {NAME} ?n }}")
        assert not ask(url, f"ASK {{ GRAPH ?g {{ {PERSON} {NAME} ?n }} }}")


def test_readers_see_one_release_or_the_other(releases, tmp_path):
    from .test_publish_atomic import Reader, snapshot

    a, b, _ = releases

    def state(release: Release) -> tuple[str, dict[str, int]]:
        return release.version, {g: len(t) for g, t in dump(release).items() if g}

    with oxigraph_server(tmp_path / "db") as url:
        publish_to(out_with(tmp_path / "a", a), url + "/store")
        assert snapshot(url + "/query") == state(a)
        reader = Reader(url + "/query")
        reader.start()
        publish_to(out_with(tmp_path / "b", a, b), url + "/store", chunk=20)  # many requests: a long staging
        time.sleep(1.0)  # a poll begun after the switch
        states = reader.states()
        assert states[0] == state(a) and states[-1] == state(b), states
        assert all(s in (state(a), state(b)) for s in states), states


def test_a_store_that_does_not_hold_its_version_gets_every_graph(releases, tmp_path):
    a, b, _ = releases
    with oxigraph_server(tmp_path / "db") as url:
        publish_to(out_with(tmp_path / "a", a), url + "/store")
        tamper = f"INSERT DATA {{ GRAPH <{GRAPH_A}> {{ <urn:x:s> <urn:x:p> <urn:x:o> }} }}"
        assert requests.post(url + "/update", data=tamper, headers={"Content-Type": "application/sparql-update"}).ok
        lines: list[str] = []
        publish_to(out_with(tmp_path / "b", a, b), url + "/store", progress=lines.append)
        assert any("publishing every graph: the store's graphs do not have the sizes" in line for line in lines)
        holds_exactly(url, b)


def test_blank_nodes_added_and_dropped_graphs(tmp_path):
    """Crafted releases published with the same code path: a changed graph with blank nodes is replaced
    whole and the default graph's blank-node triples with it; a graph added, one dropped; a triple two
    graphs held and one of them lost stays in the default graph; a graph the release's description does not
    list (another dataset's) is neither read nor dropped."""
    ex = "http://example.org/"
    s, p, q, name = (ox.NamedNode(ex + n) for n in ("s", "p", "q", "name"))

    def release(version: str, **graphs: list[ox.Triple]) -> dict[str, list[ox.Triple]]:
        out = {ex + g: t for g, t in graphs.items()}
        version_info = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
        dataset, subset = ox.NamedNode(ex + "dataset"), ox.NamedNode("http://rdfs.org/ns/void#subset")
        out[DESCRIPTION] = [ox.Triple(dataset, version_info, ox.Literal(version))]
        out[DESCRIPTION] += [ox.Triple(dataset, subset, ox.NamedNode(g)) for g in out if g != DESCRIPTION]
        return out

    shared = ox.Triple(s, name, ox.Literal("N"))
    b1, b2 = ox.BlankNode(), ox.BlankNode()
    first = release(
        "v1",
        g1=[shared, ox.Triple(s, p, b1), ox.Triple(b1, q, ox.Literal("1"))],
        g2=[shared, ox.Triple(s, p, ox.Literal("two"))],
        g3=[ox.Triple(s, p, ox.Literal("three"))],
    )
    second = release(
        "v2",
        g1=[ox.Triple(s, p, b2), ox.Triple(b2, q, ox.Literal("2"))],
        g2=[shared, ox.Triple(s, p, ox.Literal("two"))],
        g4=[ox.Triple(s, p, ox.Literal("four"))],
    )
    with oxigraph_server(tmp_path / "db") as url, requests.Session() as session:
        target = _Target(session, url + "/store", url + "/update", url + "/query")
        for graphs in (first, second):
            merged = list({t: None for triples in graphs.values() for t in triples})
            order = sorted(g for g in graphs if g != DESCRIPTION) + [DESCRIPTION]
            lines: list[str] = []
            version = graphs[DESCRIPTION][0].object.value
            target.publish(version, graphs, merged, order, DESCRIPTION, 2, lines.append)
            r = requests.get(url + "/store", headers={"Accept": "application/n-quads"}, timeout=60)
            served = by_graph(ox.parse(r.content, ox.RdfFormat.N_QUADS))
            assert served.keys() - {"", FOREIGN} == graphs.keys()
            for g, triples in graphs.items():
                assert isomorphic(rdflib(served[g]), rdflib(set(triples))), g
            assert isomorphic(rdflib(served[""]), rdflib(set(merged)))
            if version == "v1":  # a graph of another dataset in the same store: not the release's, left alone
                other = f"<{FOREIGN}> <{FOREIGN}> <{FOREIGN}> .\n"
                headers = {"Content-Type": "application/n-triples"}
                assert requests.put(f"{url}/store?graph={FOREIGN}", data=other, headers=headers, timeout=10).ok
        assert any("by difference" in line and "its blank-node triples replaced" in line for line in lines), lines
        assert ask(url, f"ASK {{ GRAPH <{FOREIGN}> {{ ?s ?p ?o }} }}")
        assert ask(url, f"ASK {{ <{ex}s> <{ex}name> 'N' }}")  # g1 lost it, g2 holds it
        assert not ask(url, f"ASK {{ <{ex}s> <{ex}p> 'three' }}")  # g3 dropped
