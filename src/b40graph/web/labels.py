"""The language of a page and the labels it shows: `?lang=` or the client's Accept-Language matched against
the languages the dataset has labels in, the header's language switch, and `Labeller` (a term's label,
worked out once per page)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import current_app, g, request

from b40graph.store.resource import Description, best_label
from b40graph.web.errors import ApiError
from b40graph.web.http import backend
from b40graph.web.readable import autonym, humanize, sort_key

DEFAULT_LANGUAGE = "en"
_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8}){0,7}$")
LANGUAGES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?lang WHERE { {{values}} ?s rdfs:label ?label BIND(LANG(?label) AS ?lang) FILTER(?lang != "") }"""


def lang() -> str:
    """The language of a page's labels (and its `<html lang>` and Content-Language): `?lang=` when given,
    else the client's Accept-Language, matched against the languages the dataset has labels in (once per
    dataset version); English when nothing matches. Worked out once per request."""
    chosen = g.get("b40_lang")
    if chosen is None:
        chosen = g.b40_lang = _choose_language()
    return str(chosen)


def _choose_language() -> str:
    forced = request.args.getlist("lang")
    if forced:
        value = forced[0].strip()
        if len(forced) > 1 or not _TAG.match(value):
            raise ApiError(400, "lang must be one language tag such as en, el or sr-Cyrl", "bad-request")
        wanted = [(value, 1.0)]
    else:
        wanted = [(tag, q) for tag, q in request.accept_languages]
    if not wanted:
        return DEFAULT_LANGUAGE
    return choose_language(wanted, _dataset_languages())


def choose_language(wanted: list[tuple[str, float]], offered: list[str], default: str = DEFAULT_LANGUAGE) -> str:
    """The first of the client's languages (by quality) that the dataset has: the same tag, else one with the
    same primary subtag ("sr" finds "sr-Cyrl", "en-GB" finds "en"); `*` or nothing found: the default."""
    known = {tag.lower(): tag for tag in [*offered, default]}
    for tag, q in sorted(wanted, key=lambda item: -item[1]):  # a stable sort keeps the client's order on ties
        if q <= 0:
            continue
        lowered = tag.lower()
        if lowered == "*":
            return default
        if lowered in known:
            return known[lowered]
        primary = lowered.split("-", 1)[0]
        near = sorted(low for low in known if low.split("-", 1)[0] == primary)
        if near:
            return known[near[0]]
    return default


def _dataset_languages() -> list[str]:
    version = backend().version().tag
    cached = current_app.config.get("B40_LANGUAGES")
    if cached is None or cached[0] != version:
        rows = backend().select(LANGUAGES, {})
        cached = (version, sorted(str(row["lang"].value) for row in rows if "lang" in row))
        current_app.config["B40_LANGUAGES"] = cached
    return list(cached[1])


def language_links(path: str | None = None) -> list[dict[str, Any]]:
    """The header's language switch: English and each language the data has labels in, each a link to the
    page (`path`, else the request's) in it (`?lang=`, the other parameters kept); none when the data has
    one language only."""
    try:
        offered = _dataset_languages()
    except Exception:  # noqa: BLE001 -- the switch never breaks a page (an error page when the store is down)
        return []
    tags = [
        DEFAULT_LANGUAGE,
        *sorted((t for t in offered if t != DEFAULT_LANGUAGE), key=lambda t: sort_key(autonym(t))),
    ]
    if len(tags) < 2:
        return []
    current = g.get("b40_lang")
    # A cached document (resources) varies only by page and language: its links keep no other parameter.
    kept = {"page"} if request.blueprint == "resources" else None
    args = {k: v for k, v in request.args.lists() if k != "lang" and (kept is None or k in kept)}
    links = []
    for tag in tags:
        query = urlencode([*((k, v) for k, vs in args.items() for v in vs), ("lang", tag)])
        href = f"{path or request.path}?{query}"
        links.append({"tag": tag, "name": autonym(tag), "href": href, "current": tag == current})
    return links


class Labeller:
    """The label shown for each term of a page, worked out once per term."""

    def __init__(self, desc: Description) -> None:
        self.desc = desc
        self.lang = lang()
        self.shown: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def label(self, term: object) -> str:
        if isinstance(term, ox.NamedNode):
            iri = term.value
            found = self.shown.get(iri)
            if found is None:
                found = self.desc.label_of(iri, self.lang) or _fetch_label(iri, self.lang)
                self.shown[iri] = found
            return found
        if isinstance(term, ox.Literal):
            return term.value
        return str(term)

    def name(self, iri: str) -> str:
        """The name of a class or property: its label in the data, else a name in words (never a CURIE)."""
        named = self.names.get(iri)
        if named is None:
            found = self.desc.label_of(iri, self.lang) or best_label(backend().labels([iri]).get(iri, []), self.lang)
            if found and " " not in found and found[1:] != found[1:].lower():  # a label such as "containedInPlace"
                found = humanize(found)
            named = self.names[iri] = found or humanize(iri)
        return named

    def prefetch(self, terms: Sequence[object]) -> None:
        """Look up the labels of `terms` in one request (a summary names things the description may not)."""
        iris = [t.value for t in terms if isinstance(t, ox.NamedNode) and t.value not in self.shown]
        iris = [i for i in dict.fromkeys(iris) if self.desc.label_of(i, self.lang) is None]
        if iris:
            found = backend().labels(iris)
            for iri in iris:
                self.shown[iri] = best_label(found.get(iri, []), self.lang) or iri


def _fetch_label(iri: str, language: str) -> str:
    """The label of a term the description does not hold (a row of a per-class view), else its IRI."""
    return best_label(backend().labels([iri]).get(iri, []), language) or iri
