"""Huge resources (issue 12, item 6): a declaration with hundreds of clauses and signatures gives documents
of bounded size in every format, one page at a time; following rel="next" reaches every signature exactly
once; a page past the end is an empty 200 that links back to the first page."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from b40graph.author.synthetic import HUGE_DECLARATION as DECLARATION
from b40graph.author.synthetic import huge_project
from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app

pytestmark = pytest.mark.slow
BASE = "https://w3id.org/b40/"
B40 = "https://w3id.org/b40/ontology#"
SIGNATURES = 600
CLAUSES = 600
MAX_BYTES = 1 << 20  # every document, whatever the data
EXTENSIONS = ("html", "ttl", "jsonld", "rdf", "nt", "trig", "nq")
DECL = f"/doc/declaration/{DECLARATION}"


@pytest.fixture(scope="module")
def huge(tmp_path_factory):
    root = tmp_path_factory.mktemp("huge")
    source = huge_project(root, SIGNATURES, CLAUSES)
    assert source.stat().st_size > 100_000
    settings = Settings(root=root, out=root / "dist", query_timeout=5, query_workers=1, cache=False)
    release = build(settings)
    backend = EmbeddedBackend(settings)
    app = create_app(settings, backend)
    yield app.test_client(), ox.Store.read_only(str(release.store))
    backend.close()


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
