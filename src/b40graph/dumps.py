"""Deterministic serialisations of the dataset: same quads in, byte-identical files out.

Quads are sorted before writing and no blank nodes are minted, so neither set iteration order nor
blank-node labels can change the bytes. Writing goes through pyoxigraph (fast, streaming).
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from . import jsonld
from .describe import dump_file
from .formats import JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE
from .terms import to_ox
from .vocab import PREFIXES


def sorted_quads(graphs: Mapping[URIRef, Graph]) -> list[ox.Quad]:
    quads = []
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
    with path.open("rb") as src, target.open("wb") as raw, gzip.GzipFile(path.name, "wb", 9, raw, mtime=0) as dst:
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
