"""Finding things: /search (HTML or JSON, also autocomplete) and /reconcile (the Reconciliation Service API
0.2 that OpenRefine speaks: manifest, queries, preview, suggest). The logic is in search.py."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.urls import iri_to_uri

from b40graph.core.formats import HTML, JSON
from b40graph.publish.release import current
from b40graph.search.index import (
    B40,
    INDEX_FILE,
    KIND_BY_CLASS,
    KIND_BY_KEY,
    KINDS,
    MAX_QUERY_CHARS,
    MAX_RESULTS,
    PROPERTIES,
    Hit,
    Indexes,
    SearchError,
    SearchIndex,
    SearchUnavailable,
    fold,
)
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.errors import ApiError
from b40graph.web.http import backend, choose, finish, local_url, settings
from b40graph.web.meta import served_site

bp = Blueprint("find", __name__)
PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
BATCH_SIZE = 50  # reconciliation queries per batch (the manifest's batchSize; more is a 413)
MAX_CANDIDATES = 25
SUGGEST_SIZE = 10
PREVIEW = (420, 160)  # width, height of OpenRefine's preview frame
#: The preview is shown in a frame of another application (OpenRefine): every other page forbids framing.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors *"
)


def index() -> SearchIndex:
    """The index of the data served now: the release's own file, else one built from the backend."""
    indexes: Indexes = current_app.config["B40_SEARCH"]
    be, conf = backend(), settings()
    version = be.version()
    try:
        if isinstance(be, EmbeddedBackend):
            release = current(conf.out_dir)
            if release is not None and release.version == version.tag and (release.path / INDEX_FILE).is_file():
                return indexes.for_release(release.path / INDEX_FILE)
        return indexes.from_backend(version.tag, conf.base, be.select)
    except SearchUnavailable as err:
        raise ApiError(503, str(err), "unavailable", {"Retry-After": str(err.retry_after)}) from None


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, f"'{name}' must be a whole number from {low} to {high}, not '{raw[:50]}'", "bad-request")
    return int(raw)


def _kinds(values: list[str]) -> list[str]:
    kinds = []
    for value in filter(None, values):  # "" is the search form's "everything"
        kind = KIND_BY_KEY.get(value) or KIND_BY_CLASS.get(value)
        if kind is None:
            known = ", ".join(KIND_BY_KEY)
            raise ApiError(400, f"unknown kind or type '{value[:100]}' (known: {known})", "bad-request")
        kinds.append(kind.key)
    return kinds


def _text(name: str) -> str:
    text = (request.args.get(name) or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise ApiError(400, f"'{name}' is longer than {MAX_QUERY_CHARS} characters", "bad-request")
    return text


def _json(data: object, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type=JSON.content_type)


def _result(hit: Hit) -> dict[str, Any]:
    return {
        "iri": hit.iri,
        "href": local_url(hit.iri) or hit.iri,
        "name": hit.name,
        "kind": hit.kind,
        "type": hit.type_iri,
        "description": hit.description,
        "matched": hit.matched,
        "field": hit.via,
    }


@bp.route("/search", methods=["GET", "HEAD"])
def search() -> Response:
    """?q= (names, labels, roles, clause texts), kind= (repeatable), page=, limit=; HTML or JSON."""
    fmt = choose((HTML, JSON))
    query = _text("q")
    kinds = _kinds(request.args.getlist("kind"))
    size = _int("limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = _int("page", 1, 1, MAX_RESULTS)
    hits = index().search(query, kinds) if query else []
    shown = hits[(page - 1) * size : page * size]
    more = len(hits) > page * size

    def page_url(number: int) -> str:
        args = [("q", query), *(("kind", k) for k in kinds), ("page", str(number))]
        if size != PAGE_SIZE:
            args.append(("limit", str(size)))
        if fmt is JSON:
            args.append(("format", "json"))
        return iri_to_uri("/search?" + "&".join(f"{k}={_quote(v)}" for k, v in args))

    paging = {
        "next": page_url(page + 1) if more else None,
        "previous": page_url(page - 1) if page > 1 and query else None,
    }
    if fmt is JSON:
        body: str = json.dumps(
            {
                "query": query,
                "kinds": kinds,
                "page": page,
                "limit": size,
                "total": len(hits),
                "totalIsBound": len(hits) >= MAX_RESULTS,
                "results": [_result(h) for h in shown],
                **paging,
            },
            ensure_ascii=False,
        )
    else:
        body = render_template(
            "search.html",
            title=f"Search: {query}" if query else "Search",
            search_q=query,
            query=query,
            kinds=kinds,
            all_kinds=KINDS,
            results=[_result(h) for h in shown],
            total=len(hits),
            bound=MAX_RESULTS,
            first=(page - 1) * size + 1,
            **paging,
        )
    return finish(Response(body, content_type=fmt.content_type), backend().version(), fmt)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


# --- the Reconciliation Service API 0.2 -----------------------------------------------------------------


def _root() -> str:
    return request.host_url.rstrip("/")


def manifest() -> dict[str, Any]:
    conf = settings()
    root = _root()
    service = {"service_url": root}
    return {
        "versions": ["0.2"],
        "name": f"{served_site().shown_name} reconciliation",
        "identifierSpace": conf.base + "id/",
        "schemaSpace": B40,
        "documentation": root + "/search",
        "view": {"url": "{{id}}"},
        "preview": {"url": root + "/reconcile/preview?id={{id}}", "width": PREVIEW[0], "height": PREVIEW[1]},
        "defaultTypes": [{"id": k.cls, "name": k.label} for k in KINDS],
        "suggest": {
            "entity": {**service, "service_path": "/reconcile/suggest/entity"},
            "type": {**service, "service_path": "/reconcile/suggest/type"},
            "property": {**service, "service_path": "/reconcile/suggest/property"},
        },
        "batchSize": BATCH_SIZE,
    }


def _batch(raw: str) -> dict[str, dict[str, Any]]:
    try:
        batch = json.loads(raw)
    except ValueError as err:
        raise ApiError(400, f"'queries' is not JSON: {err}", "bad-request") from None
    if not isinstance(batch, dict):
        raise ApiError(400, "'queries' must be a JSON object of queries by key", "bad-request")
    if len(batch) > BATCH_SIZE:
        raise ApiError(413, f"a batch holds at most {BATCH_SIZE} queries; this one has {len(batch)}", "too-large")
    for key, query in batch.items():
        _check_query(key, query)
    return batch


def _check_query(key: str, query: object) -> None:
    def bad(why: str) -> ApiError:
        return ApiError(400, f"query '{key[:50]}': {why}", "bad-request")

    if not isinstance(query, dict):
        raise bad("must be a JSON object")
    unknown = set(query) - {"query", "type", "limit", "properties", "type_strict"}
    if unknown:
        raise bad(f"unknown field(s) {', '.join(sorted(unknown))}")
    text = query.get("query")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_QUERY_CHARS):
        raise bad(f"'query' must be a string of at most {MAX_QUERY_CHARS} characters")
    types = query.get("type")
    if types is not None and not (
        isinstance(types, str) or (isinstance(types, list) and all(isinstance(t, str) for t in types))
    ):
        raise bad("'type' must be a type id or a list of them")
    limit = query.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 1):
        raise bad("'limit' must be a positive number")
    props = query.get("properties", [])
    if not isinstance(props, list) or not all(isinstance(p, dict) and {"pid", "v"} <= set(p) for p in props):
        raise bad('\'properties\' must be a list of {"pid": ..., "v": ...}')
    if not (isinstance(text, str) and text.strip()) and not props:
        raise bad("give a non-empty 'query' or some 'properties'")


def _candidates(query: dict[str, Any], idx: SearchIndex) -> list[dict[str, Any]]:
    types = query.get("type")
    kinds = _kinds([types] if isinstance(types, str) else list(types or []))
    props = []
    for prop in query.get("properties", []):
        values = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
        props.append((str(prop["pid"]), values))
    limit = min(int(query.get("limit") or 5), MAX_CANDIDATES)
    try:
        hits = idx.reconcile(str(query.get("query") or ""), kinds, props, limit)
    except SearchError as err:
        raise ApiError(400, str(err), "bad-request") from None
    return [
        {
            "id": h.iri,
            "name": h.name,
            "description": h.description,
            "score": h.score,
            "match": h.match,
            "type": [{"id": h.type_iri, "name": KIND_BY_KEY[h.kind].label}],
            "features": [{"id": k, "value": v} for k, v in h.features.items()],
        }
        for h in hits
    ]


@bp.route("/reconcile", methods=["GET", "POST", "HEAD"])
def reconcile() -> Response:
    """GET with no `queries`: the service manifest; GET or POST (form) with `queries`: a result batch."""
    raw = request.values.get("queries")
    if raw is None:
        return _json(manifest())
    batch = _batch(raw)
    idx = index()
    return _json({key: {"result": _candidates(query, idx)} for key, query in batch.items()})


@bp.route("/reconcile/preview", methods=["GET", "HEAD"])
def preview() -> Response:
    iri = (request.args.get("id") or "").strip()
    idx = index()
    hit = idx.entity(iri) or (idx.entity(settings().base + "id/" + iri) if iri else None)
    if hit is None:
        raise ApiError(404, f"no entity has the id '{iri[:200]}'", "not-found")
    names = [(text, lang) for fld, text, lang in idx.labels(hit.iri) if fld in ("name", "alias")]
    body = render_template(
        "reconcile_preview.html",
        hit=hit,
        kind=KIND_BY_KEY[hit.kind].label,
        href=local_url(hit.iri) or hit.iri,
        names=list(dict.fromkeys(names))[:8],
        size=PREVIEW,
    )
    response = Response(body, content_type=HTML.content_type)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return finish(response, backend().version(), HTML, vary=False)


@bp.route("/reconcile/suggest/entity", methods=["GET", "HEAD"])
def suggest_entity() -> Response:
    prefix = _text("prefix")
    cursor = _int("cursor", 0, 0, MAX_RESULTS)
    kinds = _kinds(request.args.getlist("type"))
    hits = index().search(prefix, kinds)[cursor : cursor + SUGGEST_SIZE] if prefix else []
    result = [
        {
            "id": h.iri,
            "name": h.name,
            "description": h.description,
            "notable": [{"id": h.type_iri, "name": KIND_BY_KEY[h.kind].label}],
        }
        for h in hits
    ]
    return _json({"result": result})


def _prefixed(items: list[tuple[str, str, str]]) -> Response:
    """Suggestions whose id or name has a word beginning with the prefix."""
    wanted = fold(_text("prefix"))
    cursor = _int("cursor", 0, 0, MAX_RESULTS)
    chosen = [
        {"id": i, "name": n, "description": d}
        for i, n, d in items
        if not wanted
        or any(w.startswith(wanted) for w in fold(f"{i} {n}").replace("#", " ").split())
        or fold(n).startswith(wanted)
    ]
    return _json({"result": chosen[cursor : cursor + SUGGEST_SIZE]})


@bp.route("/reconcile/suggest/type", methods=["GET", "HEAD"])
def suggest_type() -> Response:
    return _prefixed([(k.cls, k.label, f"the {k.key} pages of this dataset") for k in KINDS])


@bp.route("/reconcile/suggest/property", methods=["GET", "HEAD"])
def suggest_property() -> Response:
    return _prefixed([(p.pid, p.name, p.description) for p in PROPERTIES])
