"""The W3C SHACL Core tests (tests/conformance/shacl/core, vendored) on the compiled SHACL engine, and on pyshacl.

Every sht:Validate entry of the suite is one test of the compiled engine (`shacl/engine.py`). The engine
implements the part of SHACL Core that b40graph's shapes use and refuses the rest (`Unsupported`, so that
the build falls back to pyshacl); each case it cannot pass is listed below with the reason, as a strict
xfail: a case that starts to pass fails the run until it is taken off the list. Reports are compared
with pyshacl's `check_sht_result` (the suite's rules: results matched by focus node, path, value, shape,
severity and component; messages not compared). The engine's reports say conforms=false for any result
(the suite's meaning; the build passes allow_warnings), shapes need no sh:message here (the build requires
them), and blank nodes a report names are described in it as pyshacl's reports do, from the data and
shapes graphs, with their prefixes, so that the comparison can match them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import rdflib
from pyshacl.validator_conformance import check_sht_result
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from b40graph.core import ntriples as nt
from b40graph.core.vocab import SH
from b40graph.shacl import engine

from .conftest import ROOT

CORE = ROOT / "tests" / "conformance" / "shacl" / "core"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean")  # uniqueLang-002's "none"


@dataclass(frozen=True)
class Case:
    id: str
    manifest: Path
    entry: URIRef


def _cases() -> list[Case]:
    assert (CORE / "manifest.ttl").is_file(), f"the vendored SHACL suite is missing ({CORE})"
    found: list[Case] = []

    def walk(path: Path) -> None:
        graph = _graph(path)
        for manifest in graph.subjects(RDF.type, MF.Manifest):
            for include in sorted(graph.objects(manifest, MF.include)):
                walk(Path(str(include).removeprefix("file://")))
            for entries in graph.objects(manifest, MF.entries):
                for entry in Collection(graph, entries):
                    if (entry, RDF.type, SHT.Validate) in graph:
                        name = path.parent.relative_to(CORE).as_posix() + "/" + str(entry).rsplit("/", 1)[-1]
                        found.append(Case(name, path, entry))  # type: ignore[arg-type]

    walk(CORE / "manifest.ttl")
    return found


@contextmanager
def _as_written() -> Iterator[None]:
    """Literals as written: rdflib's normalising would turn "none"^^xsd:boolean into "false", "1" into "true"
    and a dateTime without a time into one with it (the build's N-Triples lines keep the lexical forms too)."""
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


@cache
def _graph(path: Path) -> Graph:
    with _as_written():
        return Graph().parse(path, format="turtle", publicID="file://" + str(path))


def _inputs(case: Case) -> tuple[Graph, Graph, Graph]:
    """The manifest graph, the data graph and the shapes graph of `case`."""
    manifest = _graph(case.manifest)
    action = manifest.value(case.entry, MF.action)
    data = _graph(Path(str(manifest.value(action, SHT.dataGraph)).removeprefix("file://")))
    shapes = _graph(Path(str(manifest.value(action, SHT.shapesGraph)).removeprefix("file://")))
    return manifest, data, shapes


CASES = _cases()

# The features the engine does not implement: it raises Unsupported (and the build runs pyshacl instead).
PATHS = "property paths other than a single predicate (sequence, alternative, inverse, *, +, ?)"
UNSUPPORTED = {
    "complex/personexample": "sh:closed",
    "complex/shacl-shacl": PATHS,
    "node/and-001": "sh:and",
    "node/and-002": "sh:and",
    "node/closed-001": "sh:closed",
    "node/closed-002": "sh:closed",
    "node/disjoint-001": "sh:disjoint",
    "node/equals-001": "sh:equals",
    "node/languageIn-001": "sh:languageIn",
    "node/not-001": "sh:not",
    "node/not-002": "sh:not",
    "node/qualified-001": "sh:qualifiedValueShapesDisjoint",
    "node/xone-001": "sh:xone",
    "node/xone-duplicate": "sh:xone",
    "path/path-alternative-001": PATHS,
    "path/path-complex-001": PATHS,
    "path/path-complex-002": PATHS,
    "path/path-inverse-001": PATHS,
    "path/path-oneOrMore-001": PATHS,
    "path/path-sequence-001": PATHS,
    "path/path-sequence-002": PATHS,
    "path/path-sequence-duplicate-001": PATHS,
    "path/path-strange-001": PATHS,
    "path/path-strange-002": PATHS,
    "path/path-zeroOrMore-001": PATHS,
    "path/path-zeroOrOne-001": PATHS,
    "property/and-001": "sh:and",
    "property/disjoint-001": "sh:disjoint",
    "property/equals-001": "sh:equals",
    "property/languageIn-001": "sh:languageIn",
    "property/not-001": "sh:not",
    "property/qualifiedMinCountDisjoint-001": "sh:qualifiedValueShapesDisjoint",
    "property/qualifiedValueShapesDisjoint-001": "sh:qualifiedValueShapesDisjoint",
}
# Cases the engine accepts but reports differently from the suite: none at present.
WRONG: dict[str, str] = {}


def _marks(case: Case) -> list[pytest.MarkDecorator]:
    if case.id in UNSUPPORTED:
        return [
            pytest.mark.xfail(raises=engine.Unsupported, strict=True, reason=f"not implemented: {UNSUPPORTED[case.id]}")
        ]
    if case.id in WRONG:
        return [pytest.mark.xfail(raises=AssertionError, strict=True, reason=WRONG[case.id])]
    return []


def _describe(report: Graph, sources: tuple[Graph, ...]) -> None:
    """Copy into `report` what `sources` say about the blank nodes it names (and theirs, transitively), and
    their prefixes (the comparison matches results by their terms as the prefixes print them)."""
    for source in sources:
        for prefix, namespace in source.namespaces():
            report.bind(prefix, namespace, override=False)
    todo = [
        o for p in (SH.focusNode, SH.value, SH.sourceShape) for o in report.objects(None, p) if isinstance(o, BNode)
    ]
    seen: set[BNode] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for source in sources:
            for _, p, o in source.triples((node, None, None)):
                report.add((node, p, o))
                if isinstance(o, BNode):
                    todo.append(o)


def _engine_report(data: Graph, shapes: Graph) -> Graph:
    with _as_written():
        compiled = engine.Shapes(shapes, messages_required=False)
        triples = [(nt.from_rdflib(s), nt.from_rdflib(p), nt.from_rdflib(o)) for s, p, o in data]
        conforms, results = engine.validate(triples, compiled, allow_warnings=False)
        report = engine.report_graph(conforms, results)
    _describe(report, (data, shapes))
    return report


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=_marks(c)) for c in CASES])
def test_compiled_engine(case: Case) -> None:
    manifest, data, shapes = _inputs(case)
    report = _engine_report(data, shapes)
    expected = manifest.value(case.entry, MF.result)
    assert check_sht_result(report, manifest, expected, log=logging.getLogger("shacl-suite")), case.id


def test_the_lists_name_cases_of_the_suite() -> None:
    ids = {c.id for c in CASES}
    assert len(ids) == len(CASES) == 98
    assert set(UNSUPPORTED) <= ids and set(WRONG) <= ids and set(PYSHACL_WRONG) <= ids
    assert not set(UNSUPPORTED) & set(WRONG)


PYSHACL_WRONG = {
    "property/uniqueLang-002": 'pyshacl takes sh:uniqueLang "1"^^xsd:boolean for true (the parameter is true only)',
}


def _reference_marks(case: Case) -> list[pytest.MarkDecorator]:
    reason = PYSHACL_WRONG.get(case.id)
    return [pytest.mark.xfail(raises=AssertionError, strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=_reference_marks(c)) for c in CASES])
def test_pyshacl_reference(case: Case) -> None:
    from pyshacl import validate

    manifest, data, shapes = _inputs(case)
    with _as_written():
        _, report, _ = validate(data, shacl_graph=shapes, inference="none", meta_shacl=False)
    expected = manifest.value(case.entry, MF.result)
    assert check_sht_result(report, manifest, expected, log=logging.getLogger("shacl-suite")), case.id
