"""Real third-party clients against the running server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

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


# -- SPARQLWrapper's defaults: it sends format= and output= with its own names (xml by default), by GET or a form
NETWORK = BASE + "id/network/b40"
MALIQI = BASE + "id/person/merita-maliqi"
GRAPH_QUERIES = {
    "CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{NETWORK}> AS ?s) ?s ?p ?o }}",
    "DESCRIBE": f"DESCRIBE <{NETWORK}>",
}


def _wrapper(server: str, query: str, fmt: str | None, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server + "/sparql")  # its defaults: return format XML, GET
    client.setQuery(query)
    client.setMethod(method)
    if fmt is not None:
        client.setReturnFormat(fmt)
    return client


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [None, XML, JSON, CSV, TSV])
def test_sparqlwrapper_defaults_select(server, fmt, method):
    result = _wrapper(server, SIGNATORIES, fmt, method).query()
    ctype = result.info()["content-type"].split(";")[0]
    converted = result.convert()
    if fmt in (None, XML):
        assert ctype == "application/sparql-results+xml"
        people = {n.firstChild.data for n in converted.getElementsByTagName("uri")}
    elif fmt == JSON:
        assert ctype == "application/sparql-results+json"
        people = {b["p"]["value"] for b in converted["results"]["bindings"]}
    else:
        assert ctype == ("text/csv" if fmt == CSV else "text/tab-separated-values")
        rows = list(csv.reader(io.StringIO(converted.decode()), delimiter="," if fmt == CSV else "\t"))
        assert rows[0] == (["p"] if fmt == CSV else ["?p"])
        people = {r[0].strip("<>") for r in rows[1:]}
    assert MALIQI in people


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [None, XML, JSON])
def test_sparqlwrapper_defaults_ask(server, fmt, method):
    result = _wrapper(server, f"ASK {{ <{NETWORK}> ?p ?o }}", fmt, method).query().convert()
    value = result["boolean"] if fmt == JSON else result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert value is True


@pytest.mark.filterwarnings("ignore:Sending Accept header:RuntimeWarning")  # SPARQLWrapper's own, for "json"
@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [None, XML, RDFXML, JSON, JSONLD, N3, TURTLE])
@pytest.mark.parametrize("form", list(GRAPH_QUERIES))
def test_sparqlwrapper_defaults_construct_and_describe(server, form, fmt, method):
    result = _wrapper(server, GRAPH_QUERIES[form], fmt, method).query()
    ctype = result.info()["content-type"].split(";")[0]
    expected = {
        None: "application/rdf+xml",
        XML: "application/rdf+xml",
        RDFXML: "application/rdf+xml",
        JSON: "application/ld+json",
        JSONLD: "application/ld+json",
        N3: "text/turtle",
        TURTLE: "text/turtle",
    }[fmt]
    assert ctype == expected
    converted = result.convert()
    graph = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format="turtle")
    assert (URIRef(NETWORK), None, None) in graph and len(graph) > 5
