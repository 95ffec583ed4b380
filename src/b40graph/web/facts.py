"""The statements of a resource page, made readable: properties by name, each value once (inferred
duplicates folded into the statement they repeat), asserted and inferred told apart (the build writes what
the reasoner adds to the named graph `graph/inferred`), type badges without repeats, lists in the
reader's alphabetical order."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Protocol

import pyoxigraph as ox

from b40graph.core.vocab import PREFIXES
from b40graph.store.resource import RDF_TYPE, Description
from b40graph.web.readable import Row, fold, sort_key

B40 = PREFIXES["b40"]
LONG_TEXT = 600  # a literal longer than this is shown under its own heading, not in the table
#: Properties whose values a page shows in a list of its own (by the key of that list in the view): the
#: table then says how many there are and where, rather than repeating them.
SHOWN_IN = {
    B40 + "hasClause": ("clauses", "text", "Text"),
    B40 + "hasCommitment": ("clauses", "text", "Text"),
    B40 + "hasSignature": ("signatures", "signatures", "Signatures"),
    B40 + "signatory": ("signatures", "signatures", "Signatures"),
    B40 + "party": ("signatures", "signatures", "Signatures"),
    B40 + "signed": ("signatures", "signatures", "Signatures"),
    B40 + "partyTo": ("signatures", "signatures", "Signatures"),
    B40 + "committedToBy": ("theme_clauses", "clauses", "Clauses that commit to this theme"),
}
#: Incoming links a page's own lists show already (signatures, a theme's clauses).
INCOMING_SHOWN_IN = {
    PREFIXES["prov"] + "agent": "signatures",
    B40 + "onBehalfOf": "signatures",
    B40 + "theme": "theme_clauses",
}


class Labels(Protocol):
    def label(self, term: object) -> str: ...

    def name(self, iri: str) -> str: ...


Value = Callable[[object, Any], dict[str, Any]]


def _key(term: object) -> Hashable:
    return term if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode) else str(term)


def badges(quads: list[ox.Quad], inferred_graph: str, labels: Labels) -> list[dict[str, Any]]:
    """The resource's types, each name once: the asserted ones, then those only the reasoner states."""
    asserted: dict[str, bool] = {}
    for q in quads:
        if isinstance(q.object, ox.NamedNode):
            asserted[q.object.value] = asserted.get(q.object.value, False) or _asserted(q, inferred_graph)
    seen: set[str] = set()
    out = []
    for iri in sorted(asserted, key=lambda i: (not asserted[i], sort_key(labels.name(i)))):
        name = labels.name(iri)
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        out.append({"iri": iri, "name": name, "inferred": not asserted[iri]})
    return out


def _asserted(quad: ox.Quad, inferred_graph: str) -> bool:
    return not (isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == inferred_graph)


def property_rows(
    desc: Description, inferred_graph: str, labels: Labels, value: Value, view: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of the properties table and the long texts (shown under headings of their own)."""
    terms: dict[Hashable, object] = {}
    statements = []
    long_texts: dict[tuple[str, str], dict[str, Any]] = {}
    for q in desc.outgoing:
        if q.predicate == RDF_TYPE:
            continue
        p = q.predicate.value
        if isinstance(q.object, ox.Literal) and len(q.object.value) > LONG_TEXT:
            long_texts.setdefault((p, q.object.value), {"property": labels.name(p), "text": q.object.value})
            continue
        key = _key(q.object)
        terms[key] = q.object
        statements.append((p, key, _asserted(q, inferred_graph)))
    rows = fold(statements, labels.name, own=B40)
    return [_row(r, terms, labels, value, view) for r in rows], list(long_texts.values())


def _row(row: Row, terms: dict[Hashable, object], labels: Labels, value: Value, view: dict[str, Any]) -> dict[str, Any]:
    shown = [(value(terms[v], labels), v in row.inferred) for v in row.values]
    shown.sort(key=lambda pair: sort_key(pair[0].get("label") or pair[0].get("text") or ""))
    section = SHOWN_IN.get(row.key)
    elsewhere = None
    if section and view.get(section[0]):
        elsewhere = {"count": len(shown), "anchor": section[1], "heading": section[2]}
    return {
        "label": row.label[:1].upper() + row.label[1:],
        "iri": row.key,
        "shown": [] if elsewhere else shown,
        "elsewhere": elsewhere,
        "inferred": row.all_inferred,
        "also": row.also,
    }


def incoming_groups(
    desc: Description,
    inferred_graph: str,
    labels: Labels,
    value: Value,
    view: dict[str, Any],
    headings: dict[str, str],
) -> list[dict[str, Any]]:
    """Incoming links grouped under a heading per property. A thing the page already links to (by an
    inverse, such as a declaration a person `signed`) or lists (a signature in the signatures table) is
    left out; a thing under two headings is shown under the asserted, more specific one."""
    outgoing = {_key(q.object) for q in desc.outgoing}
    terms: dict[Hashable, object] = {}
    statements = []
    names: dict[str, str] = {}
    for q in desc.incoming:
        p = q.predicate.value
        if view.get(INCOMING_SHOWN_IN.get(p, "")):
            continue
        key = _key(q.subject)
        if key in outgoing:
            continue
        terms[key] = q.subject
        names[p] = headings.get(p) or f"Linked to by “{labels.name(p)}”"
        statements.append((p, key, _asserted(q, inferred_graph)))
    groups = []
    for row in fold(statements, names.__getitem__, own=B40):
        shown = [(value(terms[v], labels), v in row.inferred) for v in row.values]
        shown.sort(key=lambda pair: sort_key(pair[0].get("label") or pair[0].get("text") or ""))
        groups.append({"heading": row.label, "shown": shown, "inferred": row.all_inferred, "also": row.also})
    return groups


def embedded_triples(desc: Description, inferred_graph: str) -> list[ox.Triple]:
    """What the page embeds as JSON-LD: the resource's asserted statements on this page but its long texts
    (the whole document, with those, inferences, incoming links and labels, is one link away in every
    format)."""
    seen = dict.fromkeys(
        q.triple
        for q in desc.outgoing
        if _asserted(q, inferred_graph) and not (isinstance(q.object, ox.Literal) and len(q.object.value) > LONG_TEXT)
    )
    return sorted(seen, key=lambda t: (str(t.predicate), str(t.object)))
