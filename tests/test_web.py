"""Content negotiation, dereferencing, caching and the SPARQL endpoint, through the Flask test client."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from .conftest import BASE, make_backend

RESOURCES = [
    "declaration/2021-b40-founding-declaration",
    "municipality/prishtina",
    "person/merita-maliqi",
    "theme/climate-action",
    "network/b40",
    "country/xk",
    "place/sofia",
    "event/2025-sofia-summit",
]
RDF = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
    "application/json": "json-ld",
}


@pytest.mark.parametrize("path", RESOURCES)
def test_thing_iri_303_to_document(client, path):
    r = client.get(f"/id/{path}", headers={"Accept": "text/turtle"})
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"/doc/{path}")


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize(
    "accept,expected",
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/trig", "application/trig"),
        ("application/n-quads", "application/n-quads"),
        ("text/html;q=0.5, text/turtle;q=0.9", "text/turtle"),
        ("application/rdf+xml;q=0.4, application/ld+json;q=0.8, */*;q=0.1", "application/ld+json"),
        ("text/*", "text/html"),
        ("*/*", "text/html"),
        ("image/png, text/turtle;q=0.2", "text/turtle"),
    ],
)
def test_document_conneg(client, path, accept, expected):
    r = client.get(f"/doc/{path}", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.mimetype == expected
    assert "Accept" in r.headers["Vary"]
    assert 'rel="canonical"' in r.headers["Link"] and 'rel="alternate"' in r.headers["Link"]
    assert r.headers["ETag"] and r.headers["Last-Modified"]
    if expected != "text/html":
        fmt = RDF[expected]
        if fmt in ("trig", "nquads"):
            from rdflib import Dataset

            ds = Dataset()
            ds.parse(data=r.data, format=fmt)
            assert any(q[0] == URIRef(BASE + "id/" + path) for q in ds.quads())
        else:
            assert (URIRef(BASE + "id/" + path), None, None) in Graph().parse(data=r.data, format=fmt)


@pytest.mark.parametrize("path", RESOURCES[:4])
def test_formats_parse_to_isomorphic_graphs(client, path):
    ttl = Graph().parse(data=client.get(f"/doc/{path}.ttl").data, format="turtle")
    for ext, fmt in (("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")):
        other = Graph().parse(data=client.get(f"/doc/{path}.{ext}").data, format=fmt)
        assert isomorphic(ttl, other), ext


def test_extension_and_format_override_accept(client):
    r = client.get("/doc/municipality/prishtina.nt", headers={"Accept": "text/html"})
    assert r.mimetype == "application/n-triples"
    r = client.get("/doc/municipality/prishtina?format=ttl", headers={"Accept": "text/html"})
    assert r.mimetype == "text/turtle"


def test_406_lists_offered_types(client):
    r = client.get("/doc/municipality/prishtina", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert b"text/turtle" in r.data and b"application/ld+json" in r.data


def test_conditional_get_and_head(client):
    r = client.get("/doc/municipality/prishtina", headers={"Accept": "text/turtle"})
    etag = r.headers["ETag"]
    again = client.get("/doc/municipality/prishtina", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get(
        "/doc/municipality/prishtina",
        headers={"Accept": "text/turtle", "If-Modified-Since": r.headers["Last-Modified"]},
    )
    assert since.status_code == 304
    garbage = client.get("/doc/municipality/prishtina", headers={"If-None-Match": "}{", "If-Modified-Since": "nope"})
    assert garbage.status_code == 200
    head = client.head("/doc/municipality/prishtina", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.data == b"" and head.mimetype == "text/turtle"


def test_unknown_iri_404_in_client_format(client):
    r = client.get("/doc/municipality/atlantis", headers={"Accept": "application/ld+json"})
    assert r.status_code == 404 and json.loads(r.data)["error"] == "not-found"
    r = client.get("/doc/municipality/atlantis", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and len(Graph().parse(data=r.data, format="turtle")) == 0
    assert client.get("/id/municipality/atlantis").status_code == 404
    assert client.get("/doc/../../etc/passwd").status_code == 404


def test_description_has_labels_and_incoming_links(client):
    g = Graph().parse(data=client.get("/doc/municipality/prishtina.ttl").data, format="turtle")
    muni = URIRef(BASE + "id/municipality/prishtina")
    assert (
        muni,
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        Literal("Municipality of Prishtina", lang="en"),
    ) in g
    assert (
        URIRef(BASE + "id/declaration/2021-b40-founding-declaration/signature/prishtina"),
        URIRef("https://w3id.org/b40/ontology#onBehalfOf"),
        muni,
    ) in g
    assert (
        URIRef(BASE + "id/country/xk"),
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        Literal("Kosovo", lang="en"),
    ) in g


def test_html_pages_show_labels_views_and_escape(client):
    page = client.get("/doc/declaration/2021-b40-founding-declaration", headers={"Accept": "text/html"}).data.decode()
    assert "Merita Maliqi" in page and "Climate action" in page and "Head of International Cooperation" in page
    assert '<script type="application/ld+json">' in page
    theme = client.get("/doc/theme/climate-action", headers={"Accept": "text/html"}).data.decode()
    assert "Clauses that commit to this theme" in theme and "climate change" in theme
    muni = client.get("/doc/municipality/prishtina", headers={"Accept": "text/html"}).data.decode()
    signatures = muni.split('<h2 id="signatures">Signatures</h2>')[1].split("</table>")[0]
    assert "Merita Maliqi" in signatures and "2021-11-30" in signatures
    assert "/doc/declaration/2021-b40-founding-declaration" in signatures
    # A municipality is a member, not a network: no list of members on its page (its signatures, shown in
    # their table, are not repeated as incoming links).
    assert "<h3>Members</h3>" not in muni and "Signatures on behalf of this municipality" not in muni


def test_home_lists_themes_not_roles(client):
    """Roles are SKOS concepts too (of the roles scheme); the home page's "Themes" lists the themes only."""
    home = client.get("/", headers={"Accept": "text/html"}).data.decode()
    themes = home.split("<h2>Themes</h2>")[1].split("</ul>")[0]
    links = re.findall(r'href="([^"]+)"', themes)
    assert "/doc/theme/climate-action" in links
    assert [link for link in links if not link.startswith("/doc/theme/")] == []


def test_ontology_served_with_docs(client):
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.data, format="turtle")
    assert (URIRef("https://w3id.org/b40/ontology#signed"), None, None) in g
    html = client.get("/ontology", headers={"Accept": "text/html"}).data.decode()
    assert 'id="Signature"' in html and 'id="commitsTo"' in html


def test_void_and_sitemap(client):
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.data, format="turtle")
    ds = URIRef(BASE + "id/dataset")
    void = "http://rdfs.org/ns/void#"
    assert (ds, URIRef(void + "sparqlEndpoint"), URIRef(BASE + "sparql")) in g
    assert len(list(g.objects(ds, URIRef(void + "dataDump")))) == 5
    assert int(g.value(ds, URIRef(void + "triples"))) > 2500
    assert client.get("/sitemap.xml").data.count(b"<url>") > 50


@pytest.mark.parametrize("name,fmt", [("b40.ttl", "turtle"), ("b40.nt", "nt"), ("b40.jsonld", "json-ld")])
def test_downloads(client, name, fmt):
    r = client.get(f"/download/{name}")
    assert r.status_code == 200 and len(Graph().parse(data=r.data, format=fmt)) > 3000
    assert client.get(f"/download/{name}.gz").mimetype == "application/gzip"
    assert client.get("/download/..%2Fb40.ttl").status_code == 404
    graph = client.get("/download/graph/reference.ttl")
    assert graph.status_code == 200 and len(Graph().parse(data=graph.data, format="turtle")) > 100


# The 22 signatories of the founding declaration: a seed fact that more data does not change.
SEED = ("2021-b40-founding-declaration", "2025-b40-sofia-summit-declaration")
QUERY = f"PREFIX b40: <{BASE}ontology#> SELECT ?p WHERE {{ <{BASE}id/declaration/{SEED[0]}> b40:signatory ?p }}"


@pytest.mark.parametrize(
    "accept,mime",
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        (None, "application/sparql-results+json"),
    ],
)
def test_sparql_select_formats(client, accept, mime):
    r = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.mimetype == mime
    if mime.endswith("json"):
        assert len(json.loads(r.data)["results"]["bindings"]) == 22
    if mime == "text/csv":
        assert r.data.count(b"\r\n") == 23


def test_sparql_post_forms_and_refusals(client):
    r = client.post("/sparql", data={"query": QUERY})
    assert r.status_code == 200
    r = client.post("/sparql", data=QUERY, content_type="application/sparql-query")
    assert r.status_code == 200
    c = client.post(
        "/sparql",
        data="CONSTRUCT WHERE { ?s a <https://w3id.org/b40/ontology#Declaration> }",
        content_type="application/sparql-query",
    )
    declarations = set(Graph().parse(data=c.data, format="turtle").subjects())
    assert c.mimetype == "text/turtle" and {URIRef(BASE + "id/declaration/" + d) for d in SEED} <= declarations
    for body, ctype in (("INSERT DATA { <a:a> <a:b> <a:c> }", "application/sparql-update"),):
        assert client.post("/sparql", data=body, content_type=ctype).status_code == 403
    assert client.get("/sparql", query_string={"query": "DROP ALL"}).status_code == 403
    assert (
        client.get(
            "/sparql", query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
        ).status_code
        == 400
    )
    assert (
        client.get("/sparql", query_string={"query": "SELECT * FROM <http://example.org/x> { ?s ?p ?o }"}).status_code
        == 400
    )
    assert client.get("/sparql?query=ASK{}&query=ASK{}").status_code == 400
    bad = client.get("/sparql", query_string={"query": "SELEC * {"})
    assert bad.status_code == 400 and b"SELECT" in bad.data
    assert client.post("/sparql", data="x", content_type="text/plain").status_code == 415


def _limited(app, request, **limits):  # type: ignore[no-untyped-def]
    """A second backend of the same kind as `app`'s, with other limits."""
    kind = app.config["B40_KIND"]
    remote = request.getfixturevalue("remote") if kind == "remote" else None
    return make_backend(kind, app.config["B40_SETTINGS"].with_(**limits), remote)


def test_sparql_result_cap_is_told_not_truncated(app, request):
    from b40graph.web.app import create_app

    backend = _limited(app, request, result_cap=5)
    settings = backend.settings
    try:
        client = create_app(settings, backend).test_client()
        r = client.get("/sparql", query_string={"query": QUERY})
        assert r.status_code == 422 and b"cap" in r.data
    finally:
        backend.close()


def test_sparql_timeout_stops_runaway_query(app, request):
    from b40graph.web.app import create_app

    backend = _limited(app, request, query_timeout=1.0)
    settings = backend.settings
    try:
        client = create_app(settings, backend).test_client()
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        r = client.get("/sparql", query_string={"query": slow})
        # embedded: the worker process is killed (503); remote: the store is given up on (504 Gateway Timeout)
        assert r.status_code == (504 if app.config["B40_KIND"] == "remote" else 503) and b"time limit" in r.data
        ok = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        assert ok.status_code == 200 and json.loads(ok.data)["boolean"] is True
    finally:
        backend.close()


def test_service_description_and_html_query_page(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.data, format="turtle")
    assert (None, URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"), None) in g
    page = client.get("/sparql", headers={"Accept": "text/html"}).data.decode()
    assert "<form" in page and "Who signed" in page
    table = client.get("/sparql", query_string={"query": QUERY, "format": "html"}).data.decode()
    assert table.count("<tr>") == 23


def test_description_pages_outgoing_and_incoming(app):
    from b40graph.store.resource import describe

    backend, iri = app.config["B40_BACKEND"], BASE + "id/network/b40"
    pages = [describe(backend, iri, page, page_size=4, out_page_size=5) for page in (1, 2, 3)]
    assert [len(p.outgoing) for p in pages[:2]] == [5, 5] and all(len(p.incoming) == 4 for p in pages)
    assert pages[0].has_more_incoming and pages[1].has_more_incoming
    outgoing = [{q.triple for q in p.outgoing} for p in pages]
    incoming = [{q.triple for q in p.incoming} for p in pages]
    assert not (outgoing[0] & outgoing[1]) and not (incoming[0] & incoming[1]) and not (incoming[1] & incoming[2])
    everything = describe(backend, iri, 1, page_size=10_000, out_page_size=10_000)
    assert not everything.has_more_incoming
    assert set().union(*outgoing) <= {q.triple for q in everything.outgoing}
    assert everything.label_of(iri) == "B40 Balkan Cities Network"


def test_an_error_asked_for_as_sparql_results_is_a_json_error_object(client):
    r = client.get("/sparql", query_string={"query": "SELEKT"}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 400
    assert r.mimetype == "application/json"  # not labelled as SPARQL results, which it is not
    body = r.get_json()
    assert body["status"] == 400 and body["error"] == "bad-query" and body["message"]
