"""SHACL validation with pyshacl, and turning its report into problems a curator can act on."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from .errors import Problem
from .vocab import SH

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
