"""The build pipeline: read -> assemble -> reason -> validate -> describe -> write (atomically)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import PROV

from .assemble import Assembly, assemble
from .describe import describe
from .dumps import sorted_quads, write_dumps, write_store
from .errors import DataError, Problem, UsageError
from .mint import Minter
from .rdfio import canonical
from .reason import infer
from .reference import load_reference
from .release import Release, current, publish, staging
from .settings import Settings
from .sources import SourceFile, read_source
from .validate import problems_from_report, shacl
from .vocab import PREFIXES

Progress = Callable[[str], None]
TITLE = "B40 Balkan Cities Network declarations"


def _quiet(_: str) -> None:
    pass


@dataclass
class Compiled:
    settings: Settings
    assembly: Assembly
    graphs: dict[URIRef, Graph]
    report: Graph
    conforms: bool
    problems: list[Problem] = field(default_factory=list)
    version: str = ""


def _parse_turtle(path: Path, what: str) -> Graph:
    if not path.is_file():
        raise UsageError(f"{path}: the {what} file is missing")
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as err:  # noqa: BLE001 - rdflib parsers raise many types
        raise DataError(Problem(f"the {what} does not parse: {err}", path)) from None
    return canonical(graph)  # blank nodes (RDF lists of property chains) get stable labels


def read_sources(settings: Settings) -> list[SourceFile]:
    folder = settings.declarations_dir
    if not folder.is_dir():
        raise UsageError(f"{folder}: no declarations folder (run from the project root or pass --root)")
    problems: list[Problem] = []
    sources = []
    for path in sorted(folder.glob("*.md")) + sorted(folder.glob("*.txt")):
        try:
            sources.append(read_source(path, settings.max_source_bytes))
        except DataError as err:
            problems.extend(err.problems)
    if problems:
        raise DataError(problems)
    return sources


def compile_dataset(settings: Settings, progress: Progress = _quiet) -> Compiled:
    """Everything but writing: the named graphs, the SHACL report and the problems found."""
    mint = Minter(settings.base)
    progress("reading sources and reference data")
    ref = load_reference(settings.data_dir, settings.base)
    sources = read_sources(settings)
    ontology = _parse_turtle(settings.ontology_file, "ontology")
    shapes = _parse_turtle(settings.shapes_file, "SHACL shapes")
    progress(f"assembling {len(sources)} declarations")
    asm = assemble(sources, ref, mint, settings.root)
    asserted = Graph()
    for graph in asm.graphs.values():
        for triple in graph:
            asserted.add(triple)
    progress(f"reasoning (OWL 2 RL) over {len(asserted)} asserted triples")
    inferred = infer(ontology, asserted, settings.base)
    graphs = dict(asm.graphs)
    graphs[mint.graph("ontology")] = ontology
    graphs[mint.graph("inferred")] = inferred
    progress(f"validating with SHACL ({len(inferred)} inferred triples)")
    data = asserted + inferred
    conforms, report = shacl(data, shapes)
    problems = problems_from_report(report, asm.origins, settings.base)
    return Compiled(settings, asm, graphs, report, conforms and not problems, problems)


def _describe(compiled: Compiled) -> None:
    mint = Minter(compiled.settings.base)
    asm = compiled.assembly
    version = hashlib.sha256("\n".join(str(q) for q in sorted_quads(compiled.graphs)).encode()).hexdigest()[:16]
    sources = sorted({mint.source(p.stem) for paths in asm.graph_sources.values() for p in paths})
    dates = sorted(str(o) for g in asm.graphs.values() for o in g.objects(None, DCT.issued))
    examples = [mint.declaration(i) for i in sorted(asm.parsed)] + [mint.network(n) for n in asm.networks]
    desc = describe(compiled.graphs, mint, version, dates[-1] if dates else "", sources, TITLE, examples)
    for name, paths in asm.graph_sources.items():
        for path in paths:
            desc.add((name, PROV.wasDerivedFrom, mint.source(path.stem)))
    compiled.graphs[mint.graph("description")] = desc
    compiled.version = version


def fingerprint(settings: Settings) -> str:
    """A hash of every input (data, ontology, shapes, base IRI, code version): equal means nothing to rebuild."""
    from . import __version__

    digest = hashlib.sha256(f"{__version__}\n{settings.base}\n".encode())
    files = [settings.ontology_file, settings.shapes_file, *sorted(settings.data_dir.rglob("*"))]
    for path in files:
        if path.is_file():
            digest.update(_rel(path, settings.root).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_current(settings: Settings) -> bool:
    release = current(settings.out_dir)
    return release is not None and release.info.get("inputs") == fingerprint(settings)


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def build(settings: Settings, progress: Progress = _quiet) -> Release:
    compiled = compile_dataset(settings, progress)
    if not compiled.conforms:
        raise DataError(compiled.problems or [Problem("the data does not conform to the SHACL shapes")])
    _describe(compiled)
    progress("writing dumps and the store")
    staged = staging(settings.out_dir)
    try:
        quads = sorted_quads(compiled.graphs)
        write_dumps(quads, staged)
        compiled.report.serialize(staged / "shacl-report.ttl", format="turtle")
        write_store(quads, staged / "store")
        info = {
            "version": compiled.version,
            "base": settings.base,
            "graphs": {str(k): len(v) for k, v in sorted(compiled.graphs.items())},
            "quads": len(quads),
            "inputs": fingerprint(settings),
            "sources": {
                str(name): [_rel(p, settings.root) for p in paths]
                for name, paths in sorted(compiled.assembly.graph_sources.items())
            },
        }
        (staged / "release.json").write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        release = publish(settings.out_dir, staged, compiled.version)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    progress(f"published release {release.version} ({len(quads)} quads)")
    return release


__all__ = ["PREFIXES", "Compiled", "build", "compile_dataset"]
