"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, no federation, time limit and result cap."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from b40graph.core.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS
from b40graph.core.vocab import PREFIXES
from b40graph.sparql.guard import inspect
from b40graph.sparql.hints import explain
from b40graph.sparql.results import QueryError
from b40graph.store.backend import BooleanResult, GraphResult, QueryResult, SolutionsResult
from b40graph.web import examples, service, svg
from b40graph.web.conneg import BadRequest, NotAcceptable
from b40graph.web.errors import ApiError
from b40graph.web.http import MAX_AGE, QUERY_PAGE_CSP, admission, backend, choose, compress, finish, settings

bp = Blueprint("sparql", __name__)
_XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC_TYPES = frozenset(
    _XSD + t
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ApiError(400, f"the request has {len(values)} '{name}' parameters; send exactly one", "bad-request")
    return values[0] if values else None


def _check_utf8(raw: bytes, where: str) -> None:
    """Percent-decoded parameters must be UTF-8: Werkzeug would silently put U+FFFD in place of bad bytes."""
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
        for part, text in (("name", name), ("value", value)):
            try:
                text.encode("latin-1").decode("utf-8")
            except UnicodeDecodeError as err:
                raise ApiError(
                    400,
                    f"a parameter {part} in the {where} is not valid UTF-8 once percent-decoded "
                    f"(byte offset {err.start}); encode the query as UTF-8",
                    "bad-encoding",
                ) from None


def _request_query() -> tuple[str | None, list[str], list[str]]:
    """The query and the protocol's dataset parameters, from whichever of the three forms was used."""
    _check_utf8(request.query_string, "URL")
    default = request.args.getlist("default-graph-uri")
    named = request.args.getlist("named-graph-uri")
    if request.method in ("GET", "HEAD"):
        if request.args.getlist("update"):
            raise ApiError(403, "this endpoint is read-only: SPARQL Update is refused", "read-only")
        return _one(request.args.getlist("query"), "query"), default, named
    ctype = (request.mimetype or "").lower()
    if ctype == "application/x-www-form-urlencoded":
        _check_utf8(request.get_data(cache=True), "form body")
        form = request.form
        if form.getlist("update"):
            raise ApiError(403, "this endpoint is read-only: SPARQL Update is refused", "read-only")
        query = _one(form.getlist("query") + request.args.getlist("query"), "query")
        return query, default + form.getlist("default-graph-uri"), named + form.getlist("named-graph-uri")
    if ctype == "application/sparql-query":
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError as err:
            raise ApiError(400, f"the query is not valid UTF-8 (byte offset {err.start})", "bad-encoding") from None
        if request.args.getlist("query"):
            raise ApiError(400, "send the query either in the body or as 'query=', not both", "bad-request")
        return text, default, named
    if ctype == "application/sparql-update":
        raise ApiError(403, "this endpoint is read-only: SPARQL Update is refused", "read-only")
    raise ApiError(
        415,
        f"unsupported Content-Type '{ctype or 'none'}': POST a query as "
        "application/x-www-form-urlencoded or application/sparql-query",
        "unsupported-media-type",
    )


def _format_names() -> list[str]:
    """The format a client names, in the URL or a form body: `format=` or `output=` (SPARQLWrapper sends both,
    some values twice: "tsv" and "text/tab-separated-values"). Values that name nothing offered are ignored,
    and Accept decides."""
    names = request.args.getlist("format") + request.args.getlist("output")
    if request.method == "POST" and (request.mimetype or "").lower() == "application/x-www-form-urlencoded":
        names += request.form.getlist("format") + request.form.getlist("output")
    return names


@bp.route("/sparql", methods=["GET", "POST", "HEAD"])
def endpoint() -> Response:
    query, default_graphs, named_graphs = _request_query()
    if query is None:
        return service.description()
    if not query.strip():
        raise ApiError(400, "the query is empty", "bad-query")
    try:
        return _answer(query, default_graphs, named_graphs)
    except QueryError as err:
        if err.status != 400 or not _wants_page():
            raise
        return _posted(page(query, None, err), status=400)  # the query kept, with the parser's message


def _wants_page() -> bool:
    """Whether an error is to be shown on the query page (the form asked for HTML) rather than answered in
    the client's format by the common error handler."""
    try:
        return choose(RESULT_FORMATS, names=_format_names(), strict=False) is HTML
    except (NotAcceptable, BadRequest):
        return False


def _answer(query: str, default_graphs: list[str], named_graphs: list[str]) -> Response:
    shape = inspect(query, settings().max_query_bytes)
    named = shape.from_graphs + shape.from_named
    known = {g.value for g in backend().graphs()} if named else set()
    for iri in named:  # FROM and FROM NAMED may name this dataset's graphs only
        if iri not in known:
            raise QueryError(
                f"<{iri}> is not a graph of this dataset; this endpoint never fetches remote data "
                "(graphs: see the service description at /sparql)",
                400,
                "unknown-graph",
            )
    offers = RESULT_FORMATS if shape.form in ("SELECT", "ASK") else GRAPH_FORMATS
    fmt = choose(offers, names=_format_names(), strict=False)
    version = backend().version()
    if fmt is HTML:
        with admission().slot(request.remote_addr or ""):
            results = backend().query(query, default_graphs or None, named_graphs or None, request.base_url)
        response = page(query, _table(results))
    else:
        with admission().slot(request.remote_addr or ""):
            answer = backend().query_serialized(
                query, fmt.key, default_graphs or None, named_graphs or None, request.base_url
            )
        response = Response(answer.body, content_type=fmt.content_type)
    return finish(response, version, fmt) if request.method != "POST" else _posted(response)


def page(query: str, results: dict[str, object] | None, error: QueryError | None = None) -> Response:
    """The query page: the form holding `query` (the editor enhances it where scripts run), then its results
    as a table, a bar chart or a map where they have that shape, or the error with where it happened."""
    rows = results.get("rows") if results else None
    variables = results.get("variables") if results else None
    chart = dots = None
    if isinstance(rows, list) and isinstance(variables, list):
        chart, dots = svg.result_bars(variables, rows), svg.result_map(variables, rows)
    hint = explain(query, str(error)) if error is not None else None
    body = render_template(
        "sparql.html",
        title="SPARQL query" if results is None else "SPARQL results",
        query=query,
        results=results,
        chart=chart,
        dots=dots,
        error=str(error) if error is not None else None,
        hint=hint,
        examples=examples.EXAMPLES,
        editor=True,
    )
    response = Response(body, content_type=HTML.content_type)
    response.headers["Content-Security-Policy"] = QUERY_PAGE_CSP
    return response


@bp.route("/sparql/prefixes.json", methods=["GET", "HEAD"])
def prefixes() -> Response:
    """The prefixes the editor completes (`PREFIX fo` → foaf): this dataset's own, from core.vocab."""
    response = Response(json.dumps(PREFIXES, indent=1), content_type="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


def _posted(response: Response, status: int | None = None) -> Response:
    """The answer to a POSTed query: not addressable by its URL, so never stored; gzip when asked."""
    if status is not None:
        response.status_code = status
        response.headers["X-B40-Error"] = "bad-query"
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store"
    compress(response)
    return response


def _table(results: QueryResult) -> dict[str, object]:
    from b40graph.web.values import curie, safe_href

    def cell(term: object) -> dict[str, str]:
        from b40graph.web.http import local_url

        if isinstance(term, ox.NamedNode):
            return {"href": safe_href(local_url(term.value) or term.value) or "", "text": curie(term.value)}
        if isinstance(term, ox.Literal):
            numeric = term.datatype.value in NUMERIC_TYPES
            return {"text": term.value, "lang": term.language or "", "num": "1" if numeric else ""}
        return {"text": "" if term is None else str(term)}

    if isinstance(results, BooleanResult):
        return {"boolean": results.value}
    if isinstance(results, GraphResult):
        return {
            "variables": ["subject", "predicate", "object"],
            "rows": [[cell(t.subject), cell(t.predicate), cell(t.object)] for t in results.triples],
        }
    assert isinstance(results, SolutionsResult)
    return {"variables": results.variables, "rows": [[cell(t) for t in row] for row in results.rows]}
