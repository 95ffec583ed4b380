"""SHACL validation with pyshacl, and turning its report into problems a curator can act on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from b40graph.core.errors import Problem
from b40graph.core.vocab import SH

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
    """What `shacl` reports, by the compiled shapes of shaclcore.py (pyshacl when they do not apply)."""
    from b40graph.core import ntriples as nt
    from b40graph.shacl import engine as shaclcore

    try:
        compiled = compiled_shapes(shapes)
    except shaclcore.Unsupported:
        graph = Graph()
        for s, p, o in data:
            graph.add((nt.to_rdflib(s), nt.to_rdflib(p), nt.to_rdflib(o)))  # type: ignore[arg-type]
        return shacl(graph, shapes)
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
