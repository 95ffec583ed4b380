"""Validation of a rebuild: only the focus nodes that a change can reach, with the data they read.

The previous release conformed to the same shapes (checked by the caller on the build state,
`publish.state.BuildState.validated_alike`: same shapes file, same ontology, same code, and its report
held no result at all). A focus node's result can only change if its evaluation reads a
triple that changed, and the compiled shapes (shacl/engine.py) read in a known way: from the focus node
forward along the shapes' path predicates (a property shape reads the triples of the node it is evaluated
on; sh:class reads the type triples of the values; sh:node, sh:or, sh:qualifiedValueShape and nested
properties evaluate on the values), and a SPARQL constraint whose triple patterns all start at $this
with a plain predicate (checked on the parsed query; any other validates the whole graph) reads the
triples of its $this. So, with D the deepest subject distance any shape reads at:

- the changed triples are those of the named graphs whose hash changed (old lines against new lines);
- a changed triple whose predicate is a path predicate or rdf:type is read by the nodes from which its
  subject is at most D steps forward along path predicates: found by walking back from it (edges of the
  previous release's store, which still holds the removed ones, and of the added triples);
- any changed triple is read by a SPARQL constraint evaluated on its subject, and that node by the focus
  nodes at most Ds path steps back (Ds: the deepest distance a SPARQL constraint is evaluated at);
- those focus nodes are evaluated on a data graph made of every triple whose subject they can reach (the
  previous store's triples of unchanged graphs and the new lines of changed ones), plus every
  rdfs:subClassOf triple and every triple of a sh:targetObjectsOf predicate; what they read is then
  exactly what a whole-graph run reads. A changed triple of a sh:targetSubjectsOf (sh:targetObjectsOf)
  predicate makes its subject (object) a node to start from.

Anything outside these assumptions (no previous release, other shapes or ontology, blank nodes in the
change, results in the previous report, shapes shaclcore cannot compile) returns None and the whole graph
is validated (`shacl.validate.validate_dataset`). tests/test_revalidate.py compares the two on changes
that break shapes in the changed declaration and in others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from b40graph.core import ntriples as nt
from b40graph.core.iris import Minter
from b40graph.core.ntriples import NamedGraphs, Triple
from b40graph.shacl import engine as shaclcore
from b40graph.shacl.view import validation_view

_HIERARCHY = "urn:b40graph:validated-class-hierarchy"  # a graph of revalidation's data only


@dataclass
class Plan:
    """What a rebuild's validation reads: the focus nodes to evaluate and the triples they can reach."""

    focus: set[str]
    data: list[Triple]


def _depths(shapes: shaclcore.Shapes) -> tuple[int, int | None]:
    """(D, Ds): the deepest subject distance any evaluation reads at, and the deepest node distance a
    SPARQL constraint is evaluated at (None: no SPARQL constraint)."""
    deepest = 0
    sparql: int | None = None

    def walk(shape: shaclcore.Shape, d: int, stack: int) -> None:
        nonlocal deepest, sparql
        if stack > 16:
            raise shaclcore.Unsupported("recursive shapes")
        values = d + 1 if shape.path else d
        deepest = max(deepest, d, values if shape.classes else d)
        if shape.sparql:
            if not all(_local(c.query, shape.path) for c in shape.sparql):
                raise shaclcore.Unsupported("a SPARQL constraint that reads beyond the triples of $this")
            sparql = d if sparql is None else max(sparql, d)
        members = [m for group in shape.or_ for m in group] + shape.nodes + shape.properties
        if shape.qualified is not None:
            members.append(shape.qualified[0])
        for member in members:
            walk(member, values, stack + 1)

    for root in shapes.roots:
        walk(root, 0, 0)
    return deepest, sparql


def _local(query: str, path: str | None) -> bool:
    """True when every triple pattern of the query (EXISTS and sub-queries included) is `$this <p> ?x`."""
    from rdflib import URIRef, Variable
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    text = query.replace("$PATH", path) if path else query
    try:
        parsed = prepareQuery(text)
    except Exception:  # noqa: BLE001 - any parser failure: not provably local
        return False
    this = Variable("this")

    def ok(node: object) -> bool:
        if isinstance(node, CompValue):
            if node.name == "BGP" and not all(t[0] == this and isinstance(t[1], URIRef) for t in node.triples):
                return False
            return all(ok(v) for v in node.values())
        if isinstance(node, list | tuple):
            return all(ok(v) for v in node)
        return True

    return ok(parsed.algebra)


def _ox_node(term: str) -> ox.NamedNode | None:
    return ox.NamedNode(term[1:-1]) if term.startswith("<") else None


class _Edges:
    """Edges into nodes: those of the previous store (every graph) and of the added triples."""

    def __init__(self, store: ox.Store, added: Iterable[Triple]) -> None:
        self.store = store
        self.into: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for s, p, o in added:
            self.into[o].append((s, p))

    def back(self, node: str, predicates: set[str] | None) -> set[str]:
        """Subjects of the edges into `node` (along `predicates`; None: any)."""
        out = {s for s, p in self.into.get(node, ()) if predicates is None or p in predicates}
        target = _ox_node(node)
        if target is not None:
            for q in self.store.quads_for_pattern(None, None, target, None):
                p = f"<{q.predicate.value}>"
                if predicates is None or p in predicates:
                    out.add(str(q.subject))
        return out


def _walk_back(edges: _Edges, start: set[str], predicates: set[str] | None, depth: int) -> set[str]:
    seen = set(start)
    frontier = set(start)
    for _ in range(depth):
        frontier = {s for node in frontier for s in edges.back(node, predicates)} - seen
        seen |= frontier
    return seen


def plan(
    shapes: shaclcore.Shapes,
    store_path: Path,
    old_lines: Mapping[str, list[str] | None],
    new_lines: Mapping[str, list[str]],
    unchanged: set[str],
) -> Plan | None:
    """The focus nodes a change can reach and the data to evaluate them on, or None (validate all).

    `old_lines`: the previous lines of every changed validated graph (None: read them from the store);
    `new_lines`: every validated graph now; `unchanged`: the names of the validated graphs whose hash
    did not change (their triples are read from the previous store)."""
    deepest, sparql_depth = _depths(shapes)
    paths = shaclcore._paths(shapes.roots)
    store = ox.Store.read_only(str(store_path))
    changed = [name for name in new_lines if name not in unchanged] + [n for n in old_lines if n not in new_lines]
    removed: set[str] = set()
    added: set[str] = set()
    for name in dict.fromkeys(changed):
        before = old_lines.get(name)
        if before is None:
            graph = ox.NamedNode(name)
            before = [
                f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(None, None, None, graph)
            ]
        now = new_lines.get(name, [])
        old_set, new_set = set(before), set(now)
        removed |= old_set - new_set
        added |= new_set - old_set
    if any("_:" in line for line in (*removed, *added)):
        return None  # the store renames blank nodes: the old and new ones cannot be matched
    fresh = [nt.split(line) for line in added]
    delta = [nt.split(line) for line in removed] + fresh
    edges = _Edges(store, fresh)
    subjects_of = {p for r in shapes.roots for p in r.targets_subjects_of}
    objects_of = {p for r in shapes.roots for p in r.targets_objects_of}
    read = paths | subjects_of | {shaclcore.TYPE}
    start = {s for s, p, _ in delta if p in read} | {o for _, p, o in delta if p in objects_of}
    focus = _walk_back(edges, start, paths, deepest)
    if sparql_depth is not None:
        focus |= _walk_back(edges, {s for s, _, _ in delta}, paths, sparql_depth)
    data = _reachable(store, focus, paths, deepest, new_lines, unchanged, objects_of)
    return Plan({f for f in focus if not nt.is_literal(f)}, data)


def _reachable(
    store: ox.Store,
    focus: set[str],
    paths: set[str],
    deepest: int,
    new_lines: Mapping[str, list[str]],
    unchanged: set[str],
    objects_of: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[Triple]:
    """Every triple of the new data whose subject is within reach of the focus nodes, every
    rdfs:subClassOf triple and every triple of a sh:targetObjectsOf predicate (it makes its object a target)."""
    whole = {shaclcore.SUBCLASS, *objects_of}
    kept = {ox.NamedNode(n) for n in unchanged}
    data: dict[Triple, None] = {}
    fresh: dict[str, list[Triple]] = defaultdict(list)  # the changed graphs' triples by subject
    for name, lines in new_lines.items():
        if name not in unchanged:
            for line in lines:
                t = nt.split(line)
                fresh[t[0]].append(t)
                if t[1] in whole:
                    data[t] = None

    def subject_triples(node: str) -> list[Triple]:
        out = list(fresh.get(node, ()))
        target = _ox_node(node)
        if target is not None:
            for q in store.quads_for_pattern(target, None, None, None):
                if q.graph_name in kept:
                    out.append((node, str(q.predicate), str(q.object)))
        return out

    seen: set[str] = set()
    frontier = set(focus)
    for _ in range(deepest + 1):
        following: set[str] = set()
        for node in frontier - seen:
            seen.add(node)
            for t in subject_triples(node):
                data[t] = None
                if t[1] in paths and not nt.is_literal(t[2]):
                    following.add(t[2])
        frontier = following
    for predicate in sorted(whole):
        for q in store.quads_for_pattern(None, ox.NamedNode(predicate[1:-1]), None, None):
            if q.graph_name in kept:
                data[(str(q.subject), str(q.predicate), str(q.object))] = None
    return list(data)


def validate(compiled_plan: Plan, shapes: shaclcore.Shapes) -> tuple[bool, Graph]:
    """The report of the planned focus nodes (the rest conformed before and reads nothing that changed)."""
    conforms, results = shaclcore.validate(compiled_plan.data, shapes, only=compiled_plan.focus)
    return conforms, shaclcore.report_graph(conforms, results)


@dataclass
class Before:
    """What the previous release holds (from `publish.state.BuildState`): its store, a hash per named graph
    and the lines of its large graphs."""

    store: Path
    digests: dict[str, str]
    lines: dict[str, list[str]]


def _stored_lines(store_path: Path, name: str) -> list[str]:
    store = ox.Store.read_only(str(store_path))
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(name))
    return [f"{q.subject} {q.predicate} {q.object} ." for q in quads]


def rebuild_plan(
    shapes: Graph,
    compiled: shaclcore.Shapes,
    reasoning_lines: list[str],
    *,
    before: Before,
    graphs: NamedGraphs,
    digests: dict[str, str],
    base: str,
) -> Plan | None:
    """The plan of a rebuild's validation, or None to validate the whole graph. The inferred graph is
    validated through validation_view (no derived types), the class hierarchy with it."""
    mint = Minter(base)
    ontology, description = str(mint.graph("ontology")), str(mint.graph("description"))
    inferred = str(mint.graph("inferred"))
    digests = dict(digests)
    if before.digests.get(ontology) != digests.pop(ontology):
        return None
    new = {str(k): v for k, v in graphs.items() if str(k) != ontology}
    unchanged = {name for name, digest in digests.items() if before.digests.get(name) == digest}
    old = {
        name: before.lines.get(name)
        for name in before.digests
        if name not in unchanged and name not in (ontology, description)
    }
    old_inferred = before.lines.get(inferred)
    if old_inferred is None:
        old_inferred = _stored_lines(before.store, inferred)
    hierarchy = nt.lines(validation_view(set(), [], reasoning_lines, shapes))
    unchanged.discard(inferred)
    old[inferred] = nt.lines(validation_view(set(), list(map(nt.split, old_inferred)), [], shapes))
    new[inferred] = nt.lines(validation_view(set(), list(map(nt.split, new.get(inferred, []))), [], shapes))
    old[_HIERARCHY] = new[_HIERARCHY] = hierarchy
    try:
        return plan(compiled, before.store, old, new, unchanged)
    except shaclcore.Unsupported:
        return None
