"""Triples as N-Triples term strings: the representation of the build pipeline.

A term is the exact N-Triples text pyoxigraph writes for it (`<iri>`, `"lex"@lang`, `"lex"^^<dt>`,
`"lex"`, `_:id`), so a triple is a tuple of three str. Python hashes and compares str at C speed, a
sorted list of N-Triples lines is the sorted dump, and no term objects are built for a million triples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from b40graph.core.terms import to_ox

Triple = tuple[str, str, str]
#: The one form named graphs take through the build (model -> reason -> validate -> publish): graph IRI ->
#: its sorted, distinct N-Triples lines.
NamedGraphs = dict[URIRef, list[str]]

_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def split(line: str) -> Triple:
    """'<s> <p> <o> .' -> ('<s>', '<p>', '<o>'). Subjects and predicates never hold a space."""
    s, p, o = line[:-2].split(" ", 2)
    return s, p, o


def lines(triples: Iterable[Triple]) -> list[str]:
    return [f"{s} {p} {o} ." for s, p, o in triples]


def term(node: Node) -> str:
    """The N-Triples text pyoxigraph writes for an rdflib term."""
    if type(node) is URIRef:
        return f"<{node}>"
    return str(to_ox(node))


def graph_lines(graph: Iterable[tuple[Node, Node, Node]]) -> list[str]:
    """Triples of rdflib terms (a graph) as sorted, distinct N-Triples lines."""
    return sorted({f"{term(s)} {term(p)} {term(o)} ." for s, p, o in graph})


class TripleBag:
    """What assembly needs of an rdflib Graph (add, iterate, objects), at a fraction of the cost."""

    def __init__(self) -> None:
        self.triples: list[tuple[Node, Node, Node]] = []

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        self.triples.append(triple)

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return iter(self.triples)

    def __len__(self) -> int:
        return len(set(self.triples))

    def objects(self, subject: Node | None, predicate: Node) -> Iterator[Node]:
        for s, p, o in self.triples:
            if p == predicate and (subject is None or s == subject):
                yield o


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(one, text) if "\\" in text else text


def literal_parts(term: str) -> tuple[str, str | None, str | None]:
    """'"x"@en' -> ('x', 'en', None); '"1"^^<dt>' -> ('1', None, 'dt'); '"x"' -> ('x', None, None)."""
    end = term.rindex('"')
    lexical = _unescape(term[1:end])
    rest = term[end + 1 :]
    if rest.startswith("@"):
        return lexical, rest[1:], None
    if rest.startswith("^^<"):
        return lexical, None, rest[3:-1]
    return lexical, None, None


def is_iri(term: str) -> bool:
    return term.startswith("<")


def is_literal(term: str) -> bool:
    return term.startswith('"')


def is_blank(term: str) -> bool:
    return term.startswith("_:")


@lru_cache(maxsize=200_000)
def to_rdflib(term: str) -> Node:
    if term.startswith("<"):
        return URIRef(term[1:-1])
    if term.startswith("_:"):
        return BNode(term[2:])
    lexical, lang, datatype = literal_parts(term)
    if lang:
        return Literal(lexical, lang=lang)
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(lexical, datatype=URIRef(datatype))
    return Literal(lexical)


def from_rdflib(term: Node) -> str:
    return str(to_ox(term))


def iri(value: str) -> str:
    return f"<{value}>"
