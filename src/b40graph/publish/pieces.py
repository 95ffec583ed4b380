"""Dumps made of pieces, so that a rebuild copies what did not change from the previous release's files.

Sorted N-Triples lines are cut into *runs* of whole subjects at content-defined places (a new run starts
at a subject whose CRC32 is 0 modulo `RUN_MOD`), so an edit changes the runs around it and no others.
Every file is a sequence of pieces, each made from one run and keyed by a hash of that run's text:

- STEM.nq (STEM: the site's dump stem): per graph (in IRI order), one piece per run of the graph's lines;
- STEM.trig: the `@prefix` header, then per graph one piece per run: pyoxigraph's TriG of the run without
  the header, without the `<graph> {` line unless it is the graph's first run and without the closing `}`
  unless it is its last;
- STEM.nt, STEM.ttl, STEM.jsonld: one piece per run of the sorted union of all graphs (Turtle and JSON-LD
  without their header; JSON-LD node objects one per line, the very first without a comma).

That these concatenations are the whole-dataset serialisations is what tests/test_splice.py checks against
pyoxigraph and `jsonld.write`. Pieces are compressed one by one (compress.py), cold and warm alike, so a
piece found in the previous release (same key, see `Old`) is copied with its compressed bytes.

The description's statistics are sums over the runs of the union (runs hold whole subjects), kept per run
key, so a rebuild counts only the runs that changed.
"""

from __future__ import annotations

import bisect
import hashlib
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, URIRef

from b40graph.core import jsonld
from b40graph.core.formats import JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE
from b40graph.core.site import DEFAULT_DUMP
from b40graph.core.vocab import PREFIXES
from b40graph.publish.compress import LEVEL, PieceWriter, Place, Source
from b40graph.publish.description import Stats, dump_file

RUN_MOD = 256  # ~2,400 lines per run at a million quads
RunStats = tuple[int, int, dict[str, int], dict[str, int]]  # triples, IRI subjects, classes, properties
GraphRuns = list[tuple[int, int, str]]  # (start, end, key) of each run of a graph's lines
_RDF_TYPE = f"<{RDF.type}>"


def subject_runs(lines: Sequence[str]) -> list[tuple[int, int]]:
    """Cut sorted N-Triples lines into runs of whole subjects, at places that depend on the subjects only."""
    bounds: list[tuple[int, int]] = []
    start, prefix, crc, mod = 0, "\0", zlib.crc32, RUN_MOD
    for i, line in enumerate(lines):
        if line.startswith(prefix):  # the subject and its space: no other subject's line starts so
            continue
        prefix = line[: line.index(" ") + 1]
        if i and crc(prefix[:-1].encode()) % mod == 0:
            bounds.append((start, i))
            start = i
    if lines:
        bounds.append((start, len(lines)))
    return bounds


def scheme() -> str:
    """How pieces are cut, keyed and compressed: a state kept under another scheme is not reused."""
    return f"runs crc32 mod {RUN_MOD}, keys sha256, deflate {LEVEL} full flush"


def _key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _nt_text(lines: Sequence[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode() if lines else b""


def _nq_text(name: str, lines: Sequence[str]) -> bytes:
    suffix = f"<{name}> .\n"
    return "".join(line[:-1] + suffix for line in lines).encode()


@dataclass
class Union:
    """The sorted, distinct lines of all graphs, cut into runs, with each run's N-Triples text and key."""

    lines: list[str]
    bounds: list[tuple[int, int]]
    texts: list[bytes]
    keys: list[str]


def union_of(graphs: Mapping[Any, list[str]]) -> Union:
    merged = [line for lines in graphs.values() for line in lines]
    merged.sort()  # the graphs are sorted runs already: the sort merges them
    lines = [line for line, _ in groupby(merged)]
    del merged
    bounds = subject_runs(lines)
    texts = [_nt_text(lines[a:b]) for a, b in bounds]
    return Union(lines, bounds, texts, [_key(t) for t in texts])


def _subject(line: str) -> str:
    return line[: line.index(" ")]


def with_lines(union: Union, extra: Sequence[str]) -> Union:
    """`union` with the sorted lines `extra` added (the description). Only the runs that get lines are cut
    again: a run ends where a subject that starts one begins, and added lines do not change which do."""
    if not union.lines:
        return union_of({"": list(extra)})
    old = union.lines
    firsts = [_subject(old[a]) for a, _ in union.bounds]
    added: dict[int, list[str]] = {}  # run index -> lines of subjects from its first to the next run's first
    for line in extra:
        at = bisect.bisect_left(old, line)
        if at == len(old) or old[at] != line:
            run = max(bisect.bisect_right(firsts, _subject(line)) - 1, 0)
            added.setdefault(run, []).append(line)
    lines: list[str] = []
    bounds: list[tuple[int, int]] = []
    texts: list[bytes] = []
    keys: list[str] = []
    for i, ((a, b), text, key) in enumerate(zip(union.bounds, union.texts, union.keys, strict=True)):
        at = len(lines)
        if i not in added:
            lines.extend(old[a:b])
            bounds.append((at, at + b - a))
            texts.append(text)
            keys.append(key)
            continue
        segment = sorted([*old[a:b], *added[i]])
        lines.extend(segment)
        for c, d in subject_runs(segment):  # its first subject starts a run (or is the first of all)
            bounds.append((at + c, at + d))
            texts.append(_nt_text(segment[c:d]))
            keys.append(_key(texts[-1]))
    return Union(lines, bounds, texts, keys)


def run_stats(lines: Sequence[str]) -> RunStats:
    subjects: set[str] = set()
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    for line in lines:
        s, p, o = line[:-2].split(" ", 2)
        subjects.add(s)
        properties[p] += 1
        if p == _RDF_TYPE and o.startswith("<"):
            classes[o] += 1
    return len(lines), sum(1 for s in subjects if s.startswith("<")), dict(classes), dict(properties)


def union_stats(
    union: Union, sizes: dict[URIRef, int], known: Mapping[str, RunStats]
) -> tuple[Stats, dict[str, RunStats]]:
    """`describe.stats_of_lines` as sums over runs (runs hold whole subjects); `known`: counts by run key."""
    per_run: dict[str, RunStats] = {}
    triples = entities = 0
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    for (a, b), key in zip(union.bounds, union.keys, strict=True):
        counts = known.get(key)
        if counts is None:
            counts = run_stats(union.lines[a:b])
        per_run[key] = counts
        triples += counts[0]
        entities += counts[1]
        classes.update(counts[2])
        properties.update(counts[3])
    stats = Stats(
        triples,
        entities,
        Counter({URIRef(k[1:-1]): v for k, v in classes.items()}),
        Counter({URIRef(k[1:-1]): v for k, v in properties.items()}),
        sizes,
    )
    return stats, per_run


_HEADERS: dict[ox.RdfFormat, bytes] = {}


def _header(fmt: ox.RdfFormat) -> bytes:
    """The `@prefix` lines pyoxigraph writes before the first triple."""
    if fmt not in _HEADERS:
        t = ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:x:g"))] if fmt == ox.RdfFormat.TRIG else [t]
        out = ox.serialize(data, format=fmt, prefixes=PREFIXES)
        assert out is not None
        lines = out.splitlines(keepends=True)
        _HEADERS[fmt] = b"".join(line for line in lines if line.startswith(b"@prefix"))
        assert out.startswith(_HEADERS[fmt])
    return _HEADERS[fmt]


def _body(data: bytes, source: ox.RdfFormat, fmt: ox.RdfFormat) -> bytes:
    out = ox.serialize(ox.parse(data, format=source), format=fmt, prefixes=PREFIXES)
    assert out is not None
    header = _header(fmt)
    if not out.startswith(header):
        raise AssertionError(f"pyoxigraph's {fmt} output does not start with its @prefix lines")
    return out[len(header) :]


def trig_piece(nq: bytes, first: bool, last: bool) -> bytes:
    """One run of one graph in TriG: the `<g> {` line only if `first`, the closing `}` only if `last`."""
    body = _body(nq, ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
    if not first:
        body = body[body.index(b"\n") + 1 :]
    if not last:
        if not body.endswith(b"}\n"):
            raise AssertionError("pyoxigraph's TriG graph block does not end with '}'")
        body = body[:-2]
    return body


def turtle_piece(nt: bytes) -> bytes:
    return _body(nt, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE)


def jsonld_piece(nt: bytes, first: bool) -> bytes:
    triples = (q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    return jsonld.node_text(triples, jsonld.Compactor(PREFIXES), first)


@dataclass
class Old:
    """What the previous release's dumps hold: pieces by key per file, and the runs of its graphs."""

    release: Path | None = None
    places: dict[str, dict[str, Place]] = field(default_factory=dict)  # file name -> key -> place
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # file name -> (size, .gz size)
    graph_runs: dict[str, GraphRuns] = field(default_factory=dict)  # "graph digest" -> its runs
    run_stats: dict[str, RunStats] = field(default_factory=dict)  # union run key -> counts

    def source(self, name: str) -> tuple[Source | None, dict[str, Place]]:
        if self.release is None or name not in self.places or name not in self.sizes:
            return None, {}
        source = Source(self.release / name, self.sizes[name])
        return (source, self.places[name]) if source.maps is not None else (None, {})


@dataclass
class Written:
    """Where each piece went: the state the next build reuses (see `Old`)."""

    places: dict[str, dict[str, Place]] = field(default_factory=dict)
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    graph_runs: dict[str, GraphRuns] = field(default_factory=dict)

    def record(self, name: str, writer: PieceWriter, sizes: tuple[int, int]) -> None:
        self.places[name] = writer.places
        self.sizes[name] = sizes


class _Pieces:
    """One file being written from pieces, copying those the previous release has."""

    def __init__(self, out: Path, name: str, old: Old, pool: Executor | None) -> None:
        self.name = name
        self.writer = PieceWriter(out / name, pool)
        self.source, self.known = old.source(name)

    def get(self, key: str) -> bool:
        """Whether the previous release has the piece (then it is copied)."""
        place = self.known.get(key)
        if place is None or self.source is None:
            return False
        self.writer.copy(key, self.source, place)
        return True

    def put(self, key: str, data: bytes) -> None:
        self.writer.add(key, data)

    def close(self, written: Written) -> None:
        try:
            written.record(self.name, self.writer, self.writer.close())
        finally:
            if self.source is not None:
                self.source.close()


def write_quads(
    graphs: Mapping[URIRef, list[str]],
    digests: Mapping[str, str],
    out: Path,
    old: Old,
    written: Written,
    pool: Executor,
    stem: str = DEFAULT_DUMP,
) -> None:
    """STEM.nq and STEM.trig (and their .gz), graph by graph and run by run."""
    nq = _Pieces(out, dump_file(NQUADS.extension, stem), old, pool)
    trig = _Pieces(out, dump_file(TRIG.extension, stem), old, pool)
    try:
        if any(graphs.values()):
            trig.put("@prefix", _header(ox.RdfFormat.TRIG))
        for name in sorted(graphs):
            lines = graphs[name]
            digest = f"{name} {digests[str(name)]}"
            runs = old.graph_runs.get(digest)
            texts: dict[int, bytes] = {}
            if runs is None:
                runs = []
                for a, b in subject_runs(lines):
                    texts[a] = _nq_text(name, lines[a:b])
                    runs.append((a, b, _key(texts[a])))
            written.graph_runs[digest] = runs
            for i, (a, b, key) in enumerate(runs):
                if not nq.get(key):
                    texts[a] = texts.get(a) or _nq_text(name, lines[a:b])
                    nq.put(key, texts[a])
                first, last = i == 0, i == len(runs) - 1
                trig_key = f"{key}:{first:d}{last:d}"
                if not trig.get(trig_key):
                    trig.put(trig_key, trig_piece(texts.get(a) or _nq_text(name, lines[a:b]), first, last))
    finally:
        nq.close(written)
        trig.close(written)


def write_union(union: Union, out: Path, old: Old, written: Written, pool: Executor, stem: str = DEFAULT_DUMP) -> None:
    """STEM.nt and STEM.ttl (and their .gz), run by run of the union."""
    nt = _Pieces(out, dump_file(NTRIPLES.extension, stem), old, pool)
    ttl = _Pieces(out, dump_file(TURTLE.extension, stem), old, pool)
    try:
        if union.lines:
            ttl.put("@prefix", _header(ox.RdfFormat.TURTLE))
        for text, key in zip(union.texts, union.keys, strict=True):
            if not nt.get(key):
                nt.put(key, text)
            if not ttl.get(key):
                ttl.put(key, turtle_piece(text))
    finally:
        nt.close(written)
        ttl.close(written)


def jsonld_jobs(union: Union, old: Old, stem: str = DEFAULT_DUMP) -> list[tuple[str, bytes | None]]:
    """What the JSON-LD writer needs: each run's key, and its text unless the previous release has the piece."""
    source, known = old.source(dump_file(JSONLD.extension, stem))
    if source is not None:
        source.close()
    jobs = []
    for i, (text, key) in enumerate(zip(union.texts, union.keys, strict=True)):
        piece_key = f"{key}:{i == 0:d}"
        jobs.append((piece_key, None if piece_key in known else text))
    return jobs


def write_jsonld(jobs: list[tuple[str, bytes | None]], out: Path, old: Old, stem: str = DEFAULT_DUMP) -> Written:
    """STEM.jsonld and its .gz (run in a child process by `dumps.write_lines`)."""
    written = Written()
    doc = _Pieces(out, dump_file(JSONLD.extension, stem), old, None)
    try:
        doc.put("@head", jsonld.head(jsonld.Compactor(PREFIXES)))
        for i, (key, text) in enumerate(jobs):
            if text is None and doc.get(key):
                continue
            assert text is not None, "a JSON-LD piece the previous release lacks"
            doc.put(key, jsonld_piece(text, i == 0))
        doc.put("@tail", jsonld.TAIL)
    finally:
        doc.close(written)
    return written
