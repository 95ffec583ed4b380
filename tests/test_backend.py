"""The storage seam's public queries (issue 11 item 4), on the embedded store and on a remote Oxigraph server:
typed results of each kind, results already written in a format, and the guard behind the interface, so a
caller that is not the /sparql view (the command, a library user) gets the same refusals."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from b40graph import cli
from b40graph.sparql.results import QueryError
from b40graph.store.backend import BooleanResult, GraphResult, SerializedResult, SolutionsResult

from .conftest import BASE

pytestmark = pytest.mark.backend
NETWORK = ox.NamedNode(BASE + "id/network/b40")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
REFUSED = {
    "federation": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:9/sparql> {{ {NETWORK} ?p ?o }} }}",
    "read-only": f"INSERT DATA {{ {NETWORK} {RDF_TYPE} {NETWORK} }}",
    "too-long": "#" + "x" * 70_000 + "\nASK { ?s ?p ?o }",  # past the endpoint's max_query_bytes (64 KiB)
}


@pytest.fixture()
def backend(app):
    return app.config["B40_BACKEND"]


def test_each_query_form_answers_its_own_result_type(backend):
    rows = backend.query(f"SELECT ?p ?o WHERE {{ {NETWORK} ?p ?o }}")
    assert isinstance(rows, SolutionsResult) and rows.variables == ["p", "o"]
    assert [RDF_TYPE, ox.NamedNode("https://w3id.org/b40/ontology#Network")] in rows.rows
    answer = backend.query(f"ASK {{ {NETWORK} {RDF_TYPE} ?c }}")
    assert isinstance(answer, BooleanResult) and answer.value is True
    assert backend.query(f"ASK {{ {NETWORK} {RDF_TYPE} {NETWORK} }}") == BooleanResult(False)
    graph = backend.query(f"CONSTRUCT {{ {NETWORK} ?p ?o }} WHERE {{ {NETWORK} ?p ?o }}")
    assert isinstance(graph, GraphResult)
    assert all(t.subject == NETWORK for t in graph.triples) and RDF_TYPE in {t.predicate for t in graph.triples}


def test_a_result_written_in_a_format(backend):
    written = backend.query_serialized(f"ASK {{ {NETWORK} ?p ?o }}", "json")
    assert isinstance(written, SerializedResult) and written.kind == "ask"
    assert json.loads(written.body) == {"head": {}, "boolean": True}
    written = backend.query_serialized(f"SELECT ?p WHERE {{ {NETWORK} ?p ?o }}", "csv")
    lines = written.body.decode().splitlines()
    assert written.kind == "select" and lines[0] == "p" and RDF_TYPE.value in lines[1:]


@pytest.mark.parametrize("reason", sorted(REFUSED))
def test_the_guard_is_behind_the_interface(backend, reason):
    for call in (backend.query, lambda text: backend.query_serialized(text, "json")):
        with pytest.raises(QueryError) as refused:
            call(REFUSED[reason])
        assert refused.value.reason == reason


def test_the_command_passes_the_same_guard(built, capsys):
    settings, _ = built
    code = cli.main(["query", "--root", str(settings.root), "--out", str(settings.out_dir), REFUSED["federation"]])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "federated queries (SERVICE) are disabled" in err and "Traceback" not in err
