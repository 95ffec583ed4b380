"""A small, deterministic JSON-LD writer: compact IRIs through a readable @context of prefixes.

It writes subjects in the order given (the callers sort), one node object per subject, so that the
same triples always give the same bytes, and it streams: memory does not grow with the dataset.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MEMO_LIMIT = 10_000  # compacted IRIs remembered per writer (the first ones: vocabulary terms, in practice)


class Compactor:
    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.context = dict(sorted(prefixes.items()))
        self._seen: dict[str, str] = {}  # predicates, classes and datatypes recur on every node

    def iri(self, iri: str) -> str:
        short = self._seen.get(iri)
        if short is None:
            short = self._compact(iri)
            if len(self._seen) < MEMO_LIMIT:
                self._seen[iri] = short
        return short

    def _compact(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns) :]
                if ":" not in local and "/" not in local and not local.startswith("_"):
                    return f"{prefix}:{local}"
        return iri

    def value(self, term: object) -> object:
        if isinstance(term, ox.NamedNode):
            return {"@id": self.iri(term.value)}
        if isinstance(term, ox.BlankNode):
            return {"@id": f"_:{term.value}"}
        assert isinstance(term, ox.Literal)
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": self.iri(term.datatype.value)}


def _node_id(term: object) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value  # type: ignore[attr-defined]


def nodes(triples: Iterable[ox.Triple], comp: Compactor) -> Iterator[dict[str, object]]:
    current: dict[str, object] | None = None
    subject = None
    for t in triples:
        if t.subject != subject:
            if current is not None:
                yield current
            subject = t.subject
            sid = _node_id(t.subject)
            current = {"@id": sid if sid.startswith("_:") else comp.iri(sid)}
        assert current is not None
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            types = current.setdefault("@type", [])
            assert isinstance(types, list)
            types.append(comp.iri(t.object.value))
        else:
            values = current.setdefault(comp.iri(t.predicate.value), [])
            assert isinstance(values, list)
            values.append(comp.value(t.object))
    if current is not None:
        yield current


def head(comp: Compactor) -> bytes:
    """The document up to its first node: the @context and the opening of @graph."""
    return (json.dumps({"@context": comp.context}, ensure_ascii=False, indent=1)[:-2] + ',\n "@graph": [').encode()


TAIL = b"\n ]\n}\n"


def node_text(triples: Iterable[ox.Triple], comp: Compactor, first: bool) -> bytes:
    """The node objects of `triples`, one line each; `first`: they open @graph (no comma before)."""
    parts = []
    for node in nodes(triples, comp):
        parts.append(("\n  " if first else ",\n  ") + json.dumps(node, ensure_ascii=False, sort_keys=True))
        first = False
    return "".join(parts).encode()


def write(triples: Iterable[ox.Triple], prefixes: dict[str, str], out: object) -> None:
    """Write JSON-LD to a binary file-like `out`; triples must come grouped by subject."""
    comp = Compactor(prefixes)
    write_bytes = out.write  # type: ignore[attr-defined]
    write_bytes(head(comp))
    first = True
    for node in nodes(triples, comp):
        write_bytes((("\n  " if first else ",\n  ") + json.dumps(node, ensure_ascii=False, sort_keys=True)).encode())
        first = False
    write_bytes(TAIL)


def dumps(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    import io

    buf = io.BytesIO()
    write(triples, prefixes, buf)
    return buf.getvalue()
