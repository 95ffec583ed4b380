"""How a term of the data is shown on a page: a value (`term_value`: a labelled link, a label, a literal with
its language or datatype), drawn as escaped HTML (`show`), linked only when the link cannot run script
(`safe_href`), a vocabulary IRI as a CURIE (`curie`)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from markupsafe import Markup, escape

from b40graph.core.vocab import PREFIXES
from b40graph.web.http import local_url
from b40graph.web.labels import Labeller

#: Schemes an IRI from the data may be linked with; anything else (javascript:, data:, vbscript:, …) is text.
SAFE_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "mailto", "urn", "tag", "doi", "geo", "tel"})


def safe_href(url: str | None) -> str | None:
    """`url` if a browser following it cannot run script, else None (the value is then shown as text only)."""
    if not url:
        return None
    if url.startswith("/") and not url.startswith(("//", "/\\")):
        return url
    scheme, colon, _ = url.partition(":")
    if colon and scheme.lower() in SAFE_SCHEMES and not any(c in url for c in "\t\n\r\x00"):
        return url
    return None


# Pieces of markup: data is joined to them only through `escape` (Markup + Markup stays Markup). Faster
# than `Markup.format`, which goes through string.Formatter in Python.
A_OPEN, A_EXTERNAL, A_MID, A_CLOSE = Markup('<a href="'), Markup('" rel="external">'), Markup('">'), Markup("</a>")
LANG_OPEN, DT_OPEN, SPAN_CLOSE = Markup('<span class="lang">@'), Markup('<span class="dt">'), Markup("</span>")


def link(url: str | None, text: str) -> Markup:
    """`text` linked to `url` when `url` is safe to follow, else `text` alone; both escaped."""
    href = safe_href(url)
    if href:
        return A_OPEN + escape(href) + A_MID + escape(text) + A_CLOSE
    return escape(text)


def show(value: dict[str, Any]) -> Markup:
    """A value made by `term_value` as HTML: a labelled link, a label, or a literal with its language or
    datatype. Built here rather than in a template macro (a macro call costs several times as much, and a
    page shows hundreds of values); every piece of data goes through `escape`."""
    kind = value["kind"]
    if kind == "iri":
        if value["href"]:
            middle = A_EXTERNAL if value["external"] else A_MID
            return A_OPEN + escape(value["href"]) + middle + escape(value["label"]) + A_CLOSE
        return escape(value["label"])
    if kind == "literal":
        out = escape(value["text"])
        if value["lang"]:
            out += LANG_OPEN + escape(value["lang"]) + SPAN_CLOSE
        if value["datatype"]:
            out += DT_OPEN + escape(value["datatype"]) + SPAN_CLOSE
        return out
    return escape(value["text"])


def curie(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def term_value(term: object, labeller: Labeller) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {
            "kind": "iri",
            "iri": term.value,
            "href": safe_href(local_url(term.value) or term.value),
            "label": labeller.label(term),
            "external": local_url(term.value) is None,
        }
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1] if not term.language else ""
        return {
            "kind": "literal",
            "text": term.value,
            "lang": term.language or "",
            "datatype": "" if datatype in ("string", "langString") else datatype,
        }
    return {"kind": "bnode", "text": str(term)}
