"""One error handler: every error is answered in the client's format (HTML, JSON, RDF or plain text)."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from b40graph.core.errors import B40Error
from b40graph.core.formats import HTML, JSONLD, NTRIPLES, RESULTS_JSON, TURTLE, Format
from b40graph.sparql.results import QueryError
from b40graph.web.conneg import BadRequest, NotAcceptable, negotiate

log = logging.getLogger("b40graph.web")
PLAIN = Format("text", "Text", "text/plain", (), "txt", "text")
ERROR_FORMATS = (HTML, PLAIN, RESULTS_JSON, JSONLD, TURTLE, NTRIPLES)


class ApiError(Exception):
    def __init__(self, status: int, message: str, reason: str = "error", headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.reason, self.headers = status, message, reason, headers or {}


def _format() -> Format:
    try:
        return negotiate(request.headers.get("Accept"), ERROR_FORMATS[1:] if _wants_plain() else ERROR_FORMATS)
    except (NotAcceptable, BadRequest):
        return PLAIN


def _wants_plain() -> bool:
    accept = request.headers.get("Accept") or ""
    return not accept or accept.strip() == "*/*"


def render_error(status: int, message: str, reason: str = "error", headers: dict[str, str] | None = None) -> Response:
    fmt = _format()
    if fmt is HTML:
        body = render_template("error.html", status=status, message=message)
    elif fmt in (RESULTS_JSON, JSONLD):
        body = json.dumps({"status": status, "error": reason, "message": message}, ensure_ascii=False)
    elif fmt in (TURTLE, NTRIPLES):
        body = "".join(f"# {line}\n" for line in f"{status} {reason}: {message}".splitlines())
    else:
        body = f"{status} {reason}: {message}\n"
    if fmt in (RESULTS_JSON, JSONLD):
        ctype = "application/json; charset=utf-8"  # an error object, not SPARQL results nor a graph
    else:
        ctype = fmt.content_type if fmt.key != "text" else "text/plain; charset=utf-8"
    response = Response(body, status=status, content_type=ctype)
    response.headers["X-B40-Error"] = reason
    response.headers["Cache-Control"] = "no-store"  # an error is about this moment: never reused
    response.vary.add("Accept")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api(err: ApiError) -> Response:
        return render_error(err.status, err.message, err.reason, err.headers)

    @app.errorhandler(QueryError)
    def _query(err: QueryError) -> Response:
        retry = getattr(err, "retry_after", None) or (1 if err.status == 503 else None)
        return render_error(err.status, str(err), err.reason, {"Retry-After": str(retry)} if retry else None)

    @app.errorhandler(NotAcceptable)
    def _406(err: NotAcceptable) -> Response:
        offered = ", ".join(f.media_type for f in err.offered)
        response = render_error(406, f"{err}. This resource is offered as: {offered}", "not-acceptable")
        response.headers["Link"] = ", ".join(
            f'<?format={f.key}>; rel="alternate"; type="{f.media_type}"' for f in err.offered
        )
        return response

    @app.errorhandler(BadRequest)
    def _400(err: BadRequest) -> Response:
        return render_error(400, str(err), "bad-request")

    @app.errorhandler(B40Error)
    def _b40(err: B40Error) -> Response:
        log.warning("backend error: %s", err)
        return render_error(503, str(err), "unavailable")

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response:
        response = render_error(err.code or 500, err.description or err.name, err.name.lower().replace(" ", "-"))
        if err.code == 405:  # the methods this resource really allows (Werkzeug knows them from the routes)
            allowed = getattr(err, "valid_methods", None) or ["GET", "HEAD", "POST", "OPTIONS"]
            response.headers["Allow"] = ", ".join(sorted(set(allowed) | {"OPTIONS"}))
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        log.exception("unexpected error")
        return render_error(500, "an unexpected error occurred; it has been logged", "internal")
