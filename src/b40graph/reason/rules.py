"""OWL 2 RL for the axioms the ontology uses, compiled into a forward-chaining rule engine over str triples.

The T-box is closed once by owlrl (the ontology alone is a few hundred triples, so this is quick and
exactly owlrl's schema semantics: transitive sub-classes and sub-properties, domains and ranges carried
down them, equivalences as two-way subsumption). What remains are the A-box rules that those axioms
trigger, which are local and cheap:

    cax-sco   x a C, C ⊑ D                   -> x a D
    prp-dom   x p y, p domain C              -> x a C
    prp-rng   x p y, p range C               -> y a C
    prp-spo1  x p y, p ⊑ q                   -> x q y
    prp-inv   x p y, p inverseOf q (or q of p) -> y q x
    prp-spo2  x p1 y1 … pn z, q chain (p1 … pn) -> x q z

owl:disjointWith is accepted: its rule (cax-dw) derives no triple, it only finds an inconsistency
(owlrl records a message; the SHACL shapes, which check types on the asserted graph, report the
mistake). The rules are run to a fixpoint with a work list (each triple is processed once; chain joins use per-predicate
indexes). Anything else in the ontology or the data that OWL 2 RL gives meaning to (functional,
transitive or symmetric properties, restrictions, owl:sameAs, schema triples in the data, ...) makes
`compile_tbox` raise `Unsupported`, and the caller falls back to owlrl. tests/test_reasoning.py checks
that both engines derive the same triples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from b40graph.core import ntriples as nt
from b40graph.core.ntriples import Triple

TYPE = nt.iri(str(RDF.type))

# OWL 2 RL features whose rules this engine does not implement.
_UNSUPPORTED_TYPES = {
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.IrreflexiveProperty,
    OWL.ReflexiveProperty,
    OWL.AllDisjointClasses,
    OWL.AllDisjointProperties,
    OWL.AllDifferent,
    OWL.NegativePropertyAssertion,
    OWL.Restriction,
    OWL.Nothing,
}
_UNSUPPORTED_PREDICATES = {
    OWL.hasKey,
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.hasValue,
    OWL.intersectionOf,
    OWL.unionOf,
    OWL.oneOf,
    OWL.complementOf,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
    OWL.cardinality,
    OWL.minCardinality,
    OWL.qualifiedCardinality,
    OWL.minQualifiedCardinality,
    OWL.onProperty,
    OWL.propertyDisjointWith,
    OWL.disjointUnionOf,
    OWL.differentFrom,
    OWL.sameAs,
    OWL.sourceIndividual,
    OWL.withRestrictions,
    OWL.datatypeComplementOf,
}
# Predicates a data graph may use from the RDF, RDFS and OWL vocabularies without becoming schema.
_DATA_SAFE = {RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo}
_SCHEMA_NS = (str(RDF), str(RDFS), str(OWL))


class Unsupported(Exception):
    """The ontology or the data uses an OWL feature that this engine does not implement."""


@dataclass
class TBox:
    supers: dict[str, list[str]] = field(default_factory=dict)  # class -> strict superclasses
    superprops: dict[str, list[str]] = field(default_factory=dict)  # property -> strict superproperties
    inverse: dict[str, list[str]] = field(default_factory=dict)
    domain: dict[str, list[str]] = field(default_factory=dict)
    range: dict[str, list[str]] = field(default_factory=dict)
    chains: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (q, (p1, ..., pn))
    schema_terms: set[str] = field(default_factory=set)  # every term the T-box speaks about


def _closed(ontology: Graph) -> Graph:
    import owlrl

    closed = Graph()
    for triple in ontology:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    return closed


def compile_tbox(ontology: Graph) -> TBox:
    for _, p, o in ontology:
        if p in _UNSUPPORTED_PREDICATES or (p == RDF.type and o in _UNSUPPORTED_TYPES):
            raise Unsupported(f"the ontology uses {o if p == RDF.type else p}")
    closed = _closed(ontology)
    tbox = TBox()

    def add(table: dict[str, list[str]], key: object, value: object) -> None:
        if isinstance(key, URIRef) and isinstance(value, URIRef) and key != value:
            entry = table.setdefault(nt.iri(str(key)), [])
            if nt.iri(str(value)) not in entry:
                entry.append(nt.iri(str(value)))

    for s, o in closed.subject_objects(RDFS.subClassOf):
        add(tbox.supers, s, o)
    for s, o in closed.subject_objects(RDFS.subPropertyOf):
        add(tbox.superprops, s, o)
    for s, o in closed.subject_objects(OWL.inverseOf):
        add(tbox.inverse, s, o)
        add(tbox.inverse, o, s)
    for s, o in closed.subject_objects(RDFS.domain):
        add(tbox.domain, s, o)
    for s, o in closed.subject_objects(RDFS.range):
        add(tbox.range, s, o)
    for q, head in closed.subject_objects(OWL.propertyChainAxiom):
        members = list(Collection(closed, head)) if isinstance(head, BNode | URIRef) else []
        if not isinstance(q, URIRef) or not members or not all(isinstance(m, URIRef) for m in members):
            raise Unsupported(f"an unreadable property chain on {q}")
        tbox.chains.append((nt.iri(str(q)), tuple(nt.iri(str(m)) for m in members)))
    for table in (tbox.supers, tbox.superprops, tbox.inverse, tbox.domain, tbox.range):
        for key, values in table.items():
            values.sort()
            tbox.schema_terms.add(key)
    tbox.chains.sort()
    if TYPE in tbox.superprops or TYPE in tbox.inverse or TYPE in tbox.domain or TYPE in tbox.range:
        raise Unsupported("the ontology puts axioms on rdf:type")
    if any(TYPE in chain for _, chain in tbox.chains):
        raise Unsupported("a property chain through rdf:type")
    return tbox


def check_data(triples: Iterable[Triple]) -> None:
    """Raise Unsupported when a data triple is schema (it would change the T-box) or uses owl:sameAs."""
    safe = {nt.iri(str(p)) for p in _DATA_SAFE}
    schema = tuple("<" + ns for ns in _SCHEMA_NS)
    for _, p, o in triples:
        if p in safe:
            if p == TYPE and o.startswith(schema):
                raise Unsupported(f"a data triple types something as {o}")
            continue
        if p.startswith(schema):
            raise Unsupported(f"a data triple uses {p}")


def closure(tbox: TBox, triples: Iterable[Triple]) -> list[Triple]:
    """Every triple derivable from `triples` under `tbox`, minus `triples` themselves (unordered)."""
    supers, superprops, inverse = tbox.supers, tbox.superprops, tbox.inverse
    domain, range_ = tbox.domain, tbox.range
    positions: dict[str, list[tuple[str, tuple[str, ...], int]]] = defaultdict(list)
    for q, chain in tbox.chains:
        for i, p in enumerate(chain):
            positions[p].append((q, chain, i))
    forward: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in positions}
    backward: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in positions}

    seen: set[Triple] = set(triples)
    queue: list[Triple] = list(seen)
    derived: list[Triple] = []

    def emit(t: Triple) -> None:
        if t not in seen:
            seen.add(t)
            queue.append(t)
            derived.append(t)

    def walk(start: set[str], steps: Iterable[str], index: dict[str, dict[str, dict[str, set[str]]]]) -> set[str]:
        nodes = start
        for step in steps:
            table = index[step]
            nodes = {n for node in nodes for n in table.get(node, ())}
            if not nodes:
                break
        return nodes

    while queue:
        s, p, o = queue.pop()
        if p == TYPE:
            for c in supers.get(o, ()):
                emit((s, TYPE, c))
            continue
        for q in superprops.get(p, ()):
            emit((s, q, o))
        for q in inverse.get(p, ()):
            emit((o, q, s))
        for c in domain.get(p, ()):
            emit((s, TYPE, c))
        for c in range_.get(p, ()):
            emit((o, TYPE, c))
        if p in positions:
            forward[p][s].add(o)
            backward[p][o].add(s)
            for q, chain, i in positions[p]:
                lefts = walk({s}, reversed(chain[:i]), backward)  # type: ignore[arg-type]
                if not lefts:
                    continue
                rights = walk({o}, chain[i + 1 :], forward)  # type: ignore[arg-type]
                for a in lefts:
                    for b in rights:
                        emit((a, q, b))
    return derived
