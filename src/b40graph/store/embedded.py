"""`EmbeddedBackend`: the Oxigraph (RocksDB) store written by `b40graph build`, opened read-only in well
under a second whatever its size; public queries run in killable worker processes. The seam it implements
is `store.backend.Backend`."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from b40graph.core.errors import UsageError
from b40graph.core.settings import Settings
from b40graph.publish.release import Release, current
from b40graph.sparql.guard import inspect
from b40graph.sparql.results import QueryResult, SerializedResult, run_local
from b40graph.sparql.workers import Job, QueryPool
from b40graph.store.backend import LABEL_PROPS, LabelMemo, Subject, Term, Version, paging_rows, values_block

RECHECK_SECONDS = 0.5  # how often the embedded backend looks whether a new build has landed


class EmbeddedBackend:
    """Serves the current release of an output folder, and follows `current` when a new build lands."""

    def __init__(
        self,
        settings: Settings,
        release: Release | None = None,
        store_path: Path | None = None,
        tag: str | None = None,
        merged: bool = True,
        workers: bool = True,
    ) -> None:
        """`workers` False: public queries run in this process, with no time limit and no result cap (the
        command line's `b40graph query`, whose user is the operator); else in killable worker processes."""
        self.settings = settings
        self._fixed = store_path
        self._fixed_tag = tag
        self._release = release
        self._path: Path | None = None
        self._store: ox.Store | None = None
        self._version = Version("", 0.0)
        self._dump_dir: Path | None = None
        self._checked = 0.0
        self._union = True
        self._merged_ok = merged  # a default graph of a store found in place is the merge of its named graphs
        self._merged = False
        self._graphs: tuple[Path | None, list[ox.NamedNode]] | None = None
        self.pool = (
            QueryPool(settings.query_workers, settings.query_timeout, settings.query_memory_mb << 20)
            if workers
            else None
        )
        self._labels = LabelMemo()
        self._refresh()

    def _refresh(self) -> ox.Store:
        now = time.monotonic()
        if self._store is not None and now - self._checked < RECHECK_SECONDS:
            return self._store
        self._checked = now
        if self._fixed is not None:
            path, version = self._fixed, Version(self._fixed_tag or "static", self._fixed.stat().st_mtime)
        else:
            release = current(self.settings.out_dir) or self._release
            if release is None:
                raise UsageError(f"no build in {self.settings.out_dir}: run `b40graph build`")
            path, version = release.store, Version(release.version, release.modified)
        if path != self._path or self._store is None:
            try:
                store = open_store(path)
            except StoreUnavailable:
                if self._store is not None:  # keep serving the last good store
                    return self._store
                raise
            self._store, self._path, self._version = store, path, version
            # A build writes the merge of its named graphs as the store's default graph: public queries
            # read that (a set). A store with a default graph of its own (a `--dataset` file) keeps it
            # (SPARQL's semantics); one made only of named graphs answers over their union (a bag in
            # pyoxigraph 0.5: a triple in two graphs counts twice), so plain patterns find the data.
            self._union = not has_default_graph(store)
            self._merged = self._merged_ok and not self._union
        return self._store

    def begin(self) -> None:
        """Nothing to forget: each read is of the store `current` names when it is made."""

    def version(self) -> Version:
        self._refresh()
        return self._version

    def quads(
        self,
        s: Subject | None = None,
        p: ox.NamedNode | None = None,
        o: Term | None = None,
        g: ox.NamedNode | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ox.Quad]:
        store = self._refresh()
        if g is None and self._merged and (offset or limit is not None):
            # The quads of the named graphs only (the merge repeats their triples). The store lists a subject's
            # default-graph quads first: skipping them one by one costs as much as the merge holds on every page
            # of a large resource, so a page of the named graphs is asked for as a query. One VALUES row per named
            # graph (`paging_rows`): the engine reads the graphs one after the other, each from its own index, and
            # stops at the LIMIT; a `GRAPH ?g` left free would be evaluated whole before the first row came out.
            bound = {k: v for k, v in (("s", s), ("p", p), ("o", o)) if v is not None}
            rows = paging_rows(bound, self.graphs())
            if not rows:
                return []
            text = "SELECT ?s ?p ?o ?g WHERE { " + values_block(rows) + " GRAPH ?g { ?s ?p ?o } }"
            text += (f" LIMIT {int(limit)}" if limit is not None else "") + (f" OFFSET {int(offset)}" if offset else "")
            answer = store.query(text)
            assert isinstance(answer, ox.QuerySolutions)
            return [
                ox.Quad(
                    bound.get("s", row["s"]),  # type: ignore[arg-type]
                    bound.get("p", row["p"]),  # type: ignore[arg-type]
                    bound.get("o", row["o"]),  # type: ignore[arg-type]
                    row["g"],  # type: ignore[arg-type]
                )
                for row in answer
            ]
        matches = store.quads_for_pattern(s, p, o, g)
        if g is None and self._merged:
            matches = (q for q in matches if not isinstance(q.graph_name, ox.DefaultGraph))
        return list(itertools.islice(matches, offset, None if limit is None else offset + limit))

    def select(self, text: str, bindings: dict[str, Term]) -> list[dict[str, Term]]:
        """The project's own fixed queries (pages), with request values bound, never spliced into the text.
        They read the merged default graph when the store has one, else the union of all graphs."""
        store = self._refresh()
        text = text.replace("{{values}}", values_block(bindings))
        answer = store.query(text, use_default_graph_as_union=not self._merged)
        assert isinstance(answer, ox.QuerySolutions)
        names = [v.value for v in answer.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in answer]

    def labels(self, iris: list[str]) -> dict[str, list[ox.Literal]]:
        """Two index lookups per IRI not looked up before in this store (a page asks for a hundred or so)."""
        store = self._refresh()
        graph = ox.DefaultGraph() if self._merged else None
        return self._labels.lookup(self._path, iris, lambda missing: self._read_labels(store, missing, graph))

    @staticmethod
    def _read_labels(store: ox.Store, iris: list[str], graph: ox.DefaultGraph | None) -> dict[str, list[ox.Literal]]:
        out: dict[str, list[ox.Literal]] = {}
        for iri in iris:
            node = ox.NamedNode(iri)
            found = [
                q.object
                for prop in LABEL_PROPS
                for q in itertools.islice(store.quads_for_pattern(node, prop, None, graph), 50)
                if isinstance(q.object, ox.Literal)
            ]
            if found:
                out[iri] = list(dict.fromkeys(found))
        return out

    def graphs(self) -> list[ox.NamedNode]:
        store = self._refresh()
        if self._graphs is None or self._graphs[0] != self._path:
            names = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=str)
            self._graphs = (self._path, names)
        return self._graphs[1]

    def query(
        self,
        text: str,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        answer = self._run(text, None, default_graph, named_graphs, base_iri)
        assert isinstance(answer, QueryResult)
        return answer

    def query_serialized(
        self,
        text: str,
        fmt: str,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> SerializedResult:
        answer = self._run(text, fmt, default_graph, named_graphs, base_iri)
        assert isinstance(answer, SerializedResult)
        return answer

    def _run(
        self,
        text: str,
        fmt: str | None,
        default_graph: list[str] | None,
        named_graphs: list[str] | None,
        base_iri: str | None,
    ) -> QueryResult | SerializedResult:
        inspect(text, self.settings.max_query_bytes)  # the guard: refused here, before any store sees it
        store = self._refresh()
        assert self._path is not None
        if self.pool is None:
            results = run_local(store, text, None, default_graph, named_graphs, self._union, base_iri)
            return results if fmt is None else results.serialized(fmt)
        cap = self.settings.result_cap
        job = Job(str(self._path), text, fmt, cap, default_graph, named_graphs, base_iri, self._union)
        return self.pool.run(job)

    def dumps(self) -> Path | None:
        """The folder of whole-dataset files: the release's own, or written once for a `--dataset` store."""
        self._refresh()
        if self._fixed is None:
            release = current(self.settings.out_dir) or self._release
            return release.path if release is not None else None
        if self._dump_dir is None:
            from b40graph.publish.dumps import write_dumps

            assert self._store is not None
            key = lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))  # noqa: E731
            quads = sorted(self.quads(), key=key)
            folder = Path(tempfile.mkdtemp(prefix="b40graph-dumps-"))
            write_dumps(quads, folder, stem=self.settings.site.dump_stem)
            self._dump_dir = folder
        return self._dump_dir

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


class StoreUnavailable(UsageError):
    """The store on disk is missing or damaged."""


def open_store(path: Path) -> ox.Store:
    """Open read-only and read one quad, so that a damaged store shows at start-up, not to the first visitor."""
    try:
        store = ox.Store.read_only(str(path))
        next(iter(store.quads_for_pattern(None, None, None, None)), None)
    except (OSError, RuntimeError, ValueError) as err:
        raise StoreUnavailable(f"cannot open the store {path}: {str(err).splitlines()[0][:300]}") from None
    return store


def restore_store(release: Release) -> None:
    """Rebuild a release's missing or damaged store from the release's own N-Quads dump, checking the count."""
    from b40graph.publish.description import dump_file, release_site

    dump = release.path / dump_file("nq", release_site(release.info).dump_stem)
    fresh = release.path / f".store-restore-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        store = ox.Store(str(fresh))
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        count = len(store)
        add_merged_default_graph(store)
        store.flush()
        del store
        expected = release.info.get("quads")
        if count != expected:
            raise ValueError(f"the dump holds {count} quads, release.json says {expected}")
    except (OSError, SyntaxError, ValueError, RuntimeError) as err:
        shutil.rmtree(fresh, ignore_errors=True)
        raise StoreUnavailable(
            f"the store of release {release.version} is damaged and cannot be restored from {dump.name} ({err}); "
            f"delete {release.path} and run `b40graph build`"
        ) from None
    broken = release.path / f".store-broken-{os.getpid()}"
    if release.store.exists():
        os.rename(release.store, broken)
    os.rename(fresh, release.store)
    shutil.rmtree(broken, ignore_errors=True)


def has_default_graph(store: ox.Store) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None


def add_merged_default_graph(store: ox.Store) -> None:
    """Write the merge of the store's named graphs into its default graph (each distinct triple once),
    as a build does; the store's own engine copies them, without the quads passing through Python."""
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def load_dataset_file(path: Path) -> tuple[Path, str, bool]:
    """`serve --dataset FILE`: load any RDF file into a temporary on-disk store the workers can open.
    A file of named graphs only gets their merge as its default graph (as a build's store); one with a
    default graph of its own keeps it. Returns the folder, a version tag and whether the merge was made."""
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) if path.suffix else None
    if fmt is None:
        raise UsageError(f"{path}: unknown RDF format (use .trig, .nq, .ttl, .nt, .rdf or .jsonld)")
    folder = Path(tempfile.mkdtemp(prefix="b40graph-dataset-"))
    store = ox.Store(str(folder))
    try:
        store.bulk_load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    except (SyntaxError, OSError) as err:
        raise UsageError(f"{path}: cannot load: {err}") from None
    merged = not has_default_graph(store)
    if merged:
        add_merged_default_graph(store)
    store.flush()
    del store
    import hashlib

    return folder, hashlib.sha256(path.read_bytes()).hexdigest()[:16], merged
