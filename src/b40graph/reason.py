"""OWL 2 RL closure. The inferred triples go to their own named graph.

The engine is owlrl (pure Python). `reasonable` (Rust, much faster) was measured against it on the
project's ontology and data and does NOT agree: version 0.4.4 implements no property chains (rule
prp-spo2), so it misses b40:signatory, b40:party, org:memberOf and b40:commitsTo.
tests/test_reasoning.py keeps that measurement honest; switch only when it passes with both engines.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .vocab import ONTOLOGY_IRI

Triple = tuple[URIRef, URIRef, URIRef | Literal]
ENGINES = ("owlrl", "reasonable")

_NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}


def _plain(term: object) -> object:
    if isinstance(term, Literal) and term.datatype == XSD.string and not term.language:
        return Literal(str(term))
    return term


def _keep(triple: tuple, base: str, asserted: Graph) -> bool:
    s, p, o = triple
    if not isinstance(s, URIRef) or not str(s).startswith(base) or isinstance(o, BNode):
        return False
    if str(s).startswith(ONTOLOGY_IRI):
        return False
    if p == OWL.sameAs or (p == RDF.type and o in _NOISE_TYPES):
        return False
    return triple not in asserted


def _closure_owlrl(graph: Graph) -> Iterable[tuple]:
    import owlrl

    closed = Graph()
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    return closed


def _closure_reasonable(graph: Graph) -> Iterable[tuple]:
    import reasonable

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    return reasoner.reason()


def infer(ontology: Graph, data: Graph, base: str, engine: str = "owlrl") -> Graph:
    """The A-box triples that OWL 2 RL derives from `data` under `ontology`, minus what is asserted.

    Only triples about things minted under `base` are kept: schema-level entailments and the
    bookkeeping of the rule set (owl:sameAs reflexivity, owl:Thing typing) are left out.
    """
    combined = Graph()
    for source in (ontology, data):
        for triple in source:
            combined.add(triple)
    closure = _closure_reasonable(combined) if engine == "reasonable" else _closure_owlrl(combined)
    inferred = Graph()
    for s, p, o in closure:
        triple = (s, p, _plain(o))
        if _keep(triple, base, combined):
            inferred.add(triple)
    return inferred
