"""Deterministic serialisations of the dataset: same quads in, byte-identical files out.

Quads are sorted before writing and no blank nodes are minted, so neither set iteration order nor
blank-node labels can change the bytes.

Every build hands over each named graph as sorted N-Triples lines (`write_lines`; the servers'
`write_dumps` turn their quads into such lines first). The five dumps and their .gz are
made of pieces, one per run of subjects (pieces.py, compress.py), so that a rebuild copies from the
previous release's files the pieces whose run did not change. The store is a bulk load (or, on a
rebuild, a checkpoint of the previous release's store with only the changed graphs replaced:
`Previous`, `_update_store`; what a build reuses is kept by `publish.state.BuildState`).

The store holds, besides the named graphs, their merge as its real default graph: each distinct triple
once, so that queries over the default graph see a set (SPARQL 1.1), which pyoxigraph 0.5's union of
the named graphs is not (a triple stated in two graphs would come back twice). The dump files hold the
named graphs only.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import PROV

from b40graph.core import jsonld
from b40graph.core import ntriples as nt
from b40graph.core.formats import JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE
from b40graph.core.iris import Minter
from b40graph.core.ntriples import NamedGraphs
from b40graph.core.site import DEFAULT_DUMP, Site
from b40graph.core.vocab import PREFIXES
from b40graph.publish.compress import gzip_pieces
from b40graph.publish.description import describe_stats, dump_file
from b40graph.publish.pieces import (
    Old,
    RunStats,
    Union,
    Written,
    jsonld_jobs,
    union_of,
    union_stats,
    with_lines,
    write_jsonld,
    write_quads,
    write_union,
)


@dataclass
class Described:
    """graph/description added to the graphs: the dataset's version, the union with it, its counts per run."""

    version: str
    union: Union
    run_stats: dict[str, RunStats]


def add_description(
    graphs: NamedGraphs,
    digests: dict[str, str],
    mint: Minter,
    graph_sources: Mapping[URIRef, list[Path]],
    examples: list[URIRef],
    modified: str,
    site: Site,
    known: Mapping[str, RunStats],
) -> Described:
    """Add graph/description to `graphs` (and its hash to `digests`). The version is a hash of the other
    graphs; the statistics are sums over the runs of the union, those counted before (`known`, by run key)
    taken as they are."""
    sources = sorted({mint.source(p.stem) for paths in graph_sources.values() for p in paths})
    # The version: the graphs and what the description says of the site (a changed title or licence is a new
    # release, not the old folder kept as identical).
    said = hashlib.sha256(json.dumps(site.to_json(), sort_keys=True).encode()).hexdigest()
    version = version_of({**digests, " site": said})
    union = union_of(graphs)
    stats, run_stats = union_stats(union, {n: len(v) for n, v in graphs.items()}, known)
    desc = describe_stats(stats, mint, version, modified, sources, site, examples)
    for name, paths in graph_sources.items():
        for path in paths:
            desc.add((name, PROV.wasDerivedFrom, mint.source(path.stem)))
    name = mint.graph("description")
    graphs[name] = nt.graph_lines(desc)
    digests.update(graph_digests({name: graphs[name]}))
    return Described(version, with_lines(union, graphs[name]), run_stats)


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    seen = {q.triple for q in quads}
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _lines_of(quads: Iterable[ox.Quad]) -> dict[URIRef, list[str]]:
    graphs: dict[URIRef, set[str]] = {}
    for q in quads:
        graphs.setdefault(URIRef(q.graph_name.value), set()).add(f"{q.subject} {q.predicate} {q.object} .")  # type: ignore[union-attr]
    return {name: sorted(lines) for name, lines in graphs.items()}


def write_dumps(quads: list[ox.Quad], out: Path, stem: str = DEFAULT_DUMP) -> list[Path]:
    """Every dump (`stem`.nq, ...) and its .gz from quads (the plain engine, a store's or a remote's dataset)."""
    if any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        return _write_whole(quads, out, stem)  # not a build's dataset: no pieces to keep
    write_lines(_lines_of(quads), out, child=False, stem=stem)
    names = [dump_file(fmt.extension, stem) for fmt in (TRIG, NQUADS, TURTLE, NTRIPLES, JSONLD)]
    return [out / n for n in names] + [out / (n + ".gz") for n in names]


def _write_whole(quads: list[ox.Quad], out: Path, stem: str) -> list[Path]:
    triples = union_triples(quads)
    written = []
    for fmt, data in ((TRIG, quads), (NQUADS, quads), (TURTLE, triples), (NTRIPLES, triples)):
        path = out / dump_file(fmt.extension, stem)
        assert fmt.ox_format is not None
        prefixes = PREFIXES if fmt in (TRIG, TURTLE) else None
        ox.serialize(data, str(path), fmt.ox_format, prefixes=prefixes)
        written.append(path)
    path = out / dump_file(JSONLD.extension, stem)
    with path.open("wb") as fh:
        jsonld.write(triples, PREFIXES, fh)
    written.append(path)
    for path in list(written):
        gzip_pieces(path, [path.read_bytes()])
        written.append(path.with_name(path.name + ".gz"))
    return written


def graph_digests(graphs: Mapping[URIRef, list[str]]) -> dict[str, str]:
    """A hash of each named graph's lines: equal hashes, equal graphs."""
    return {str(name): hashlib.sha256("\n".join(lines).encode()).hexdigest() for name, lines in graphs.items()}


def version_of(digests: Mapping[str, str]) -> str:
    """The dataset's version: a hash of its graphs' names and hashes (equal versions, equal quads)."""
    text = "".join(f"{name} {digests[name]}\n" for name in sorted(digests))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Previous:
    """The store of the release before, and what it holds: the base of an incremental store update."""

    store: Path
    digests: dict[str, str]  # graph IRI -> graph_digests() of what the store holds
    lines: dict[str, list[str]]  # the lines of the large graphs (diffed line by line rather than reloaded)
    old: Old = field(default_factory=Old)  # where its dumps hold each piece (pieces.py)


DIFF_FROM = 20_000  # graphs at least this large are kept as lines and updated by a line diff


def _quad_text(name: str, lines: Iterable[str]) -> bytes:
    suffix = f"<{name}> .\n"
    return "".join(line[:-1] + suffix for line in lines).encode()


def _update_store(
    previous: Previous, graphs: Mapping[URIRef, list[str]], digests: dict[str, str], directory: Path
) -> None:
    """The store as `_bulk_store` would load it, made from a checkpoint of the previous release's store
    (RocksDB hard-links its immutable files) by replacing only the graphs whose hash changed. The default
    graph (the merge) gains every triple a changed graph gained, and loses a triple a changed graph lost
    only when no named graph holds it any more."""
    source = ox.Store.read_only(str(previous.store))
    source.backup(str(directory))
    del source
    store = ox.Store(str(directory))
    added: list[bytes] = []
    removed: list[bytes] = []
    diffed: list[bytes] = []  # lines added to graphs updated by a line diff (no blank nodes)
    replaced: list[ox.NamedNode] = []  # graphs loaded whole: their triples are read back after the load
    lost: set[ox.Triple] = set()  # triples a changed graph no longer holds (perhaps another one does)
    by_name = {str(n): lines for n, lines in graphs.items()}
    for name in sorted(set(previous.digests) | set(by_name)):
        new = by_name.get(name)
        if new is not None and digests[name] == previous.digests.get(name):
            continue
        old = previous.lines.get(name)
        if old is not None and new and not any("_:" in line for line in (*old, *new)):
            # the store renames blank nodes as it loads them: graphs with any are replaced whole
            old_set, new_set = set(old), set(new)
            removed.append(_quad_text(name, sorted(old_set - new_set)))
            added.append(_quad_text(name, sorted(new_set - old_set)))
            diffed.append(added[-1])
            continue
        node = ox.NamedNode(name)
        if name in previous.digests:
            lost.update(q.triple for q in store.quads_for_pattern(None, None, None, node))
            store.remove_graph(node)
        if new:
            added.append(_quad_text(name, new))
            replaced.append(node)
    gone = b"".join(removed)
    if gone:
        for quad in ox.parse(gone, format=ox.RdfFormat.N_QUADS):
            store.remove(quad)
            lost.add(quad.triple)
    fresh = b"".join(added)
    if fresh:
        store.load(fresh, format=ox.RdfFormat.N_QUADS)
    default = ox.DefaultGraph()
    gained = {q.triple for q in ox.parse(b"".join(diffed), format=ox.RdfFormat.N_QUADS)}
    gained.update(q.triple for g in replaced for q in store.quads_for_pattern(None, None, None, g))
    for triple in lost - gained:
        held = store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        if not any(isinstance(q.graph_name, ox.NamedNode) for q in held):
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, default))
    store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in gained)
    store.flush()
    del store


def write_lines(
    graphs: Mapping[URIRef, list[str]],
    out: Path,
    store: Path | None = None,
    previous: Previous | None = None,
    digests: dict[str, str] | None = None,
    union: Union | None = None,
    child: bool = True,
    stem: str = DEFAULT_DUMP,
) -> Written:
    """Write every dump (and its .gz) and, if `store` is given, the Oxigraph store; returns where the
    pieces went (for `publish.state.BuildState.save`).

    The dumps are made of pieces (pieces.py); given the `previous` release, pieces it holds are copied
    from its files and the store is its checkpoint with only the changed graphs replaced (`digests`:
    those of `graphs`), instead of a bulk load. Both cores work: the store (Rust) and the deflate of the
    pieces (zlib) run on threads without the GIL, and JSON-LD, the one writer in Python, in a child process
    (in this one without `child`: the servers' `write_dumps`).
    """
    if digests is None:
        digests = graph_digests(graphs)
    if union is None:
        union = union_of(graphs)
    old = previous.old if previous is not None else Old()
    written = Written()
    context = multiprocessing.get_context("spawn")
    with ThreadPoolExecutor(1) as loader, ThreadPoolExecutor(2) as pool, ExitStack() as stack:
        jobs = []
        if store is not None and previous is not None:
            jobs.append(loader.submit(_update_store, previous, graphs, digests, store))
        elif store is not None:
            jobs.append(loader.submit(_bulk_store, graphs, store, union))
        name = dump_file(JSONLD.extension, stem)
        slim = Old(old.release, {k: v for k, v in old.places.items() if k == name}, old.sizes)
        args = (jsonld_jobs(union, old, stem), out, slim, stem)
        jsonld_job = stack.enter_context(context.Pool(1)).apply_async(write_jsonld, args) if child else None
        write_union(union, out, old, written, pool, stem)
        write_quads(graphs, digests, out, old, written, pool, stem)
        done = jsonld_job.get() if jsonld_job is not None else write_jsonld(*args)
        written.places.update(done.places)
        written.sizes.update(done.sizes)
        for job in jobs:
            job.result()
    return written


def _bulk_store(graphs: Mapping[URIRef, list[str]], directory: Path, union: Union) -> None:
    """One load of one document (blank-node labels are shared between the graphs and the default graph):
    the named graphs, then the distinct lines of all of them as the default graph."""
    store = ox.Store(str(directory))
    text = b"".join([*(_quad_text(str(n), graphs[n]) for n in sorted(graphs)), *union.texts])
    store.bulk_load(text, format=ox.RdfFormat.N_QUADS)
    del text
    store.flush()
    store.optimize()
    del store
