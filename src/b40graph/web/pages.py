"""HTML pages for people: labels instead of IRIs, incoming links grouped by meaning, per-class views.

A page's language and labels are worked out by `labels`, its values drawn by `values`, the lists it shows
besides its statements (clauses, signatures) read a page at a time by `lists`; the names other modules use
are importable from here too."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox
from flask import render_template
from markupsafe import escape

from b40graph.core import jsonld
from b40graph.core.formats import DOCUMENT_FORMATS
from b40graph.core.vocab import PREFIXES
from b40graph.store.resource import RDF_TYPE, Description
from b40graph.web import facts, summary
from b40graph.web.http import backend, local_url, settings
from b40graph.web.labels import DEFAULT_LANGUAGE, Labeller, choose_language, lang, language_links
from b40graph.web.lists import CLAUSES_PER_PAGE, ROWS_PER_PAGE, page_lists
from b40graph.web.readable import humanize
from b40graph.web.values import curie, link, safe_href, show, term_value

__all__ = [
    "CLAUSES_PER_PAGE",
    "DEFAULT_LANGUAGE",
    "INCOMING",
    "ROWS_PER_PAGE",
    "choose_language",
    "lang",
    "language_links",
    "link",
    "ontology_page",
    "resource_page",
    "safe_href",
    "show",
]

B40 = PREFIXES["b40"]
#: Headings for incoming links, by property: what the linking things are to this one.
INCOMING = {
    B40 + "signatory": "Declarations signed by this person",
    PREFIXES["prov"] + "agent": "Signatures by this person",
    B40 + "onBehalfOf": "Signatures on behalf of this municipality",
    B40 + "party": "Declarations signed for this municipality",
    PREFIXES["org"] + "memberOf": "Members",
    PREFIXES["org"] + "member": "Memberships",
    PREFIXES["org"] + "organization": "Memberships",
    B40 + "commitsTo": "Declarations that commit to this theme",
    B40 + "theme": "Commitments to this theme",
    B40 + "statedIn": "Commitments stated in this clause",
    PREFIXES["dct"] + "spatial": "Municipalities governing this place",
    B40 + "country": "Places and municipalities in this country",
    PREFIXES["schema"] + "containedInPlace": "Places within",
    B40 + "adoptedAt": "Declarations adopted at this event",
    PREFIXES["dct"] + "publisher": "Published",
    PREFIXES["skos"] + "inScheme": "Concepts in this scheme",
    B40 + "signatoryRole": "Signatures in this role",
    PREFIXES["prov"] + "wasDerivedFrom": "Records derived from this",
}


def _embedded_jsonld(triples: list[ox.Triple]) -> str:
    text = jsonld.dumps(triples, PREFIXES).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def resource_page(desc: Description, doc_path: str, kind: str) -> tuple[str, bool, bool]:
    """The HTML of one page of a resource, whether a next page exists, and whether the page shows anything
    at all (a page past the end of every list shows nothing but a link back to the first)."""
    labeller = Labeller(desc)
    inferred_graph = settings().base + "graph/inferred"
    # the types, whichever page holds their triples (the outgoing triples are paged)
    type_quads = backend().quads(s=desc.iri, p=RDF_TYPE, limit=50)
    type_iris = {q.object.value for q in type_quads if isinstance(q.object, ox.NamedNode)}
    node = desc.iri
    page = desc.page
    view, more = page_lists(desc, type_iris, labeller)
    shown = desc.exists or any(view.values())
    title = desc.label_of(node.value, labeller.lang) or curie(node.value)
    parts = summary.summarize(node, type_iris, backend().select, labeller.label) if shown else []
    labeller.prefetch(parts)
    props, long_texts = facts.property_rows(desc, inferred_graph, labeller, term_value, view)
    description = (summary.plain(parts, labeller.label) + ".") if parts else title
    html = render_template(
        "resource.html",
        title=title,
        iri=node.value,
        kind=kind,
        types=facts.badges(type_quads, inferred_graph, labeller),
        summary=[escape(p) if isinstance(p, str) else show(term_value(p, labeller)) for p in parts],
        description=description,
        props=props,
        incoming=facts.incoming_groups(desc, inferred_graph, labeller, term_value, view, INCOMING),
        long_texts=long_texts,
        view=view,
        page=page,
        more=more,
        shown=shown,
        doc_path=doc_path,
        lang_path=doc_path,  # a cached page links the same whether asked for as /doc/x or /doc/x.html
        og_url=settings().base + doc_path.lstrip("/"),  # the public address: a cached page holds no Host header
        og_type="article" if B40 + "Declaration" in type_iris else "website",
        formats=DOCUMENT_FORMATS[1:],
        jsonld=_embedded_jsonld(facts.embedded_triples(desc, inferred_graph)),
        page_lang=labeller.lang,
    )
    return html, more, shown


def ontology_page(triples: list[ox.Triple]) -> str:
    terms: dict[str, dict[str, Any]] = defaultdict(lambda: {"props": defaultdict(list)})
    ontology_meta: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        s = t.subject.value if isinstance(t.subject, ox.NamedNode) else None
        if s is None:
            continue
        value = t.object.value if isinstance(t.object, ox.NamedNode | ox.Literal) else str(t.object)
        if s.endswith("/ontology"):
            ontology_meta[curie(t.predicate.value)].append(value)
            continue
        if not s.startswith(B40):
            continue
        terms[s]["props"][curie(t.predicate.value)].append(
            {
                "text": curie(value) if isinstance(t.object, ox.NamedNode) else value,
                "href": safe_href(local_url(value) or value) if isinstance(t.object, ox.NamedNode) else None,
            }
        )
    classes: list[dict[str, Any]] = []
    properties: list[dict[str, Any]] = []
    for iri, data in sorted(terms.items()):
        kinds = {v["text"] for v in data["props"].get("rdf:type", [])}
        entry = {
            "iri": iri,
            "anchor": iri.split("#", 1)[-1],
            "props": dict(data["props"]),
            "label": (data["props"].get("rdfs:label") or [{"text": iri}])[0]["text"],
            "names": {key: _term_name(key) for key in data["props"]},
        }
        (classes if "owl:Class" in kinds else properties).append(entry)
    return render_template(
        "ontology.html",
        title="The ontology",
        classes=classes,
        properties=properties,
        meta=dict(ontology_meta),
        formats=DOCUMENT_FORMATS[1:],
    )


def _term_name(curie: str) -> str:
    """A property of the ontology page by name ("subclass of", not `rdfs:subClassOf`)."""
    prefix, _, local = curie.partition(":")
    name = humanize(PREFIXES.get(prefix, prefix + ":") + local)
    return name[:1].upper() + name[1:]
