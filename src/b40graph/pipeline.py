"""The build pipeline: read -> assemble -> reason -> validate -> describe -> write (atomically).

Two engines produce the same dataset (tests/test_scale.py and tests/test_reasoning.py compare them):

- "fast" (default): sources are assembled per file, in two processes and cached by content
  (ingest.py); the graphs travel as sorted N-Triples lines; OWL 2 RL runs as compiled rules
  (rules.py), SHACL as compiled shapes (shaclcore.py); dumps are text joins and pyoxigraph.
- "plain": rdflib graphs, owlrl and pyshacl over the whole graph, as the design first named them; the
  reference for tests and the baseline of benchmarks/bench_build.py.

`timings` (stage -> seconds) is filled in for the benchmarks.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import PROV, RDF, RDFS

from b40graph.core import ntriples as nt
from b40graph.core.errors import DataError, Problem, UsageError
from b40graph.core.iris import Minter
from b40graph.core.rdfio import canonical
from b40graph.core.settings import CONFIG_FILE, Settings
from b40graph.core.site import Site
from b40graph.core.vocab import PREFIXES, SH
from b40graph.model.assemble import Assembly, assemble
from b40graph.model.cached import merged_origins, read_pieces
from b40graph.publish.description import describe, describe_stats, resolve_site
from b40graph.publish.dumps import (
    Previous,
    graph_digests,
    load_state,
    save_state,
    sorted_quads,
    version_of,
    write_dumps,
    write_lines,
    write_store,
)
from b40graph.publish.pieces import RunStats, Union, union_of, union_stats, with_lines
from b40graph.publish.release import Release, current, publish, staging
from b40graph.reason.closure import infer, infer_fast
from b40graph.search import index as search
from b40graph.shacl import incremental as revalidate
from b40graph.shacl.validate import compiled_shapes, problems_from_report, shacl, shacl_fast
from b40graph.sources.files import SourceFile, declaration_paths, read_source
from b40graph.sources.names import near_duplicates, persons_from_lines
from b40graph.sources.reference import load_reference
from b40graph.store import tables

Progress = Callable[[str], None]
log = logging.getLogger(__name__)


def _quiet(_: str) -> None:
    pass


@dataclass
class Compiled:
    settings: Settings
    assembly: Assembly
    graphs: Mapping[URIRef, Graph] | Mapping[URIRef, list[str]]  # rdflib graphs (plain) or N-Triples lines (fast)
    report: Graph
    conforms: bool
    problems: list[Problem] = field(default_factory=list)
    version: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)  # dct:issued of every declaration (fast path)
    digests: dict[str, str] = field(default_factory=dict)  # graph_digests of `graphs` (fast path)
    union: Union | None = None  # the union of `graphs` cut into runs (fast path)
    run_stats: dict[str, RunStats] = field(default_factory=dict)  # counts per run of the union (fast path)
    previous: Previous | None = None  # the release before, when a rebuild can start from it (fast path)
    validation: str = "the whole graph"  # what SHACL validation covered
    checked: dict[str, object] = field(default_factory=dict)  # revalidate.state of this build (fast path)
    warnings: list[Problem] = field(default_factory=list)  # not fatal: near-duplicate person names
    site: Site = field(default_factory=Site)  # the site configuration as published (set by _describe)


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


def _parse_turtle(path: Path, what: str) -> Graph:
    if not path.is_file():
        raise UsageError(f"{path}: the {what} file is missing")
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as err:  # noqa: BLE001 - rdflib parsers raise many types
        raise DataError(Problem(f"the {what} does not parse: {err}", path)) from None
    return canonical(graph)  # blank nodes (RDF lists of property chains) get stable labels


def reasoning_ontology(settings: Settings, ontology: Graph) -> Graph:
    """The ontology and the other vocabularies' axioms restated for reasoning (ontology/alignment.ttl): what
    the reasoner reads. Only the ontology is published (graph/ontology)."""
    combined = Graph()
    for source in (ontology, _parse_turtle(settings.alignment_file, "alignment")):
        for triple in source:
            combined.add(triple)
    return combined


def _shape_paths(shapes: Graph) -> set[str]:
    """Every predicate a shape's path reads (single predicates and the members of inverse/sequence paths)."""
    out: set[str] = set()
    todo = list(shapes.objects(None, SH.path))
    while todo:
        node = todo.pop()
        if isinstance(node, URIRef):
            out.add(nt.iri(str(node)))
        else:
            todo += [o for p, o in shapes.predicate_objects(node) if p != RDF.type]  # type: ignore[arg-type]
    return out


_TYPE_STR = nt.iri(str(RDF.type))
_SUBCLASS_STR = nt.iri(str(RDFS.subClassOf))


def validation_view(
    asserted: set[tuple[str, str, str]], inferred: list[tuple[str, str, str]], ontology_lines: list[str], shapes: Graph
) -> set[tuple[str, str, str]]:
    """What SHACL validates: the asserted triples, the class hierarchy (rdfs:subClassOf) and, of the inferred
    triples, only those of a path predicate the shapes read, never a derived rdf:type. A type derived from a
    domain, range or inverse axiom would "repair" a wrong value before the shapes see it."""
    paths = _shape_paths(shapes) - {_TYPE_STR}
    view = set(asserted)
    view.update(t for t in inferred if t[1] in paths)
    view.update(t for t in map(nt.split, ontology_lines) if t[1] == _SUBCLASS_STR and nt.is_iri(t[0]))
    return view


def read_sources(settings: Settings) -> list[SourceFile]:
    folder = settings.declarations_dir
    if not folder.is_dir():
        raise UsageError(f"{folder}: no declarations folder (run from the project root or pass --root)")
    problems: list[Problem] = []
    sources = []
    for path in declaration_paths(folder):
        try:
            sources.append(read_source(path, settings.max_source_bytes))
        except DataError as err:
            problems.extend(err.problems)
    if problems:
        raise DataError(problems)
    return sources


def compile_dataset(settings: Settings, progress: Progress = _quiet) -> Compiled:
    """Everything but writing: the named graphs, the SHACL report and the problems found."""
    if settings.engine == "plain":
        compiled = _compile_plain(settings, progress)
    elif settings.engine == "fast":
        compiled = _compile_fast(settings, progress)
    else:
        raise UsageError(f"unknown build engine '{settings.engine}' (use fast or plain)")
    for warning in compiled.warnings:
        log.warning("warning: %s", warning)
    return compiled


def _compile_fast(settings: Settings, progress: Progress) -> Compiled:
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    mint = Minter(settings.base)
    progress("reading sources and reference data")
    ref = load_reference(settings.data_dir, settings.base)
    ontology = _parse_turtle(settings.ontology_file, "ontology")
    shapes = _parse_turtle(settings.shapes_file, "SHACL shapes")
    if not settings.declarations_dir.is_dir():
        raise UsageError(
            f"{settings.declarations_dir}: no declarations folder (run from the project root or pass --root)"
        )
    reference, pieces = read_pieces(settings, ref, settings.build_workers)
    progress(f"assembled {sum(1 for p in pieces if p.ident)} declarations")
    asm = Assembly(
        origins=merged_origins(reference, pieces),
        graph_sources={URIRef(p.name): p.sources for p in [reference, *pieces]},
        networks=reference.networks,
    )
    asm.parsed = {p.ident: None for p in pieces if p.ident}  # type: ignore[misc] # ids only: texts stay in the cache
    graphs: dict[URIRef, list[str]] = {URIRef(p.name): p.lines for p in [reference, *pieces]}
    asserted: set[tuple[str, str, str]] = set()
    for lines in graphs.values():
        asserted.update(map(nt.split, lines))
    clock.lap("ingest")
    progress(f"reasoning (OWL 2 RL, compiled rules) over {len(asserted)} asserted triples")
    reasoning = reasoning_ontology(settings, ontology)
    reasoning_lines = nt.graph_lines(reasoning)
    inferred = infer_fast(reasoning, reasoning_lines, list(asserted), settings.base)
    graphs[mint.graph("ontology")] = nt.graph_lines(ontology)
    graphs[mint.graph("inferred")] = nt.lines(inferred)
    clock.lap("reason")
    previous = _previous(settings)
    checked = revalidate.state(settings.shapes_file, reasoning_lines, 0)
    digests = graph_digests(graphs)  # kept for the description and the state file
    plan = (
        _revalidation(settings, shapes, previous, checked, digests, graphs, mint, reasoning_lines)
        if previous is not None
        else None
    )
    if plan is None:
        progress(f"validating with SHACL ({len(inferred)} inferred triples, compiled shapes)")
        conforms, report = shacl_fast(validation_view(asserted, inferred, reasoning_lines, shapes), shapes)
        validation = "the whole graph"
    else:
        progress(f"validating with SHACL the {len(plan.focus)} nodes the change can reach")
        conforms, report = revalidate.validate(plan, compiled_shapes(shapes))  # type: ignore[arg-type]
        validation = f"{len(plan.focus)} nodes reached by the change ({len(plan.data)} triples)"
    del asserted
    problems = problems_from_report(report, asm.origins, settings.base)
    clock.lap("validate")
    issued = sorted(d for p in pieces for d in p.issued)
    compiled = Compiled(settings, asm, graphs, report, conforms and not problems, problems, timings=timings)
    origins = {str(k): v for k, v in asm.origins.items()}
    compiled.warnings = near_duplicates(persons_from_lines((p.lines for p in pieces), origins))
    compiled.issued, compiled.previous, compiled.validation = issued, previous, validation
    compiled.digests = digests
    compiled.checked = {**checked, "results": len(set(report.subjects(RDF.type, SH.ValidationResult)))}
    return compiled


def _revalidation(
    settings: Settings,
    shapes: Graph,
    previous: Previous,
    checked: dict[str, object],
    digests: dict[str, str],
    graphs: Mapping[URIRef, list[str]],
    mint: Minter,
    reasoning_lines: list[str],
) -> revalidate.Plan | None:
    """The plan of a rebuild's validation, or None to validate the whole graph (see revalidate.py)."""
    from b40graph.shacl import engine as shaclcore

    release = previous.store.parent
    ontology, description = mint.graph("ontology"), mint.graph("description")
    if not revalidate.same_inputs(release, checked):
        return None
    digests = dict(digests)
    if previous.digests.get(str(ontology)) != digests.pop(str(ontology)):
        return None
    new = {str(k): v for k, v in graphs.items() if k != ontology}
    unchanged = {name for name, digest in digests.items() if previous.digests.get(name) == digest}
    before = {
        name: previous.lines.get(name)
        for name in previous.digests
        if name not in unchanged and name not in (str(ontology), str(description))
    }
    # The inferred graph is validated through validation_view (no derived types), the class hierarchy with it.
    inferred = str(mint.graph("inferred"))
    old_inferred = previous.lines.get(inferred)
    if old_inferred is None:
        import pyoxigraph as ox

        store = ox.Store.read_only(str(previous.store))
        quads = store.quads_for_pattern(None, None, None, ox.NamedNode(inferred))
        old_inferred = [f"{q.subject} {q.predicate} {q.object} ." for q in quads]
        del store
    hierarchy = nt.lines(validation_view(set(), [], reasoning_lines, shapes))
    unchanged.discard(inferred)
    before[inferred] = nt.lines(validation_view(set(), list(map(nt.split, old_inferred)), [], shapes))
    new[inferred] = nt.lines(validation_view(set(), list(map(nt.split, new.get(inferred, []))), [], shapes))
    before[_HIERARCHY] = new[_HIERARCHY] = hierarchy
    try:
        return revalidate.plan(compiled_shapes(shapes), previous.store, before, new, unchanged)  # type: ignore[arg-type]
    except shaclcore.Unsupported:
        return None


_HIERARCHY = "urn:b40graph:validated-class-hierarchy"  # a graph of revalidation's data only


def _compile_plain(settings: Settings, progress: Progress) -> Compiled:
    timings: dict[str, float] = {}
    clock = _Clock(timings)
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
    clock.lap("ingest")
    progress(f"reasoning (OWL 2 RL) over {len(asserted)} asserted triples")
    reasoning = reasoning_ontology(settings, ontology)
    inferred = infer(reasoning, asserted, settings.base)
    graphs = dict(asm.graphs)
    graphs[mint.graph("ontology")] = ontology
    graphs[mint.graph("inferred")] = inferred
    clock.lap("reason")
    progress(f"validating with SHACL ({len(inferred)} inferred triples)")
    data = Graph()
    for s, p, o in validation_view(
        set(map(nt.split, nt.graph_lines(asserted))),
        list(map(nt.split, nt.graph_lines(inferred))),
        nt.graph_lines(reasoning),
        shapes,
    ):
        data.add((nt.to_rdflib(s), nt.to_rdflib(p), nt.to_rdflib(o)))  # type: ignore[arg-type]
    conforms, report = shacl(data, shapes)
    problems = problems_from_report(report, asm.origins, settings.base)
    clock.lap("validate")
    compiled = Compiled(settings, asm, graphs, report, conforms and not problems, problems, timings=timings)
    declarations = (nt.graph_lines(g) for name, g in asm.graphs.items() if name != mint.graph("reference"))
    origins = {str(k): v for k, v in asm.origins.items()}
    compiled.warnings = near_duplicates(persons_from_lines(declarations, origins))
    return compiled


def _site(compiled: Compiled, mint: Minter) -> Site:
    """settings.site completed from the reference graph (see `resolve_site`); a publisher under the base
    must be described there."""
    reference = compiled.graphs.get(mint.graph("reference"), [])
    triples = [
        tuple(map(nt.to_rdflib, nt.split(t))) if isinstance(t, str) else t
        for t in reference  # type: ignore[union-attr]
    ]
    site = resolve_site(compiled.settings.site, mint, compiled.assembly.networks, triples)
    inside = site.publisher.startswith(mint.base)
    if compiled.settings.site.publisher and inside and URIRef(site.publisher) not in {t[0] for t in triples}:
        raise UsageError(
            f"{compiled.settings.root / CONFIG_FILE}: publisher <{site.publisher}> is not described in the data; "
            'name a network or municipality of data/ (e.g. publisher = "id/network/SLUG") or leave it out'
        )
    return site


def _version(digests: Mapping[str, str], site: Site) -> str:
    """The release's version: its graphs and what the description says of the site (a changed title or
    licence is a new release, not the old folder kept as identical)."""
    said = hashlib.sha256(json.dumps(site.to_json(), sort_keys=True).encode()).hexdigest()
    return version_of({**digests, " site": said})


def _describe(compiled: Compiled, previous: Previous | None = None) -> None:
    """Add graph/description; on the fast path its statistics are summed over the runs of the union, those
    the `previous` release counted taken from its state."""
    mint = Minter(compiled.settings.base)
    asm = compiled.assembly
    sources = sorted({mint.source(p.stem) for paths in asm.graph_sources.values() for p in paths})
    examples = [mint.declaration(i) for i in sorted(asm.parsed)] + [mint.network(n) for n in asm.networks]
    site = compiled.site = _site(compiled, mint)
    if compiled.settings.engine == "plain":
        graphs: dict = dict(compiled.graphs)
        version = _version(graph_digests({name: nt.graph_lines(g) for name, g in graphs.items()}), site)  # as fast
        dates = sorted(str(o) for g in asm.graphs.values() for o in g.objects(None, DCT.issued))
        desc = describe(graphs, mint, version, dates[-1] if dates else "", sources, site, examples)
    else:
        lines: dict = dict(compiled.graphs)
        digests = dict(compiled.digests) or graph_digests(lines)
        version = _version(digests, site)
        dates = compiled.issued
        union = union_of(lines)
        known = previous.old.run_stats if previous is not None else {}
        stats, compiled.run_stats = union_stats(union, {n: len(v) for n, v in lines.items()}, known)
        desc = describe_stats(stats, mint, version, dates[-1] if dates else "", sources, site, examples)
    for name, paths in asm.graph_sources.items():
        for path in paths:
            desc.add((name, PROV.wasDerivedFrom, mint.source(path.stem)))
    if compiled.settings.engine == "plain":
        graphs[mint.graph("description")] = desc
    else:
        name = mint.graph("description")
        lines[name] = nt.graph_lines(desc)
        digests.update(graph_digests({name: lines[name]}))
        compiled.digests = digests
        compiled.union = with_lines(union, lines[name])
        graphs = lines
    compiled.graphs = graphs
    compiled.version = version


def fingerprint(settings: Settings) -> str:
    """A hash of every input (data, ontology, shapes, base IRI) and of the whole package's code
    (b40graph.code_version): equal means nothing to rebuild."""
    from b40graph.core.version import code_version

    site = json.dumps(settings.site.to_json(), sort_keys=True)
    digest = hashlib.sha256(f"{code_version()}\n{settings.base}\n{site}\n".encode())
    files = [settings.ontology_file, settings.alignment_file, settings.shapes_file]
    files += sorted(settings.data_dir.rglob("*"))
    for path in files:
        if path.is_file():
            digest.update(_rel(path, settings.root).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_current(settings: Settings) -> bool:
    release = current(settings.out_dir)
    return release is not None and release.info.get("inputs") == fingerprint(settings)


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def _previous(settings: Settings) -> Previous | None:
    """The current release's store and graph hashes, to update rather than reload (not without the cache)."""
    if not settings.cache:
        return None
    release = current(settings.out_dir)
    if release is None or release.info.get("base") != settings.base:
        return None
    return load_state(release.path)


def build(settings: Settings, progress: Progress = _quiet, timings: dict[str, float] | None = None) -> Release:
    compiled = compile_dataset(settings, progress)
    if timings is not None:
        timings.update(compiled.timings)
    if not compiled.conforms:
        raise DataError(compiled.problems or [Problem("the data does not conform to the SHACL shapes")])
    clock = _Clock(compiled.timings)
    previous = compiled.previous  # read once, by the fast compile
    _describe(compiled, previous)
    progress("writing dumps and the store")
    staged = staging(settings.out_dir)
    try:
        if settings.engine == "plain":
            quads = sorted_quads(compiled.graphs)  # type: ignore[arg-type]
            write_dumps(quads, staged, stem=compiled.site.dump_stem)
            write_store(quads, staged / "store")
            count = len(quads)
        else:
            lines: dict = dict(compiled.graphs)
            digests = compiled.digests
            stem = compiled.site.dump_stem
            written = write_lines(lines, staged, staged / "store", previous, digests, compiled.union, stem=stem)
            save_state(lines, digests, staged, written, compiled.run_stats)
            revalidate.save_state(staged, compiled.checked)
            count = sum(map(len, lines.values()))
        compiled.report.serialize(staged / "shacl-report.ttl", format="turtle")
        clock.lap("write")
        progress("writing the search index")
        search.write_release_index(staged, settings.base)  # staged/search.sqlite, published with the release
        tables.write_tables(staged)  # staged/members.csv, signatures.csv, commitments.csv
        clock.lap("index")
        info = {
            "version": compiled.version,
            "base": settings.base,
            "site": compiled.site.to_json(),  # what the pages say of the dataset: a served release carries it
            "graphs": {str(k): len(v) for k, v in sorted(compiled.graphs.items())},  # type: ignore[arg-type]
            "quads": count,
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
    clock.lap("write")
    if timings is not None:
        timings.update(compiled.timings)
    progress(f"published release {release.version} ({count} quads)")
    return release


__all__ = ["PREFIXES", "Compiled", "build", "compile_dataset"]
