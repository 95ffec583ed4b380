"""The remote backend against real Oxigraph servers: publishing, reading, faults and the W3C protocol suite.

(The page, conneg and SPARQL tests of test_web.py run on both backends through the `app` fixture.)
"""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from b40graph.sparql.results import QueryError
from b40graph.store.backend import values_block
from b40graph.store.embedded import EmbeddedBackend
from b40graph.store.remote import RemoteBackend
from b40graph.store.remote_publish import publish_to
from b40graph.web.app import create_app

from .conftest import BASE, ROOT, free_port, oxigraph_binary, oxigraph_server, running_server

CONF = ROOT / "tests" / "conformance"  # vendored
pytestmark = pytest.mark.backend
# Who signed the founding declaration (22 persons, a seed fact that more data does not change).
SIGNED = (
    f"PREFIX b40: <{BASE}ontology#> SELECT ?person ?decl WHERE {{ "
    f"VALUES ?decl {{ <{BASE}id/declaration/2021-b40-founding-declaration> }} ?person b40:signed ?decl }}"
)


def _graphs(quads: list[ox.Quad]) -> dict[str, Graph]:
    """Named graphs as rdflib graphs, to compare up to blank-node labels (the ontology's RDF lists)."""
    out: dict[str, Graph] = {}
    for quad in quads:
        out.setdefault(str(quad.graph_name), Graph())
    for name, graph in out.items():
        triples = [q.triple for q in quads if str(q.graph_name) == name]
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return out


def _same_dataset(url: str, built) -> bool:  # type: ignore[no-untyped-def]
    r = requests.get(url + "/store", headers={"Accept": "application/n-quads"}, timeout=30)
    assert r.status_code == 200
    served = _graphs(list(ox.parse(r.content, ox.RdfFormat.N_QUADS)))
    release = _graphs(list(ox.Store.read_only(str(built[1].store))))
    return served.keys() == release.keys() and all(isomorphic(served[k], release[k]) for k in release)


def test_publish_keeps_named_graphs_intact(built, tmp_path):
    settings, _ = built
    with oxigraph_server(tmp_path / "db") as url:
        count = publish_to(settings, url + "/store")
        assert count == built[1].info["quads"]  # the quads of the named graphs (and their merge as default)
        assert _same_dataset(url, built)
        # publishing again replaces, it does not duplicate; a graph an earlier publication listed is dropped
        stale = BASE + "graph/declaration/withdrawn"
        ox_data = f"<{BASE}id/x> <{BASE}ontology#p> <{BASE}id/y> .\n"
        requests.put(
            f"{url}/store?graph={stale}", data=ox_data, headers={"Content-Type": "application/n-triples"}, timeout=10
        )
        requests.post(
            f"{url}/store?graph={BASE}graph/description",
            data=f"<{BASE}id/dataset> <http://rdfs.org/ns/void#subset> <{stale}> .\n",
            headers={"Content-Type": "application/n-triples"},
            timeout=10,
        )
        publish_to(settings, url + "/store")
        assert _same_dataset(url, built)


def test_publish_cli_reports_an_unreachable_store(built):
    settings, _ = built
    port = free_port()  # nothing listens there
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "b40graph.cli",
            "publish",
            "--root",
            str(ROOT),
            "--out",
            str(settings.out_dir),
            "--no-build",
            "--to",
            f"http://127.0.0.1:{port}/store",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "cannot reach the graph store" in done.stderr


def test_values_block_binds_terms_escaped():
    hostile = ox.Literal('x" } ; DROP ALL ; #')
    block = values_block({"a": ox.NamedNode("http://example.org/a"), "b": hostile})
    assert block == 'VALUES (?a ?b) { (<http://example.org/a> "x\\" } ; DROP ALL ; #") }'
    # the block parses as a query and binds exactly the literal
    store = ox.Store()
    answer = store.query(f"SELECT ?b WHERE {{ {block} }}")
    assert [s["b"] for s in answer] == [hostile]
    with pytest.raises(ValueError, match="variable"):
        values_block({"a b": hostile})


def test_bag_union_default_graph_is_detected_and_refused(built, remote, tmp_path):
    """Oxigraph's --union-default-graph counts a triple once per graph holding it (and once more for the
    published default graph): the backend finds that out and refuses with a message; without the
    option the default graph is the published merge, and answers are those of the embedded store."""
    settings, _ = built
    explicit = RemoteBackend(remote + "/query", settings)
    explicit.check_default()  # a set: no error
    with oxigraph_server(tmp_path / "db", "--union-default-graph") as url:
        publish_to(settings, url + "/store")
        union = RemoteBackend(url + "/query", settings)
        with pytest.raises(QueryError, match="--union-default-graph") as err:
            union.select(SIGNED, {})
        assert err.value.status == 502
        trusting = RemoteBackend(url + "/query", settings, trust_default=True)  # told not to ask: not checked
        assert trusting.select(SIGNED, {})
    rows = lambda be: sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in be.select(SIGNED, {}))  # noqa: E731
    embedded = EmbeddedBackend(settings)
    try:
        assert rows(explicit) == rows(embedded) and rows(explicit)
    finally:
        embedded.close()


def test_store_down_gives_502_and_recovers(built, tmp_path):
    settings, _ = built
    folder = tmp_path / "db"
    with oxigraph_server(folder) as url:
        publish_to(settings, url + "/store")
    port = int(url.rsplit(":", 1)[1])  # the same address once it is back
    backend = RemoteBackend(url + "/query", settings)
    client = create_app(settings, backend).test_client()
    down = client.get("/doc/network/b40", headers={"Accept": "text/turtle"})
    assert down.status_code == 502 and b"cannot be reached" in down.data
    q = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"})
    assert q.status_code == 502 and "cannot be reached" in q.get_json()["message"]
    try:
        with oxigraph_server(folder, port=port):  # back on the same address with the same data
            back = client.get("/doc/network/b40", headers={"Accept": "text/turtle"})
            assert back.status_code == 200 and f"{BASE}id/network/b40".encode() in back.data
    finally:
        backend.close()


class _Hanging(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        time.sleep(3)

    def log_message(self, *args: object) -> None:
        pass


def test_slow_store_gives_504_with_message(built):
    settings, _ = built
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hanging)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        backend = RemoteBackend(f"http://127.0.0.1:{server.server_port}/query", settings.with_(query_timeout=0.5))
        client = create_app(backend.settings, backend).test_client()
        r = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"})
        assert r.status_code == 504 and "time limit of 0.5 s" in r.get_json()["message"]
        page = client.get("/doc/network/b40", headers={"Accept": "text/html"})
        assert page.status_code == 504 and b"time limit" in page.data
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_protocol_suite_through_remote_backend(tmp_path):
    assert (CONF / "run_protocol.py").is_file(), "the vendored W3C suite is missing"
    folder = tmp_path / "db"
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(folder), "--file", str(CONF / "derived/protocol-fixture.trig")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with (
        oxigraph_server(folder) as store,
        running_server("--backend", store + "/query", "--out", str(tmp_path / "out")) as url,
    ):
        done = subprocess.run(
            [
                sys.executable,
                "run_protocol.py",
                "sparql11/protocol/manifest.ttl",
                "--query-url",
                url + "/sparql",
                "--skip-update",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            cwd=CONF,
        )
        assert "20 passed, 0 failed" in done.stdout, done.stdout


def test_downloads_made_from_the_remote_store_hold_the_release(built, remote):
    settings, release = built
    backend = RemoteBackend(remote + "/query", settings)
    try:
        folder = backend.dumps()
        assert folder is not None and backend.dumps() == folder  # made once per version
        served = _graphs(list(ox.parse(path=str(folder / "b40.nq"), format=ox.RdfFormat.N_QUADS)))
        original = _graphs(list(ox.parse(path=str(release.path / "b40.nq"), format=ox.RdfFormat.N_QUADS)))
        assert served.keys() == original.keys() and all(isomorphic(served[k], original[k]) for k in original)
        turtle = Graph().parse(folder / "b40.ttl", format="turtle")
        assert len(turtle) == len(Graph().parse(release.path / "b40.ttl", format="turtle"))
    finally:
        backend.close()
