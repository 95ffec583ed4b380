"""Writing the search index: the entities, labels and property values of a dataset, read by fixed SPARQL
queries (`read_dataset`), become the rows of an SQLite file (`index_rows`), written atomically
(`write_index`)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from b40graph.core.text import fold
from b40graph.search.kinds import (
    ALIAS_PROPS,
    B40,
    DCT,
    INDEX_FILE,
    KIND_BY_CLASS,
    KIND_BY_KEY,
    KINDS,
    NAME_FIELDS,
    NAME_PROPS,
    PROPERTIES,
    PROV,
    SCHEMA,
    SCHEMA_VERSION,
    TEXT_PROPS,
    Kind,
    Select,
    Term,
)

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entity(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, name TEXT NOT NULL,
                    description TEXT NOT NULL);
CREATE TABLE label(id INTEGER PRIMARY KEY, entity INTEGER NOT NULL, field TEXT NOT NULL, lang TEXT NOT NULL,
                   text TEXT NOT NULL, norm TEXT NOT NULL);
CREATE TABLE prop(entity INTEGER NOT NULL, pid TEXT NOT NULL, iri TEXT NOT NULL, norm TEXT NOT NULL);
CREATE VIRTUAL TABLE label_fts USING fts5(norm, content='label', content_rowid='id',
                                           tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE name_tri USING fts5(norm, content='', tokenize='trigram');
"""
_INDEXES = """
CREATE INDEX label_norm ON label(norm, entity);
CREATE INDEX label_entity ON label(entity);
CREATE INDEX entity_kind ON entity(kind, id);
CREATE INDEX prop_entity ON prop(entity, pid);
"""


def _values(name: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{name} {{ {' '.join(str(ox.NamedNode(i)) for i in iris)} }}"


_Q_TYPES = (
    "SELECT ?s ?t WHERE { {{values}} " + _values("t", KIND_BY_CLASS) + " ?s a ?t . "
    "FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?idbase)) }"
)
_Q_LITERALS = "SELECT ?s ?p ?o WHERE { {{values}} %s ?s ?p ?o . FILTER(isLiteral(?o) && isIRI(?s)) }"
_Q_ROLES = "SELECT ?s ?o WHERE { ?sig <" + PROV + "agent> ?s ; <" + B40 + "roleText> ?o . FILTER(isIRI(?s)) }"
_Q_LINKS = "SELECT ?s ?p ?o WHERE { {{values}} %s ?s ?p ?o . FILTER(isIRI(?s)) }"
_Q_ISSUED = "SELECT ?s ?o WHERE { ?s <" + DCT + "issued> ?o . FILTER(isIRI(?s)) }"
_Q_CLAUSE_OF = "SELECT ?s ?o WHERE { ?s <" + B40 + "clauseOf> ?o }"


def _lit(term: Term) -> tuple[str, str]:
    if isinstance(term, ox.Literal):
        return term.value, term.language or ""
    return term.value, ""


def _best(labels: list[tuple[str, str]]) -> str:
    for wanted in ("en", ""):
        found = sorted(text for text, lang in labels if lang == wanted)
        if found:
            return found[0]
    return sorted(text for text, _ in labels)[0] if labels else ""


@dataclass
class Dataset:
    """What the index is made of, as read from the store."""

    kinds: dict[str, Kind]  # iri -> its kind (the first in KINDS of its classes)
    labels: dict[str, list[tuple[str, str, str]]]  # iri -> (field, text, lang)
    names: dict[str, list[tuple[str, str]]]  # iri -> name labels of anything (values of properties too)
    roles: dict[str, list[str]]
    links: dict[str, dict[str, list[Term]]]  # iri -> pid -> values
    issued: dict[str, str]
    clause_of: dict[str, str]

    def name_of(self, iri: str) -> str:
        return _best(self.names.get(iri, [])) or iri.rsplit("/", 1)[-1]


def _kinds_of(select: Select, base: str) -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    order = {k.key: n for n, k in enumerate(KINDS)}
    for row in select(_Q_TYPES, {"idbase": ox.Literal(base + "id/")}):
        iri, kind = row["s"].value, KIND_BY_CLASS[row["t"].value]
        if iri not in kinds or order[kind.key] < order[kinds[iri].key]:
            kinds[iri] = kind
    return kinds


def _labels_of(
    select: Select, kinds: dict[str, Kind]
) -> tuple[dict[str, list[tuple[str, str, str]]], dict[str, list[tuple[str, str]]]]:
    """The labels of the indexed entities by field, and the names of anything."""
    labels: dict[str, list[tuple[str, str, str]]] = {}
    names: dict[str, list[tuple[str, str]]] = {}
    literal_props = (*NAME_PROPS, *ALIAS_PROPS, *TEXT_PROPS, DCT + "identifier")
    for row in select(_Q_LITERALS % _values("p", literal_props), {}):
        iri, prop = row["s"].value, row["p"].value
        text, lang = _lit(row["o"])
        if prop in NAME_PROPS:
            names.setdefault(iri, []).append((text, lang))
        if iri not in kinds or not text.strip():
            continue
        key = kinds[iri].key
        if prop in NAME_PROPS:
            labels.setdefault(iri, []).append(("name", text, lang))
        elif prop in ALIAS_PROPS:
            labels.setdefault(iri, []).append(("alias", text, lang))
        elif (prop == SCHEMA + "text" and key == "clause") or (prop in TEXT_PROPS[1:] and key in ("theme", "network")):
            labels.setdefault(iri, []).append(("text", text, lang))
        elif prop == DCT + "identifier" and key == "country":
            labels.setdefault(iri, []).append(("alias", text, lang))
    return labels, names


def read_dataset(select: Select, base: str) -> Dataset:
    """The entities under `base`id/ of the kinds indexed, with their labels, roles and property values."""
    kinds = _kinds_of(select, base)
    labels, names = _labels_of(select, kinds)
    roles: dict[str, list[str]] = {}
    for row in select(_Q_ROLES, {}):
        if row["s"].value in kinds:
            roles.setdefault(row["s"].value, []).append(row["o"].value)
    links: dict[str, dict[str, list[Term]]] = {}
    predicates = {p: prop.pid for prop in PROPERTIES for p in prop.predicates}
    for row in select(_Q_LINKS % _values("p", predicates), {}):
        iri = row["s"].value
        if iri in kinds:
            links.setdefault(iri, {}).setdefault(predicates[row["p"].value], []).append(row["o"])
    issued = {row["s"].value: row["o"].value for row in select(_Q_ISSUED, {})}
    clause_of = {row["s"].value: row["o"].value for row in select(_Q_CLAUSE_OF, {})}
    return Dataset(kinds, labels, names, roles, links, issued, clause_of)


@dataclass
class Rows:
    """The rows of the index's tables."""

    entity: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    label: list[tuple[int, int, str, str, str, str]] = field(default_factory=list)
    prop: list[tuple[int, str, str, str]] = field(default_factory=list)
    trigram: list[tuple[int, str]] = field(default_factory=list)


def _labels_to_index(data: Dataset, iri: str) -> list[tuple[str, str, str]]:
    """(field, text, lang) of an entity: its own labels, its roles, and a municipality's place names (a
    city's name finds its municipality)."""
    rows = list(data.labels.get(iri, []))
    rows += [("role", text, "") for text in dict.fromkeys(data.roles.get(iri, []))]
    if data.kinds[iri].key == "municipality":
        for place in data.links.get(iri, {}).get("place", []):
            rows += [("place", text, lang) for text, lang in data.names.get(place.value, [])]
    return rows


def _prop_rows(data: Dataset, number: int, values: dict[str, list[Term]]) -> list[tuple[int, str, str, str]]:
    """A property value is matched by itself folded and, for an IRI, by its names and its last segment."""
    rows = []
    for pid, terms in values.items():
        for term in terms:
            value = term.value
            folded = {fold(value)}
            if isinstance(term, ox.NamedNode):
                folded |= {fold(text) for text, _ in data.names.get(value, [])}
                folded.add(fold(value.rstrip("/").rsplit("/", 1)[-1]))
            rows += [(number, pid, value, f) for f in folded if f]
    return rows


def index_rows(data: Dataset) -> Rows:
    """The table rows of `data`: entities numbered in IRI order, each label once per field."""
    rows = Rows()
    label_id = 0
    for number, iri in enumerate(sorted(data.kinds), start=1):
        kind_key = data.kinds[iri].key
        own = data.labels.get(iri, [])
        values = data.links.get(iri, {})
        name = _best([(t, lang) for f, t, lang in own if f == "name"]) or data.name_of(iri)
        description = _description(kind_key, iri, values, data)
        rows.entity.append((number, iri, kind_key, name, description))
        seen: set[tuple[str, str]] = set()
        for fld, text, lang in _labels_to_index(data, iri):
            norm = fold(text)
            if not norm or (fld, norm) in seen:
                continue
            seen.add((fld, norm))
            label_id += 1
            rows.label.append((label_id, number, fld, lang, text, norm))
            if fld in NAME_FIELDS:
                rows.trigram.append((label_id, norm))
        rows.prop += _prop_rows(data, number, values)
    return rows


def _write_tables(db: sqlite3.Connection, base: str, rows: Rows) -> None:
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)", [("schema", SCHEMA_VERSION), ("base", base), ("built", str(time.time()))]
    )
    db.executemany("INSERT INTO entity VALUES (?, ?, ?, ?, ?)", rows.entity)
    db.executemany("INSERT INTO label VALUES (?, ?, ?, ?, ?, ?)", rows.label)
    db.executemany("INSERT INTO prop VALUES (?, ?, ?, ?)", rows.prop)
    db.execute("INSERT INTO label_fts(label_fts) VALUES ('rebuild')")
    db.executemany("INSERT INTO name_tri(rowid, norm) VALUES (?, ?)", rows.trigram)
    db.executescript(_INDEXES)
    db.execute("INSERT INTO label_fts(label_fts) VALUES ('optimize')")
    db.execute("INSERT INTO name_tri(name_tri) VALUES ('optimize')")
    db.commit()


def write_index(select: Select, base: str, path: Path) -> int:
    """Write the index of the dataset `select` reads to `path` (atomically: a temporary file renamed).
    Returns the number of entities indexed."""
    data = read_dataset(select, base)
    rows = index_rows(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        _write_tables(db, base, rows)
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, path)
    return len(data.kinds)


def _description(kind: str, iri: str, values: dict[str, list[Term]], data: Dataset) -> str:
    """A short line that tells namesakes apart: "Municipality in Greece", "Mayor of Athens", ..."""
    countries = [data.name_of(t.value) for t in values.get("country", [])]
    where = f" in {countries[0]}" if countries else ""
    if kind == "municipality":
        return "Municipality" + where
    if kind == "place":
        return "Place" + where
    if kind == "person":
        return "; ".join(dict.fromkeys(data.roles.get(iri, []))) or "Person"
    if kind == "declaration":
        return "Declaration" + (f" adopted {data.issued[iri]}" if iri in data.issued else "")
    if kind == "clause" and iri in data.clause_of:
        return "Clause of " + data.name_of(data.clause_of[iri])
    return KIND_BY_KEY[kind].label


def write_release_index(release_dir: Path, base: str) -> int:
    """The index of a release being staged, read from its store: `release_dir`/search.sqlite."""
    from b40graph.core.settings import Settings
    from b40graph.store.embedded import EmbeddedBackend

    backend = EmbeddedBackend(Settings(base=base), store_path=release_dir / "store", tag="staged", workers=False)
    try:
        return write_index(backend.select, base, release_dir / INDEX_FILE)
    finally:
        backend.close()
