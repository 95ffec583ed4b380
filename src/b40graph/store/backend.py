"""The one storage seam. Views, the CLI and the search index talk to a `Backend`; they never touch a store
directly. Two implement it:

- `store.embedded.EmbeddedBackend`: the Oxigraph store of a release, on this machine;
- `store.remote.RemoteBackend`: any SPARQL 1.1 endpoint (Oxigraph server, Fuseki, Virtuoso, GraphDB).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from b40graph.sparql.results import BooleanResult, GraphResult, QueryResult, SerializedResult, SolutionsResult

RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
LABEL_PROPS = (RDFS_LABEL, SKOS_PREF)  # what pages show as a thing's name
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Subject = ox.NamedNode | ox.BlankNode


def values_block(bindings: dict[str, Term] | Sequence[dict[str, Term]]) -> str:
    """`VALUES (?a ?b) { (<x> "y") }`: request values bound as terms that pyoxigraph serialises (and escapes),
    placed first in a fixed query's WHERE so the engine starts from them. (pyoxigraph's `substitutions`
    binds the same way but evaluates the pattern before filtering: ~450 ms against <1 ms at 1M triples.)
    A list of rows (each with the same variables) binds one row each: `VALUES (?a) { (<x>) (<y>) }`."""
    rows = [bindings] if isinstance(bindings, dict) else list(bindings)
    if not rows or not rows[0]:
        return ""
    names = sorted(rows[0])
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"not a variable name: {name!r}")
    if any(sorted(row) != names for row in rows):
        raise ValueError("every row of a VALUES block binds the same variables")
    terms = " ".join("(" + " ".join(str(row[n]) for n in names) + ")" for row in rows)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ {terms} }}"


def paging_rows(bound: dict[str, Term], graphs: list[ox.NamedNode]) -> list[dict[str, Term]]:
    """The VALUES rows of a page of quads (`Backend.quads` with a limit or an offset): the pattern's bound terms
    once per named graph, in the graphs' order. Both backends page the same way, so a page of a document holds
    the same quads on either: a graph's quads in its index's order, the graphs in the order of their names."""
    return [{**bound, "g": name} for name in graphs]


@dataclass(frozen=True)
class Version:
    tag: str  # changes whenever the data changes (ETag)
    modified: float  # POSIX time (Last-Modified)


class LabelMemo:
    """Labels already looked up, kept for the dataset version they were read from. Every page asks for the
    labels of the same predicates, graphs, networks and themes; a document asked for the first time then
    costs only the lookups of what is new to it. Bounded: emptied when `limit` IRIs are held."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._key: Hashable = None
        self._items: dict[str, list[ox.Literal]] = {}
        self._lock = threading.Lock()

    def lookup(
        self, key: Hashable, iris: list[str], fetch: Callable[[list[str]], dict[str, list[ox.Literal]]]
    ) -> dict[str, list[ox.Literal]]:
        with self._lock:
            if key != self._key:
                self._key, self._items = key, {}
            items = self._items
            known = {i: items[i] for i in iris if i in items}
        missing = [i for i in iris if i not in known]
        if missing:
            found = fetch(missing)
            with self._lock:
                if self._key == key:
                    if len(self._items) + len(missing) > self.limit:
                        self._items = {}
                    for iri in missing:
                        self._items[iri] = found.get(iri, [])  # no label is remembered too
            known.update(found)
        return {i: labels for i, labels in known.items() if labels}


class Backend(Protocol):
    """`quads`, `graphs`, `labels` and `select` are the project's own reads (pages, downloads, the search
    index). `query` and `query_serialized` answer a public query (the /sparql endpoint, `b40graph query`):
    each passes it through the guard (`sparql.guard.inspect`: no update, no SERVICE, bounded size and
    nesting) before it reaches a store, and answers a typed result (`SolutionsResult`, `BooleanResult`,
    `GraphResult`) or the result already written in the format key `fmt` (core.formats)."""

    def begin(self) -> None:
        """A request starts: the reads it makes are checked against the version it is told next (`version`),
        not the one an earlier request on this thread was told."""
        ...

    def version(self) -> Version: ...

    def quads(
        self,
        s: Subject | None = None,
        p: ox.NamedNode | None = None,
        o: Term | None = None,
        g: ox.NamedNode | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ox.Quad]: ...

    def graphs(self) -> list[ox.NamedNode]: ...

    def labels(self, iris: list[str]) -> dict[str, list[ox.Literal]]: ...

    def select(self, text: str, bindings: dict[str, Term]) -> list[dict[str, Term]]: ...

    def query(
        self,
        text: str,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult: ...

    def query_serialized(
        self,
        text: str,
        fmt: str,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> SerializedResult: ...

    def dumps(self) -> Path | None: ...

    def close(self) -> None: ...


__all__ = [
    "LABEL_PROPS",
    "RDFS_LABEL",
    "SKOS_PREF",
    "Backend",
    "BooleanResult",
    "GraphResult",
    "LabelMemo",
    "QueryResult",
    "SerializedResult",
    "SolutionsResult",
    "Subject",
    "Term",
    "Version",
    "paging_rows",
    "values_block",
]
