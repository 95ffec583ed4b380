"""A remote SPARQL 1.1 triple store behind the publisher: reading from it (publishing to it: `remote_publish`).

`RemoteBackend` is the other side of the storage seam (store/backend.py): pages, downloads and /sparql read
from any SPARQL 1.1 Protocol endpoint (Oxigraph server, Apache Jena Fuseki, Virtuoso, GraphDB), so many
stateless web workers can share one store. Request values are never spliced into query text: they travel
as a `VALUES` block of terms serialised by pyoxigraph (N-Triples syntax, escaped by the library), which
is how the protocol binds variables. The time limit is a deadline on the whole exchange; a store that is
down answers 502, one that is too slow 504, each with a message.

Queries without a dataset of their own read the store's default graph, which `publish_to` fills with the
merge of the named graphs (each triple once, as SPARQL 1.1 defines the default graph). A store that makes
its default graph the union of its named graphs as a bag (Oxigraph's `--union-default-graph`: a triple
in two graphs comes back twice) is found out and refused with a message; a set union (Fuseki's
`tdb2:unionDefaultGraph`) is fine.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from b40graph.core.errors import UsageError
from b40graph.core.settings import Settings
from b40graph.sparql.guard import inspect
from b40graph.sparql.results import (
    QueryError,
    QueryResult,
    SerializedResult,
    merged_dataset,
    query_dataset,
    run_merged,
)
from b40graph.store.backend import LabelMemo, Subject, Term, Version, paging_rows, values_block
from b40graph.store.protocol import NTRIPLES, Endpoint

VERSION_TTL = 2.0  # seconds a fetched dataset version is trusted before asking the store again
VERSION_QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?version ?modified WHERE {
  {{values}}
  GRAPH ?description { ?dataset owl:versionInfo ?version . OPTIONAL { ?dataset dct:modified ?modified } }
} LIMIT 1"""
STAGING = "urn:b40graph:staging:"  # staging graphs: STAGING + version + ":" + graph IRI (or "default")
NOT_STAGING = f'FILTER(!STRSTARTS(STR(?g), "{STAGING}"))'  # graphs a publication is staging
# Graphs that hold a triple: a store may list an empty graph name (Oxigraph kept one, with no triples, after a
# publisher was killed during the switch), which is no graph of the dataset.
GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } " + NOT_STAGING + " FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"
LABELS_QUERY = (
    """SELECT DISTINCT ?s ?label WHERE { {{values}}
  GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }
  """
    + NOT_STAGING
    + """
}"""
)
QUADS_QUERY = "SELECT ?s ?p ?o ?g WHERE { {{values}} GRAPH ?g { ?s ?p ?o } " + NOT_STAGING + " }"
# A read and the version of the data it read, in one query (one snapshot of the store): `b40version`
VERSIONED = """SELECT * WHERE { { {{inner}} } UNION {
  {{values}} GRAPH ?b40description { ?b40dataset <http://www.w3.org/2002/07/owl#versionInfo> ?b40version } } }"""
SAMPLE_QUERY = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"
SHARED_QUERY = "SELECT ?s ?p ?o WHERE { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o } FILTER(STR(?a) < STR(?b)) } LIMIT 1"
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { {{values}} ?s ?p ?o }"
BAG_DEFAULT = (
    "the triple store at {url} answers over a default graph that is the union of its named graphs counted "
    "as a bag (a triple stated in two graphs comes back twice), as Oxigraph does with --union-default-graph; "
    "restart it without that option: `b40graph publish` writes the merge of the named graphs as its "
    "default graph"
)


class BagDefaultGraph(QueryError):
    """The store's plain default graph counts a triple once per graph that holds it."""

    def __init__(self, url: str) -> None:
        super().__init__(BAG_DEFAULT.format(url=url), 502, "bad-gateway")


class RemoteBackend:
    """Reads the dataset from a SPARQL 1.1 endpoint. `url` is its query URL (e.g. .../query, .../sparql)."""

    def __init__(self, url: str, settings: Settings, trust_default: bool | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"--backend {url!r}: give the SPARQL query URL, e.g. http://127.0.0.1:7878/query")
        self.url = url
        self.settings = settings
        # True: the store's plain default graph is taken to be a set without asking it
        self._trusted = settings.remote_trust_default if trust_default is None else trust_default
        self._checked: tuple[str, bool] | None = None  # (dataset version, its default graph is a set)
        self.endpoint = Endpoint(url, settings.query_timeout, settings.max_response_bytes)
        self._lock = threading.Lock()
        self._dumps_lock = threading.Lock()  # held while the files are written; never with _lock
        self._labels = LabelMemo()
        self._version: tuple[float, Version] | None = None
        self._graphs: tuple[str, list[ox.NamedNode]] | None = None
        self._dumps: dict[str, Path] = {}
        self._seen = threading.local()  # .tag: the version this thread was last told (its response's ETag)

    def _dataset(self, default_graph: list[str] | None, named_graphs: list[str] | None) -> list[tuple[str, str]]:
        """Protocol dataset parameters; with none asked for, none: the store's default graph (the merge)."""
        if default_graph or named_graphs:
            return [("default-graph-uri", g) for g in default_graph or []] + [
                ("named-graph-uri", g) for g in named_graphs or []
            ]
        self.check_default()
        return []

    def check_default(self) -> None:
        """Refuse (502, with a message) a store whose plain default graph counts a triple once per graph
        that holds it. Found out once per dataset version: a triple of some named graph, and one held by two
        named graphs if there is one, must each come back once from the plain default graph (that is
        twice, or more, from Oxigraph with --union-default-graph, as `publish_to` also writes the merge
        into its real default graph)."""
        if self._trusted:
            return
        tag = self._current_version().tag
        if self._checked is None or self._checked[0] != tag:
            samples = self.endpoint.rows(SAMPLE_QUERY)
            if not samples:
                return  # nothing published yet: decide on a later call
            try:
                samples += self.endpoint.rows(SHARED_QUERY)
            except QueryError as err:
                if err.reason != "timeout":
                    raise
            counts = [self.endpoint.rows(COUNT_QUERY.replace("{{values}}", values_block(row))) for row in samples]
            self._checked = (tag, all(not rows or int(rows[0]["n"].value) <= 1 for rows in counts))
        if not self._checked[1]:
            raise BagDefaultGraph(self.url)

    # -- the Backend protocol ----------------------------------------------------------------------------
    def begin(self) -> None:
        self._seen.tag = None  # until this request asks for the version, its reads are not checked

    def version(self) -> Version:
        """The dataset's version now: the ETag of the request that asks, and what this thread's later reads
        (quads, labels, select) are checked against until it asks again."""
        version = self._current_version()
        self._seen.tag = version.tag
        return version

    def _current_version(self) -> Version:
        """The version, fetched at most every VERSION_TTL seconds; it does not change what this thread is
        checked against (reads made for a request stay checked against the version the request was told)."""
        with self._lock:
            cached = self._version
        if cached is not None and time.monotonic() - cached[0] < VERSION_TTL:
            return cached[1]
        description = ox.NamedNode(self.settings.base + "graph/description")
        rows = self.endpoint.rows(VERSION_QUERY.replace("{{values}}", values_block({"description": description})))
        if rows:
            tag = rows[0]["version"].value
            modified = _posix(rows[0]["modified"].value) if "modified" in rows[0] else 0.0
        else:  # not published by b40graph: the set of graphs is the best version we have
            names = self.endpoint.rows(GRAPHS_QUERY)
            tag = hashlib.sha256(" ".join(sorted(str(r["g"]) for r in names)).encode()).hexdigest()[:16]
            modified = 0.0
        version = Version(tag, modified)
        with self._lock:
            self._version = (time.monotonic(), version)
        return version

    def _versioned_rows(self, inner: str, dataset: Sequence[tuple[str, str]] = ()) -> list[dict[str, Term]]:
        """The rows of the SELECT `inner`, checked to be of the version this thread was told: a publication
        switches the data and its version in one transaction, so new data never goes out under the old
        version's ETag (or into the caches kept per version); a request caught by a switch gets a 503.
        The rows keep the order `inner` asks for (its ORDER BY is asked of the whole query too)."""
        description = ox.NamedNode(self.settings.base + "graph/description")
        prologue, body = _prologue(inner)
        text = VERSIONED.replace("{{values}}", values_block({"b40description": description}))
        rows = self.endpoint.rows(prologue + text.replace("{{inner}}", body) + _order_by(body), dataset)
        data = [r for r in rows if "b40version" not in r]
        versions = {r["b40version"].value for r in rows if "b40version" in r}
        told = getattr(self._seen, "tag", None)
        if versions and told is not None and told not in versions:
            with self._lock:
                self._version = None  # ask again: the next request gets the new version
                self._graphs = None
            raise QueryError(
                "the dataset was switched to a new version while this answer was being made; ask again",
                503,
                "version-changed",
            )
        return data

    def quads(
        self,
        s: Subject | None = None,
        p: ox.NamedNode | None = None,
        o: Term | None = None,
        g: ox.NamedNode | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ox.Quad]:
        bound = {k: v for k, v in (("s", s), ("p", p), ("o", o), ("g", g)) if v is not None}
        rows = paging_rows(bound, self.graphs()) if g is None and (limit is not None or offset) else [bound]
        if not rows:
            return []
        text = QUADS_QUERY.replace("{{values}}", values_block(rows))  # a page: graph by graph, as embedded
        if limit is not None:
            text += f" LIMIT {int(limit)}"
        if offset:
            text += f" OFFSET {int(offset)}"
        out = []
        for row in self._versioned_rows(text):
            merged = {**row, **bound}
            out.append(ox.Quad(merged["s"], merged["p"], merged["o"], merged["g"]))  # type: ignore[arg-type]
        return out

    def labels(self, iris: list[str]) -> dict[str, list[ox.Literal]]:
        """The labels of IRIs not looked up before in this version, in one query per 500 (a VALUES block)."""
        return self._labels.lookup(self._current_version().tag, iris, self._read_labels)

    def _read_labels(self, iris: list[str]) -> dict[str, list[ox.Literal]]:
        out: dict[str, list[ox.Literal]] = {}
        for start in range(0, len(iris), 500):
            terms = " ".join(str(ox.NamedNode(i)) for i in iris[start : start + 500])
            query = LABELS_QUERY.replace("{{values}}", f"VALUES ?s {{ {terms} }}")
            for row in self._versioned_rows(query):
                label = row.get("label")
                if isinstance(label, ox.Literal) and label not in out.setdefault(row["s"].value, []):
                    out[row["s"].value].append(label)
        return out

    def graphs(self) -> list[ox.NamedNode]:
        tag = self._current_version().tag
        with self._lock:
            cached = self._graphs
        if cached is not None and cached[0] == tag:
            return cached[1]
        rows = self._versioned_rows(GRAPHS_QUERY)  # new graphs never cached under the old version
        names = sorted((r["g"] for r in rows if isinstance(r.get("g"), ox.NamedNode)), key=str)
        with self._lock:
            self._graphs = (tag, names)  # type: ignore[assignment]
        return names  # type: ignore[return-value]

    def select(self, text: str, bindings: dict[str, Term]) -> list[dict[str, Term]]:
        """The project's own fixed SELECT queries (pages, the search index) over the default graph, with
        request values bound; checked, as every page read, to be of the version the request was told."""
        dataset = self._dataset(None, None)
        return self._versioned_rows(text.replace("{{values}}", values_block(bindings)), dataset)

    def query(
        self,
        text: str,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        inspect(text, self.settings.max_query_bytes)  # the guard: refused here, before the store sees it
        dataset = query_dataset(text, default_graph, named_graphs)
        if dataset is not None and len(dataset[0]) > 1:
            # the store would count a triple in two of the graphs twice: merge them here (bounded)
            memory = merged_dataset(dataset[0], dataset[1], self._graph_triples)
            return run_merged(memory, text, dataset[1], self.settings.result_cap, base_iri)
        # The dataset named (protocol, else FROM/FROM NAMED; sent without repeats), else the default graph.
        params = self._dataset(*dataset) if dataset is not None else self._dataset(None, None)
        sent = _with_base(text, base_iri)
        try:
            return self.endpoint.results(sent, params, self.settings.result_cap)
        except QueryError as err:
            raise _unshifted(err, sent.count("\n") - text.count("\n")) from None

    def query_serialized(
        self,
        text: str,
        fmt: str,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> SerializedResult:
        return self.query(text, default_graph, named_graphs, base_iri).serialized(fmt)

    def dumps(self) -> Path | None:
        """The whole-dataset files, written from the store once per version into a temporary folder."""
        from b40graph.publish.dumps import write_dumps

        tag = self._current_version().tag
        with self._dumps_lock:
            folder = self._dumps.get(tag)
            if folder is None:
                quads = self._all_quads()  # one graph per exchange: a publication may switch meanwhile
                with self._lock:
                    self._version = None
                if self._current_version().tag != tag:
                    raise QueryError("the dataset was switched to a new version meanwhile; ask again", 503, "changed")
                quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
                folder = Path(tempfile.mkdtemp(prefix="b40graph-remote-dumps-"))
                write_dumps(quads, folder, stem=self.settings.site.dump_stem)
                for stale in self._dumps.values():  # files being sent stay readable until closed
                    shutil.rmtree(stale, ignore_errors=True)
                self._dumps = {tag: folder}
        return folder

    def _all_quads(self) -> list[ox.Quad]:
        """Every quad of the named graphs, one graph per exchange in N-Triples (compact, streamed), with a
        build's time and size allowance rather than a public query's: this runs once per dataset version,
        for the downloads."""
        quads: list[ox.Quad] = []
        for graph in self.graphs():
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in self._graph_triples(graph, 600))
        return quads

    def _graph_triples(self, graph: ox.NamedNode, timeout: float | None = None) -> list[ox.Triple]:
        query = "CONSTRUCT { ?s ?p ?o } WHERE { " + values_block({"g": graph}) + " GRAPH ?g { ?s ?p ?o } }"
        ctype, body = self.endpoint.post(query, NTRIPLES, timeout=timeout, limit=1 << 34 if timeout else None)
        if ctype not in (NTRIPLES, "text/plain"):
            raise QueryError(f"the triple store answered in '{ctype}', not N-Triples", 502, "bad-gateway")
        try:
            return list(ox.parse(body, ox.RdfFormat.N_TRIPLES))
        except SyntaxError as err:
            raise QueryError(f"the triple store sent N-Triples that do not parse: {err}", 502, "bad-gateway") from None

    def close(self) -> None:
        self.endpoint.close()
        for folder in self._dumps.values():
            shutil.rmtree(folder, ignore_errors=True)


def _unshifted(err: QueryError, added: int) -> QueryError:
    """The store's "error at LINE:COLUMN" counted in the query as the client wrote it, without the `added`
    lines put before it (the BASE line), so the query page points at the right line."""
    if not added or err.reason != "bad-query":
        return err
    message = re.sub(r"\berror at (\d+):", lambda m: f"error at {max(1, int(m.group(1)) - added)}:", str(err), count=1)
    return QueryError(message, err.status, err.reason)


def _with_base(text: str, base_iri: str | None) -> str:
    """Relative IRIs in a query resolve against this endpoint's URL, not the remote store's."""
    if not base_iri:
        return text
    try:
        base = ox.NamedNode(base_iri)  # validates: a Host header cannot smuggle syntax in
    except ValueError:
        return text
    return f"BASE {base}\n{text}"


_PROLOGUE = re.compile(r"(?:\s*(?:PREFIX\s+[\w.-]*:\s*<[^<>]*>|BASE\s+<[^<>]*>))*\s*", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b(.*?)(?=\bLIMIT\b|\bOFFSET\b|$)", re.IGNORECASE | re.DOTALL)


def _prologue(query: str) -> tuple[str, str]:
    """A fixed query's PREFIX and BASE declarations, and the rest: a subquery cannot have a prologue."""
    end = _PROLOGUE.match(query).end()  # type: ignore[union-attr]  # matches the empty string at worst
    return query[:end], query[end:]


def _order_by(query: str) -> str:
    """The ORDER BY of a fixed query's outermost level (after its WHERE clause), to ask of a query that
    wraps it: the solutions of a subquery reach the query around it in no order SPARQL promises."""
    found = _ORDER_BY.search(query[query.rfind("}") + 1 :])
    return f" ORDER BY {found.group(1).strip()}" if found else ""


def _posix(date: str) -> float:
    from datetime import UTC, datetime

    try:
        return datetime.fromisoformat(date[:10]).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0
