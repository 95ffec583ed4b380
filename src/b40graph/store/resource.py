"""What the dataset says about one resource: its outgoing triples, the labels of what it links to, and
its incoming links, one page at a time. Used by resource documents in every format and by the HTML pages.

Page N holds the Nth slice of each list (outgoing triples, incoming links); a document is bounded in size
whatever the data, and a resource with more has pages 2, 3, … (`?page=N`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from b40graph.store.backend import RDFS_LABEL, Backend

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PAGE_SIZE = 200  # incoming links per page
OUT_PAGE_SIZE = 1000  # outgoing triples per page (a hub such as a network has one per member)


@dataclass
class Description:
    iri: ox.NamedNode
    outgoing: list[ox.Quad]
    incoming: list[ox.Quad]
    page: int
    has_more_incoming: bool
    labels: dict[str, list[ox.Literal]] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming)

    def triples(self) -> list[ox.Triple]:
        seen: dict[ox.Triple, None] = {}
        for q in self.outgoing + self.incoming:
            seen.setdefault(q.triple, None)
        for iri, labels in self.labels.items():
            for label in labels:
                seen.setdefault(ox.Triple(ox.NamedNode(iri), RDFS_LABEL, label), None)
        return sorted(seen, key=lambda t: (t.subject != self.iri, str(t.subject), str(t.predicate), str(t.object)))

    def quads(self) -> list[ox.Quad]:
        seen = dict.fromkeys(self.outgoing + self.incoming)
        return sorted(seen, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))

    def label_of(self, iri: str, lang: str = "en") -> str | None:
        return best_label(self.labels.get(iri, []), lang)


def best_label(labels: list[ox.Literal], lang: str = "en") -> str | None:
    if not labels:
        return None
    wanted = lang.lower().split("-")[0]
    for pick in (
        lambda lab: (lab.language or "").lower() == lang.lower(),
        lambda lab: (lab.language or "").lower().split("-")[0] == wanted,
        lambda lab: (lab.language or "") == "en",
        lambda lab: not lab.language,
    ):
        found = sorted(lab.value for lab in labels if pick(lab))
        if found:
            return found[0]
    return sorted(lab.value for lab in labels)[0]


def describe(
    backend: Backend,
    iri: str,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    out_page_size: int = OUT_PAGE_SIZE,
    version: str | None = None,
) -> Description:
    """Page `page` of the description: its slice of outgoing triples and of incoming links, with labels.
    `version`: the tag of the dataset version the request reads (asked of the backend if not given)."""
    node = ox.NamedNode(iri)
    tag = backend.version().tag if version is None else version
    outgoing = _slice(backend, (tag, iri, "s"), out_page_size, page, s=node)
    incoming = _slice(backend, (tag, iri, "o"), page_size, page, o=node)
    more = len(incoming) > page_size or len(outgoing) > out_page_size  # a next page exists
    outgoing, incoming = outgoing[:out_page_size], incoming[:page_size]
    desc = Description(node, outgoing, incoming, page, more)
    neighbours = {node.value}
    neighbours.update(q.object.value for q in outgoing if isinstance(q.object, ox.NamedNode))
    neighbours.update(q.predicate.value for q in outgoing + incoming)
    neighbours.update(q.subject.value for q in incoming if isinstance(q.subject, ox.NamedNode))
    neighbours.update(q.graph_name.value for q in outgoing + incoming if isinstance(q.graph_name, ox.NamedNode))
    desc.labels = backend.labels(sorted(neighbours))
    return desc


#: (dataset version, IRI, "s" or "o") -> at most how many quads that list holds, learnt from a page that was
#: its last: a page past the end of one list (most pages of a resource with many more incoming links than
#: statements, or the reverse) then skips it without the store walking the whole list to find it empty.
_ENDS: dict[tuple[str, str, str], int] = {}
_ENDS_LIMIT = 50_000
_ENDS_LOCK = threading.Lock()


def _slice(backend: Backend, key: tuple[str, str, str], size: int, page: int, **pattern: ox.NamedNode) -> list[ox.Quad]:
    """Quads `size * (page - 1)` on of the pattern, `size + 1` at most (the last one tells a next page exists)."""
    offset = (page - 1) * size
    with _ENDS_LOCK:
        end = _ENDS.get(key)
    if end is not None and offset >= end:
        return []
    found = backend.quads(**pattern, limit=size + 1, offset=offset)  # type: ignore[arg-type]
    if len(found) <= size:
        with _ENDS_LOCK:
            if len(_ENDS) >= _ENDS_LIMIT:
                _ENDS.clear()
            _ENDS[key] = min(offset + len(found), _ENDS.get(key, offset + len(found)))
    return found


def known(backend: Backend, iri: str) -> bool:
    """Whether the dataset says anything about `iri` (a page past the end of its lists is then empty, not 404)."""
    node = ox.NamedNode(iri)
    return bool(backend.quads(s=node, limit=1) or backend.quads(o=node, limit=1))
