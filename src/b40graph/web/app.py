"""The app factory. Nothing is built or opened at import time."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from b40graph.core.settings import Settings
from b40graph.search.index import Indexes
from b40graph.store.backend import Backend
from b40graph.web import errors, find, meta, pages, resources, sparql
from b40graph.web.admission import Admission
from b40graph.web.doccache import DocumentCache

log = logging.getLogger("b40graph.web")
#: Request headers a page on another origin may send (CORS): enough for YASGUI and fetch() with a SPARQL body.
CORS_REQUEST_HEADERS = (
    "Accept, Accept-Language, Content-Type, Content-Language, If-None-Match, If-Modified-Since, Cache-Control"
)
#: Response headers such a page may read, beyond the CORS-safelisted ones.
CORS_EXPOSED = "ETag, Link, Location, Vary, Content-Location, Content-Language, Content-Disposition, Allow, X-B40-Error"
CORS_MAX_AGE = "86400"


def create_app(settings: Settings, backend: Backend) -> Flask:
    app = Flask(__name__)
    app.config["B40_SETTINGS"] = settings
    app.config["B40_BACKEND"] = backend
    app.config["B40_DOC_CACHE"] = DocumentCache(settings.doc_cache_bytes)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["B40_ADMISSION"] = Admission(
        settings.query_workers, settings.query_queue, settings.queries_per_client, settings.query_timeout
    )
    app.config["B40_SEARCH"] = Indexes()
    app.jinja_env.autoescape = True
    app.jinja_env.globals.update(base=settings.base, show=pages.show, link=pages.link)
    app.jinja_env.filters["safehref"] = pages.safe_href
    app.register_blueprint(meta.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(find.bp)
    errors.register(app)

    @app.before_request
    def _start() -> Response | None:
        g.started = time.monotonic()
        backend.begin()
        if request.method == "OPTIONS" and request.url_rule is not None:
            return _preflight(request.url_rule.methods or set())
        return None

    @app.after_request
    def _common(response: Response) -> Response:
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Expose-Headers", CORS_EXPOSED)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
            )
            response.headers.setdefault("Referrer-Policy", "same-origin")
        elapsed = (time.monotonic() - g.get("started", time.monotonic())) * 1000
        log.info("%s %s %s %.1fms", request.method, request.full_path[:200], response.status_code, elapsed)
        return response

    return app


def _preflight(methods: set[str]) -> Response:
    """An OPTIONS request (a CORS preflight or a plain one): 204 with what the resource allows, so a page on
    another origin may POST application/sparql-query and send Accept and Accept-Language."""
    allowed = ", ".join(m for m in ("GET", "HEAD", "POST", "OPTIONS") if m in methods | {"OPTIONS"})
    response = Response(status=204)
    response.headers["Allow"] = allowed
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = allowed
    response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
    response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    return response
