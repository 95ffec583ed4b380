"""Huge resources (issue 12, item 6): a declaration with hundreds of clauses and signatures gives documents
of bounded size in every format, one page at a time; following rel="next" reaches every signature exactly
once; a page past the end is an empty 200 that links back to the first page. Each page holds its own slice
(clauses by position, signatures by IRI, statements and incoming links in the store's order), the same on the
embedded store and on a remote one (`serve --backend`: a real Oxigraph server the release is published to)."""

from __future__ import annotations

import re
from html import unescape

import pyoxigraph as ox
import pytest

from b40graph.author.synthetic import HUGE_DECLARATION as DECLARATION
from b40graph.author.synthetic import huge_project
from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.store import resource
from b40graph.store.backend import values_block
from b40graph.store.embedded import EmbeddedBackend
from b40graph.store.remote import RemoteBackend
from b40graph.web import pages as page_views
from b40graph.web.app import create_app

from .conftest import oxigraph_server

pytestmark = pytest.mark.slow
BASE = "https://w3id.org/b40/"
B40 = "https://w3id.org/b40/ontology#"
SIGNATURES = 600
CLAUSES = 600
MAX_BYTES = 1 << 20  # every document, whatever the data
EXTENSIONS = ("html", "ttl", "jsonld", "rdf", "nt", "trig", "nq")
DECL = f"/doc/declaration/{DECLARATION}"


@pytest.fixture(scope="module")
def huge_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("huge")
    source = huge_project(root, SIGNATURES, CLAUSES)
    assert source.stat().st_size > 100_000
    settings = Settings(root=root, out=root / "dist", query_timeout=5, query_workers=1, cache=False)
    return settings, build(settings)


@pytest.fixture(scope="module")
def huge(huge_build):
    settings, release = huge_build
    backend = EmbeddedBackend(settings)
    app = create_app(settings, backend)
    yield app.test_client(), ox.Store.read_only(str(release.store))
    backend.close()


@pytest.fixture(scope="module")
def huge_remote(huge_build, tmp_path_factory):
    """The app over the huge release published to a real Oxigraph server (`serve --backend`)."""
    from b40graph.store.remote_publish import publish_to

    settings, release = huge_build
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-huge"), "--timeout-s", "20") as url:
        publish_to(settings, url + "/store")
        remote = RemoteBackend(url + "/query", settings)
        yield create_app(settings, remote).test_client(), ox.Store.read_only(str(release.store))
        remote.close()


@pytest.fixture(params=["embedded", "remote"])
def both(request):
    """The app over the huge release on the embedded store, then on a remote one."""
    return request.getfixturevalue("huge" if request.param == "embedded" else "huge_remote")


def _next(response) -> str | None:
    found = re.search(r'<([^>]*)>; rel="next"', response.headers.get("Link", ""))
    return found.group(1) if found else None


def _pages(client, url: str) -> list:
    """Every page of a document, following rel="next" from the first."""
    out = []
    while url is not None:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        out.append(r)
        assert len(out) < 200, "no end to the pages"
        following = _next(r)
        url = following.replace("?", f".{url.split('?', maxsplit=1)[0].rsplit('.', 1)[1]}?", 1) if following else None
    return out


def _theme(store: ox.Store) -> str:
    query = f"SELECT ?t (COUNT(?c) AS ?n) WHERE {{ ?c <{B40}theme> ?t }} GROUP BY ?t ORDER BY DESC(?n) LIMIT 1"
    rows = store.query(query)
    return next(iter(rows))["t"].value.removeprefix(BASE + "id/")


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_every_page_of_every_document_is_bounded(huge, ext):
    client, store = huge
    paths = [DECL, "/doc/network/b40", "/doc/" + _theme(store)]
    for path in paths:
        pages = _pages(client, f"{path}.{ext}")
        for number, page in enumerate(pages, 1):
            assert len(page.data) < MAX_BYTES, (path, ext, number, len(page.data))
        if path == DECL:
            assert len(pages) >= 3, "the declaration should need several pages"


def test_paging_reaches_every_signature_exactly_once(huge):
    client, store = huge
    decl = ox.NamedNode(BASE + "id/declaration/" + DECLARATION)
    sigs = {q.object.value for q in store.quads_for_pattern(decl, ox.NamedNode(B40 + "hasSignature"), None, None)}
    munis = {
        q.object.value.removeprefix(BASE + "id/")
        for s in sigs
        for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(B40 + "onBehalfOf"), None, None)
    }
    assert len(sigs) == len(munis) == SIGNATURES
    # RDF: the declaration's hasSignature triples, across the pages of its N-Triples document
    seen: list[str] = []
    for page in _pages(client, f"{DECL}.nt"):
        graph = ox.parse(page.data, format=ox.RdfFormat.N_TRIPLES)
        seen += [t.object.value for t in graph if t.subject == decl and t.predicate.value == B40 + "hasSignature"]
    assert len(seen) == len(set(seen)) and set(seen) == sigs
    # HTML: the rows of the signatures table, one per signature, across the pages
    rows: list[str] = []
    for page in _pages(client, f"{DECL}.html"):
        html = page.data.decode()
        table = re.search(r"<h2[^>]*>Signatures</h2>\s*<table[^>]*>(.*?)</table>", html, re.S)
        if table:
            rows += re.findall(r'<td data-label="On behalf of"><a href="/doc/([^"]+)"', table.group(1))
    assert len(rows) == len(set(rows)) and set(rows) == munis


def test_a_page_past_the_end_is_empty_and_links_back(huge):
    client, _ = huge
    html = client.get(f"{DECL}.html?page=5000")
    assert html.status_code == 200 and 'rel="first"' in html.headers["Link"] and _next(html) is None
    assert f'href="{DECL}"' in html.data.decode() and "<h2>Signatures</h2>" not in html.data.decode()
    ttl = client.get(f"{DECL}.nt?page=5000")
    assert ttl.status_code == 200 and f'<{DECL}>; rel="first"' in ttl.headers["Link"]
    assert B40 + "hasSignature" not in ttl.data.decode()
    assert client.get("/doc/declaration/no-such-declaration.nt?page=2").status_code == 404


def test_pages_link_to_each_other(huge):
    client, _ = huge
    second = client.get(f"{DECL}.ttl?page=2")
    links = second.headers["Link"]
    assert f'<{DECL}?page=1>; rel="prev"' in links and f'<{DECL}?page=3>; rel="next"' in links
    assert f'<{DECL}.jsonld?page=2>; rel="alternate"' in links
    html = client.get(f"{DECL}.html?page=2").data.decode()
    assert 'rel="prev" href="?page=1"' in html and 'rel="next" href="?page=3"' in html


def _doc(iri: str) -> str:
    """The path an IRI of the dataset is served at (/id/x -> /doc/x)."""
    assert iri.startswith(BASE + "id/"), iri
    return "/doc/" + iri.removeprefix(BASE + "id/")


def _decl(store: ox.Store) -> ox.NamedNode:
    return ox.NamedNode(BASE + "id/declaration/" + DECLARATION)


def _objects(store: ox.Store, subject: ox.NamedNode, predicate: str) -> list:
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, ox.DefaultGraph())]


def test_a_page_of_clauses_lists_its_positions_in_order(both):
    """Page 3 lists clauses 2K+1..3K (K a page's clauses), in order, each with its own text and themes."""
    client, store = both
    k = page_views.CLAUSES_PER_PAGE
    decl = _decl(store)
    clauses = {
        int(_objects(store, c, "https://schema.org/position")[0].value): c
        for c in _objects(store, decl, B40 + "hasClause")
    }
    assert sorted(clauses) == list(range(1, len(clauses) + 1)) and len(clauses) > 5 * k
    html = client.get(f"{DECL}.html?page=3").data.decode()
    items = re.findall(r'<li value="(\d+)" class="[^"]*"><a href="([^"]+)">[^<]*</a>: ([^\n]*)\n(.*?)</li>', html, re.S)
    assert [int(i[0]) for i in items] == list(range(2 * k + 1, 3 * k + 1))
    for position, href, text, tail in items:
        clause = clauses[int(position)]
        assert href == _doc(clause.value)
        assert unescape(text) == _objects(store, clause, "https://schema.org/text")[0].value
        stated = [
            q.subject for q in store.quads_for_pattern(None, ox.NamedNode(B40 + "statedIn"), clause, ox.DefaultGraph())
        ]
        themes = {_doc(t.value) for c in stated for t in _objects(store, c, B40 + "theme")}
        assert set(re.findall(r'<span class="tag"><a href="([^"]+)"', tail)) == themes
    last = client.get(f"{DECL}.html?page={-(-len(clauses) // k)}").data.decode()
    assert re.findall(r'<li value="(\d+)"', last)[-1] == str(len(clauses))


def test_a_page_of_signatures_is_its_slice_of_the_signatures(both):
    """Page 2's signatures table holds the declaration's signatures K+1..2K (by IRI), each once."""
    client, store = both
    k = page_views.ROWS_PER_PAGE
    sigs = sorted(s.value for s in _objects(store, _decl(store), B40 + "hasSignature"))
    assert len(sigs) == SIGNATURES
    html = client.get(f"{DECL}.html?page=2").data.decode()
    table = re.search(r"<h2[^>]*>Signatures</h2>\s*<table[^>]*>(.*?)</table>", html, re.S)
    assert table is not None
    shown = re.findall(r'<td data-label="Date"><a href="([^"]+)"', table.group(1))
    assert sorted(shown) == [_doc(s) for s in sigs[k : 2 * k]]


def _quads(body: bytes) -> list[ox.Quad]:
    return list(ox.parse(body, format=ox.RdfFormat.N_QUADS))


def test_rdf_pages_are_consecutive_slices_of_the_statements(both):
    """The N-Quads pages hold the declaration's statements and incoming links K at a time (K each page's
    size), every one exactly once, in the order of the store's named graphs; Turtle pages hold the same."""
    client, store = both
    decl = _decl(store)
    named = lambda q: not isinstance(q.graph_name, ox.DefaultGraph)  # noqa: E731
    outgoing = {q for q in store.quads_for_pattern(decl, None, None, None) if named(q)}
    incoming = {q for q in store.quads_for_pattern(None, None, decl, None) if named(q)}
    pages_out: list[ox.Quad] = []
    pages_in: list[ox.Quad] = []
    number = 1
    for page in _pages(client, f"{DECL}.nq"):
        quads = [q for q in _quads(page.data) if named(q)]
        out = [q for q in quads if q.subject == decl]
        inc = [q for q in quads if q.object == decl and q.subject != decl]
        if _next(page):
            assert len(out) == min(resource.OUT_PAGE_SIZE, len(outgoing) - len(pages_out)), number
            assert len(inc) == min(resource.PAGE_SIZE, len(incoming) - len(pages_in)), number
        ttl = client.get(f"{DECL}.ttl?page={number}")
        triples = {q.triple for q in ox.parse(ttl.data, format=ox.RdfFormat.TURTLE)}
        assert {q.triple for q in quads} <= triples
        pages_out += out
        pages_in += inc
        number += 1
    assert len(pages_out) == len(set(pages_out)) and set(pages_out) == outgoing
    assert len(pages_in) == len(set(pages_in)) and set(pages_in) == incoming


@pytest.mark.parametrize("ext", ["nq", "html"])
def test_both_backends_give_the_same_pages(huge, huge_remote, ext):
    """Page N of a document holds the same statements (and in HTML the same clauses and signatures) whether
    the app reads the embedded store or a remote one."""
    embedded, remote = huge[0], huge_remote[0]
    for number in (1, 2, 4):
        here, there = embedded.get(f"{DECL}.{ext}?page={number}"), remote.get(f"{DECL}.{ext}?page={number}")
        assert here.status_code == there.status_code == 200
        if ext == "nq":
            assert set(_quads(here.data)) == set(_quads(there.data)), number
        else:
            rows = lambda r: re.findall(r'<li value="(\d+)"|<td data-label="Date"><a href="([^"]+)"', r.data.decode())  # noqa: E731
            assert rows(here) == rows(there) and rows(here), number


def test_a_page_of_quads_is_read_graph_by_graph(huge_build, huge_remote):
    """`Backend.quads` with a limit (a page) lists the named graphs' quads graph by graph, in the order of the
    graphs' names, and stops at the limit: the same slice on the embedded store and on a remote one."""
    settings, release = huge_build
    decl = _decl(ox.Store.read_only(str(release.store)))
    embedded = EmbeddedBackend(settings, workers=False)
    remote = RemoteBackend(huge_remote[0].application.config["B40_BACKEND"].url, settings)
    try:
        for backend in (embedded, remote):
            backend.begin()
            backend.version()
            first = backend.quads(s=decl, limit=3000)
            graphs = [str(q.graph_name) for q in first]
            assert len(first) == 3000 and graphs == sorted(graphs) and len(set(graphs)) > 1
            assert backend.quads(s=decl, limit=1000, offset=1000) == first[1000:2000]
        assert embedded.quads(o=decl, limit=500, offset=200) == remote.quads(o=decl, limit=500, offset=200)
    finally:
        embedded.close()
        remote.close()


def test_values_block_binds_rows():
    one, two = ox.NamedNode("http://example.org/a"), ox.Literal('say "hi"\n', language="en")
    block = values_block([{"b": one, "a": two}, {"a": one, "b": one}])
    assert block == f"VALUES (?a ?b) {{ ({two} {one}) ({one} {one}) }}"
    rows = list(ox.Store().query(f"SELECT ?a ?b WHERE {{ {block} }}"))
    assert [(r["a"], r["b"]) for r in rows] == [(two, one), (one, one)]
    with pytest.raises(ValueError):
        values_block([{"a": one}, {"b": one}])
