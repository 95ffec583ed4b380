"""HTTP helpers shared by the views: negotiation with overrides, conditional GET, Link headers, gzip.

Caching policy (one per kind of answer): documents, pages, downloads and SPARQL results fetched with GET are
`public, max-age=60` with an ETag and Last-Modified (a new release is seen within a minute, and a client
revalidates cheaply with If-None-Match); SPARQL results of a POST and every error are `no-store`.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
from collections.abc import Callable, Hashable, Iterator, Sequence
from email.utils import formatdate
from typing import BinaryIO, TypeVar

from flask import Response, current_app, request

from b40graph.core.formats import Format
from b40graph.core.settings import Settings
from b40graph.core.vocab import ONTOLOGY_IRI
from b40graph.store.backend import Backend, Version
from b40graph.web.admission import Admission
from b40graph.web.conneg import negotiate, override, quality
from b40graph.web.errors import ApiError

T = TypeVar("T")

MAX_AGE = 60  # seconds a document, page, download or GET result may be reused without asking again
GZIP_MIN_BYTES = 1024  # smaller bodies are sent as they are: gzip would save next to nothing
GZIP_LEVEL = 6
#: The Content-Security-Policy of every HTML page: no script runs.
PAGE_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
#: The query page's, the one page with scripts: the editor's, from this server's own files only; it may fetch
#: from this server only (connect-src inherits default-src 'self').
QUERY_PAGE_CSP = PAGE_CSP.replace("script-src 'none'", "script-src 'self'")


def settings() -> Settings:
    return current_app.config["B40_SETTINGS"]  # type: ignore[no-any-return]


def backend() -> Backend:
    return current_app.config["B40_BACKEND"]  # type: ignore[no-any-return]


def admission() -> Admission:
    return current_app.config["B40_ADMISSION"]  # type: ignore[no-any-return]


def choose(
    offers: Sequence[Format], extension: str | None = None, names: Sequence[str] | None = None, strict: bool = True
) -> Format:
    """The format to answer in: `names` (default: the ?format= values), an extension, else Accept."""
    forced = override(request.args.getlist("format") if names is None else names, extension, offers, strict)
    return forced or negotiate(request.headers.get("Accept"), offers)


def local_url(iri: str) -> str | None:
    """Where an IRI minted under the public base is served here (a path), or None for outside IRIs."""
    return _local_url(settings().base, iri)


@functools.lru_cache(maxsize=65536)
def _local_url(base: str, iri: str) -> str | None:
    if iri.startswith(ONTOLOGY_IRI) and (len(iri) == len(ONTOLOGY_IRI) or iri[len(ONTOLOGY_IRI)] == "#"):
        return "/ontology" + iri[len(ONTOLOGY_IRI) :]
    if iri.startswith(base):
        rest = iri[len(base) :]
        if rest.startswith("id/"):
            return "/doc/" + rest[3:]
        return "/" + rest
    return None


def finish(
    response: Response,
    version: Version,
    fmt: Format | None,
    vary: bool = True,
    alternates: Sequence[tuple[str, Format]] = (),
    canonical: str | None = None,
    language: str = "",
    paging: Sequence[tuple[str, str]] = (),
    cache_key: Hashable | None = None,
) -> Response:
    """Caching and linking headers, gzip when the client accepts it; answers 304 when the client's copy is
    current. `language`: the page was made for this language (chosen by Accept-Language or ?lang=), so it
    varies on it and has an ETag of its own. `paging`: (rel, url) pairs such as ("next", "?page=3"), sent as
    Link headers. `cache_key`: the body's key in the document cache, where its gzip form is kept too."""
    if vary:
        response.vary.add("Accept")
    if language:
        response.vary.add("Accept-Language")
        response.headers["Content-Language"] = language
    response.headers["Last-Modified"] = formatdate(version.modified, usegmt=True)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    if fmt is not None:
        response.set_etag(f"{version.tag}-{fmt.key}" + (f"-{language}" if language else ""))
    links = [f'<{url}>; rel="alternate"; type="{f.media_type}"' for url, f in alternates]
    if canonical:
        links.append(f'<{canonical}>; rel="canonical"')
    links += [f'<{url}>; rel="{rel}"' for rel, url in paging]
    links.append('</.well-known/void>; rel="describedby"; type="text/turtle"')
    response.headers["Link"] = ", ".join(links)
    compress(response, cache_key)
    response.make_conditional(request)  # sets 304 in place when the client has this version
    return response


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip: `gzip` (or `x-gzip`) with a quality above 0, or `*`
    above 0 when gzip is not named (RFC 9110 §12.5.3). `gzip;q=0` refuses it; no header asks for nothing."""
    if not header:
        return False
    named: float | None = None
    star: float | None = None
    for part in header.split(",")[:64]:
        coding, *params = part.split(";")
        q = quality(params)
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            named = q if named is None else max(named, q)
        elif coding == "*":
            star = q
    if named is not None:
        return named > 0
    return star is not None and star > 0


def compress(response: Response, cache_key: Hashable | None = None) -> None:
    """gzip a 200's body when the client accepts gzip and the body is over GZIP_MIN_BYTES; the gzip body has
    an ETag of its own (the plain one + "-gzip"). Every compressible answer varies on Accept-Encoding."""
    if response.status_code != 200 or response.direct_passthrough or "Content-Encoding" in response.headers:
        return
    body = response.get_data()
    if len(body) < GZIP_MIN_BYTES:
        return
    response.vary.add("Accept-Encoding")
    if not accepts_gzip(request.headers.get("Accept-Encoding")):
        return
    if cache_key is not None:
        packed = current_app.config["B40_DOC_CACHE"].get_or_make((cache_key, "gzip"), lambda: _gzip(body))
    else:
        packed = _gzip(body)
    response.set_data(packed)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(etag + "-gzip", bool(weak))


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, GZIP_LEVEL, mtime=0)  # mtime 0: the same body always gives the same bytes


def same_release(make: Callable[[Version], T]) -> tuple[Version, T]:
    """`make(version)` run against one release: the backend's version read before and after must agree, else
    it is made again (a rebuild landed meanwhile), so an answer never pairs one release's ETag with another's
    data."""
    for _ in range(3):
        version = backend().version()
        try:
            value = make(version)
        except ReleaseChanged:
            continue
        if backend().version() == version:
            return version, value
    raise ApiError(503, "the dataset changed while this answer was being made; try again", "unavailable")


class ReleaseChanged(Exception):
    """Raised by a maker that finds the release it started from replaced."""


# -- byte ranges (downloads) -----------------------------------------------------------------------------------
_NUMBER = re.compile(r"^[0-9]+$")
MAX_RANGES = 100  # a Range header listing more parts is ignored (the whole file is sent)


def byte_ranges(header: str, size: int) -> list[tuple[int, int]] | None:
    """The satisfiable (first, last) byte positions a `Range: bytes=…` header asks for (RFC 9110 §14.1.2),
    merged where they overlap or touch; [] when none is satisfiable (416); None when the header is to be
    ignored (another unit, bad syntax, too many parts): the whole representation is then sent."""
    unit, eq, spec = header.partition("=")
    if not eq or unit.strip().lower() != "bytes":
        return None
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) > MAX_RANGES or not any(parts):
        return None
    found = []
    for part in parts:
        if not part:
            continue  # empty list elements are allowed
        first, dash, last = (x.strip() for x in part.partition("-"))
        if not dash or (first and not _NUMBER.match(first)) or (last and not _NUMBER.match(last)):
            return None
        if first:
            start = _number(first)
            end = _number(last) if last else None
            if end is not None and end < start:
                return None  # an invalid range-spec: the header is ignored
            if start < size:
                found.append((start, size - 1 if end is None else min(end, size - 1)))
        elif last:
            suffix = _number(last)
            if suffix > 0 and size > 0:
                found.append((max(0, size - suffix), size - 1))
        else:
            return None
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= 18 else 10**18  # past any file's size; int() of 5,000 digits is an error


def if_range_holds(value: str | None, etag: str, last_modified: str) -> bool:
    """Whether a Range may be honoured: no If-Range, or one naming this representation (its strong ETag,
    or exactly its Last-Modified date); anything else (a weak or other tag, garbage) sends the whole file."""
    if value is None:
        return True
    value = value.strip()
    if value.startswith('"'):
        return value == f'"{etag}"'
    return value == last_modified


def send_ranged(
    body: BinaryIO | bytes, etag: str, modified: float, content_type: str, headers: dict[str, str]
) -> Response:
    """A download: the whole of `body` (an open file, closed when the answer is sent, or bytes), or the byte
    range asked for with Range (206; If-Range honoured; 416 with `Content-Range: bytes */size` when nothing
    asked for is in the file; several ranges that do not merge into one are answered with the whole file).
    Conditional GET (If-None-Match, If-Modified-Since) answers 304 first. ETag and Last-Modified are the
    caller's, taken from the same release as `body`."""
    size = len(body) if isinstance(body, bytes) else os.fstat(body.fileno()).st_size
    last_modified = formatdate(modified, usegmt=True)
    response = Response(content_type=content_type)
    response.set_etag(etag)
    response.headers["Last-Modified"] = last_modified
    response.headers["Accept-Ranges"] = "bytes"
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    for key, value in headers.items():
        response.headers[key] = value
    response.make_conditional(request)  # 304 (or 412 for a failed If-Match) before any range
    if response.status_code != 200:
        _close(body)
        return response
    start, length = 0, size
    wanted = request.headers.get("Range")
    honoured = if_range_holds(request.headers.get("If-Range"), etag, last_modified)
    if wanted is not None and request.method == "GET" and honoured:
        spans = byte_ranges(wanted, size)
        if spans == []:
            _close(body)
            raise ApiError(
                416,
                f"no byte of the range asked for is in the file ({size} bytes)",
                "range-not-satisfiable",
                {"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
            )
        if spans is not None and len(spans) == 1:
            start, end = spans[0]
            length = end - start + 1
            response.status_code = 206
            response.headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    if isinstance(body, bytes):
        response.set_data(body[start : start + length])
    else:
        response.response = _chunks(body, start, length)
        response.call_on_close(body.close)
    response.headers["Content-Length"] = str(length)
    return response


def _chunks(fh: BinaryIO, start: int, length: int, size: int = 1 << 16) -> Iterator[bytes]:
    fh.seek(start)
    while length > 0:
        chunk = fh.read(min(size, length))
        if not chunk:
            break
        length -= len(chunk)
        yield chunk


def _close(body: BinaryIO | bytes) -> None:
    if not isinstance(body, bytes):
        body.close()
