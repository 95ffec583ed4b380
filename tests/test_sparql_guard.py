"""The SPARQL guard's lexer (sparql/guard.py) on its own: what it takes for SERVICE, an update, a FROM graph.

The expected outcomes are read off the query texts by the SPARQL 1.1 grammar: a keyword inside a string, an
IRI or a comment is not a keyword; keywords are case-insensitive; codepoint escapes are decoded before
anything else. Through HTTP the same guard is exercised by tests/test_hardening_sparql.py.
"""

from __future__ import annotations

import pytest

from b40graph.core.errors import QueryError
from b40graph.sparql.guard import MAX_NESTING, inspect

LIMIT = 100_000


def _refused(query: str) -> QueryError:
    with pytest.raises(QueryError) as err:
        inspect(query, LIMIT)
    return err.value


def _federation(query: str) -> None:
    err = _refused(query)
    assert (err.status, err.reason) == (400, "federation"), str(err)


def _read_only(query: str, keyword: str) -> None:
    err = _refused(query)
    assert (err.status, err.reason) == (403, "read-only") and keyword in str(err), str(err)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "SERVICE <http://127.0.0.1:9/> { ?a ?b ?c }" }',
        "SELECT * { ?s ?p 'SERVICE <http://127.0.0.1:9/> { }' }",
        'SELECT * { ?s ?p """a "quoted" SERVICE <http://x/> { } inside""" }',
        "SELECT * { ?s ?p '''it's a 'SERVICE' call\nover two lines''' }",
        'SELECT * { ?s ?p "an escaped \\" quote, then SERVICE <http://x/> {}" }',
        "SELECT * { ?s ?p 'it\\'s SERVICE' }",
        "SELECT * { <http://example.org/SERVICE/x> ?p ?o }",
        "SELECT * { ?s <urn:x:service#insert> ?o }",
        "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> { }",
        "# SERVICE in a comment on the first line\nSELECT * { ?s ?p ?o }",
        "PREFIX ex: <http://e/> SELECT * { ?s ex:service ?o }",
        "PREFIX ex: <http://e/> SELECT * { ?s ex:SERVICE ?o . ?o ex:insert ex:drop }",
        "SELECT ?service { ?service ?p ?o }",  # a variable named service
        'SELECT * { ?s ?p "\\u0053ERVICE" }',  # an escape inside a string stays in the string
    ],
)
def test_keywords_in_strings_iris_comments_and_names_are_not_service(query):
    assert inspect(query, LIMIT).form == "SELECT"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "select * { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * { SeRvIcE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * { SERVICESILENT<http://127.0.0.1:9/> { ?s ?p ?o } }",  # no space needed after a keyword
        "SELECT * { ?s ?p true SERVICE<http://127.0.0.1:9/> { ?a ?b ?c } }".replace("true SERVICE", "trueSERVICE"),
        "SELECT * { SERVICE:x <http://127.0.0.1:9/> { } }",  # SERVICE followed by the empty prefix
        "SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",  # an escape outside a string
        "SELECT * { \\U00000053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o } # a comment\nSERVICE <http://127.0.0.1:9/> { }",  # the comment ends at the newline
        "SELECT * { ?s ?p ?o FILTER(?o<'>') SERVICE <http://127.0.0.1:9/> { } } #'",  # `<` as less-than
    ],
)
def test_service_is_found_in_any_case_and_spelling(query):
    _federation(query)


@pytest.mark.parametrize(
    "query,keyword",
    [
        ("INSERT DATA { <a:a> <a:b> <a:c> }", "INSERT"),
        ("insert data { <a:a> <a:b> <a:c> }", "INSERT"),
        ("DrOp ALL", "DROP"),
        ("PREFIX ex: <http://e/> DELETE WHERE { ?s ex:p ?o }", "DELETE"),
        ("# SELECT * { ?s ?p ?o }\nCLEAR DEFAULT", "CLEAR"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ("\\u0044ROP ALL", "DROP"),
    ],
)
def test_updates_are_refused_as_read_only(query, keyword):
    _read_only(query, keyword)


def test_update_keywords_inside_strings_iris_and_comments_are_no_update():
    for query in (
        'SELECT * { ?s ?p "INSERT DATA { <a:a> <a:b> <a:c> }" }',
        "SELECT * { <http://e/drop> ?p ?o }",
        "# DROP ALL\nASK { ?s ?p ?o }",
    ):
        assert inspect(query, LIMIT).form in ("SELECT", "ASK"), query


@pytest.mark.parametrize(
    "query,form",
    [
        ("select * { }", "SELECT"),
        ("ask {}", "ASK"),
        ("Construct WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://e/x>", "DESCRIBE"),
    ],
)
def test_the_form_in_any_case(query, form):
    assert inspect(query, LIMIT).form == form


def test_no_query_form_is_an_error():
    err = _refused("PREFIX ex: <http://e/>")
    assert err.status == 400 and "no SELECT, ASK, CONSTRUCT or DESCRIBE" in str(err)


def test_from_graphs_are_listed_with_prefixes_and_base_resolved():
    query = (
        "BASE <http://e/> PREFIX ex: <http://example.org/ns#> "
        "SELECT * FROM <g1> FROM <http://other.org/g2> FROM NAMED ex:g3 FROM NAMED <g4> { ?s ?p ?o }"
    )
    shape = inspect(query, LIMIT)
    assert list(shape.from_graphs) == ["http://e/g1", "http://other.org/g2"]
    assert list(shape.from_named) == ["http://example.org/ns#g3", "http://e/g4"]
    # `from` inside a string or an IRI is no FROM clause
    shape = inspect('SELECT * { ?s ?p "FROM <http://e/x>" . ?s <http://e/from> ?o }', LIMIT)
    assert not shape.from_graphs and not shape.from_named


@pytest.mark.parametrize(
    "query,expected",
    [
        # An unterminated string is no string: what follows is read as query text, keywords and all.
        ('SELECT * { ?s ?p "SERVICE <http://127.0.0.1:9/> { } }', "federation"),
        ("SELECT * { ?s ?p '''SERVICE <http://127.0.0.1:9/> { } }", "federation"),
        # An unterminated IRI (a space ends it) is a `<` and words.
        ("SELECT * { <http://e/x SERVICE <http://127.0.0.1:9/> { } }", "federation"),
        # Unterminated, but nothing to refuse: the guard lets the store's parser report the syntax error.
        ('SELECT * { ?s ?p "abc', None),
        ("SELECT * { <http://e/x ?p ?o", None),
        ("SELECT * { ?s ?p ?o # a comment to the end", None),
        ("SELECT * { ?s ?p '''abc", None),
    ],
)
def test_unterminated_input(query, expected):
    if expected is None:
        assert inspect(query, LIMIT).form == "SELECT"
    else:
        assert _refused(query).reason == expected


def test_escapes_that_would_change_the_tokens_are_refused():
    for escape in ("\\u0022", "\\u0027", "\\u003C", "\\u0023", "\\u007B", "\\u0020", "\\u005C"):
        err = _refused(f"SELECT * {{ ?s ?p {escape} }}")
        assert err.status == 400 and "codepoint escape" in str(err), escape
    assert "invalid codepoint" in str(_refused("SELECT * { ?s ?p \\uD800 }"))
    assert "invalid codepoint" in str(_refused("SELECT * { ?s ?p \\U00110000 }"))
    assert inspect("SELECT * { ?s ?p \\u00e9 }", LIMIT).form == "SELECT"  # a letter is fine


def test_limits_size_nul_surrogates_and_nesting():
    err = _refused("SELECT * { " + "?s ?p ?o . " * 10_000 + "}")
    assert (err.status, err.reason) == (413, "too-long")
    assert inspect("SELECT * { ?s ?p 'é' }", len("SELECT * { ?s ?p 'é' }") + 1).form == "SELECT"  # é is 2 bytes
    with pytest.raises(QueryError):
        inspect("SELECT * { ?s ?p 'é' }", len("SELECT * { ?s ?p 'é' }"))
    assert "NUL" in str(_refused("SELECT * { ?s ?p '\x00' }"))
    assert "surrogate" in str(_refused("SELECT * { ?s ?p '\ud800' }"))
    deep = "SELECT * { FILTER(" + "(" * MAX_NESTING + "1" + ")" * MAX_NESTING + ") }"
    err = _refused(deep)
    assert (err.status, err.reason) == (400, "too-deep")
    shallow = "SELECT * { FILTER(" + "(" * 10 + "1" + ")" * 10 + ") }"
    assert inspect(shallow, LIMIT).form == "SELECT"
    assert _refused("SELECT * { FILTER(" + "!" * (MAX_NESTING + 1) + "true) }").reason == "too-deep"
