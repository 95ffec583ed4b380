"""The shape compiler of the compiled SHACL engine (shacl/engine.py): the shapes graph read once into `Shape`s.

`Shapes(graph)` reads every targeted shape and what it refers to (sh:property, sh:node, sh:or,
sh:qualifiedValueShape), refusing with `Unsupported` any SHACL feature the engine does not implement, so that
the caller can run pyshacl instead. The parameters read here are checked by shacl/components.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from b40graph.core import ntriples as nt
from b40graph.core.vocab import SH

_IGNORED = {
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.path,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.flags,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.defaultValue,
    RDF.type,
    RDFS.label,
    RDFS.comment,
}
_PARAMS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.pattern,
    SH.uniqueLang,
    SH["in"],
    SH.hasValue,
    SH["or"],
    SH.node,
    SH.property,
    SH.qualifiedValueShape,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.minLength,
    SH.maxLength,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.sparql,
}


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass
class Sparql:
    node: Node
    query: str
    messages: list[Literal]


@dataclass(eq=False)
class Shape:
    node: Node
    path: str | None = None  # N-Triples IRI of a predicate path; None for a node shape
    severity: URIRef = SH.Violation
    messages: list[Literal] = field(default_factory=list)
    deactivated: bool = False
    targets_class: list[str] = field(default_factory=list)
    targets_node: list[str] = field(default_factory=list)
    targets_subjects_of: list[str] = field(default_factory=list)  # predicates: their subjects are focus nodes
    targets_objects_of: list[str] = field(default_factory=list)  # predicates: their objects are focus nodes
    classes: list[str] = field(default_factory=list)
    datatype: URIRef | None = None
    node_kind: URIRef | None = None
    min_count: int | None = None
    max_count: int | None = None
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    unique_lang: bool = False
    in_: set[str] | None = None
    has_value: list[str] = field(default_factory=list)
    or_: list[list[Shape]] = field(default_factory=list)
    nodes: list[Shape] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    qualified: tuple[Shape, int | None, int | None] | None = None
    ranges: list[tuple[URIRef, Literal]] = field(default_factory=list)
    lengths: list[tuple[URIRef, int]] = field(default_factory=list)
    pairs: list[tuple[URIRef, str]] = field(default_factory=list)  # (sh:lessThan or sh:lessThanOrEquals, predicate)
    sparql: list[Sparql] = field(default_factory=list)


class Shapes:
    """The shapes graph, compiled."""

    def __init__(self, graph: Graph, messages_required: bool = True) -> None:
        """`messages_required`: refuse shapes without sh:message (the build's reports must read as pyshacl's,
        whose generic messages this engine does not write); off for suites that compare no messages."""
        self.graph = graph
        self._by_node: dict[Node, Shape] = {}
        roots = set(graph.subjects(SH.targetClass)) | set(graph.subjects(SH.targetNode))
        roots |= set(graph.subjects(SH.targetSubjectsOf)) | set(graph.subjects(SH.targetObjectsOf))
        for unsupported in (SH.target, SH.rule, SH.prefixes):
            if any(True for _ in graph.triples((None, unsupported, None))):
                raise Unsupported(f"the shapes use {unsupported}")
        # A shape that is also a class targets its own instances (an implicit class target).
        implicit = {
            s
            for cls in (RDFS.Class, OWL.Class)
            for s in graph.subjects(RDF.type, cls)
            if (s, RDF.type, SH.NodeShape) in graph or (s, RDF.type, SH.PropertyShape) in graph
        }
        self.roots = [self.shape(node) for node in sorted(roots | implicit, key=str)]
        for node in implicit:
            shape = self.shape(node)
            shape.targets_class = sorted({*shape.targets_class, nt.from_rdflib(node)})
        reporting = {id(r): r for r in self.roots}
        reporting.update({id(p): p for r in self.roots for p in r.properties})
        for shape in list(self._by_node.values()):
            if shape.sparql and id(shape) not in reporting:
                raise Unsupported("a SPARQL constraint below the first level of a targeted shape")
        todo = list(self.roots)
        seen: set[int] = set()
        while todo:  # every shape whose results are reported needs its own message (pyshacl's generic ones differ)
            shape = todo.pop()
            if id(shape) in seen:
                continue

    def shape(self, node: Node) -> Shape:
        if node in self._by_node:
            return self._by_node[node]
        shape = Shape(node)
        self._by_node[node] = shape  # before the parameters: shapes may refer to each other
        path = self._read_head(node, shape)
        self._read_values(node, shape)
        self._read_nested(node, shape)
        self._read_comparisons(node, shape, path)
        self._read_sparql(node, shape)
        return shape

    def _read_head(self, node: Node, shape: Shape) -> Node | None:
        """The path, severity, messages, deactivation and targets of a shape; returns its sh:path."""
        g = self.graph
        path = g.value(node, SH.path)
        if path is not None:
            if not isinstance(path, URIRef):
                raise Unsupported("a path that is not a single predicate")
            shape.path = nt.iri(str(path))
        for p in g.predicates(node):
            if p in _IGNORED or p in _PARAMS:
                continue
            if str(p).startswith(str(SH)):
                raise Unsupported(f"the shapes use {p}")
        shape.severity = g.value(node, SH.severity) or SH.Violation  # type: ignore[assignment]
        shape.messages = [m for m in g.objects(node, SH.message) if isinstance(m, Literal)]
        deactivated = g.value(node, SH.deactivated)
        shape.deactivated = bool(deactivated.value) if isinstance(deactivated, Literal) else False
        shape.targets_class = sorted(nt.from_rdflib(c) for c in g.objects(node, SH.targetClass))
        shape.targets_node = sorted(nt.from_rdflib(c) for c in g.objects(node, SH.targetNode))
        shape.targets_subjects_of = sorted(nt.from_rdflib(c) for c in g.objects(node, SH.targetSubjectsOf))
        shape.targets_objects_of = sorted(nt.from_rdflib(c) for c in g.objects(node, SH.targetObjectsOf))
        return path

    def _read_values(self, node: Node, shape: Shape) -> None:
        """The parameters checked value by value or by count: class, datatype, node kind, counts, patterns,
        unique language, sh:in and sh:hasValue."""
        g = self.graph
        shape.classes = sorted(nt.from_rdflib(c) for c in g.objects(node, SH["class"]))
        shape.datatype = g.value(node, SH.datatype)  # type: ignore[assignment]
        shape.node_kind = g.value(node, SH.nodeKind)  # type: ignore[assignment]
        shape.min_count = _int(g.value(node, SH.minCount))
        shape.max_count = _int(g.value(node, SH.maxCount))
        flags = g.value(node, SH.flags)
        for pattern in g.objects(node, SH.pattern):
            shape.patterns.append(re.compile(str(pattern), _flags(str(flags) if flags else "")))
        unique = g.value(node, SH.uniqueLang)
        shape.unique_lang = unique == Literal(True)  # only the literal true: "1"^^xsd:boolean is no parameter
        members = g.value(node, SH["in"])
        if members is not None:
            shape.in_ = {nt.from_rdflib(m) for m in Collection(g, members)}  # type: ignore[arg-type]
        shape.has_value = [nt.from_rdflib(v) for v in g.objects(node, SH.hasValue)]

    def _read_nested(self, node: Node, shape: Shape) -> None:
        """The shapes this one refers to: sh:or, sh:node, sh:property, sh:qualifiedValueShape."""
        g = self.graph
        for head in g.objects(node, SH["or"]):
            shape.or_.append([self.shape(m) for m in Collection(g, head)])  # type: ignore[arg-type]
        shape.nodes = [self.shape(n) for n in g.objects(node, SH.node)]
        shape.properties = [self.shape(n) for n in g.objects(node, SH.property)]
        qualified = g.value(node, SH.qualifiedValueShape)
        if qualified is not None:
            if g.value(node, SH.qualifiedValueShapesDisjoint) not in (None, Literal(False)):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            low, high = _int(g.value(node, SH.qualifiedMinCount)), _int(g.value(node, SH.qualifiedMaxCount))
            shape.qualified = (self.shape(qualified), low, high)

    def _read_comparisons(self, node: Node, shape: Shape, path: Node | None) -> None:
        """Value ranges, string lengths and comparisons with another predicate's values."""
        g = self.graph
        for p in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            shape.ranges += [(p, v) for v in g.objects(node, p) if isinstance(v, Literal)]
        for p in (SH.minLength, SH.maxLength):
            shape.lengths += [(p, int(v)) for v in g.objects(node, p) if isinstance(v, Literal)]
        for p in (SH.lessThan, SH.lessThanOrEquals):
            for other in g.objects(node, p):
                if not isinstance(other, URIRef) or path is None:
                    raise Unsupported(f"{p} without a predicate, or on a node shape")
                shape.pairs.append((p, nt.iri(str(other))))

    def _read_sparql(self, node: Node, shape: Shape) -> None:
        """SPARQL-based constraints whose query only follows edges out of $this."""
        g = self.graph
        for constraint in g.objects(node, SH.sparql):
            query = g.value(constraint, SH.select)
            if query is None or any(True for _ in g.triples((constraint, SH.prefixes, None))):
                raise Unsupported("a SPARQL constraint without sh:select or with sh:prefixes")
            if not _anchored(str(query)):
                raise Unsupported("a SPARQL constraint that follows edges into $this")
            messages = [m for m in g.objects(constraint, SH.message) if isinstance(m, Literal)]
            shape.sparql.append(Sparql(constraint, str(query), messages))


def _constrains(shape: Shape) -> bool:
    return bool(
        shape.classes
        or shape.datatype
        or shape.node_kind
        or shape.min_count is not None
        or shape.max_count is not None
        or shape.patterns
        or shape.unique_lang
        or shape.in_ is not None
        or shape.has_value
        or shape.or_
        or shape.nodes
        or shape.qualified
        or shape.ranges
        or shape.lengths
        or shape.pairs
        or (shape.sparql and not all(c.messages for c in shape.sparql))
    )


def _anchored(query: str) -> bool:
    """True when $this only ever starts a triple pattern in the WHERE part (no `?x <p> $this`)."""
    index = query.upper().find("WHERE")
    where = query[index + 5 :] if index >= 0 else query
    for match in re.finditer(r"[?$]this\b", where):
        before = where[: match.start()].rstrip()
        if before and before[-1] not in "{.}":
            return False
    return True


def _int(value: object) -> int | None:
    return int(value.value) if isinstance(value, Literal) else None  # type: ignore[arg-type]


def _flags(text: str) -> int:
    flags = 0
    for char, flag in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL), ("x", re.VERBOSE)):
        if char in text:
            flags |= flag
    return flags


def _paths(shapes: Iterable[Shape]) -> set[str]:
    seen: set[int] = set()
    out: set[str] = set()
    todo = list(shapes)
    while todo:
        shape = todo.pop()
        if id(shape) in seen:
            continue
        seen.add(id(shape))
        if shape.path:
            out.add(shape.path)
        out.update(p for _, p in shape.pairs)  # read at the focus node, as the path is
        todo += shape.properties + shape.nodes + [s for group in shape.or_ for s in group]
        if shape.qualified:
            todo.append(shape.qualified[0])
    return out


def target_predicates(roots: Iterable[Shape]) -> set[str]:
    """The predicates of sh:targetSubjectsOf and sh:targetObjectsOf targets."""
    return {p for r in roots for p in (*r.targets_subjects_of, *r.targets_objects_of)}
