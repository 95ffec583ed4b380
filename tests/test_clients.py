"""Real third-party clients against the running server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

from .conftest import BASE, ROOT, running_server

pytestmark = pytest.mark.slow
# The 22 signatories of the founding declaration: a seed fact that more data does not change.
SIGNATORIES = (
    "PREFIX b40: <https://w3id.org/b40/ontology#> "
    "SELECT ?p WHERE { <https://w3id.org/b40/id/declaration/2021-b40-founding-declaration> b40:signatory ?p }"
)


@pytest.fixture(scope="module")
def server(built):
    settings, _ = built
    with running_server("--root", str(ROOT), "--out", str(settings.out_dir), "--no-build") as url:
        yield url


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_select(server, fmt):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(SIGNATORIES)
    client.setReturnFormat(fmt)
    result = client.query().convert()
    if fmt == JSON:
        people = {b["p"]["value"] for b in result["results"]["bindings"]}
    else:
        people = {n.firstChild.data for n in result.getElementsByTagName("uri")}
    assert len(people) == 22 and BASE + "id/person/merita-maliqi" in people


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(server, fmt):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(f"ASK {{ <{BASE}id/municipality/prishtina> ?p ?o }}")
    client.setReturnFormat(fmt)
    result = client.query().convert()
    value = result["boolean"] if fmt == JSON else result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert value is True


def test_sparqlwrapper_construct(server):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{BASE}id/network/b40> AS ?s) ?s ?p ?o }}")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert (URIRef(BASE + "id/network/b40"), None, None) in graph and len(graph) > 5


def test_rdflib_sparqlstore(server):
    graph = Graph(store=SPARQLStore(server + "/sparql", returnFormat="json"))
    rows = list(graph.query(SIGNATORIES))
    assert len(rows) == 22


def test_served_formats_match_turtle(server):
    path = server + "/doc/declaration/2021-b40-founding-declaration"
    turtle = Graph().parse(data=requests.get(path, headers={"Accept": "text/turtle"}, timeout=10).text, format="turtle")
    for accept, fmt in (
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ):
        body = requests.get(path, headers={"Accept": accept}, timeout=10).text
        assert isomorphic(turtle, Graph().parse(data=body, format=fmt)), accept
