"""OWL 2 RL closure. The inferred triples go to their own named graph.

The stage's entry is `closure`: str triples in, sorted str triples out, by one of two engines that give
the same triples (tests/test_reasoning.py compares them on the project's ontology and data and on a
generated network):

- `infer` runs owlrl (pure Python, rdflib graphs): the reference, and the plain path of the benchmarks.
  It does not finish a million triples in minutes.
- `infer_fast` (the build's engine) runs the A-box rules that the ontology's axioms trigger, compiled by
  reason/rules.py, over str triples: a million triples in seconds. When the ontology or the data uses an OWL
  feature reason/rules.py does not implement, it falls back to owlrl.

`reasonable` (Rust) was measured too and does NOT agree: version 0.4.4 implements no property chains
(rule prp-spo2), so it misses b40:signatory, b40:party, org:memberOf and b40:commitsTo.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from b40graph.core import ntriples as nt
from b40graph.core.ntriples import Triple as StrTriple
from b40graph.core.vocab import ONTOLOGY_IRI
from b40graph.reason.rules import TBox, Unsupported, check_data, compile_tbox
from b40graph.reason.rules import closure as rule_closure

Triple = tuple[URIRef, URIRef, URIRef | Literal]

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


def infer(ontology: Graph, data: Graph, base: str) -> Graph:
    """The A-box triples that OWL 2 RL derives from `data` under `ontology`, minus what is asserted.

    Only triples about things minted under `base` are kept: schema-level entailments and the
    bookkeeping of the rule set (owl:sameAs reflexivity, owl:Thing typing) are left out.
    """
    combined = Graph()
    for source in (ontology, data):
        for triple in source:
            combined.add(triple)
    closure = _closure_owlrl(combined)
    inferred = Graph()
    for s, p, o in closure:
        plain: tuple = (s, p, _plain(o))
        if _keep(plain, base, combined):
            inferred.add(plain)
    return inferred


_NOISE_STR = {nt.iri(str(t)) for t in _NOISE_TYPES}
_SAME_AS = nt.iri(str(OWL.sameAs))
_TYPE = nt.iri(str(RDF.type))


def keep_str(triple: StrTriple, base: str) -> bool:
    """`_keep` for str triples (the asserted triples are never in the derived list)."""
    s, p, o = triple
    if not s.startswith("<" + base) or s.startswith("<" + ONTOLOGY_IRI) or o.startswith("_:"):
        return False
    return not (p == _SAME_AS or (p == _TYPE and o in _NOISE_STR))


_TBOXES: dict[int, TBox] = {}


def tbox_for(ontology: Graph) -> TBox:
    key = hash(frozenset(ontology))
    if key not in _TBOXES:
        _TBOXES[key] = compile_tbox(ontology)
    return _TBOXES[key]


def infer_fast(ontology: Graph, ontology_lines: list[str], data: list[StrTriple], base: str) -> list[StrTriple]:
    """What `infer` derives, as sorted str triples, by the compiled rules (owlrl if they do not apply)."""
    try:
        tbox = tbox_for(ontology)
        check_data(data)
    except Unsupported:
        return _infer_fallback(ontology, data, base)
    asserted = [nt.split(line) for line in ontology_lines]
    asserted.extend(data)
    return sorted(t for t in rule_closure(tbox, asserted) if keep_str(t, base))


def closure(
    ontology: Graph, ontology_lines: list[str], data: list[StrTriple], base: str, engine: str = "fast"
) -> list[StrTriple]:
    """The reason stage: what OWL 2 RL derives from `data` under `ontology`, as sorted str triples.
    engine "fast": the compiled rules (`infer_fast`); "plain": owlrl over rdflib graphs (`infer`), the
    reference, converted at this edge."""
    if engine == "plain":
        return _infer_fallback(ontology, data, base)
    return infer_fast(ontology, ontology_lines, data, base)


def _infer_fallback(ontology: Graph, data: list[StrTriple], base: str) -> list[StrTriple]:
    graph = Graph()
    for s, p, o in data:
        graph.add((nt.to_rdflib(s), nt.to_rdflib(p), nt.to_rdflib(o)))  # type: ignore[arg-type]
    inferred = infer(ontology, graph, base)
    return sorted(nt.split(line) for line in nt.graph_lines(inferred))
