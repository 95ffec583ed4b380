"""SHACL Core compiled to Python over str triples: pyshacl's results for the shapes b40graph writes, fast.

The shapes graph is read once into `Shape` objects; validation walks the target nodes with dict
indexes of the data, so a million triples take seconds instead of minutes. The semantics follow
pyshacl 0.3x component by component (which results carry sh:value, what counts as a datatype match,
sh:message plus the SPARQL constraint's own message, warnings not breaking conformance, ...), and
tests/test_scale.py compares the two on the project's data and on generated networks with injected
violations.

Supported: targets sh:targetClass, sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf and implicit class
targets (a shape that is also a class); predicate paths; sh:class, sh:datatype,
sh:nodeKind, sh:minCount, sh:maxCount, sh:pattern (+ sh:flags), sh:uniqueLang, sh:in, sh:hasValue,
sh:or, sh:node, sh:property, sh:qualifiedValueShape (+ min/max, not disjoint), sh:min/maxInclusive,
sh:min/maxExclusive, sh:minLength, sh:maxLength, sh:lessThan, sh:lessThanOrEquals (with a predicate),
sh:deactivated, sh:severity, and SPARQL-based
constraints whose query only follows edges out of $this. Any other SHACL feature raises `Unsupported`
and the caller runs pyshacl instead. tests/test_shacl_suite.py runs the W3C SHACL Core tests on this engine
and lists the cases it does not support.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from b40graph.core import ntriples as nt
from b40graph.core.ntriples import Triple
from b40graph.core.vocab import SH

TYPE = nt.iri(str(RDF.type))
SUBCLASS = nt.iri(str(RDFS.subClassOf))

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


@dataclass
class Result:
    focus: str
    shape: Shape
    component: URIRef
    value: str | None = None
    path: str | None = None
    source_constraint: Node | None = None
    extra_messages: list[Literal] = field(default_factory=list)
    details: list[Result] = field(default_factory=list)  # sh:detail: why a value failed its sh:node

    def key(self) -> tuple[str, str | None, str, str, str | None]:
        return (self.focus, self.path, str(self.component), str(self.shape.severity), self.value)


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
            seen.add(id(shape))
            if messages_required and not shape.messages and _constrains(shape):
                raise Unsupported(f"a shape without sh:message: {shape.node}")
            todo += shape.properties

    def shape(self, node: Node) -> Shape:
        if node in self._by_node:
            return self._by_node[node]
        g = self.graph
        shape = Shape(node)
        self._by_node[node] = shape  # before the parameters: shapes may refer to each other
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
        for p in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            shape.ranges += [(p, v) for v in g.objects(node, p) if isinstance(v, Literal)]
        for p in (SH.minLength, SH.maxLength):
            shape.lengths += [(p, int(v)) for v in g.objects(node, p) if isinstance(v, Literal)]
        for p in (SH.lessThan, SH.lessThanOrEquals):
            for other in g.objects(node, p):
                if not isinstance(other, URIRef) or path is None:
                    raise Unsupported(f"{p} without a predicate, or on a node shape")
                shape.pairs.append((p, nt.iri(str(other))))
        for constraint in g.objects(node, SH.sparql):
            query = g.value(constraint, SH.select)
            if query is None or any(True for _ in g.triples((constraint, SH.prefixes, None))):
                raise Unsupported("a SPARQL constraint without sh:select or with sh:prefixes")
            if not _anchored(str(query)):
                raise Unsupported("a SPARQL constraint that follows edges into $this")
            messages = [m for m in g.objects(constraint, SH.message) if isinstance(m, Literal)]
            shape.sparql.append(Sparql(constraint, str(query), messages))
        return shape


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


@lru_cache(maxsize=100_000)
def _literal(term: str) -> Literal | None:
    node = nt.to_rdflib(term)
    return node if isinstance(node, Literal) else None


_LANG_STRING = str(RDF.langString)
_STRING = str(XSD.string)


def _datatype_ok(term: str, rule: URIRef) -> bool:
    if not term.startswith('"'):
        return False
    tail = term[term.rindex('"') + 1 :]
    if str(rule) == _LANG_STRING:  # a str value whatever the text: only the tag matters
        return tail.startswith("@")
    if str(rule) == _STRING and not tail:
        return True
    lit = _literal(term)
    if lit is None:
        return False
    if lit.datatype == rule:
        if getattr(lit, "ill_typed", None) is True:
            return False
        return _value_fits(lit.value, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and lit.datatype:
        return True
    if lit.datatype is None and lit.language is None and rule == XSD.string:
        return _value_fits(lit.value, rule)
    if rule == RDF.langString and lit.language:
        return _value_fits(lit.value, rule)
    return False


_PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: dt.date,
    XSD.time: dt.time,
    XSD.dateTime: dt.datetime,
}


def _value_fits(value: object, rule: URIRef) -> bool:
    wanted = _PYTHON_TYPES.get(rule)
    return True if wanted is None else isinstance(value, wanted)


def _node_kind_ok(term: str, kind: URIRef) -> bool:
    if nt.is_blank(term):
        return kind in (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
    if nt.is_literal(term):
        return kind in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
    return kind in (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)


def _string_of(term: str) -> str:
    if nt.is_literal(term):
        return nt.literal_parts(term)[0]
    if nt.is_iri(term):
        return term[1:-1]
    return term[2:]


def _in_range(term: str, param: URIRef, bound: Literal) -> bool:
    lit = _literal(term) if nt.is_literal(term) else None
    if lit is None:
        return False
    a, b = lit.value, bound.value
    if isinstance(a, str) != isinstance(b, str):
        return False
    try:
        if param == SH.minInclusive:
            return bool(a >= b)
        if param == SH.maxInclusive:
            return bool(a <= b)
        if param == SH.minExclusive:
            return bool(a > b)
        return bool(a < b)
    except TypeError:
        return False


def _ordered(term: str, other: str, strict: bool) -> bool:
    """SPARQL's < or <= on two values, as pyshacl compares them: IRIs and strings compare as text, other
    literals by value; a string against a non-string, or two values of types that do not compare, fails."""
    if nt.is_blank(term) or nt.is_blank(other):
        return False
    values = []
    for t in (term, other):
        lit = _literal(t) if nt.is_literal(t) else None
        values.append(t[1:-1] if lit is None else lit.value)
    a, b = values
    if isinstance(a, str) != isinstance(b, str):
        return False
    try:
        return bool(a < b) if strict else bool(a <= b)
    except TypeError:
        return False


class Data:
    """Indexes of the data graph: values by (predicate, subject), instances by class."""

    def __init__(self, triples: Iterable[Triple], predicates: set[str]) -> None:
        self.values: dict[str, dict[str, list[str]]] = {p: defaultdict(list) for p in predicates}
        self.types: dict[str, list[str]] = defaultdict(list)
        self.instances: dict[str, list[str]] = defaultdict(list)
        self.subclass: dict[str, list[str]] = defaultdict(list)
        self._triples = triples if isinstance(triples, list | set | frozenset) else list(triples)
        values = self.values
        for t in self._triples:
            s, p, o = t
            table = values.get(p)
            if table is not None:
                table[s].append(o)
            if p == TYPE:
                self.types[s].append(o)
                self.instances[o].append(s)
            elif p == SUBCLASS:
                self.subclass[s].append(o)

    def objects(self, s: str, p: str) -> list[str]:
        table = self.values.get(p)
        return table.get(s, []) if table is not None else []

    def is_instance(self, node: str, cls: str) -> bool:
        return any(t == cls or (self.subclass and cls in self._supers(t)) for t in self.types.get(node, ()))

    def _supers(self, cls: str) -> set[str]:
        seen: set[str] = set()
        todo = [cls]
        while todo:
            for sup in self.subclass.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    def focus_nodes(self, shape: Shape) -> list[str]:
        nodes = set(shape.targets_node)
        for p in shape.targets_subjects_of:
            nodes.update(self.values.get(p, {}))
        for p in shape.targets_objects_of:
            nodes.update(o for objects in self.values.get(p, {}).values() for o in objects)  # literals too
        for cls in shape.targets_class:
            nodes.update(self.instances.get(cls, ()))
            if self.subclass:
                for sub, sups in list(self.subclass.items()):
                    if cls in self._supers(sub) or cls in sups:
                        nodes.update(self.instances.get(sub, ()))
        return sorted(nodes)

    def subject_triples(self, nodes: set[str]) -> list[Triple]:
        return [t for t in self._triples if t[0] in nodes]


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


class Validator:
    def __init__(self, shapes: Shapes, data: Data) -> None:
        self.shapes = shapes
        self.data = data
        self._sparql: dict[tuple[int, int], dict[str, list[dict[str, str]]]] = {}

    # -- evaluation -------------------------------------------------------------------------------

    def conforms(self, shape: Shape, focus: str, depth: int = 0) -> bool:
        return not self.evaluate(shape, focus, depth + 1, stop_early=True)

    def evaluate(self, shape: Shape, focus: str, depth: int = 0, stop_early: bool = False) -> list[Result]:
        if shape.deactivated:
            return []
        if depth > 32:
            raise Unsupported("recursive shapes")
        data = self.data
        values = data.objects(focus, shape.path) if shape.path else [focus]
        if shape.path and len(values) > 1:
            values = list(dict.fromkeys(values))
        out: list[Result] = []

        def fail(component: URIRef, value: str | None = None) -> None:
            out.append(Result(focus, shape, component, value, shape.path))

        if shape.min_count is not None and len(values) < shape.min_count:
            fail(SH.MinCountConstraintComponent)
        if shape.max_count is not None and len(values) > shape.max_count:
            fail(SH.MaxCountConstraintComponent)
        for cls in shape.classes:
            for v in values:
                if nt.is_literal(v) or not data.is_instance(v, cls):
                    fail(SH.ClassConstraintComponent, v)
        if shape.datatype is not None:
            for v in values:
                if not _datatype_ok(v, shape.datatype):
                    fail(SH.DatatypeConstraintComponent, v)
        if shape.node_kind is not None:
            for v in values:
                if not _node_kind_ok(v, shape.node_kind):
                    fail(SH.NodeKindConstraintComponent, v)
        for pattern in shape.patterns:
            for v in values:
                if nt.is_blank(v) or not pattern.search(_string_of(v)):
                    fail(SH.PatternConstraintComponent, v)
        for param, size in shape.lengths:
            for v in values:
                ok = not nt.is_blank(v) and (
                    len(_string_of(v)) >= size if param == SH.minLength else len(_string_of(v)) <= size
                )
                if not ok:
                    fail(
                        SH.MinLengthConstraintComponent if param == SH.minLength else SH.MaxLengthConstraintComponent, v
                    )
        if shape.unique_lang:
            langs: dict[str, int] = defaultdict(int)
            for v in values:
                if nt.is_literal(v):
                    lang = nt.literal_parts(v)[1]
                    if lang:
                        langs[lang.lower()] += 1
            for _ in [lang for lang, n in langs.items() if n > 1]:
                fail(SH.UniqueLangConstraintComponent)
        if shape.in_ is not None:
            for v in values:
                if v not in shape.in_:
                    fail(SH.InConstraintComponent, v)
        for wanted in shape.has_value:
            if wanted not in values:
                fail(SH.HasValueConstraintComponent)
        for param, bound in shape.ranges:
            component = {
                SH.minInclusive: SH.MinInclusiveConstraintComponent,
                SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
                SH.minExclusive: SH.MinExclusiveConstraintComponent,
                SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
            }[param]
            for v in values:
                if not _in_range(v, param, bound):
                    fail(component, v)
        for param, predicate in shape.pairs:
            others = data.objects(focus, predicate)
            strict = param == SH.lessThan
            component = SH.LessThanConstraintComponent if strict else SH.LessThanOrEqualsConstraintComponent
            for v in values:
                for other_value in others:
                    if not _ordered(v, other_value, strict):
                        fail(component, v)
        for group in shape.or_:
            for v in values:
                if not any(self.conforms(member, v, depth) for member in group):
                    fail(SH.OrConstraintComponent, v)
        for other in shape.nodes:
            for v in values:
                if not self.conforms(other, v, depth):
                    fail(SH.NodeConstraintComponent, v)
                    if not stop_early:  # pyshacl nests the failing shape's results under sh:detail
                        out[-1].details = self.evaluate(other, v, depth + 1)
        if shape.qualified is not None:
            other, low, high = shape.qualified
            count = sum(1 for v in values if self.conforms(other, v, depth))
            if high is not None and count > high:
                fail(SH.QualifiedMaxCountConstraintComponent)
            if low is not None and count < low:
                fail(SH.QualifiedMinCountConstraintComponent)
        for constraint in shape.sparql:
            for row in self._sparql_rows(shape, constraint).get(focus, []):
                result = Result(focus, shape, SH.SPARQLConstraintComponent, row.get("value"), shape.path)
                result.path = row.get("path", shape.path)
                result.source_constraint = constraint.node
                result.extra_messages = [_format(m, focus, result.path, row) for m in constraint.messages]
                out.append(result)
        if stop_early and out:
            return out
        for prop in shape.properties:
            for v in values:
                out.extend(self.evaluate(prop, v, depth, stop_early))
                if stop_early and out:
                    return out
        return out

    def _sparql_rows(self, shape: Shape, constraint: Sparql) -> dict[str, list[dict[str, str]]]:
        """Run a SPARQL constraint once for all the focus nodes of its shape (results by focus node)."""
        key = (id(shape), id(constraint))
        if key in self._sparql:
            return self._sparql[key]
        focus = self._focus_of(shape)
        rows: dict[str, list[dict[str, str]]] = defaultdict(list)
        if focus:
            reach = set(focus)
            first = self.data.subject_triples(reach)
            reach.update(o for _, _, o in first if not nt.is_literal(o))
            store = ox.Store()
            quads = [
                ox.Quad(*(_ox(t) for t in triple), ox.DefaultGraph())  # type: ignore[misc,call-arg,arg-type]
                for triple in self.data.subject_triples(reach)
            ]
            store.extend(quads)
            text = constraint.query
            if shape.path:
                text = text.replace("$PATH", shape.path)
            where = text.find("{", text.upper().find("WHERE"))
            values = " ".join(sorted(focus))
            text = text[: where + 1] + f" VALUES $this {{ {values} }} " + text[where + 1 :]
            answer = store.query(text)
            assert isinstance(answer, ox.QuerySolutions)
            names = [v.value for v in answer.variables]
            for solution in answer:
                row = {n: str(solution[n]) for n in names if solution[n] is not None}
                if "this" in row:
                    rows[row["this"]].append(row)
        self._sparql[key] = rows
        return rows

    def _focus_of(self, shape: Shape) -> list[str]:
        """The focus nodes a SPARQL constraint of `shape` can see: its targets, or the values of its parents."""
        nodes: set[str] = set()
        for root in self.shapes.roots:
            focus = self.data.focus_nodes(root)
            if root is shape:
                nodes.update(focus)
            if any(prop is shape for prop in root.properties):  # $this is the focus node, $PATH the path
                nodes.update(focus)
        return sorted(nodes)

    def run(self, only: set[str] | None = None) -> list[Result]:
        """Every target's results, or only those of the focus nodes in `only`."""
        results: list[Result] = []
        for root in self.shapes.roots:
            for focus in self.data.focus_nodes(root):
                if only is None or focus in only:
                    results.extend(self.evaluate(root, focus))
        return results


def _ox(term: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if term.startswith("<"):
        return ox.NamedNode(term[1:-1])
    if term.startswith("_:"):
        return ox.BlankNode(term[2:])
    lexical, lang, datatype = nt.literal_parts(term)
    if lang:
        return ox.Literal(lexical, language=lang)
    if datatype:
        return ox.Literal(lexical, datatype=ox.NamedNode(datatype))
    return ox.Literal(lexical)


def _format(message: Literal, focus: str, path: str | None, row: dict[str, str]) -> Literal:
    text = str(message.value)
    bound = {"this": focus}
    if path:
        bound["path"] = path
    bound.update(row)
    for var, term in bound.items():
        text = re.sub(r"\{[?$]" + var + r"\}", str(nt.to_rdflib(term)), text)
    return Literal(text)


def validate(
    triples: Iterable[Triple], shapes: Shapes, allow_warnings: bool = True, only: set[str] | None = None
) -> tuple[bool, list[Result]]:
    """The results for every target, or for the focus nodes in `only`."""
    data = Data(triples, _paths(shapes.roots) | target_predicates(shapes.roots))
    results = Validator(shapes, data).run(only)
    violations = [r for r in results if r.shape.severity == SH.Violation] if allow_warnings else results
    conforms = not violations
    return conforms, results


def report_graph(conforms: bool, results: list[Result]) -> Graph:
    """The results as a SHACL validation report (the same triples pyshacl writes)."""
    g = Graph()
    g.bind("sh", str(SH))
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(conforms)))
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        _add_result(g, node, r)
    return g


def _add_result(g: Graph, node: BNode, r: Result) -> None:
    g.add((node, RDF.type, SH.ValidationResult))
    g.add((node, SH.sourceConstraintComponent, r.component))
    g.add((node, SH.sourceShape, r.shape.node))
    g.add((node, SH.resultSeverity, r.shape.severity))
    g.add((node, SH.focusNode, nt.to_rdflib(r.focus)))
    if r.value is not None:
        g.add((node, SH.value, nt.to_rdflib(r.value)))
    if r.path is not None:
        g.add((node, SH.resultPath, nt.to_rdflib(r.path)))
    if r.source_constraint is not None:
        g.add((node, SH.sourceConstraint, r.source_constraint))
    for message in r.shape.messages + [m for m in r.extra_messages if m not in r.shape.messages]:
        g.add((node, SH.resultMessage, message))
    for detail in r.details:
        sub = BNode()
        g.add((node, SH.detail, sub))
        _add_result(g, sub, detail)
