"""?format= / output= on /sparql: the names and media types common clients send, read the same way on GET and
in a form POST, for what the query form can give ("json" is SPARQL JSON for SELECT, JSON-LD for a graph);
a value that names nothing offered falls back to Accept."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, URIRef

from .conftest import BASE

NETWORK = BASE + "id/network/b40"
SELECT = f"SELECT ?p ?o WHERE {{ <{NETWORK}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{NETWORK}> ?p ?o }} WHERE {{ <{NETWORK}> ?p ?o }}"

RESULT_NAMES = {
    "json": "application/sparql-results+json",
    "JSON": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "application/sparql-results+json": "application/sparql-results+json",
    "application/json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "text/csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "text/tab-separated-values": "text/tab-separated-values",
    "html": "text/html",
}
GRAPH_NAMES = {
    "json": "application/ld+json",
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
    "application/ld+json": "application/ld+json",
    "xml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "application/rdf+xml": "application/rdf+xml",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",
    "text/n3": "text/turtle",
    "text/turtle; charset=utf-8": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "application/n-triples": "application/n-triples",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
PARSE = {
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def _ask(client, how: str, query: str, params: dict[str, str], accept: str = ""):  # type: ignore[no-untyped-def]
    headers = {"Accept": accept} if accept else {}
    if how == "GET":
        return client.get("/sparql", query_string={"query": query, **params}, headers=headers)
    return client.post("/sparql", data={"query": query, **params}, headers=headers)


@pytest.mark.parametrize("how", ["GET", "POST"])
@pytest.mark.parametrize("param", ["format", "output"])
@pytest.mark.parametrize("name", list(RESULT_NAMES))
def test_select_format_names(client, how, param, name):
    r = _ask(client, how, SELECT, {param: name}, accept="text/tab-separated-values")
    assert r.status_code == 200 and r.mimetype == RESULT_NAMES[name]
    if r.mimetype.endswith("json"):
        assert json.loads(r.data)["results"]["bindings"]
    elif r.mimetype.endswith("xml"):
        assert ET.fromstring(r.data).tag.endswith("sparql")


@pytest.mark.parametrize("how", ["GET", "POST"])
@pytest.mark.parametrize("name", list(GRAPH_NAMES))
def test_construct_format_names(client, how, name):
    r = _ask(client, how, CONSTRUCT, {"format": name}, accept="application/n-quads")
    expected = GRAPH_NAMES[name]
    assert r.status_code == 200 and r.mimetype == expected
    if expected in ("application/trig", "application/n-quads"):
        from rdflib import Dataset

        graph = Dataset()
        graph.parse(data=r.data, format=PARSE[expected])
        assert (URIRef(NETWORK), None, None, None) in graph
    else:
        graph = Graph().parse(data=r.data, format=PARSE[expected])
        assert (URIRef(NETWORK), None, None) in graph


@pytest.mark.parametrize("how", ["GET", "POST"])
@pytest.mark.parametrize(
    "query,accept", [(SELECT, "application/sparql-results+xml"), (CONSTRUCT, "application/n-triples")]
)
@pytest.mark.parametrize("name", ["unknown", "csv-ish", "x" * 300])
def test_a_name_that_fits_nothing_falls_back_to_accept(client, how, query, accept, name):
    r = _ask(client, how, query, {"format": name}, accept=accept)
    assert r.status_code == 200 and r.mimetype == accept


@pytest.mark.parametrize("how", ["GET", "POST"])
def test_a_results_format_for_a_graph_falls_back_to_accept(client, how):
    r = _ask(client, how, CONSTRUCT, {"format": "csv"}, accept="application/n-triples")
    assert r.status_code == 200 and r.mimetype == "application/n-triples"
    r = _ask(client, how, SELECT, {"format": "turtle"}, accept="text/csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"


def test_the_first_value_that_fits_wins(client):
    """SPARQLWrapper sends format=tsv&format=text/tab-separated-values&output=... for TSV."""
    r = client.get("/sparql", query_string=[("query", SELECT), ("format", "bogus"), ("format", "tsv")])
    assert r.status_code == 200 and r.mimetype == "text/tab-separated-values"


def test_document_formats_take_the_same_names(client):
    for name, expected in (("json", "application/ld+json"), ("xml", "application/rdf+xml"), ("n3", "text/turtle")):
        r = client.get("/doc/network/b40", query_string={"format": name})
        assert r.status_code == 200 and r.mimetype == expected, name
    assert client.get("/doc/network/b40", query_string={"format": "bogus"}).status_code == 406
