"""Writing a set of triples (or quads) in any RDF format of the media-type table."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import to_canonical_graph

from b40graph.core import jsonld
from b40graph.core.formats import Format
from b40graph.core.vocab import PREFIXES


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of `triples` starts with (a document declares only those)."""
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def serialize(triples: list[ox.Triple], fmt: Format, quads: list[ox.Quad] | None = None) -> bytes:
    """Triples for triple formats; `quads` (default: the triples in the default graph) for dataset formats."""
    if fmt.key == "jsonld":
        ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        return jsonld.dumps(ordered, used_prefixes(ordered))
    assert fmt.ox_format is not None
    prefixes = used_prefixes(triples) if fmt.key in ("ttl", "trig") else None
    if fmt.ox_format.supports_datasets:
        data: list = (
            quads
            if quads is not None
            else [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        )
    else:
        data = triples
    return ox.serialize(data, format=fmt.ox_format, prefixes=prefixes) or b""


def serialize_document(triples: list[ox.Triple], fmt: Format, provenance: list[ox.Quad]) -> bytes:
    """A document (a resource's description, the ontology, the dataset's VoID): the same `triples` in every
    format. The dataset formats (TriG, N-Quads) carry them in the default graph, where a client that reads
    the default graph finds them, and, besides, the quads of the named graphs that state them (`provenance`)."""
    if fmt.ox_format is None or not fmt.ox_format.supports_datasets:
        return serialize(triples, fmt)
    default = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    named = [q for q in provenance if isinstance(q.graph_name, ox.NamedNode)]
    return serialize(triples, fmt, default + named)


def canonical(graph: Graph) -> Graph:
    """The same graph with blank nodes labelled canonically, so that dumps of it are byte-stable."""
    out = Graph()
    for triple in to_canonical_graph(graph):
        out.add(triple)
    return out
