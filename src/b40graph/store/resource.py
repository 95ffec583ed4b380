"""What the dataset says about one resource: its outgoing triples, the labels of what it links to, and
its incoming links, one page at a time. Used by resource documents in every format and by the HTML pages.

Page N holds the Nth slice of each list (outgoing triples, incoming links); a document is bounded in size
whatever the data, and a resource with more has pages 2, 3, … (`?page=N`)."""

from __future__ import annotations

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
    backend: Backend, iri: str, page: int = 1, page_size: int = PAGE_SIZE, out_page_size: int = OUT_PAGE_SIZE
) -> Description:
    """Page `page` of the description: its slice of outgoing triples and of incoming links, with labels."""
    node = ox.NamedNode(iri)
    outgoing = backend.quads(s=node, limit=out_page_size + 1, offset=(page - 1) * out_page_size)
    incoming = backend.quads(o=node, limit=page_size + 1, offset=(page - 1) * page_size)
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


def known(backend: Backend, iri: str) -> bool:
    """Whether the dataset says anything about `iri` (a page past the end of its lists is then empty, not 404)."""
    node = ox.NamedNode(iri)
    return bool(backend.quads(s=node, limit=1) or backend.quads(o=node, limit=1))
