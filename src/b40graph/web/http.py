"""HTTP helpers shared by the views: negotiation with overrides, conditional GET, Link headers."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from email.utils import formatdate

from flask import Response, current_app, request

from ..formats import Format
from ..settings import Settings
from ..store import Backend, Version
from ..vocab import ONTOLOGY_IRI
from .admission import Admission
from .conneg import negotiate, override


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
) -> Response:
    """Caching and linking headers; answers 304 when the client's copy is current. `language`: the page was
    made for this language (chosen by Accept-Language or ?lang=), so it varies on it and has an ETag of its own."""
    if vary:
        response.vary.add("Accept")
    if language:
        response.vary.add("Accept-Language")
        response.headers["Content-Language"] = language
    response.headers["Last-Modified"] = formatdate(version.modified, usegmt=True)
    response.cache_control.public = True
    response.cache_control.max_age = 60
    if fmt is not None:
        response.set_etag(f"{version.tag}-{fmt.key}" + (f"-{language}" if language else ""))
    links = [f'<{url}>; rel="alternate"; type="{f.media_type}"' for url, f in alternates]
    if canonical:
        links.append(f'<{canonical}>; rel="canonical"')
    links.append('</.well-known/void>; rel="describedby"; type="text/turtle"')
    response.headers["Link"] = ", ".join(links)
    response.make_conditional(request)  # sets 304 in place when the client has this version
    return response
