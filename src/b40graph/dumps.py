"""Deterministic serialisations of the dataset: same quads in, byte-identical files out.

Quads are sorted before writing and no blank nodes are minted, so neither set iteration order nor
blank-node labels can change the bytes. Writing goes through pyoxigraph (fast, streaming).

The fast build hands over each named graph as sorted N-Triples lines (`write_lines`): N-Quads and
N-Triples are then plain text joins, TriG and Turtle are pyoxigraph re-serialising that text, the
store is a bulk load of the N-Quads file (or, on a rebuild, a checkpoint of the previous release's store
with only the changed graphs replaced: `Previous`, `_update_store`), and the five gzip files are
compressed on two threads (zlib releases the GIL). `sorted_quads`/`write_dumps`/`write_store` are the
plain path over rdflib graphs.
"""

from __future__ import annotations

import gzip
import hashlib
import multiprocessing
import os
import pickle
import shutil
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from . import jsonld
from .describe import dump_file
from .formats import JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE
from .terms import to_ox
from .vocab import PREFIXES

GZIP_LEVEL = 6  # 9 takes 2.5x the time for 2 % smaller files at a million quads


def sorted_quads(graphs: Mapping[URIRef, Graph]) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for name in sorted(graphs):
        g = ox.NamedNode(str(name))
        rows = sorted(graphs[name], key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
        quads.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in rows)  # type: ignore[arg-type]
    return quads


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    seen = {q.triple for q in quads}
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _gzip(path: Path) -> None:
    target = path.with_name(path.name + ".gz")
    with (
        path.open("rb") as src,
        target.open("wb") as raw,
        gzip.GzipFile(path.name, "wb", GZIP_LEVEL, raw, mtime=0) as dst,
    ):
        shutil.copyfileobj(src, dst)


def write_dumps(quads: list[ox.Quad], out: Path) -> list[Path]:
    triples = union_triples(quads)
    written = []
    for fmt, data in ((TRIG, quads), (NQUADS, quads), (TURTLE, triples), (NTRIPLES, triples)):
        path = out / dump_file(fmt.extension)
        assert fmt.ox_format is not None
        prefixes = PREFIXES if fmt in (TRIG, TURTLE) else None
        ox.serialize(data, str(path), fmt.ox_format, prefixes=prefixes)
        written.append(path)
    path = out / dump_file(JSONLD.extension)
    with path.open("wb") as fh:
        jsonld.write(triples, PREFIXES, fh)
    written.append(path)
    for path in list(written):
        _gzip(path)
        written.append(path.with_name(path.name + ".gz"))
    return written


def write_store(quads: list[ox.Quad], directory: Path) -> None:
    """The embedded store the server opens read-only (opening is instant whatever the size)."""
    store = ox.Store(str(directory))
    store.extend(quads)
    store.flush()
    store.optimize()
    del store


def nquads_text(graphs: Mapping[URIRef, list[str]], parts: dict[URIRef, str] | None = None) -> str:
    """The N-Quads document: graphs in IRI order, each graph's lines in their (sorted) order.

    `parts` keeps each graph's text for a later call over the same graphs (the build computes the version
    first, then writes the file with the description added).
    """
    memo: dict[URIRef, str] = {} if parts is None else parts
    for name in graphs:
        if name not in memo:
            suffix = f"<{name}> .\n"
            memo[name] = "".join(line[:-1] + suffix for line in graphs[name])
    return "".join(memo[name] for name in sorted(graphs))


def version_of(graphs: Mapping[URIRef, list[str]], parts: dict[URIRef, str] | None = None) -> str:
    return hashlib.sha256(nquads_text(graphs, parts).encode()).hexdigest()[:16]


def graph_digests(graphs: Mapping[URIRef, list[str]]) -> dict[str, str]:
    """A hash of each named graph's lines: equal hashes, equal graphs."""
    return {str(name): hashlib.sha256("\n".join(lines).encode()).hexdigest() for name, lines in graphs.items()}


@dataclass
class Previous:
    """The store of the release before, and what it holds: the base of an incremental store update."""

    store: Path
    digests: dict[str, str]  # graph IRI -> graph_digests() of what the store holds
    lines: dict[str, list[str]]  # the lines of the large graphs (diffed line by line rather than reloaded)


STATE_FILE = ".graphs.pickle"  # in a release folder: its Previous (minus the path), for the next build
DIFF_FROM = 20_000  # graphs at least this large are kept as lines and updated by a line diff


def save_state(graphs: Mapping[URIRef, list[str]], digests: dict[str, str], release: Path) -> None:
    state = {
        "digests": digests,
        "lines": {str(n): list(v) for n, v in graphs.items() if len(v) >= DIFF_FROM},
    }
    tmp = release / (STATE_FILE + ".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, release / STATE_FILE)


def load_state(release: Path) -> Previous | None:
    """The Previous of a published release, or None (no state file, unreadable, no store)."""
    try:
        with (release / STATE_FILE).open("rb") as fh:
            state = pickle.load(fh)  # noqa: S301 - written by save_state of this module
        previous = Previous(release / "store", dict(state["digests"]), dict(state["lines"]))
    except (OSError, pickle.PickleError, EOFError, AttributeError, KeyError, TypeError):
        return None
    return previous if previous.store.is_dir() else None


def _quad_text(name: str, lines: Iterable[str]) -> bytes:
    suffix = f"<{name}> .\n"
    return "".join(line[:-1] + suffix for line in lines).encode()


def _update_store(
    previous: Previous, graphs: Mapping[URIRef, list[str]], digests: dict[str, str], directory: Path
) -> None:
    """The store as `_bulk_store` would load it, made from a checkpoint of the previous release's store
    (RocksDB hard-links its immutable files) by replacing only the graphs whose hash changed."""
    source = ox.Store.read_only(str(previous.store))
    source.backup(str(directory))
    del source
    store = ox.Store(str(directory))
    added: list[bytes] = []
    removed: list[bytes] = []
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
            continue
        if name in previous.digests:
            store.remove_graph(ox.NamedNode(name))
        if new:
            added.append(_quad_text(name, new))
    gone = b"".join(removed)
    if gone:
        for quad in ox.parse(gone, format=ox.RdfFormat.N_QUADS):
            store.remove(quad)
    fresh = b"".join(added)
    if fresh:
        store.load(fresh, format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store


def write_lines(
    graphs: Mapping[URIRef, list[str]],
    out: Path,
    store: Path | None = None,
    previous: Previous | None = None,
    digests: dict[str, str] | None = None,
    parts: dict[URIRef, str] | None = None,
) -> int:
    """Write every dump (and its .gz) and, if `store` is given, the Oxigraph store. Returns the quad count.

    Both cores work: the store's bulk load (Rust) and the gzip streams (zlib) run on threads without the
    GIL, and JSON-LD, the one writer in Python, runs in a child process over the N-Triples file. Given
    the `previous` release's store (and the `digests` of `graphs`), the store is that one's checkpoint
    with only the changed graphs replaced, instead of a bulk load of the whole dataset.
    """
    nquads = nquads_text(graphs, parts).encode()
    if parts is not None:
        parts.clear()  # the text is in `nquads` now
    count = nquads.count(b"\n")
    nq_path = out / dump_file(NQUADS.extension)
    nq_path.write_bytes(nquads)
    union = sorted({line for lines in graphs.values() for line in lines})
    nt_path = out / dump_file(NTRIPLES.extension)
    with nt_path.open("w", encoding="utf-8") as fh:
        for line in union:
            fh.write(line)
            fh.write("\n")
    del union
    jsonld_path = out / dump_file(JSONLD.extension)
    context = multiprocessing.get_context("spawn")
    with ThreadPoolExecutor(2) as pool, context.Pool(1) as child:
        jobs = []
        if store is not None and previous is not None and digests is not None:
            jobs.append(pool.submit(_update_store, previous, graphs, digests, store))
        elif store is not None:
            jobs.append(pool.submit(_bulk_store, nq_path, store))
        jsonld_job = child.apply_async(write_jsonld, (str(nt_path), str(jsonld_path)))
        jobs += [pool.submit(_gzip, p) for p in (nq_path, nt_path)]
        for fmt, source, rdf_format in (
            (TRIG, nq_path, ox.RdfFormat.N_QUADS),
            (TURTLE, nt_path, ox.RdfFormat.N_TRIPLES),
        ):
            path = out / dump_file(fmt.extension)
            assert fmt.ox_format is not None
            ox.serialize(ox.parse(path=str(source), format=rdf_format), str(path), fmt.ox_format, prefixes=PREFIXES)
            jobs.append(pool.submit(_gzip, path))
        jsonld_job.get()
        jobs.append(pool.submit(_gzip, jsonld_path))
        for job in jobs:
            job.result()
    return count


def write_jsonld(nt_path: str, out_path: str) -> None:
    """JSON-LD from a sorted N-Triples file (run in a child process by `write_lines`)."""
    with Path(out_path).open("wb") as fh:
        triples = (q.triple for q in ox.parse(path=nt_path, format=ox.RdfFormat.N_TRIPLES))
        jsonld.write(triples, PREFIXES, fh)


def _bulk_store(nquads: Path, directory: Path) -> None:
    store = ox.Store(str(directory))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store
