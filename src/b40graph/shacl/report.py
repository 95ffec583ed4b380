"""The report writer of the compiled SHACL engine: its `Result`s as the SHACL validation report pyshacl writes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from b40graph.core import ntriples as nt
from b40graph.core.vocab import SH
from b40graph.shacl.shapes import Shape


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


def _format(message: Literal, focus: str, path: str | None, row: dict[str, str]) -> Literal:
    text = str(message.value)
    bound = {"this": focus}
    if path:
        bound["path"] = path
    bound.update(row)
    for var, term in bound.items():
        text = re.sub(r"\{[?$]" + var + r"\}", str(nt.to_rdflib(term)), text)
    return Literal(text)


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
