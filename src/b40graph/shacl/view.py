"""What SHACL validates of a build: the asserted triples, the class hierarchy and some inferred triples."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from b40graph.core import ntriples as nt
from b40graph.core.ntriples import Triple
from b40graph.core.vocab import SH

_TYPE_STR = nt.iri(str(RDF.type))
_SUBCLASS_STR = nt.iri(str(RDFS.subClassOf))


def shape_paths(shapes: Graph) -> set[str]:
    """Every predicate a shape's path reads (single predicates and the members of inverse/sequence paths)."""
    out: set[str] = set()
    todo = list(shapes.objects(None, SH.path))
    while todo:
        node = todo.pop()
        if isinstance(node, URIRef):
            out.add(nt.iri(str(node)))
        else:
            todo += [o for p, o in shapes.predicate_objects(node) if p != RDF.type]  # type: ignore[arg-type]
    return out


def validation_view(
    asserted: set[Triple], inferred: list[Triple], ontology_lines: list[str], shapes: Graph
) -> set[Triple]:
    """What SHACL validates: the asserted triples, the class hierarchy (rdfs:subClassOf) and, of the inferred
    triples, only those of a path predicate the shapes read, never a derived rdf:type. A type derived from a
    domain, range or inverse axiom would "repair" a wrong value before the shapes see it."""
    paths = shape_paths(shapes) - {_TYPE_STR}
    view = set(asserted)
    view.update(t for t in inferred if t[1] in paths)
    view.update(t for t in map(nt.split, ontology_lines) if t[1] == _SUBCLASS_STR and nt.is_iri(t[0]))
    return view
