"""Home page, downloads, the VoID/DCAT description and the sitemap."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from b40graph.core.formats import DOCUMENT_FORMATS, DUMP_FORMATS, HTML, Format
from b40graph.core.rdfio import serialize, serialize_document
from b40graph.core.site import Site
from b40graph.core.vocab import PREFIXES
from b40graph.publish.description import dump_file, release_site
from b40graph.publish.release import current
from b40graph.store.backend import Version
from b40graph.store.tables import BY_FILE as TABLE_FILES
from b40graph.store.tables import TABLES
from b40graph.web.errors import ApiError
from b40graph.web.http import accepts_gzip, backend, choose, finish, local_url, same_release, send_ranged, settings
from b40graph.web.overviews import CSV_TYPE, table_download
from b40graph.web.overviews import PAGES as OVERVIEWS
from b40graph.web.resources import check_path, document

bp = Blueprint("meta", __name__)
HOME = """
PREFIX b40: <https://w3id.org/b40/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?thing ?label ?date ?kind WHERE {
  {{values}}
  { ?thing a b40:Declaration ; dct:title ?label ; dct:issued ?date . BIND("declaration" AS ?kind) }
  UNION { ?thing a b40:Network ; rdfs:label ?label . BIND("network" AS ?kind) FILTER(lang(?label) = "en") }
  UNION { ?thing a b40:Municipality ; rdfs:label ?label . BIND("municipality" AS ?kind) FILTER(lang(?label) = "en")
          # a member that has not left (as the overviews count them)
          FILTER EXISTS { ?ms a org:Membership ; org:member ?thing .
                          FILTER NOT EXISTS { ?ms b40:memberUntil ?until } } }
  UNION { ?thing a skos:Concept ; skos:prefLabel ?label .
          FILTER NOT EXISTS { ?thing a org:Role }  # roles are concepts too (of the roles scheme)
          BIND("theme" AS ?kind) FILTER(lang(?label) = "en") }
} ORDER BY ?kind ?date ?label LIMIT 2000"""


@lru_cache(maxsize=16)
def _recorded_site(folder: str) -> tuple[str, Site] | None:
    """The base and the site a release recorded in its release.json (None: a release older than sites)."""
    try:
        info = json.loads((Path(folder) / "release.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or "site" not in info:
        return None
    return str(info.get("base")), release_site(info)


DESCRIBED = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?title ?name ?description ?licence WHERE {
  {{values}}
  ?dataset dct:title ?title .
  OPTIONAL { ?dataset dct:publisher/rdfs:label ?name FILTER(lang(?name) = "en" || lang(?name) = "") }
  OPTIONAL { ?dataset dct:description ?description }
  OPTIONAL { ?dataset dct:license ?licence }
} LIMIT 1"""


@lru_cache(maxsize=16)
def _described_site(site: Site, base: str, served: int, version: str) -> Site:
    """`site` with what it leaves out taken from the served dataset's own description (`served`, the
    backend, and `version` only key the cache)."""
    rows = backend().select(DESCRIBED, {"dataset": ox.NamedNode(base + "id/dataset")})
    if not rows:
        return site
    found = {key: term.value for key, term in rows[0].items()}
    return replace(
        site,
        title=site.title or found.get("title", ""),
        name=site.name or found.get("name", ""),
        description=site.description or found.get("description", ""),
        licence=site.licence or found.get("licence", ""),
    )


def served_site() -> Site:
    """The site configuration as the current release of this base recorded it at build time (completed from
    its data); else settings.site, as b40graph.toml gives it, completed from the description the served
    dataset carries (`serve --dataset FILE` or `--backend URL` away from the project)."""
    release = current(settings().out_dir)
    recorded = _recorded_site(str(release.path)) if release is not None else None
    if recorded is None or recorded[0] != settings().base:
        site = settings().site
        if site.name and site.title:
            return site
        return _described_site(site, settings().base, id(backend()), backend().version().tag)
    return recorded[1]


@bp.app_context_processor
def _site_context() -> dict[str, object]:
    """Every page's view of the site configuration."""
    site = served_site()
    return {"site": site, "licence_label": licence_label(site.licence)}


def licence_label(iri: str) -> str:
    """A short name for a Creative Commons licence IRI (CC BY 4.0, CC0 1.0); other IRIs as they are."""
    found = re.match(r"^https?://creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d+\.\d+)/?", iri)
    if found is None:
        return iri
    kind, version = found[2], found[3]
    return f"CC0 {version}" if kind == "zero" else f"CC {kind.upper()} {version}"


def _stem(folder: Path | None) -> str:
    """The dump stem of the files in `folder`: as its release recorded it, else as configured."""
    recorded = _recorded_site(str(folder)) if folder is not None else None
    return recorded[1].dump_stem if recorded is not None else settings().site.dump_stem


@bp.app_template_filter("localurl")
def _localurl(iri: str) -> str:
    return local_url(iri) or iri


@bp.route("/", methods=["GET", "HEAD"])
def home() -> Response:
    version = backend().version()
    groups: dict[str, list[dict[str, str]]] = {}
    for row in backend().select(HOME, {}):
        entry = {
            "href": local_url(row["thing"].value) or row["thing"].value,
            "label": row["label"].value,
            "date": row["date"].value if "date" in row else "",
        }
        groups.setdefault(row["kind"].value, []).append(entry)
    body = render_template("home.html", title=served_site().shown_title, groups=groups)
    return finish(Response(body, content_type=HTML.content_type), version, HTML)


def _dataset_iri() -> str:
    return settings().base + "id/dataset"


@bp.route("/.well-known/void", methods=["GET", "HEAD"])
@bp.route("/.well-known/void.<ext>", methods=["GET", "HEAD"])
def void(ext: str | None = None) -> Response:
    offers = (*DOCUMENT_FORMATS[1:], HTML)  # RDF first: this is a machine's entry point
    fmt = choose(offers, ext)
    if fmt is HTML:
        return document(_dataset_iri(), "/doc/dataset", "html")
    version = backend().version()
    graph = ox.NamedNode(settings().base + "graph/description")
    quads = backend().quads(g=graph)
    if not quads:
        raise ApiError(404, "this dataset carries no description (it was not made by `b40graph build`)", "not-found")
    triples = sorted({q.triple for q in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    response = Response(serialize_document(triples, fmt, quads), content_type=fmt.content_type)
    alternates = [(f"/.well-known/void.{f.extension}", f) for f in offers if f is not fmt and f is not HTML]
    return finish(response, version, fmt, alternates=alternates, canonical="/.well-known/void")


@bp.route("/robots.txt", methods=["GET", "HEAD"])
def robots() -> Response:
    """Crawlers may read every page; query and search answers are not pages to index (and cost a worker)."""
    version = backend().version()
    root = settings().base.rstrip("/")
    body = f"User-agent: *\nDisallow: /sparql?\nDisallow: /search?\nDisallow: /reconcile\nSitemap: {root}/sitemap.xml\n"
    fmt = Format("robots", "robots.txt", "text/plain; charset=utf-8", (), "txt", "other")
    return finish(Response(body, content_type=fmt.content_type), version, fmt, vary=False)


@bp.route("/sitemap.xml", methods=["GET", "HEAD"])
def sitemap() -> Response:
    version = backend().version()
    subjects = set()
    base = settings().base + "id/"
    for quad in backend().quads(p=ox.NamedNode(PREFIXES["rdf"] + "type"), limit=50000):
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(base):
            subjects.add(quad.subject.value)
    root = settings().base.rstrip("/")  # the public base, never the request's Host header
    urls = ["/", "/overview/", *(f"/overview/{name}" for name in OVERVIEWS), "/search", "/sparql", "/download/"]
    urls += ["/ontology", *sorted(local_url(s) or s for s in subjects)]
    body = ['<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    body += [f"<url><loc>{root}{_xml(u)}</loc></url>\n" for u in urls]
    body.append("</urlset>\n")
    fmt = Format("sitemap", "Sitemap", "application/xml", (), "xml", "other")
    return finish(Response("".join(body), content_type=fmt.content_type), version, fmt, vary=False)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _release_dir() -> Path | None:
    return backend().dumps()


@bp.route("/download/", methods=["GET", "HEAD"])
def downloads() -> Response:
    version = backend().version()
    folder = _release_dir()
    stem = _stem(folder)
    files = []
    for fmt in DUMP_FORMATS:
        name = dump_file(fmt.extension, stem)
        if folder is not None and (folder / name).is_file():
            files.append(
                {
                    "name": name,
                    "label": fmt.label,
                    "type": fmt.media_type,
                    "size": (folder / name).stat().st_size,
                    "gz": (folder / (name + ".gz")).stat().st_size,
                }
            )
    graphs = [{"iri": g.value, "path": local_url(g.value)} for g in backend().graphs()]
    body = render_template(
        "downloads.html", title="Downloads", files=files, graphs=graphs, formats=DOCUMENT_FORMATS[1:], tables=TABLES
    )
    return finish(Response(body, content_type=HTML.content_type), version, HTML)


@bp.route("/download/<name>", methods=["GET", "HEAD"])
def download(name: str) -> Response:
    """A file of the release: its bytes, ETag and Last-Modified all come from one release folder, opened once
    (a rebuild landing meanwhile changes neither). `name.gz` is sent instead, with Content-Encoding gzip, to
    a client that accepts gzip; it has an ETag of its own. Range and If-Range: see `send_ranged`."""
    stem = _stem(_release_dir())
    allowed = {dump_file(f.extension, stem) for f in DUMP_FORMATS}
    allowed |= {n + ".gz" for n in allowed} | {"shacl-report.ttl", "release.json"} | set(TABLE_FILES)
    if name not in allowed:
        raise ApiError(404, f"no download is called '{name}'; see /download/", "not-found")
    if name in TABLE_FILES and (made := table_download(name)) is not None:
        return made  # a table the release has no file of, made from the data
    fmt = next((f for f in DUMP_FORMATS if name.startswith(dump_file(f.extension, stem))), None)
    mimetype = fmt.media_type if fmt else ("text/turtle" if name.endswith(".ttl") else "application/json")
    mimetype = CSV_TYPE if name in TABLE_FILES else mimetype
    for _ in range(3):  # a release pruned between finding its folder and opening the file: take the new one
        folder = _release_dir()
        if folder is None or not (folder / name).is_file():
            raise ApiError(404, f"no download is called '{name}'; see /download/", "not-found")
        packed = folder / (name + ".gz")
        encoded = not name.endswith(".gz") and packed.is_file()
        use_gzip = encoded and accepts_gzip(request.headers.get("Accept-Encoding"))
        try:
            fh = (packed if use_gzip else folder / name).open("rb")
        except FileNotFoundError:
            continue
        break
    else:
        raise ApiError(503, "the release changed while this file was being opened; try again", "unavailable")
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if name.endswith(".gz"):
        content_type = "application/gzip"
    else:
        content_type = fmt.content_type if fmt is not None and fmt.charset else mimetype
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    if encoded:
        headers["Vary"] = "Accept-Encoding"
    modified = os.fstat(fh.fileno()).st_mtime
    etag = f"{folder.name}-{name}" + ("-gzip" if use_gzip else "")
    return send_ranged(fh, etag, modified, content_type, headers)


@bp.route("/download/graph/<path:path>", methods=["GET", "HEAD"])
def download_graph(path: str) -> Response:
    stem, _, ext = path.rpartition(".")
    fmt = next((f for f in DOCUMENT_FORMATS[1:] if f.extension == ext), None)
    if fmt is None or not stem:
        raise ApiError(404, "name a graph and a format, e.g. /download/graph/reference.ttl", "not-found")
    check_path(stem)  # a well-formed IRI path, or 404
    graph = ox.NamedNode(settings().base + "graph/" + stem)

    def make(_: Version) -> list[ox.Quad]:
        return backend().quads(g=graph)  # a file of the release: whole, never cut at a cap

    version, quads = same_release(make)
    if not quads:
        raise ApiError(404, f"this dataset has no graph <{graph.value}>", "not-found")
    body = serialize([q.triple for q in quads], fmt, quads)
    headers = {"Content-Disposition": f'attachment; filename="{stem.replace("/", "-")}.{fmt.extension}"'}
    return send_ranged(body, f"{version.tag}-{fmt.key}", version.modified, fmt.content_type, headers)
