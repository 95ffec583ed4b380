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

The engine's pieces: the shape compiler (`shacl/shapes.py`), the constraint components that need no other
shape (`shacl/components.py`), the report writer (`shacl/report.py`); here, the indexes of the data and the
validator that walks the targets, with the components that validate values against other shapes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from b40graph.core import ntriples as nt
from b40graph.core.ntriples import Triple
from b40graph.core.vocab import SH
from b40graph.shacl.components import failures
from b40graph.shacl.report import Result, _format, report_graph
from b40graph.shacl.shapes import Shape, Shapes, Sparql, Unsupported, _paths, target_predicates

TYPE = nt.iri(str(RDF.type))
SUBCLASS = nt.iri(str(RDFS.subClassOf))


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
        values = self.data.objects(focus, shape.path) if shape.path else [focus]
        if shape.path and len(values) > 1:
            values = list(dict.fromkeys(values))
        out = [Result(focus, shape, c, v, shape.path) for c, v in failures(shape, focus, values, self.data)]
        out += self._nested(shape, focus, values, depth, stop_early)
        out += self._sparql_results(shape, focus)
        if stop_early and out:
            return out
        for prop in shape.properties:
            for v in values:
                out.extend(self.evaluate(prop, v, depth, stop_early))
                if stop_early and out:
                    return out
        return out

    def _nested(self, shape: Shape, focus: str, values: list[str], depth: int, stop_early: bool) -> list[Result]:
        """sh:or, sh:node and sh:qualifiedValueShape: the values validated against other shapes."""
        out: list[Result] = []

        def fail(component: URIRef, value: str | None = None) -> None:
            out.append(Result(focus, shape, component, value, shape.path))

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
        return out

    def _sparql_results(self, shape: Shape, focus: str) -> list[Result]:
        """The rows of the shape's SPARQL constraints for `focus`, one result each."""
        out = []
        for constraint in shape.sparql:
            for row in self._sparql_rows(shape, constraint).get(focus, []):
                result = Result(focus, shape, SH.SPARQLConstraintComponent, row.get("value"), shape.path)
                result.path = row.get("path", shape.path)
                result.source_constraint = constraint.node
                result.extra_messages = [_format(m, focus, result.path, row) for m in constraint.messages]
                out.append(result)
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


def validate(
    triples: Iterable[Triple], shapes: Shapes, allow_warnings: bool = True, only: set[str] | None = None
) -> tuple[bool, list[Result]]:
    """The results for every target, or for the focus nodes in `only`."""
    data = Data(triples, _paths(shapes.roots) | target_predicates(shapes.roots))
    results = Validator(shapes, data).run(only)
    violations = [r for r in results if r.shape.severity == SH.Violation] if allow_warnings else results
    conforms = not violations
    return conforms, results


__all__ = [
    "SUBCLASS",
    "TYPE",
    "Data",
    "Result",
    "Shape",
    "Shapes",
    "Unsupported",
    "Validator",
    "report_graph",
    "target_predicates",
    "validate",
]
