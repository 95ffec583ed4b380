"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, no federation, time limit and result cap."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from b40graph.core.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS
from b40graph.sparql.guard import inspect
from b40graph.sparql.results import QueryError
from b40graph.store.backend import BooleanResult, GraphResult, QueryResult, SolutionsResult
from b40graph.web import examples, service
from b40graph.web.errors import ApiError
from b40graph.web.http import admission, backend, choose, compress, finish, settings

bp = Blueprint("sparql", __name__)


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
        body = render_template(
            "sparql.html",
            title="SPARQL results",
            query=query,
            results=_table(results),
            examples=examples.EXAMPLES,
            kind=results.kind,
        )
        response = Response(body, content_type=HTML.content_type)
    else:
        with admission().slot(request.remote_addr or ""):
            answer = backend().query_serialized(
                query, fmt.key, default_graphs or None, named_graphs or None, request.base_url
            )
        response = Response(answer.body, content_type=fmt.content_type)
    return finish(response, version, fmt) if request.method != "POST" else _posted(response)


def _posted(response: Response) -> Response:
    """The answer to a POSTed query: not addressable by its URL, so never stored; gzip when asked."""
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store"
    compress(response)
    return response


def _table(results: QueryResult) -> dict[str, object]:
    from b40graph.web.pages import _curie, safe_href

    def cell(term: object) -> dict[str, str]:
        from b40graph.web.http import local_url

        if isinstance(term, ox.NamedNode):
            return {"href": safe_href(local_url(term.value) or term.value) or "", "text": _curie(term.value)}
        if isinstance(term, ox.Literal):
            return {"text": term.value, "lang": term.language or ""}
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
