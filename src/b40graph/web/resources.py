"""Dereferenceable IRIs: /id/… answers 303 See Other to /doc/…, which answers by content negotiation.

Named graphs (/graph/…) and the ontology (/ontology, a hash namespace) are documents themselves.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from b40graph.core.formats import DOCUMENT_FORMATS, HTML
from b40graph.core.rdfio import serialize_document
from b40graph.core.vocab import ONTOLOGY_IRI
from b40graph.store.backend import Version
from b40graph.store.resource import describe, known
from b40graph.web import pages
from b40graph.web.doccache import DocumentCache
from b40graph.web.errors import ApiError
from b40graph.web.http import ReleaseChanged, backend, choose, finish, same_release, settings

bp = Blueprint("resources", __name__)
_SEGMENT = re.compile(r"^[A-Za-z0-9._~%!$&'()*+,;=:@-]+$")
_EXTENSIONS = {f.extension for f in DOCUMENT_FORMATS}
MAX_PAGE = 100_000  # pages of a document; past it the offset would overflow the store's iterator


def _split_extension(path: str) -> tuple[str, str | None]:
    stem, dot, ext = path.rpartition(".")
    if dot and ext in _EXTENSIONS and "/" not in ext:
        return stem, ext
    return path, None


def check_path(path: str) -> None:
    parts = path.split("/")
    if len(path) > 1024 or any(p in ("", ".", "..") or not _SEGMENT.match(p) for p in parts):
        raise ApiError(404, "no resource has this IRI: it is not a well-formed IRI path of this dataset", "not-found")


def document(iri: str, doc_path: str, extension: str | None, kind: str = "resource") -> Response:
    """A resource's document, one page at a time in every format (`?page=N`, see resource.py): each page
    links to the next and previous ones (Link headers rel="next"/"prev"/"first"; in HTML also links in the
    page). A page past the end is empty (200) and links back to the first; a resource unknown is a 404."""
    fmt = choose(DOCUMENT_FORMATS, extension)
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        raise ApiError(400, "page must be a positive number", "bad-request") from None
    if not 1 <= page <= MAX_PAGE:
        raise ApiError(400, f"page must be a number from 1 to {MAX_PAGE}", "bad-request")
    language = pages.lang() if fmt is HTML else ""
    cache: DocumentCache = current_app.config["B40_DOC_CACHE"]

    def make_page(version: Version) -> tuple[bytes, bool, bool]:
        def make() -> tuple[bytes, bool, bool]:
            desc = describe(backend(), iri, page, version=version.tag)
            if fmt is HTML:
                html, more, shown = pages.resource_page(desc, doc_path, kind)
                body = html.encode()
            else:
                body = serialize_document(desc.triples(), fmt, desc.quads())
                more, shown = desc.has_more_incoming, desc.exists
            if not shown and (page == 1 or not known(backend(), iri)):
                raise ApiError(404, f"nothing is known about <{iri}> in this dataset", "not-found")
            if backend().version() != version:
                raise ReleaseChanged  # made from another release than the one its ETag would name
            return body, more, shown

        return cache.get_or_make((version.tag, iri, doc_path, kind, fmt.key, page, language), make)

    version, (body, more, shown) = same_release(make_page)
    response = Response(body, content_type=fmt.content_type)
    query = f"?page={page}" if page > 1 else ""
    response.headers["Content-Location"] = f"{doc_path}.{fmt.extension}{query}"
    alternates = [(f"{doc_path}.{f.extension}{query}", f) for f in DOCUMENT_FORMATS if f is not fmt]
    paging = []
    if page > 1:
        paging.append(("first", doc_path))
        if shown:
            paging.append(("prev", f"{doc_path}?page={page - 1}"))
    if more:
        paging.append(("next", f"{doc_path}?page={page + 1}"))
    key = (version.tag, iri, doc_path, kind, fmt.key, page, language)
    return finish(
        response,
        version,
        fmt,
        alternates=alternates,
        canonical=doc_path,
        language=language,
        paging=paging,
        cache_key=key,
    )


@bp.route("/id/<path:path>", methods=["GET", "HEAD"])
def thing(path: str) -> Response:
    check_path(path)
    iri = settings().base + "id/" + path
    if not backend().quads(s=ox.NamedNode(iri), limit=1) and not backend().quads(o=ox.NamedNode(iri), limit=1):
        raise ApiError(404, f"nothing is known about <{iri}> in this dataset", "not-found")
    target = "/doc/" + path
    if request.query_string:
        target += "?" + request.query_string.decode("ascii", "replace")
    response = Response(status=303, headers={"Location": target})
    response.vary.add("Accept")
    return response


@bp.route("/doc/<path:path>", methods=["GET", "HEAD"])
def doc(path: str) -> Response:
    stem, ext = _split_extension(path)
    check_path(stem)
    return document(settings().base + "id/" + stem, "/doc/" + stem, ext)


@bp.route("/graph/<path:path>", methods=["GET", "HEAD"])
def graph(path: str) -> Response:
    stem, ext = _split_extension(path)
    check_path(stem)
    return document(settings().base + "graph/" + stem, "/graph/" + stem, ext, kind="graph")


@bp.route("/ontology", methods=["GET", "HEAD"])
@bp.route("/ontology.<ext>", methods=["GET", "HEAD"])
def ontology(ext: str | None = None) -> Response:
    fmt = choose(DOCUMENT_FORMATS, ext)
    version = backend().version()
    graph_name = ox.NamedNode(settings().base + "graph/ontology")
    quads = backend().quads(g=graph_name)
    if not quads:
        quads = [
            q
            for q in backend().quads()
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ONTOLOGY_IRI)
        ]
    if not quads:
        raise ApiError(404, "this dataset holds no ontology", "not-found")
    triples = sorted({q.triple for q in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    body: bytes | str = pages.ontology_page(triples) if fmt is HTML else serialize_document(triples, fmt, quads)
    response = Response(body, content_type=fmt.content_type)
    alternates = [(f"/ontology.{f.extension}", f) for f in DOCUMENT_FORMATS if f is not fmt]
    return finish(response, version, fmt, alternates=alternates, canonical="/ontology")
