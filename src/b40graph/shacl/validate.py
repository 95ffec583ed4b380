"""The validate stage: SHACL validation of a build (`validate_dataset`) by the compiled shapes or by pyshacl
(the reference, engine "plain"), and turning the report into problems a curator can act on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from b40graph.core.errors import Problem
from b40graph.core.vocab import SH
from b40graph.shacl.view import validation_view

if TYPE_CHECKING:
    from b40graph.shacl.incremental import Plan

Origin = tuple[Path, int | None]


def shacl(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """Validate `data` (already closed under OWL RL) against `shapes`."""
    from pyshacl import validate

    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    assert isinstance(report, Graph)
    return bool(conforms), report


def _short(term: object, base: str) -> str:
    text = str(term)
    return text.removeprefix(base) if text.startswith(base) else text


def problems_from_report(report: Graph, origins: Mapping[URIRef, Origin], base: str) -> list[Problem]:
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage) or "violates a shape"
        where = origins.get(focus) if isinstance(focus, URIRef) else None
        detail = f"<{_short(focus, base)}>"
        if path is not None:
            detail += f" {_short(path, base) if isinstance(path, URIRef) else 'path'}"
        if value is not None:
            detail += f" = {value!r}" if isinstance(value, Literal) else f" = <{_short(value, base)}>"
        problems.append(
            Problem(f"{message} [{detail}]", where[0] if where else None, where[1] if where else None, None)
        )
    problems.sort(key=lambda p: (str(p.file), p.line or 0, p.message))
    return problems


def shacl_fast(data: Iterable[tuple[str, str, str]], shapes: Graph) -> tuple[bool, Graph]:
    """What `shacl` reports, by the compiled shapes of shacl/engine.py (pyshacl when they do not apply)."""
    from b40graph.shacl import engine as shaclcore

    try:
        compiled = compiled_shapes(shapes)
    except shaclcore.Unsupported:
        return shacl(to_graph(data), shapes)
    assert isinstance(compiled, shaclcore.Shapes)
    conforms, results = shaclcore.validate(data, compiled)
    return conforms, shaclcore.report_graph(conforms, results)


_SHAPES: dict[int, object] = {}


def compiled_shapes(shapes: Graph) -> object:
    from b40graph.shacl import engine as shaclcore

    key = hash(frozenset(shapes))
    if key not in _SHAPES:
        _SHAPES.clear()
        _SHAPES[key] = shaclcore.Shapes(shapes)
    return _SHAPES[key]


def to_graph(triples: Iterable[tuple[str, str, str]]) -> Graph:
    from b40graph.core import ntriples as nt

    graph = Graph()
    for s, p, o in triples:
        graph.add((nt.to_rdflib(s), nt.to_rdflib(p), nt.to_rdflib(o)))  # type: ignore[arg-type]
    return graph


@dataclass
class Validation:
    conforms: bool
    report: Graph
    covered: str  # what the validation covered: "the whole graph" or the nodes a change can reach

    @property
    def results(self) -> int:
        """How many validation results the report holds (any severity)."""
        return len(set(self.report.subjects(RDF.type, SH.ValidationResult)))


def validate_dataset(
    asserted: set[tuple[str, str, str]],
    inferred: list[tuple[str, str, str]],
    reasoning_lines: list[str],
    shapes: Graph,
    engine: str = "fast",
    rebuild: Callable[[Graph, object, list[str]], Plan | None] | None = None,
) -> Validation:
    """The validate stage: the validation view of the build (`view.validation_view`) against `shapes`.
    engine "fast": the compiled shapes, limited to what a change can reach when `rebuild` plans it (given
    the shapes, their compiled form and the reasoning ontology's lines: `incremental.rebuild_plan`);
    "plain": pyshacl over the whole graph, the reference."""
    from b40graph.shacl import engine as shaclcore
    from b40graph.shacl import incremental

    if engine != "plain" and rebuild is not None:
        try:
            compiled = compiled_shapes(shapes)
        except shaclcore.Unsupported:
            compiled = None
        plan = rebuild(shapes, compiled, reasoning_lines) if compiled is not None else None
        if plan is not None:
            conforms, report = incremental.validate(plan, compiled)  # type: ignore[arg-type]
            return Validation(
                conforms, report, f"{len(plan.focus)} nodes reached by the change ({len(plan.data)} triples)"
            )
    view = validation_view(asserted, inferred, reasoning_lines, shapes)
    if engine == "plain":
        conforms, report = shacl(to_graph(view), shapes)
    else:
        conforms, report = shacl_fast(view, shapes)
    return Validation(conforms, report, "the whole graph")
