"""What a build has compiled before it writes anything (`Compiled`), the description it publishes with it
(`describe`) and the release's own record, release.json (`release_info`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from b40graph.core import ntriples as nt
from b40graph.core.errors import Problem, UsageError
from b40graph.core.iris import Minter
from b40graph.core.settings import CONFIG_FILE, Settings
from b40graph.core.site import Site
from b40graph.model.nodes import Assembly
from b40graph.publish.description import resolve_site
from b40graph.publish.dumps import add_description
from b40graph.publish.pieces import RunStats, Union
from b40graph.publish.state import BuildState, fingerprint


@dataclass
class Compiled:
    settings: Settings
    assembly: Assembly
    graphs: nt.NamedGraphs
    report: Graph
    conforms: bool
    problems: list[Problem] = field(default_factory=list)
    version: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)  # dct:issued of every declaration
    digests: dict[str, str] = field(default_factory=dict)  # graph_digests of `graphs`
    union: Union | None = None  # the union of `graphs` cut into runs
    run_stats: dict[str, RunStats] = field(default_factory=dict)  # counts per run of the union
    state: BuildState | None = None  # what this build started from and leaves
    validation: str = "the whole graph"  # what SHACL validation covered
    validated: dict[str, object] = field(default_factory=dict)  # the validation state of this build
    warnings: list[Problem] = field(default_factory=list)  # not fatal: near-duplicate person names
    site: Site = field(default_factory=Site)  # the site configuration as published (set by describe)


def _site(compiled: Compiled, mint: Minter) -> Site:
    """settings.site completed from the reference graph (see `resolve_site`); a publisher under the base
    must be described there."""
    triples = [tuple(map(nt.to_rdflib, nt.split(t))) for t in compiled.graphs.get(mint.graph("reference"), [])]
    site = resolve_site(compiled.settings.site, mint, compiled.assembly.networks, triples)
    inside = site.publisher.startswith(mint.base)
    if compiled.settings.site.publisher and inside and URIRef(site.publisher) not in {t[0] for t in triples}:
        raise UsageError(
            f"{compiled.settings.root / CONFIG_FILE}: publisher <{site.publisher}> is not described in the data; "
            'name a network or municipality of data/ (e.g. publisher = "id/network/SLUG") or leave it out'
        )
    return site


def describe(compiled: Compiled) -> None:
    """Add graph/description (publish.dumps.add_description), counts of the runs known before reused."""
    mint, asm, state = Minter(compiled.settings.base), compiled.assembly, compiled.state
    examples = [mint.declaration(i) for i in sorted(asm.parsed)] + [mint.network(n) for n in asm.networks]
    known = state.previous.old.run_stats if state is not None and state.previous is not None else {}
    last = compiled.issued[-1] if compiled.issued else ""
    site = compiled.site = _site(compiled, mint)
    described = add_description(compiled.graphs, compiled.digests, mint, asm.graph_sources, examples, last, site, known)
    compiled.version, compiled.union, compiled.run_stats = described.version, described.union, described.run_stats


def release_info(compiled: Compiled) -> dict[str, object]:
    """What release.json records of a release: its version, base, site, graphs and their sizes, the fingerprint
    of its inputs and the files each graph was made from."""
    settings = compiled.settings
    root = settings.root
    return {
        "version": compiled.version,
        "base": settings.base,
        "site": compiled.site.to_json(),  # what the pages say of the dataset: a served release carries it
        "graphs": {str(k): len(v) for k, v in sorted(compiled.graphs.items())},
        "quads": sum(map(len, compiled.graphs.values())),
        "inputs": fingerprint(settings),
        "sources": {
            str(name): [p.relative_to(root).as_posix() if p.is_relative_to(root) else p.as_posix() for p in paths]
            for name, paths in sorted(compiled.assembly.graph_sources.items())
        },
    }
