"""The constraint components of the compiled SHACL engine that need no other shape: each checks a focus
node's values against one parameter of a `Shape`, as pyshacl does (shacl/engine.py runs them, and the
components that validate values against other shapes: sh:or, sh:node, sh:qualifiedValueShape, sh:property).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Protocol

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from b40graph.core import ntriples as nt
from b40graph.core.vocab import SH
from b40graph.shacl.shapes import Shape

#: A failed component, and the value that failed it (None: the focus node's values as a whole).
Failure = tuple[URIRef, str | None]


class Values(Protocol):
    """What the components read of the data (engine.Data)."""

    def objects(self, s: str, p: str) -> list[str]: ...

    def is_instance(self, node: str, cls: str) -> bool: ...


def failures(shape: Shape, focus: str, values: list[str], data: Values) -> Iterator[Failure]:
    """Every component of `shape` that needs no other shape, in pyshacl's order of components."""
    yield from _counts(shape, values)
    yield from _kinds(shape, values, data)
    yield from _strings(shape, values)
    yield from _members(shape, values)
    yield from _comparisons(shape, focus, values, data)


def _counts(shape: Shape, values: list[str]) -> Iterator[Failure]:
    if shape.min_count is not None and len(values) < shape.min_count:
        yield SH.MinCountConstraintComponent, None
    if shape.max_count is not None and len(values) > shape.max_count:
        yield SH.MaxCountConstraintComponent, None


def _kinds(shape: Shape, values: list[str], data: Values) -> Iterator[Failure]:
    """sh:class, sh:datatype, sh:nodeKind."""
    for cls in shape.classes:
        for v in values:
            if nt.is_literal(v) or not data.is_instance(v, cls):
                yield SH.ClassConstraintComponent, v
    if shape.datatype is not None:
        for v in values:
            if not _datatype_ok(v, shape.datatype):
                yield SH.DatatypeConstraintComponent, v
    if shape.node_kind is not None:
        for v in values:
            if not _node_kind_ok(v, shape.node_kind):
                yield SH.NodeKindConstraintComponent, v


def _strings(shape: Shape, values: list[str]) -> Iterator[Failure]:
    """sh:pattern, sh:minLength, sh:maxLength, sh:uniqueLang."""
    for pattern in shape.patterns:
        for v in values:
            if nt.is_blank(v) or not pattern.search(_string_of(v)):
                yield SH.PatternConstraintComponent, v
    for param, size in shape.lengths:
        for v in values:
            ok = not nt.is_blank(v) and (
                len(_string_of(v)) >= size if param == SH.minLength else len(_string_of(v)) <= size
            )
            if not ok:
                yield SH.MinLengthConstraintComponent if param == SH.minLength else SH.MaxLengthConstraintComponent, v
    if shape.unique_lang:
        langs: dict[str, int] = defaultdict(int)
        for v in values:
            if nt.is_literal(v):
                lang = nt.literal_parts(v)[1]
                if lang:
                    langs[lang.lower()] += 1
        for _ in [lang for lang, n in langs.items() if n > 1]:
            yield SH.UniqueLangConstraintComponent, None


def _members(shape: Shape, values: list[str]) -> Iterator[Failure]:
    """sh:in, sh:hasValue."""
    if shape.in_ is not None:
        for v in values:
            if v not in shape.in_:
                yield SH.InConstraintComponent, v
    for wanted in shape.has_value:
        if wanted not in values:
            yield SH.HasValueConstraintComponent, None


_RANGES: Mapping[URIRef, URIRef] = {
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
}


def _comparisons(shape: Shape, focus: str, values: list[str], data: Values) -> Iterator[Failure]:
    """sh:min/maxInclusive, sh:min/maxExclusive, sh:lessThan, sh:lessThanOrEquals."""
    for param, bound in shape.ranges:
        component = _RANGES[param]
        for v in values:
            if not _in_range(v, param, bound):
                yield component, v
    for param, predicate in shape.pairs:
        others = data.objects(focus, predicate)
        strict = param == SH.lessThan
        component = SH.LessThanConstraintComponent if strict else SH.LessThanOrEqualsConstraintComponent
        for v in values:
            for other_value in others:
                if not _ordered(v, other_value, strict):
                    yield component, v


@lru_cache(maxsize=100_000)
def _literal(term: str) -> Literal | None:
    node = nt.to_rdflib(term)
    return node if isinstance(node, Literal) else None


_LANG_STRING = str(RDF.langString)
_STRING = str(XSD.string)


def _datatype_ok(term: str, rule: URIRef) -> bool:
    if not term.startswith('"'):
        return False
    tail = term[term.rindex('"') + 1 :]
    if str(rule) == _LANG_STRING:  # a str value whatever the text: only the tag matters
        return tail.startswith("@")
    if str(rule) == _STRING and not tail:
        return True
    lit = _literal(term)
    if lit is None:
        return False
    if lit.datatype == rule:
        if getattr(lit, "ill_typed", None) is True:
            return False
        return _value_fits(lit.value, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and lit.datatype:
        return True
    if lit.datatype is None and lit.language is None and rule == XSD.string:
        return _value_fits(lit.value, rule)
    if rule == RDF.langString and lit.language:
        return _value_fits(lit.value, rule)
    return False


_PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: dt.date,
    XSD.time: dt.time,
    XSD.dateTime: dt.datetime,
}


def _value_fits(value: object, rule: URIRef) -> bool:
    wanted = _PYTHON_TYPES.get(rule)
    return True if wanted is None else isinstance(value, wanted)


def _node_kind_ok(term: str, kind: URIRef) -> bool:
    if nt.is_blank(term):
        return kind in (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
    if nt.is_literal(term):
        return kind in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
    return kind in (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)


def _string_of(term: str) -> str:
    if nt.is_literal(term):
        return nt.literal_parts(term)[0]
    if nt.is_iri(term):
        return term[1:-1]
    return term[2:]


def _in_range(term: str, param: URIRef, bound: Literal) -> bool:
    lit = _literal(term) if nt.is_literal(term) else None
    if lit is None:
        return False
    a, b = lit.value, bound.value
    if isinstance(a, str) != isinstance(b, str):
        return False
    try:
        if param == SH.minInclusive:
            return bool(a >= b)
        if param == SH.maxInclusive:
            return bool(a <= b)
        if param == SH.minExclusive:
            return bool(a > b)
        return bool(a < b)
    except TypeError:
        return False


def _ordered(term: str, other: str, strict: bool) -> bool:
    """SPARQL's < or <= on two values, as pyshacl compares them: IRIs and strings compare as text, other
    literals by value; a string against a non-string, or two values of types that do not compare, fails."""
    if nt.is_blank(term) or nt.is_blank(other):
        return False
    values = []
    for t in (term, other):
        lit = _literal(t) if nt.is_literal(t) else None
        values.append(t[1:-1] if lit is None else lit.value)
    a, b = values
    if isinstance(a, str) != isinstance(b, str):
        return False
    try:
        return bool(a < b) if strict else bool(a <= b)
    except TypeError:
        return False
