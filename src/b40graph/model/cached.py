"""The model stage: each source file becomes a `Piece` (its named graph as sorted N-Triples lines, the
origins of its nodes), assembled in parallel and cached by content; `read_model` gives the named graphs
in the one form every later stage takes (`core.ntriples.NamedGraphs`).

The cache key of a declaration is a hash of its bytes, its path, the reference data, the project root
and the build state's key (`publish.state.state_key`: the code, the base IRI), so an unchanged file is
never parsed again; the reference data is one piece keyed by all the reference files. The cache itself (a
`Cache`, in `<out>/cache/pieces/`) is owned by `publish.state.BuildState` and handed in.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCTERMS as DCT

from b40graph.core import ntriples as nt
from b40graph.core.errors import DataError, Problem, Problems, UsageError
from b40graph.core.iris import Minter
from b40graph.core.settings import Settings
from b40graph.model import translations
from b40graph.model.declarations import add_declaration
from b40graph.model.memberships import add_memberships
from b40graph.model.nodes import Assembly
from b40graph.model.reference_graph import add_reference
from b40graph.sources.files import SourceFile, declaration_paths, read_source
from b40graph.sources.reference import Reference, load_reference

Origin = tuple[Path, int | None]
PARALLEL_FROM = 64  # uncached declarations; below this, one process is faster than starting workers


@dataclass
class Piece:
    name: str  # the named graph's IRI
    lines: list[str]  # sorted, distinct N-Triples lines
    origins: dict[str, Origin] = field(default_factory=dict)
    weak: set[str] = field(default_factory=set)  # nodes whose origin is only a default (persons, roles)
    sources: list[Path] = field(default_factory=list)
    ident: str = ""  # a declaration's id ("" for the reference data)
    issued: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)


def reference_key(settings: Settings, key: str) -> str:
    """The cache key of the reference piece: the state `key`, the root (pieces hold paths) and every
    reference file."""
    digest = hashlib.sha256(f"{key}\n{settings.root}\n".encode())
    for name in ("countries.csv", "places.csv", "municipalities.csv", "events.csv", "network.ttl", "themes.ttl"):
        path = settings.data_dir / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-") + b"\0")
    return digest.hexdigest()


def _piece(asm: Assembly, name: URIRef, ident: str = "") -> Piece:
    graph = asm.graphs[name]
    return Piece(
        str(name),
        nt.graph_lines(graph),
        {str(k): v for k, v in asm.origins.items()},
        {str(k) for k in asm.weak},
        list(asm.graph_sources[name]),
        ident,
        sorted(str(o) for o in graph.objects(None, DCT.issued)),
        list(asm.networks),
    )


class Cache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, key: str) -> Piece | None:
        if self.folder is None:
            return None
        try:
            with (self.folder / f"{key}.pickle").open("rb") as fh:
                piece = pickle.load(fh)  # noqa: S301 - our own cache, written by this module
        except (OSError, pickle.PickleError, EOFError, AttributeError):
            return None
        return piece if isinstance(piece, Piece) else None

    def put(self, key: str, piece: Piece) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(piece, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / f"{key}.pickle")

    def prune(self, keep: set[str]) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.glob("*.pickle"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)


# -- per-process state of the workers ------------------------------------------------------------

_REF: dict[str, Reference] = {}


def _reference(settings: Settings) -> Reference:
    key = f"{settings.data_dir}\0{settings.base}"
    if key not in _REF:
        _REF.clear()
        _REF[key] = load_reference(settings.data_dir, settings.base)
    return _REF[key]


def _declaration(settings: Settings, path: Path) -> tuple[Piece | None, list[Problem]]:
    ref = _reference(settings)
    try:
        src = read_source(path, settings.max_source_bytes)
    except DataError as err:
        return None, list(err.problems)
    if translations.original_id(src) is not None:
        return None, []  # a translation: read after the originals (_translations)
    asm = Assembly(factory=nt.TripleBag)
    problems = Problems()
    mint = Minter(settings.base)
    try:
        add_declaration(asm, src, ref, mint, settings.root, problems)
    except DataError as err:
        problems.extend(err)
    if problems.items:
        return None, list(problems.items)
    return _piece(asm, mint.graph(f"declaration/{src.id}"), src.id), []


def _declarations(settings: Settings, paths: list[Path]) -> list[tuple[Piece | None, list[Problem]]]:
    return [_declaration(settings, p) for p in paths]


def read_pieces(
    settings: Settings, ref: Reference, cache: Cache, key: str, workers: int = 2
) -> tuple[Piece, list[Piece]]:
    """The reference piece and one piece per declaration file, from the cache where the inputs are unchanged."""
    ref_key = reference_key(settings, key)
    reference = _reference_piece(settings, ref, cache, ref_key)
    _REF.clear()
    _REF[f"{settings.data_dir}\0{settings.base}"] = ref
    paths = declaration_paths(settings.declarations_dir)
    keys = {path: _declaration_key(settings, ref_key, path) for path in paths}
    found: dict[Path, tuple[Piece | None, list[Problem]]] = {}
    for path in paths:
        piece = cache.get(keys[path])
        if piece is not None:
            found[path] = (piece, [])
    todo = [path for path in paths if path not in found]
    found.update(_assemble(settings, todo, workers))
    for path in todo:
        piece = found[path][0]
        if piece is not None:
            cache.put(keys[path], piece)
    versions = [path for path in paths if found[path] == (None, [])]  # translations (see _declaration)
    pieces, seen, problems = _distinct(settings, paths, found)
    if versions:
        found_versions, trouble = _translations(settings, ref, versions, seen)
        pieces.extend(found_versions)
        problems.extend(trouble)
    if not problems:
        memberships = _memberships(settings, ref, pieces, seen)
        if isinstance(memberships, Piece):
            pieces.append(memberships)
        elif memberships is not None:
            problems.extend(memberships)
    if problems:
        raise DataError(problems)
    cache.prune({ref_key, *keys.values()})
    return reference, pieces


def _reference_piece(settings: Settings, ref: Reference, cache: Cache, ref_key: str) -> Piece:
    reference = cache.get(ref_key)
    if reference is None:
        asm = Assembly(factory=nt.TripleBag)
        mint = Minter(settings.base)
        add_reference(asm, ref, mint, settings.root)
        reference = _piece(asm, mint.graph("reference"))
        cache.put(ref_key, reference)
    return reference


def _declaration_key(settings: Settings, ref_key: str, path: Path) -> str:
    digest = hashlib.sha256(f"{ref_key}\n{path}\n{settings.max_source_bytes}\n".encode())
    try:
        digest.update(path.read_bytes())
    except OSError:
        digest.update(b"\0unreadable")
    return digest.hexdigest()


def _assemble(settings: Settings, todo: list[Path], workers: int) -> dict[Path, tuple[Piece | None, list[Problem]]]:
    """The pieces of the declarations not in the cache, in `workers` processes when there are many."""
    found: dict[Path, tuple[Piece | None, list[Problem]]] = {}
    if len(todo) >= PARALLEL_FROM and workers > 1:
        chunks = [todo[i::workers] for i in range(workers)]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for chunk, results in zip(chunks, pool.map(_declarations, [settings] * workers, chunks), strict=True):
                found.update(zip(chunk, results, strict=True))
    else:
        for path in todo:
            found[path] = _declaration(settings, path)
    return found


def _distinct(
    settings: Settings, paths: list[Path], found: dict[Path, tuple[Piece | None, list[Problem]]]
) -> tuple[list[Piece], dict[str, Path], list[Problem]]:
    """The pieces in path order, each id once (a second use of an id is a problem), and the problems."""
    problems: list[Problem] = []
    pieces = []
    seen: dict[str, Path] = {}
    for path in paths:
        piece, trouble = found[path]
        problems.extend(trouble)
        if piece is None:
            continue
        if piece.ident in seen:
            problems.append(
                Problem(
                    f"id '{piece.ident}' is already used by {seen[piece.ident]}",
                    path,
                    piece.origins.get(str(Minter(settings.base).declaration(piece.ident)), (path, None))[1],
                    "give every declaration its own id",
                )
            )
            continue
        seen[piece.ident] = path
        pieces.append(piece)
    return pieces, seen, problems


def _translations(
    settings: Settings, ref: Reference, paths: list[Path], seen: dict[str, Path]
) -> tuple[list[Piece], list[Problem]]:
    """A piece for each translation, made after the originals (not cached: its checks read the original)."""
    problems = Problems()
    declared = set(seen)  # the originals: translations are added to `seen` below
    sources = []
    for path in paths:
        src = read_source(path, settings.max_source_bytes)
        if src.id in seen:
            problems.add(
                f"id '{src.id}' is already used by {seen[src.id]}",
                path,
                src.meta_lines.get("id"),
                "give every declaration its own id",
            )
            continue
        seen[src.id] = path
        sources.append(src)
    wanted = {str(translations.original_id(src)) for src in sources}
    originals = translations.read_originals(seen, wanted, settings.max_source_bytes)
    asm = Assembly(factory=nt.TripleBag)
    mint = Minter(settings.base)
    translations.add_translations(asm, sources, originals, ref, mint, settings.root, problems, declared)
    names = [mint.graph(f"declaration/{src.id}") for src in sources]
    return [_piece(asm, name) for name in names if name in asm.graphs], list(problems.items)


_MEMBERSHIP_TYPE = " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/org#Membership> ."


def _memberships(
    settings: Settings, ref: Reference, pieces: list[Piece], declarations: dict[str, Path]
) -> Piece | list[Problem] | None:
    """graph/memberships (data/memberships.csv) as a piece, after the declarations it refers to; not cached
    (a few rows, and its checks depend on every declaration)."""
    existing = {}
    for piece in pieces:
        for line in piece.lines:
            if line.endswith(_MEMBERSHIP_TYPE):
                iri = line[1 : line.index(">")]
                existing[iri] = piece.origins.get(iri, (Path(), None))
    asm = Assembly(factory=nt.TripleBag)
    mint = Minter(settings.base)
    problems = Problems()
    name = add_memberships(asm, ref, mint, settings.root, declarations, existing, problems)
    if problems.items:
        return list(problems.items)
    return None if name is None else _piece(asm, name)


def merged_origins(reference: Piece, pieces: list[Piece]) -> dict[URIRef, Origin]:
    """The origins exactly as one sequential assembly records them: later sources overwrite, except the
    default-only (weak) origins of persons and roles, which the first source to mention them keeps."""
    origins: dict[str, Origin] = dict(reference.origins)
    for piece in pieces:
        for node, origin in piece.origins.items():
            if node in piece.weak:
                origins.setdefault(node, origin)
            else:
                origins[node] = origin
    return {URIRef(k): v for k, v in origins.items()}


@dataclass
class Model:
    """What the model stage gives: the named graphs as sorted N-Triples lines, and what they came from."""

    assembly: Assembly  # origins, sources and networks (the texts stay in the cache: `parsed` holds ids only)
    graphs: nt.NamedGraphs  # graph/reference, one graph per declaration, graph/memberships
    issued: list[str]  # dct:issued of every declaration, sorted
    declarations: list[list[str]]  # the lines of every graph but graph/reference


def read_model(settings: Settings, ref: Reference, cache: Cache, key: str) -> Model:
    """The model stage: the named graph of every source, from `cache` where the source did not change."""
    reference, pieces = read_pieces(settings, ref, cache, key, settings.build_workers)
    asm = Assembly(
        origins=merged_origins(reference, pieces),
        graph_sources={URIRef(p.name): p.sources for p in [reference, *pieces]},
        networks=reference.networks,
    )
    asm.parsed = {p.ident: None for p in pieces if p.ident}  # type: ignore[misc] # ids only
    graphs = {URIRef(p.name): p.lines for p in [reference, *pieces]}
    issued = sorted(d for p in pieces for d in p.issued)
    return Model(asm, graphs, issued, [p.lines for p in pieces])


def read_sources(settings: Settings) -> list[SourceFile]:
    """Every declaration file read (for tests that assemble with rdflib graphs, `assemble.assemble`)."""
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
