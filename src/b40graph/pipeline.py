"""The build: sources -> model -> reason -> validate -> publish -> store, each stage one call.

Every stage takes and gives the named graphs in one form, `core.ntriples.NamedGraphs` (graph IRI -> sorted
N-Triples lines). `Settings.engine` picks the engine inside the reason and validate stages: "fast" (compiled
rules and shapes) or "plain" (owlrl and pyshacl over rdflib graphs, the reference). What a build reuses
from the one before (ingest cache, graph state, dump pieces, validation state) belongs to one
`publish.state.BuildState`, keyed by one fingerprint. `timings` (stage -> seconds) is filled in for the
benchmarks. What the build has before it writes is a `publish.compiled.Compiled`.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from functools import partial

from b40graph.core import ntriples as nt
from b40graph.core.errors import DataError, Problem, UsageError
from b40graph.core.iris import Minter
from b40graph.core.settings import Settings
from b40graph.core.vocab import PREFIXES
from b40graph.model.cached import read_model
from b40graph.publish.compiled import Compiled, describe, release_info
from b40graph.publish.dumps import graph_digests, write_lines
from b40graph.publish.release import Release, publish, staging
from b40graph.publish.state import BuildState, fingerprint, is_current, validation_inputs
from b40graph.reason.closure import closure
from b40graph.reason.ontology import parse_turtle, reasoning_ontology
from b40graph.search import index as search
from b40graph.shacl.incremental import rebuild_plan
from b40graph.shacl.validate import problems_from_report, validate_dataset
from b40graph.shacl.view import validation_view
from b40graph.sources.names import near_duplicates, persons_from_lines, spellings
from b40graph.sources.reference import load_reference
from b40graph.store import tables

Progress = Callable[[str], None]
log = logging.getLogger(__name__)
ENGINES = ("fast", "plain")


def _quiet(_: str) -> None:
    pass


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


def compile_dataset(settings: Settings, progress: Progress = _quiet) -> Compiled:
    """Everything but writing: the named graphs, the SHACL report and the problems found."""
    if settings.engine not in ENGINES:
        raise UsageError(f"unknown build engine '{settings.engine}' (use fast or plain)")
    clock, mint, state = _Clock({}), Minter(settings.base), BuildState(settings)
    progress("reading sources and reference data")
    ref = load_reference(settings.data_dir, settings.base)
    ontology = parse_turtle(settings.ontology_file, "ontology")
    shapes = parse_turtle(settings.shapes_file, "SHACL shapes")
    if not settings.declarations_dir.is_dir():
        raise UsageError(
            f"{settings.declarations_dir}: no declarations folder (run from the project root or pass --root)"
        )
    model = read_model(settings, ref, state.pieces, state.key)  # model
    progress(f"assembled {len(model.assembly.parsed)} declarations")
    graphs = dict(model.graphs)
    asserted = {t for lines in graphs.values() for t in map(nt.split, lines)}
    clock.lap("ingest")
    progress(f"reasoning (OWL 2 RL, {settings.engine} engine) over {len(asserted)} asserted triples")
    reasoning = reasoning_ontology(settings, ontology)
    reasoning_lines = nt.graph_lines(reasoning)
    inferred = closure(reasoning, reasoning_lines, list(asserted), settings.base, settings.engine)  # reason
    graphs[mint.graph("ontology")] = nt.graph_lines(ontology)
    graphs[mint.graph("inferred")] = nt.lines(inferred)
    clock.lap("reason")
    digests = graph_digests(graphs)
    validated = validation_inputs(settings.shapes_file, reasoning_lines)
    before = state.revalidation_base(validated)  # the release before, if validated alike
    rebuild = (
        None
        if before is None
        else partial(rebuild_plan, before=before, graphs=graphs, digests=digests, base=settings.base)
    )
    progress(f"validating with SHACL ({settings.engine} engine)")
    result = validate_dataset(asserted, inferred, reasoning_lines, shapes, settings.engine, rebuild)
    del asserted
    problems = problems_from_report(result.report, model.assembly.origins, settings.base)
    clock.lap("validate")
    compiled = Compiled(settings, model.assembly, graphs, result.report, result.conforms and not problems, problems)
    compiled.timings, compiled.issued, compiled.digests, compiled.state = clock.timings, model.issued, digests, state
    compiled.validation, compiled.validated = result.covered, {**validated, "results": result.results}
    origins = {str(k): v for k, v in model.assembly.origins.items()}
    people = persons_from_lines(model.declarations, origins)
    compiled.warnings = spellings(people) + near_duplicates(people)
    for warning in compiled.warnings:
        log.warning("warning: %s", warning)
    return compiled


def build(settings: Settings, progress: Progress = _quiet, timings: dict[str, float] | None = None) -> Release:
    compiled = compile_dataset(settings, progress)
    if timings is not None:
        timings.update(compiled.timings)
    if not compiled.conforms:
        raise DataError(compiled.problems or [Problem("the data does not conform to the SHACL shapes")])
    clock = _Clock(compiled.timings)
    describe(compiled)  # publish
    state, graphs = compiled.state, compiled.graphs
    assert state is not None
    progress("writing dumps and the store")
    staged = staging(settings.out_dir)
    try:
        stem = compiled.site.dump_stem
        written = write_lines(
            graphs, staged, staged / "store", state.previous, compiled.digests, compiled.union, stem=stem
        )
        state.save(staged, graphs, compiled.digests, written, compiled.run_stats, compiled.validated)
        compiled.report.serialize(staged / "shacl-report.ttl", format="turtle")
        clock.lap("write")
        progress("writing the search index")
        search.write_release_index(staged, settings.base)  # staged/search.sqlite, published with the release
        tables.write_tables(staged)  # staged/members.csv, signatures.csv, commitments.csv
        clock.lap("index")
        info = json.dumps(release_info(compiled), indent=2, sort_keys=True)
        (staged / "release.json").write_text(info + "\n", "utf-8")
        release = publish(settings.out_dir, staged, compiled.version)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    clock.lap("write")
    if timings is not None:
        timings.update(compiled.timings)
    progress(f"published release {release.version} ({sum(map(len, graphs.values()))} quads)")
    return release


__all__ = [
    "PREFIXES",
    "Compiled",
    "build",
    "compile_dataset",
    "fingerprint",
    "is_current",
    "validation_view",
]
