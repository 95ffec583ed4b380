"""Set semantics (issue 10, items 1, 2 and 6): a triple stated in two named graphs is one triple of the
default graph, on the embedded store and on a remote Oxigraph; rebuilds keep the default graph the merge;
graph downloads are whole; every format of a document carries the same triples, in the default graph.

The fixture is a project of its own: the seed data plus a third declaration signed again by a signatory
of the founding declaration, so his name, type and role label are stated in two declaration graphs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from b40graph.core.errors import UsageError
from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.publish import dumps
from b40graph.publish.release import Release
from b40graph.server import open_backend
from b40graph.sparql.results import run_local
from b40graph.store.embedded import EmbeddedBackend, load_dataset_file, restore_store
from b40graph.store.local import run_query
from b40graph.store.remote import RemoteBackend
from b40graph.store.remote_publish import publish_to
from b40graph.web.app import create_app

from .conftest import BASE, oxigraph_server, seed_project

pytestmark = pytest.mark.backend
PERSON = f"<{BASE}id/person/ivica-puljak>"
NAME = "<http://xmlns.com/foaf/0.1/name>"
FOUNDING = "data/declarations/2021-11-30-b40-founding-declaration.md"
THIRD = "data/declarations/2025-06-01-b40-resigned-declaration.md"
SPLIT = "\nOn behalf of City of Split\n\nIvica PULJAK\nMayor of Split\n"
FOUNDING_SPLIT = "On behalf of City of Split\n\n\n\nIvica PULJAK\nMayor of Split\n\n"
GRAPH_A = f"{BASE}graph/declaration/2021-b40-founding-declaration"
GRAPH_B = f"{BASE}graph/declaration/2025-b40-resigned-declaration"
JSON = {"Accept": "application/sparql-results+json"}
NT = {"Accept": "application/n-triples"}


def resigned_project(dest: Path) -> Path:
    """The seed project plus a declaration that the Mayor of Split, a founding signatory, signs again."""
    root = seed_project(dest)
    sofia = (root / "data/declarations/2025-02-24-b40-sofia-summit-declaration.md").read_text(encoding="utf-8")
    for old, new in (
        ("id: 2025-b40-sofia-summit-declaration", "id: 2025-b40-resigned-declaration"),
        ("title: B40 Sofia Summit Declaration", "title: B40 Declaration Signed Again"),
        ("adopted: 2025-02-24", "adopted: 2025-06-01"),
    ):
        assert old in sofia
        sofia = sofia.replace(old, new)
    (root / THIRD).write_text(sofia + SPLIT, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Release]:
    root = resigned_project(tmp_path_factory.mktemp("resigned"))
    settings = Settings(root=root, out=root / "dist", query_timeout=5, query_workers=1)
    release = build(settings)
    store = ox.Store.read_only(str(release.store))
    graphs = {q.graph_name for q in store.quads_for_pattern(ox.NamedNode(PERSON[1:-1]), ox.NamedNode(NAME[1:-1]), None)}
    assert graphs >= {ox.NamedNode(GRAPH_A), ox.NamedNode(GRAPH_B)}  # the fixture states it twice
    return settings, release


@pytest.fixture(scope="module", params=["embedded", "remote"])
def client(request: pytest.FixtureRequest, project, tmp_path_factory):  # type: ignore[no-untyped-def]
    settings, _ = project
    if request.param == "embedded":
        backend = EmbeddedBackend(settings)
        app = create_app(settings, backend)
        app.config["TESTING"] = True
        yield app.test_client()
        backend.close()
        return
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-sets"), "--timeout-s", "10") as url:
        publish_to(settings, url + "/store")
        backend = RemoteBackend(url + "/query", settings)
        app = create_app(settings, backend)
        app.config["TESTING"] = True
        yield app.test_client()
        backend.close()


def _select(client, query: str, **params: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    r = client.get("/sparql", query_string={"query": query, **params}, headers=JSON)
    assert r.status_code == 200, r.data
    return [{k: v["value"] for k, v in b.items()} for b in r.get_json()["results"]["bindings"]]


def _lines(client, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    r = client.get("/sparql", query_string={"query": query}, headers=NT)
    assert r.status_code == 200, r.data
    return [line for line in r.data.decode().splitlines() if line.strip()]


def test_a_triple_in_two_graphs_is_one_triple_of_the_default_graph(client):
    rows = _select(client, f"SELECT ?name WHERE {{ {PERSON} {NAME} ?name }}")
    assert rows == [{"name": "Ivica Puljak"}]
    count = _select(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ {PERSON} ?p ?o }}")[0]["n"]
    distinct = _select(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?p ?o {{ {PERSON} ?p ?o }} }}")
    assert count == distinct[0]["n"]
    # over the whole default graph: as many solutions as distinct triples
    whole = _select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    assert whole == _select(client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT * { ?s ?p ?o } }")[0]["n"]
    # the named graphs are still there, each with its own copy
    graphs = _select(client, f"SELECT ?g WHERE {{ GRAPH ?g {{ {PERSON} {NAME} ?name }} }}")
    assert {GRAPH_A, GRAPH_B} <= {r["g"] for r in graphs}


def test_describe_states_each_triple_once(client):
    lines = _lines(client, f"DESCRIBE {PERSON}")
    assert len(lines) == len(set(lines)) and sum(NAME in line for line in lines) == 1


def test_construct_sees_each_triple_once(client):
    count = f"<{BASE}id/test#count>"
    query = f"CONSTRUCT {{ {PERSON} {count} ?n }} WHERE {{ SELECT (COUNT(*) AS ?n) {{ {PERSON} {NAME} ?x }} }}"
    lines = _lines(client, query)
    assert len(lines) == 1 and '"1"^^' in lines[0]
    plain = _lines(client, f"CONSTRUCT {{ {PERSON} ?q ?o }} WHERE {{ {PERSON} ?q ?o }}")
    assert len(plain) == len(set(plain)) and sum(NAME in line for line in plain) == 1


def test_a_dataset_of_two_graphs_is_their_merge(client):
    query = f"SELECT ?name WHERE {{ {PERSON} {NAME} ?name }}"
    protocol = _select(client, query, **{"default-graph-uri": GRAPH_A}) + _select(
        client, query, **{"default-graph-uri": GRAPH_B}
    )
    assert len(protocol) == 2  # one from each graph alone
    r = client.get("/sparql", query_string=[("query", query), ("default-graph-uri", GRAPH_A),
                                             ("default-graph-uri", GRAPH_B)], headers=JSON)  # fmt: skip
    assert r.status_code == 200 and len(r.get_json()["results"]["bindings"]) == 1
    from_query = f"SELECT ?name FROM <{GRAPH_A}> FROM <{GRAPH_B}> WHERE {{ {PERSON} {NAME} ?name }}"
    assert _select(client, from_query) == [{"name": "Ivica Puljak"}]
    # the named graphs of such a dataset are those it names (none here; FROM NAMED the ones listed)
    named = (
        f"SELECT ?g FROM <{GRAPH_A}> FROM <{GRAPH_B}> FROM NAMED <{GRAPH_B}> WHERE {{ GRAPH ?g {{ ?s {NAME} ?n }} }}"
    )
    assert {r["g"] for r in _select(client, named)} == {GRAPH_B}


def test_pages_show_a_statement_in_two_graphs_once(client):
    r = client.get("/doc/person/ivica-puljak", headers=NT)
    assert r.status_code == 200
    lines = [line for line in r.data.decode().splitlines() if line.strip()]
    assert len(lines) == len(set(lines)) and sum(line.startswith(f"{PERSON} {NAME}") for line in lines) == 1
    page = client.get("/doc/person/ivica-puljak", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.data.count(b"B40 Declaration Signed Again") >= 1


def test_cli_query_counts_once(project):
    settings, _ = project
    out = run_query(settings, f"SELECT (COUNT(*) AS ?n) WHERE {{ {PERSON} {NAME} ?name }}", "json")
    assert '"value": "1"' in out.replace('"value":"1"', '"value": "1"')


def test_rebuilds_keep_the_default_graph_the_merge(tmp_path, monkeypatch):
    """Removing the triple from one of its two graphs keeps it in the default graph; from both drops it.
    Both ways a rebuild updates a store: graphs diffed line by line, and graphs replaced whole."""
    for diff_from in (1, 20_000):
        monkeypatch.setattr(dumps, "DIFF_FROM", diff_from)
        root = resigned_project(tmp_path / f"p{diff_from}")
        settings = Settings(root=root, out=root / "dist")
        assert _names(build(settings)) == (1, 2)
        third = root / THIRD
        third.write_text(third.read_text(encoding="utf-8").replace(SPLIT, ""), encoding="utf-8")
        assert _names(build(settings)) == (1, 1)
        founding = root / FOUNDING
        text = founding.read_text(encoding="utf-8")
        assert FOUNDING_SPLIT in text
        founding.write_text(text.replace(FOUNDING_SPLIT, ""), encoding="utf-8")
        release = build(settings)
        assert _names(release) == (0, 0)
        store = ox.Store.read_only(str(release.store))
        named = {q.triple for q in store.quads_for_pattern(None, None, None, None) if q.graph_name != ox.DefaultGraph()}
        default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        assert default == named


def _names(release: Release) -> tuple[int, int]:
    """(quads of the name in the default graph, in named graphs)."""
    store = ox.Store.read_only(str(release.store))
    quads = list(store.quads_for_pattern(ox.NamedNode(PERSON[1:-1]), ox.NamedNode(NAME[1:-1]), None, None))
    default = sum(isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
    return default, len(quads) - default


def test_restored_store_has_the_merged_default_graph(project, tmp_path):
    _, release = project
    copy = tmp_path / release.version
    shutil.copytree(release.path, copy)
    shutil.rmtree(copy / "store")
    restore_store(Release(copy))
    store = ox.Store.read_only(str(copy / "store"))
    named = [q for q in store.quads_for_pattern(None, None, None, None) if q.graph_name != ox.DefaultGraph()]
    default = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert len(named) == release.info["quads"] and len(default) == len({q.triple for q in named})
    answer = run_local(store, f"SELECT * WHERE {{ {PERSON} {NAME} ?n }}", None, union_default=True)
    assert len(answer.rows) == 1


def test_a_dataset_file_of_named_graphs_is_served_as_a_set(tmp_path):
    nq = tmp_path / "d.nq"
    nq.write_text(
        '<http://e/a> <http://e/p> "1" <http://e/g> .\n<http://e/a> <http://e/p> "1" <http://e/h> .\n', "utf-8"
    )
    folder, tag, merged = load_dataset_file(nq)
    assert merged
    settings = Settings(root=tmp_path, out=tmp_path / "out", query_workers=1)
    backend = EmbeddedBackend(settings, store_path=folder, tag=tag, merged=merged)
    try:
        app = create_app(settings, backend)
        rows = _select(app.test_client(), "SELECT * WHERE { ?s ?p ?o }")
        assert len(rows) == 1
        assert len(backend.quads(s=ox.NamedNode("http://e/a"))) == 2  # one per named graph
    finally:
        backend.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_remote_store_with_a_bag_union_default_graph_is_refused(project, tmp_path):
    settings, _ = project
    with oxigraph_server(tmp_path / "db", "--union-default-graph") as url:
        publish_to(settings, url + "/store")
        # the store itself shows the problem this guards against
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ {PERSON} {NAME} ?name }}"
        raw = requests.get(url + "/query", params={"query": q}, headers=JSON, timeout=10).json()
        assert int(raw["results"]["bindings"][0]["n"]["value"]) > 1
        backend = RemoteBackend(url + "/query", settings)
        client = create_app(settings, backend).test_client()
        r = client.get("/sparql", query_string={"query": q}, headers=JSON)
        assert r.status_code == 502 and "--union-default-graph" in r.get_json()["message"]
        backend.close()
        with pytest.raises(UsageError, match="--union-default-graph"):  # `serve --backend` exits 2
            open_backend(settings, remote=url + "/query")


def test_publish_writes_the_merge_as_the_default_graph(project, tmp_path):
    settings, release = project
    with oxigraph_server(tmp_path / "db") as url:
        sent = publish_to(settings, url + "/store")
        assert sent == release.info["quads"]
        r = requests.get(url + "/store?default", headers=NT, timeout=30)
        default = {q.triple for q in ox.parse(r.content, ox.RdfFormat.N_TRIPLES)}
        merged = {q.triple for q in ox.Store.read_only(str(release.store)).quads_for_pattern(None, None, None, None)}
        assert len(default) == len(merged)  # the store names blank nodes afresh as it loads them
        plain = lambda triples: {t for t in triples if not any(isinstance(x, ox.BlankNode) for x in t)}  # noqa: E731
        assert plain(default) == plain(merged)


def test_graph_downloads_are_whole(project):
    settings, release = project
    small = settings.with_(result_cap=2)
    backend = EmbeddedBackend(small)
    try:
        client = create_app(small, backend).test_client()
        graphs = release.info["graphs"]
        name = max(graphs, key=graphs.get)
        assert graphs[name] > small.result_cap * 100  # more than the old cut
        r = client.get(f"/download/graph/{name.removeprefix(BASE + 'graph/')}.nt")
        assert r.status_code == 200
        assert len(set(ox.parse(r.data, ox.RdfFormat.N_TRIPLES))) == graphs[name]
    finally:
        backend.close()


RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}


@pytest.mark.parametrize("path", ["/doc/municipality/athens", "/doc/person/ivica-puljak", "/graph/description"])
def test_every_format_of_a_document_states_the_same_triples(client, path):
    sets = {}
    for ext, fmt in RDF_FORMATS.items():
        r = client.get(f"{path}.{ext}")
        assert r.status_code == 200, (path, ext)
        quads = list(ox.parse(r.data, fmt, base_iri="http://localhost" + path))
        sets[ext] = {str(q.triple) for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}
        if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):  # provenance: the named graphs stating them
            named = {str(q.triple) for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
            assert named and named <= sets[ext]
    assert sets["ttl"] and all(triples == sets["ttl"] for triples in sets.values()), {
        k: len(v) for k, v in sets.items()
    }
