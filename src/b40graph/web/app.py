"""The app factory. Nothing is built or opened at import time."""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from pathlib import Path

from flask import Flask, Response, g, request, send_from_directory
from werkzeug.security import safe_join

from b40graph.core.settings import Settings
from b40graph.search.index import Indexes
from b40graph.store.backend import Backend
from b40graph.web import errors, find, meta, overviews, pages, resources, sparql
from b40graph.web.admission import Admission
from b40graph.web.doccache import DocumentCache
from b40graph.web.http import MAX_AGE, PAGE_CSP

log = logging.getLogger("b40graph.web")
#: Request headers a page on another origin may send (CORS): enough for YASGUI and fetch() with a SPARQL body.
CORS_REQUEST_HEADERS = (
    "Accept, Accept-Language, Content-Type, Content-Language, If-None-Match, If-Modified-Since, Cache-Control"
)
#: Response headers such a page may read, beyond the CORS-safelisted ones.
CORS_EXPOSED = "ETag, Link, Location, Vary, Content-Location, Content-Language, Content-Disposition, Allow, X-B40-Error"
CORS_MAX_AGE = "86400"
STATIC = Path(__file__).parent / "static"
STATIC_MAX_AGE = 365 * 24 * 3600  # a versioned static URL (static_url) names one content for good


def counted(n: int, one: str, many: str) -> str:
    """`n` and the noun in its number, for templates: `{{ n|counted("declaration", "declarations") }}`."""
    return f"{n} {one if n == 1 else many}"


def create_app(settings: Settings, backend: Backend) -> Flask:
    app = Flask(__name__, static_folder=None)  # /static/ is served by static_files below
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
    app.jinja_env.globals.update(languages=pages.language_links)
    app.jinja_env.filters["safehref"] = pages.safe_href
    app.jinja_env.filters["counted"] = counted
    app.jinja_env.globals["static_url"] = static_url
    app.add_url_rule("/static/<path:name>", "static", static_files, methods=["GET", "HEAD"])
    app.register_blueprint(meta.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(find.bp)
    app.register_blueprint(overviews.bp)
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
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
            response.headers.setdefault("Referrer-Policy", "same-origin")
        elapsed = (time.monotonic() - g.get("started", time.monotonic())) * 1000
        log.info("%s %s %s %.1fms", request.method, request.full_path[:200], response.status_code, elapsed)
        return response

    return app


def static_url(name: str) -> str:
    """The URL of a file of web/static/, versioned by its content: it may be cached for a year."""
    return f"/static/{name}?v={_digest(name)}"


@functools.lru_cache(maxsize=64)
def _digest(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_files(name: str) -> Response:
    """A file of web/static/ (the query editor's scripts and styles). Asked for by its versioned URL, it never
    changes: cached for a year; otherwise for MAX_AGE like a page."""
    versioned = request.args.get("v") == _digest_or_none(name)
    response = send_from_directory(STATIC, name, max_age=STATIC_MAX_AGE if versioned else MAX_AGE)
    if versioned:
        response.cache_control.immutable = True
    return response


def _digest_or_none(name: str) -> str | None:
    if safe_join(str(STATIC), name) is None:  # outside the folder: send_from_directory answers 404
        return None
    try:
        return _digest(name)
    except OSError:
        return None


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
