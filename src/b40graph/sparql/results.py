"""SPARQL results: running a query on a pyoxigraph store with a result cap, and writing every format.

The serialisers are ours (not pyoxigraph's) because results are collected first, to enforce the cap
before a single byte is sent: a client is never handed a silently truncated answer.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from b40graph.core.errors import QueryError
from b40graph.core.formats import BY_KEY, Format
from b40graph.core.rdfio import serialize

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: What a solution binds a variable to (a triple term too: RDF 1.2).
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: Quads a query over a default graph merged from several graphs may copy (see `merged_dataset`).
MERGE_LIMIT = 1_000_000


def cap_exceeded(cap: int) -> QueryError:
    return QueryError(
        f"the query has more than {cap} results, the cap of this endpoint; add LIMIT (and OFFSET to "
        "page) or narrow the pattern",
        422,
        "result-cap",
    )


class QueryResult:
    """The answer to a query, of one of three kinds: `SolutionsResult` (SELECT), `BooleanResult` (ASK) or
    `GraphResult` (CONSTRUCT, DESCRIBE). Each writes itself in the formats its kind has."""

    kind: ClassVar[str]  # "select", "ask" or "graph": what `--format` and content negotiation choose among

    def serialize(self, key: str) -> tuple[bytes, Format]:
        raise NotImplementedError

    def serialized(self, key: str) -> SerializedResult:
        body, _ = self.serialize(key)
        return SerializedResult(self.kind, body)

    def table(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class SerializedResult:
    """An answer already written in one format (by a query worker, so that only bytes cross the pipe)."""

    kind: str
    body: bytes


@dataclass
class SolutionsResult(QueryResult):
    kind: ClassVar[str] = "select"
    variables: list[str] = field(default_factory=list)
    rows: list[list[Term | None]] = field(default_factory=list)

    def serialize(self, key: str) -> tuple[bytes, Format]:
        writer = {"json": self._json, "xml": self._xml, "csv": self._csv, "tsv": self._tsv}[key]
        return writer(), BY_KEY[key]

    def json_obj(self) -> dict[str, object]:
        bindings = []
        for row in self.rows:
            bindings.append({v: _json_term(t) for v, t in zip(self.variables, row, strict=True) if t is not None})
        return {"head": {"vars": self.variables}, "results": {"bindings": bindings}}

    def _json(self) -> bytes:
        return json.dumps(self.json_obj(), ensure_ascii=False).encode()

    def _xml(self) -> bytes:
        out = [_XML_HEAD]
        out.extend(f"<variable name={quoteattr(v)}/>" for v in self.variables)
        out.append("</head>\n<results>\n")
        for row in self.rows:
            out.append("<result>")
            for var, term in zip(self.variables, row, strict=True):
                if term is not None:
                    out.append(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
            out.append("</result>\n")
        out.append("</results>\n</sparql>\n")
        return "".join(out).encode()

    def _csv(self) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if t is None else _plain(t) for t in row])
        return buf.getvalue().encode()

    def _tsv(self) -> bytes:
        lines = ["\t".join(f"?{v}" for v in self.variables)]
        for row in self.rows:
            lines.append("\t".join("" if t is None else str(t) for t in row))
        return ("\n".join(lines) + "\n").encode()

    def table(self) -> str:
        cells = [[_plain(t) if t is not None else "" for t in row] for row in self.rows]
        widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(self.variables)]
        line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()  # noqa: E731
        out = [line(self.variables), line(["-" * w for w in widths])] + [line(r) for r in cells]
        return "\n".join(out) + f"\n({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})\n"


@dataclass
class BooleanResult(QueryResult):
    kind: ClassVar[str] = "ask"
    value: bool = False

    def serialize(self, key: str) -> tuple[bytes, Format]:
        word = "true" if self.value else "false"
        bodies = {
            "json": lambda: json.dumps(self.json_obj()),
            "xml": lambda: f"{_XML_HEAD}</head>\n<boolean>{word}</boolean>\n</sparql>\n",
            "csv": lambda: f"boolean\r\n{word}\r\n",
            "tsv": lambda: f"?boolean\n{word}\n",
        }
        return bodies[key]().encode(), BY_KEY[key]

    def json_obj(self) -> dict[str, object]:
        return {"head": {}, "boolean": self.value}

    def table(self) -> str:
        return ("yes" if self.value else "no") + "\n"


@dataclass
class GraphResult(QueryResult):
    kind: ClassVar[str] = "graph"
    triples: list[ox.Triple] = field(default_factory=list)

    def serialize(self, key: str) -> tuple[bytes, Format]:
        fmt = BY_KEY[key]
        return serialize(self.triples, fmt), fmt

    def table(self) -> str:
        return serialize(self.triples, BY_KEY["ttl"]).decode()


_XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'


def _json_term(term: object) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _plain(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def collect(answer: object, cap: int | None) -> QueryResult:
    """Materialise a pyoxigraph answer, refusing (not cutting) past `cap` rows or triples."""
    limit = cap if cap is not None else -1
    if isinstance(answer, ox.QueryBoolean):
        return BooleanResult(value=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = []
        for solution in answer:
            rows.append([solution[i] for i in range(len(variables))])
            if 0 <= limit < len(rows):
                raise cap_exceeded(limit)
        return SolutionsResult(variables=variables, rows=rows)
    triples: dict[ox.Triple, None] = {}  # CONSTRUCT and DESCRIBE answer a graph: each triple once
    for triple in answer:  # type: ignore[attr-defined]
        triples[triple] = None
        if 0 <= limit < len(triples):
            raise cap_exceeded(limit)
    return GraphResult(triples=list(triples))


def query_dataset(
    query: str, default_graph: list[str] | None, named_graphs: list[str] | None
) -> tuple[list[str], list[str]] | None:
    """The dataset a query names: the protocol's graphs if any were given, else the query's FROM and
    FROM NAMED, else None (the store's own). Each list without repeats; a dataset that names only default
    graphs has no named graphs, and one that names only named graphs an empty default graph (SPARQL 1.1)."""
    if not (default_graph or named_graphs):
        from b40graph.sparql.guard import inspect

        shape = inspect(query, 1 << 30)
        if not (shape.from_graphs or shape.from_named):
            return None
        return list(dict.fromkeys(shape.from_graphs)), list(dict.fromkeys(shape.from_named))
    return list(dict.fromkeys(default_graph or [])), list(dict.fromkeys(named_graphs or []))


def merged_dataset(
    graphs: list[str], named: list[str], read: Callable[[ox.NamedNode], Iterable[ox.Triple]]
) -> ox.Store:
    """An in-memory store whose default graph is the merge of `graphs` (each triple once) and whose
    named graphs are `named`, read with `read`. pyoxigraph 0.5 (and Oxigraph's server) evaluate a
    default graph of several graphs as a bag, which SPARQL's merge is not. At most MERGE_LIMIT quads."""
    memory = ox.Store()
    count = 0
    targets: list[tuple[str, ox.NamedNode | ox.DefaultGraph]] = [(g, ox.DefaultGraph()) for g in graphs]
    targets += [(g, ox.NamedNode(g)) for g in named]
    for iri, target in targets:
        batch = []
        for triple in read(ox.NamedNode(iri)):
            batch.append(ox.Quad(triple.subject, triple.predicate, triple.object, target))
            count += 1
            if count > MERGE_LIMIT:
                raise QueryError(
                    f"the graphs this query names hold more than {MERGE_LIMIT} triples, the most this endpoint "
                    "merges into one default graph; name fewer graphs, or none to query the whole dataset",
                    422,
                    "result-cap",
                )
        memory.extend(batch)
    return memory


def run_local(
    store: ox.Store,
    query: str,
    cap: int | None,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    union_default: bool = False,
    base_iri: str | None = None,
) -> QueryResult:
    """Run `query` on `store`. With no dataset named (protocol or FROM), over the store's default graph,
    or, with `union_default` and a store without one, over the union of its named graphs."""
    dataset = query_dataset(query, default_graph, named_graphs)
    if dataset is None:
        return _evaluate(
            store, query, cap, base_iri, use_default_graph_as_union=union_default and not _has_default(store)
        )
    graphs, named = dataset
    if len(graphs) > 1:
        read = lambda g: (q.triple for q in store.quads_for_pattern(None, None, None, g))  # noqa: E731
        return run_merged(merged_dataset(graphs, named, read), query, named, cap, base_iri)
    default = [ox.NamedNode(g) for g in graphs]
    return _evaluate(store, query, cap, base_iri, default_graph=default, named_graphs=[ox.NamedNode(g) for g in named])


def run_merged(memory: ox.Store, query: str, named: list[str], cap: int | None, base_iri: str | None) -> QueryResult:
    """Run `query` on a `merged_dataset`, in place of the dataset it names."""
    named_graphs = [ox.NamedNode(g) for g in named]
    return _evaluate(memory, query, cap, base_iri, default_graph=ox.DefaultGraph(), named_graphs=named_graphs)


def _evaluate(store: ox.Store, query: str, cap: int | None, base_iri: str | None, **dataset: object) -> QueryResult:
    kwargs: dict[str, object] = {"base_iri": base_iri} if base_iri else {}
    try:
        answer = store.query(query, **kwargs, **dataset)  # type: ignore[arg-type]
        return collect(answer, cap)
    except SyntaxError as err:
        raise QueryError(f"the query does not parse: {err}") from None
    except ValueError as err:
        raise QueryError(f"the query cannot be evaluated: {err}") from None


def _has_default(store: ox.Store) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None


__all__ = [
    "BooleanResult",
    "GraphResult",
    "QueryError",
    "QueryResult",
    "SerializedResult",
    "SolutionsResult",
    "collect",
    "run_local",
]
