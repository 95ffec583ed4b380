"""Hostile SPARQL: updates, federation, runaway queries, the result cap, nesting, size, encoding, W3C negatives.

Every refusal is a 4xx with a message (X-B40-Error names the reason), never a 200 and never a 500; no
outbound connection is ever made (a local listener counts them); the data is the same afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote_from_bytes

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace

from .conftest import ROOT
from .hardening import Listener, app_with

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
PROBE = "ASK { GRAPH ?g { <urn:x:s> ?p ?o } }"


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


def _count(client) -> int:
    r = client.get("/sparql", query_string={"query": COUNT})
    assert r.status_code == 200
    return int(json.loads(r.data)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def quads_before(app):
    return _count(app.test_client())


def send(client, how: str, text: str | bytes):
    """One query (or update) sent the way a client would."""
    if how == "get-query":
        return client.get("/sparql", query_string={"query": text})
    if how == "get-update":
        return client.get("/sparql", query_string={"update": text})
    if how == "form-query":
        return client.post("/sparql", data={"query": text})
    if how == "form-update":
        return client.post("/sparql", data={"update": text})
    if how == "body-update":
        return client.post("/sparql", data=text, content_type="application/sparql-update")
    if how == "body-query":
        return client.post("/sparql", data=text, content_type="application/sparql-query")
    raise AssertionError(how)


def refused(r, *statuses: int) -> str:
    assert r.status_code in statuses, (r.status_code, r.data[:300])
    assert r.headers.get("X-B40-Error"), r.headers
    body = r.data.decode("utf-8", "replace")
    assert len(body.strip()) > 20, body  # a message, not just a status
    return body


# -- updates in every form, over every transport ---------------------------------------------------------
UPDATES = [
    "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "insert data { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> 'o' } }",
    "PREFIX x: <urn:x:> INSERT DATA { x:s x:p x:o }",
    "DELETE DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { <urn:x:s> ?p ?o } WHERE { ?s ?p ?o }",
    "INSERT { <urn:x:s> ?p ?o } WHERE { ?s ?p ?o }",
    "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <{listener}>",
    "LOAD SILENT <{listener}> INTO GRAPH <urn:x:g>",
    "CLEAR ALL",
    "CLEAR SILENT DEFAULT",
    "DROP ALL",
    "DROP GRAPH <https://w3id.org/b40/graph/reference>",
    "CREATE GRAPH <urn:x:g>",
    "ADD DEFAULT TO <urn:x:g>",
    "MOVE <https://w3id.org/b40/graph/reference> TO DEFAULT",
    "COPY DEFAULT TO <urn:x:g>",
    "# a comment first\n  \\u0049NSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "BASE <urn:x:> PREFIX : <urn:x:> DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL ; INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
]
TRANSPORTS = ["get-query", "get-update", "form-query", "form-update", "body-update", "body-query"]


@pytest.mark.parametrize("how", TRANSPORTS)
@pytest.mark.parametrize("update", UPDATES, ids=range(len(UPDATES)))
def test_updates_are_refused_and_change_nothing(app, quads_before, listener, how, update):
    client = app.test_client()
    seen = listener.connections
    r = send(client, how, update.replace("{listener}", listener.url))
    body = refused(r, 403, 400)
    if r.status_code == 403:
        assert "read-only" in body
    assert listener.connections == seen
    assert _count(client) == quads_before
    assert json.loads(client.get("/sparql", query_string={"query": PROBE}).data)["boolean"] is False


# -- federation and remote FROM: refused, and provably no connection is made -------------------------------
SERVICE = [
    "SELECT * WHERE { SERVICE <{u}> { ?s ?p ?o } }",
    "SELECT * WHERE { service <{u}> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <{u}> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <{u}> { ?s ?p ?o } }",
    "SELECT * WHERE { S\\u0045RVIC\\U00000045 <{u}> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <\\u0068ttp://127.0.0.1:{port}/x> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE# a comment\n<{u}> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE #x\n SILENT #y\n <{u}> #z\n { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{u}> { ?s ?p ?x } } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <{u}> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{u}> { ?s ?p ?o } } }",
    "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{u}> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{u}> { ?s ?p ?o } } }",
    "SELECT * WHERE { BIND(<{u}> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <{u}> } SERVICE ?e { ?s ?p ?o } }",
    "ASK { SERVICE <{u}> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{u}> { ?s ?p ?o } }",
    "DESCRIBE ?s WHERE { SERVICE <{u}> { ?s ?p ?o } }",
    "PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "BASE <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    # Forms that a naive lexer misses (each of these made a real connection before the guard was fixed):
    "SELECT * WHERE { ?s ?p ?o SERVICESILENT<{u}> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<'>') SERVICE <{u}> { ?a ?b ?c } } #'",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<1#> '''\n) SERVICE <{u}> { ?a ?b ?c } } # '''",
    "PREFIX : <{u}> SELECT * WHERE { ?s ?p ?o SERVICE:x { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p true SERVICE<{u}> { ?a ?b ?c } }".replace("true SERVICE", "trueSERVICE"),
    "SELECT * WHERE { ?s ?p 1e5SERVICE <{u}> { ?a ?b ?c } }",
    "PREFIX e: <urn:x:> SELECT * WHERE { ?s ?p e:x\\' SERVICE <{u}> { ?a ?b ?c } } #'",
    "PREFIX e: <urn:x:> SELECT * WHERE { ?s ?p e:x\\# SERVICE <{u}> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(<<?s?p'>'>> = ?o) SERVICE <{u}> { ?a ?b ?c } } #'",
]


def _service(template: str, listener: Listener) -> str:
    return template.replace("{u}", listener.url).replace("{port}", str(listener.port))


def test_the_listener_would_see_a_federated_query(listener):
    """Control: pyoxigraph on its own does fetch SERVICE, so a zero count below means the guard stopped it."""
    seen = listener.connections
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("1")))
    with pytest.raises((OSError, RuntimeError, SyntaxError)):
        list(store.query(_service(SERVICE[0], listener)))  # type: ignore[arg-type]
    assert listener.connections > seen


@pytest.mark.parametrize("how", ["get-query", "form-query", "body-query"])
@pytest.mark.parametrize("template", SERVICE, ids=range(len(SERVICE)))
def test_service_is_refused_without_any_connection(client, listener, how, template):
    seen = listener.connections
    body = refused(send(client, how, _service(template, listener)), 400)
    assert "SERVICE" in body or "escape" in body
    assert listener.connections == seen


FROM = [
    "SELECT * FROM <{u}> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <{u}> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "select * from <{u}> from named <http://127.0.0.1:{port}/other> where { ?s ?p ?o }",
    "PREFIX e: <http://127.0.0.1:{port}/> SELECT * FROM e:data WHERE { ?s ?p ?o }",
    "BASE <http://127.0.0.1:{port}/> SELECT * FROM <data> WHERE { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } FROM <{u}> WHERE { ?s ?p ?o }",
    "ASK FROM NAMED <{u}> { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * FROM\t<{u}>#x\nWHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("how", ["get-query", "form-query", "body-query"])
@pytest.mark.parametrize("template", FROM, ids=range(len(FROM)))
def test_remote_from_is_refused_without_any_connection(client, listener, how, template):
    seen = listener.connections
    body = refused(send(client, how, _service(template, listener)), 400)
    assert "never fetches" in body
    assert listener.connections == seen


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_protocol_graph_parameters_never_fetch(client, listener, param):
    seen = listener.connections
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3", param: listener.url})
    assert r.status_code in (200, 400), r.data[:200]
    if r.status_code == 200:
        assert json.loads(r.data)["results"]["bindings"] == [] or param == "named-graph-uri"
    assert listener.connections == seen


def test_legitimate_queries_mentioning_service_still_run(client):
    """The guard reads tokens, not substrings: 'service' in strings, IRIs, variables and comments is fine."""
    queries = [
        "SELECT ?service WHERE { ?service ?p 'SERVICE <http://x/> {}' } LIMIT 1",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o != <http://example.org/SERVICE>) } LIMIT 1 # SERVICE <http://x/>",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE { ?s rdfs:label ?l "
        "FILTER(CONTAINS(LCASE(?l), 'service') || ?l < 'x#y') } LIMIT 5",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 10) } LIMIT 1",
    ]
    for q in queries:
        r = client.get("/sparql", query_string={"query": q})
        assert r.status_code == 200, (q, r.data[:300])


# -- runaway queries: stopped at the time limit, the worker replaced, the next query answered ---------------
RUNAWAY = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?a",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x:a>|!<urn:x:b>)* ?b . ?b (!<urn:x:c>)* ?c . ?c (!<urn:x:d>)* ?d }",
    "ASK { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?a) = CONCAT(STR(?d), STR(?g), 'never')) }",
    "CONSTRUCT { ?a <urn:x:p> ?d } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?i) = CONCAT(STR(?c), 'never')) }",
]


@pytest.fixture(scope="module")
def short_limit(built):
    with app_with(built[0], query_timeout=1.0, query_workers=1) as client:
        yield client


@pytest.mark.parametrize("query", RUNAWAY, ids=range(len(RUNAWAY)))
def test_runaway_query_is_stopped_and_the_worker_freed(short_limit, query):
    backend = short_limit.application.config["B40_BACKEND"]
    killed = backend.pool.killed
    body = refused(short_limit.get("/sparql", query_string={"query": query}), 503, 422)
    assert "time limit" in body or "memory" in body  # whichever allowance it ran out of first
    assert backend.pool.killed == killed + 1
    ok = short_limit.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert ok.status_code == 200 and json.loads(ok.data)["boolean"] is True


# -- the result cap: told with 422, never a truncated answer -------------------------------------------------
@pytest.fixture(scope="module")
def capped(built):
    with app_with(built[0], result_cap=50, query_workers=1) as client:
        yield client


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "html"])
def test_over_the_cap_is_422_in_every_format(capped, fmt):
    r = capped.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "format": fmt})
    body = refused(r, 422)
    assert "cap" in body and "50" in body
    assert b"<result>" not in r.data and b"bindings" not in r.data and b"<td>" not in r.data


@pytest.mark.parametrize("query", ["CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE ?s WHERE { ?s ?p ?o }"])
def test_graph_results_over_the_cap_are_422(capped, query):
    r = capped.get("/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"})
    refused(r, 422)
    assert len(Graph().parse(data=r.data, format="turtle")) == 0  # a comment, no triples


def test_the_cap_is_exact(capped):
    at = capped.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"})
    assert at.status_code == 200 and len(json.loads(at.data)["results"]["bindings"]) == 50
    over = capped.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 51"})
    refused(over, 422)


# -- deeply nested and enormous queries: 4xx, never 500 --------------------------------------------------------
def _nested(n: int, open_: str, close: str, inner: str, head: str = "SELECT * WHERE ", tail: str = "") -> str:
    return head + open_ * n + inner + close * n + tail


DEEP = {
    "groups-500": _nested(500, "{", "}", " ?s ?p ?o "),
    "groups-5000": _nested(5000, "{", "}", " ?s ?p ?o "),
    "parens-5000": _nested(5000, "(", ")", "1", "SELECT * WHERE { FILTER(", ") }"),
    "not-20000": "SELECT * WHERE { FILTER(" + "!" * 20000 + "true) }",
    "minus-3000": "SELECT * WHERE { FILTER(" + "- " * 3000 + "1 = 1) }",
    "not-parens": "SELECT * WHERE { FILTER(" + "!(" * 2000 + "true" + ")" * 2000 + ") }",
    "optional-1000": _nested(1000, "{ OPTIONAL ", "}", "{ ?s ?p ?o }"),
    "subqueries-500": _nested(500, "{ SELECT * WHERE ", "}", "{ ?s ?p ?o }"),
    "path-3000": _nested(3000, "(", ")", "<urn:x:p>", "SELECT * WHERE { ?s ", " ?o }"),
    "inverse-path": "SELECT * WHERE { ?s " + "^(" * 1000 + "<urn:x:p>" + ")" * 1000 + " ?o }",
    "collections-300": _nested(300, "( ", ")", "1", "SELECT * WHERE { ?s <urn:x:p> ", " }"),
    "bnodes-1000": _nested(1000, "[ <urn:x:p> ", "]", "1", "SELECT * WHERE { ?s <urn:x:p> ", " }"),
    "unbalanced": "SELECT * WHERE " + "{" * 3000,
}


@pytest.mark.parametrize("how", ["get-query", "body-query"])
@pytest.mark.parametrize("name", list(DEEP))
def test_deeply_nested_queries_are_refused(client, name, how):
    body = refused(send(client, how, DEEP[name]), 400, 413)
    assert "deep" in body or "parse" in body or "longer" in body


@pytest.mark.parametrize("how", ["get-query", "form-query", "body-query", "body-update", "form-update"])
@pytest.mark.parametrize("size", [70_000, 1 << 20])
def test_enormous_queries_are_413(client, how, size):
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * size
    r = send(client, how, query)
    refused(r, 413, 403)
    if "query" in how:
        assert r.status_code == 413


def test_many_small_tokens_within_the_limit_are_answered(client):
    values = " ".join(f'"v{i}"' for i in range(5000))
    r = client.post(
        "/sparql",
        data=f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }} LIMIT 3",
        content_type="application/sparql-query",
    )
    assert r.status_code == 200 and len(json.loads(r.data)["results"]["bindings"]) == 3


# -- invalid UTF-8: 400 whatever the transport ------------------------------------------------------------------
BAD_BYTES = [b"\xff", b"\xc0\xaf", b"\x80", b"\xe2\x82", b"\xed\xa0\x80", b"\xf5\x80\x80\x80", b"\xfe\xfe"]


@pytest.mark.parametrize("bad", BAD_BYTES, ids=[b.hex() for b in BAD_BYTES])
@pytest.mark.parametrize("how", ["get", "get-update", "get-name", "form", "form-raw", "body"])
def test_invalid_utf8_is_400(client, how, bad):
    text = b"SELECT * WHERE { ?s ?p '" + bad + b"' }"
    if how == "get":
        r = client.get("/sparql?query=" + quote_from_bytes(text))
    elif how == "get-update":
        r = client.get("/sparql?update=" + quote_from_bytes(text))
    elif how == "get-name":
        r = client.get("/sparql?query=ASK%7B%7D&" + quote_from_bytes(bad) + "=1")
    elif how == "form":
        r = client.post(
            "/sparql",
            data=b"query=" + quote_from_bytes(text).encode(),
            content_type="application/x-www-form-urlencoded",
        )
    elif how == "form-raw":
        r = client.post("/sparql", data=b"query=" + text, content_type="application/x-www-form-urlencoded")
    else:
        r = client.post("/sparql", data=text, content_type="application/sparql-query")
    body = refused(r, 400)
    assert "UTF-8" in body


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p '\\uD800' }",
        "SELECT * WHERE { ?s ?p '\\U00110000' }",
        "SELECT * WHERE { ?s ?p '\x00' }",
        "SELECT * WHERE { ?s ?p '\\u0027 }",
        "SELECT * WHERE { ?s ?p ?o } \\u0023 SERVICE",
    ],
)
def test_bad_escapes_and_control_characters_are_400(client, query):
    refused(send(client, "body-query", query), 400)


# -- the W3C negative syntax tests ----------------------------------------------------------------------------------
CONFORMANCE = ROOT / "tests" / "conformance" / "sparql11"  # vendored
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")


def _negative_tests() -> list[tuple[str, Path, bool]]:
    if not CONFORMANCE.is_dir():
        return []
    found = []
    for manifest in sorted(CONFORMANCE.glob("*/manifest.ttl")):
        graph = Graph().parse(manifest, format="turtle")
        for kind, update in (
            ("NegativeSyntaxTest11", False),
            ("NegativeSyntaxTest", False),
            ("NegativeUpdateSyntaxTest11", True),
        ):
            for test in graph.subjects(RDF.type, MF[kind]):
                action = graph.value(test, MF.action)
                path = Path(str(action).removeprefix("file://"))
                found.append((f"{manifest.parent.name}/{path.name}", path, update or path.suffix == ".ru"))
    return sorted(found)


NEGATIVE = _negative_tests()


@pytest.mark.parametrize("name,path,update", NEGATIVE, ids=[n for n, _, _ in NEGATIVE])
def test_w3c_negative_syntax_is_4xx_never_500(client, name, path, update):
    text = path.read_bytes()
    r = client.post("/sparql", data=text, content_type="application/sparql-query")
    if update:
        refused(r, 400, 403)
    else:
        refused(r, 400)
    r = client.post("/sparql", data=text, content_type="application/sparql-update")
    refused(r, 403)


def test_w3c_negative_syntax_tests_were_found():
    assert CONFORMANCE.is_dir(), f"{CONFORMANCE}: the vendored W3C suite is missing"
    assert len([n for n in NEGATIVE if not n[2]]) >= 40 and len([n for n in NEGATIVE if n[2]]) >= 10
