"""Search and reconciliation: an SQLite FTS5 index of names, labels in every language, roles and clause texts.

The index is one SQLite file (`search.sqlite`), written by `b40graph build` into the release folder next to
the store (in the staging folder, so it lands atomically with the release), and opened read-only by the
server. A server over a remote store (`serve --backend`) or a `--dataset` file builds it from the backend
on first use, into a temporary file, by the same fixed SPARQL queries (`write_index`); see `Indexes`.

Matching is accent- and case-insensitive: every text is folded (`core.text.fold`, the one lists are sorted
by: Turkish dotted and dotless i to i, letters without a decomposition such as đ or ø to their base letter,
combining marks dropped, case folded, non-Latin letters kept) before it is stored or looked up; results
that rank alike come by name (`core.text.sort_key`). User input never reaches SQL or FTS5 syntax: values
are SQLite parameters and an FTS5 query is made only of quoted tokens (`fts_query`).
"""

from __future__ import annotations

import difflib
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from b40graph.core.text import fold, sort_key

INDEX_FILE = "search.sqlite"
SCHEMA_VERSION = "1"
MAX_RESULTS = 200  # a search ranks at most this many entities (and says "200 or more")
MAX_QUERY_CHARS = 200

B40 = "https://w3id.org/b40/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
ORG = "http://www.w3.org/ns/org#"


@dataclass(frozen=True)
class Kind:
    key: str  # municipality, person, ...
    cls: str  # the class IRI (the reconciliation type id)
    label: str  # "Municipality"


#: What is indexed, by class; an entity of several takes the first kind in this order.
KINDS = (
    Kind("clause", B40 + "Clause", "Clause"),
    Kind("declaration", B40 + "Declaration", "Declaration"),
    Kind("municipality", B40 + "Municipality", "Municipality"),
    Kind("person", FOAF + "Person", "Person"),
    Kind("network", B40 + "Network", "Network"),
    Kind("role", ORG + "Role", "Role"),  # before "theme": a role is a skos:Concept too (of the roles scheme)
    Kind("theme", SKOS + "Concept", "Theme"),
    Kind("event", B40 + "Event", "Event"),
    Kind("country", SCHEMA + "Country", "Country"),
    Kind("place", SCHEMA + "Place", "Place"),
)
KIND_BY_KEY = {k.key: k for k in KINDS}
KIND_BY_CLASS = {k.cls: k for k in KINDS}

NAME_PROPS = (RDFS + "label", SKOS + "prefLabel", FOAF + "name", SCHEMA + "name", DCT + "title")
ALIAS_PROPS = (SKOS + "altLabel",)
TEXT_PROPS = (SCHEMA + "text", SKOS + "definition", DCT + "description")
FIELD_RANK = {"name": 0, "alias": 1, "place": 2, "role": 3, "text": 4}  # lower ranks first
NAME_FIELDS = ("name", "alias", "place")  # what reconciliation compares a query with


@dataclass(frozen=True)
class Property:
    pid: str
    name: str
    description: str
    predicates: tuple[str, ...]


#: Properties a reconciliation query may constrain (`properties: [{"pid": "country", "v": "Greece"}]`).
PROPERTIES = (
    Property("country", "Country", "the country of a municipality or place", (B40 + "country",)),
    Property(
        "place",
        "Place",
        "the place of a municipality, or where a declaration was adopted or an event held",
        (DCT + "spatial", SCHEMA + "locationCreated", SCHEMA + "location", SCHEMA + "containedInPlace"),
    ),
    Property(
        "sameAs",
        "Same as",
        "an identifier elsewhere: a Wikidata (Q1524) or GeoNames IRI",
        (SCHEMA + "sameAs", OWL + "sameAs"),
    ),
    Property("network", "Network", "the network a municipality is a member of", (ORG + "memberOf",)),
    Property("identifier", "Identifier", "the dataset's identifier (slug or code)", (DCT + "identifier",)),
)
PROPERTY_BY_PID = {p.pid: p for p in PROPERTIES}

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Select = Callable[[str, dict[str, Term]], list[dict[str, Term]]]


class SearchError(ValueError):
    """A search or reconciliation request that cannot be answered as asked (a 400)."""


class SearchUnavailable(Exception):
    """No index to answer from yet (a 503): `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- folding and FTS5 queries ------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The words of `text` folded, as FTS5's unicode61 tokenizer splits them (letters and digits)."""
    return _TOKEN.findall(fold(text))


def fts_query(text: str, prefix: bool = True) -> str | None:
    """An FTS5 query that finds every word of `text` (AND), the words of 2 letters or more also as prefixes.
    Every word is a quoted string, so FTS5 syntax in the input (`"`, `*`, `OR`, `NEAR(`, `col:`) is text."""
    words = tokens(text)[:16]
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' + ("*" if prefix and len(w) > 1 else "") for w in words)


def _trigram_query(norm: str) -> str | None:
    text = " ".join(_TOKEN.findall(norm))
    grams = list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))
    grams = [g for g in grams if g.strip()][:40]
    if not grams:
        return None
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)


def similarity(a: str, b: str) -> float:
    """How alike two folded names are, 0..1 (1: the same)."""
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# --- writing the index -------------------------------------------------------------------------------

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


def write_index(select: Select, base: str, path: Path) -> int:
    """Write the index of the dataset `select` reads to `path` (atomically: a temporary file renamed).
    Returns the number of entities indexed."""
    idbase = base + "id/"
    kinds: dict[str, Kind] = {}
    order = {k.key: n for n, k in enumerate(KINDS)}
    for row in select(_Q_TYPES, {"idbase": ox.Literal(idbase)}):
        iri, kind = row["s"].value, KIND_BY_CLASS[row["t"].value]
        if iri not in kinds or order[kind.key] < order[kinds[iri].key]:
            kinds[iri] = kind
    labels: dict[str, list[tuple[str, str, str]]] = {}  # iri -> (field, text, lang)
    names: dict[str, list[tuple[str, str]]] = {}  # iri -> name labels of anything (values of properties too)
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

    def name_of(iri: str) -> str:
        return _best(names.get(iri, [])) or iri.rsplit("/", 1)[-1]

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("schema", SCHEMA_VERSION), ("base", base), ("built", str(time.time()))]
        )
        entity_rows, label_rows, prop_rows, tri_rows = [], [], [], []
        label_id = 0
        for number, iri in enumerate(sorted(kinds), start=1):
            kind_key = kinds[iri].key
            own = labels.get(iri, [])
            rows = [(f, t, lang) for f, t, lang in own]
            rows += [("role", text, "") for text in dict.fromkeys(roles.get(iri, []))]
            values = links.get(iri, {})
            if kind_key == "municipality":  # the names of the place it governs (a city's name finds its municipality)
                for place in values.get("place", []):
                    rows += [("place", text, lang) for text, lang in names.get(place.value, [])]
            name = _best([(t, lang) for f, t, lang in own if f == "name"]) or name_of(iri)
            description = _description(kind_key, iri, values, roles, issued, clause_of, name_of)
            entity_rows.append((number, iri, kind_key, name, description))
            seen: set[tuple[str, str]] = set()
            for fld, text, lang in rows:
                norm = fold(text)
                if not norm or (fld, norm) in seen:
                    continue
                seen.add((fld, norm))
                label_id += 1
                label_rows.append((label_id, number, fld, lang, text, norm))
                if fld in NAME_FIELDS:
                    tri_rows.append((label_id, norm))
            for pid, terms in values.items():
                for term in terms:
                    value = term.value
                    folded = {fold(value)}
                    if isinstance(term, ox.NamedNode):
                        folded |= {fold(text) for text, _ in names.get(value, [])}
                        folded.add(fold(value.rstrip("/").rsplit("/", 1)[-1]))
                    prop_rows += [(number, pid, value, f) for f in folded if f]
        db.executemany("INSERT INTO entity VALUES (?, ?, ?, ?, ?)", entity_rows)
        db.executemany("INSERT INTO label VALUES (?, ?, ?, ?, ?, ?)", label_rows)
        db.executemany("INSERT INTO prop VALUES (?, ?, ?, ?)", prop_rows)
        db.execute("INSERT INTO label_fts(label_fts) VALUES ('rebuild')")
        db.executemany("INSERT INTO name_tri(rowid, norm) VALUES (?, ?)", tri_rows)
        db.executescript(_INDEXES)
        db.execute("INSERT INTO label_fts(label_fts) VALUES ('optimize')")
        db.execute("INSERT INTO name_tri(name_tri) VALUES ('optimize')")
        db.commit()
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, path)
    return len(kinds)


def _description(
    kind: str,
    iri: str,
    values: dict[str, list[Term]],
    roles: dict[str, list[str]],
    issued: dict[str, str],
    clause_of: dict[str, str],
    name_of: Callable[[str], str],
) -> str:
    """A short line that tells namesakes apart: "Municipality in Greece", "Mayor of Athens", ..."""
    countries = [name_of(t.value) for t in values.get("country", [])]
    where = f" in {countries[0]}" if countries else ""
    if kind == "municipality":
        return "Municipality" + where
    if kind == "place":
        return "Place" + where
    if kind == "person":
        return "; ".join(dict.fromkeys(roles.get(iri, []))) or "Person"
    if kind == "declaration":
        return "Declaration" + (f" adopted {issued[iri]}" if iri in issued else "")
    if kind == "clause" and iri in clause_of:
        return "Clause of " + name_of(clause_of[iri])
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


# --- reading the index -------------------------------------------------------------------------------

# Fixed statements; `{where}` takes the kind filter of `_kinds_sql` (only `?` marks: values are parameters).
_LABEL_HIT = "SELECT l.entity, l.field, l.text, %s, e.name FROM label l JOIN entity e ON e.id = l.entity WHERE "
_EXACT = _LABEL_HIT % "length(l.norm)" + "l.norm = ?{where} LIMIT 500"
_PREFIX = _LABEL_HIT % "length(l.norm)" + "l.norm > ? AND l.norm < ?{where} ORDER BY length(l.norm) LIMIT 500"
_FULL_TEXT = (
    "SELECT l.entity, l.field, l.text, f.rank, e.name FROM label_fts f JOIN label l ON l.id = f.rowid "
    "JOIN entity e ON e.id = l.entity WHERE label_fts MATCH ?{where} ORDER BY f.rank LIMIT 1000"
)
_ENTITIES = "SELECT id, iri, kind, name, description FROM entity WHERE id IN ({where})"
_BY_IRI = "SELECT e.id FROM entity e WHERE e.iri IN (?, ?){where}"
_NAME_EXACT = (
    "SELECT l.entity FROM label l JOIN entity e ON e.id = l.entity "
    "WHERE l.norm = ? AND l.field IN ('name', 'alias', 'place'){where} LIMIT 200"
)
_NAME_WORDS = (
    "SELECT l.entity FROM label_fts f JOIN label l ON l.id = f.rowid JOIN entity e ON e.id = l.entity "
    "WHERE label_fts MATCH ? AND l.field IN ('name', 'alias', 'place'){where} ORDER BY f.rank LIMIT 200"
)
_NAME_TRIGRAMS = (
    "SELECT l.entity FROM (SELECT rowid AS id FROM name_tri WHERE name_tri MATCH ? ORDER BY rank LIMIT 200) t "
    "JOIN label l ON l.id = t.id JOIN entity e ON e.id = l.entity WHERE 1{where}"
)
_WITH_PROPERTY = (
    "SELECT DISTINCT p.entity FROM prop p JOIN entity e ON e.id = p.entity WHERE p.pid = ?{where} LIMIT 1000"
)
_NAMES_OF = "SELECT field, text, norm FROM label WHERE entity = ? AND field IN ('name', 'alias', 'place')"


#: A search's candidate: (entity, ((tier, field rank, rank), field, matched text, name)).
Ranked = tuple[int, tuple[tuple[float, int, float], str, str, str]]


def _first_by_name(ranked: list[Ranked], limit: int) -> list[Ranked]:
    """The first `limit` of `ranked` (in rank order; the rank key first, the name last), those that rank
    alike by name (`sort_key`); only the names that can reach the first `limit` are keyed (a search stays
    fast)."""
    if not ranked or limit <= 0:
        return []
    end = min(limit, len(ranked))
    while end < len(ranked) and ranked[end][1][0] == ranked[end - 1][1][0]:
        end += 1
    return sorted(ranked[:end], key=lambda item: (item[1][0], sort_key(item[1][3])))[:limit]


def _sql(statement: str, where: str) -> str:
    return statement.replace("{where}", where)


@dataclass
class Hit:
    iri: str
    kind: str
    name: str
    description: str
    score: float  # search: a rank key; reconciliation: 0..100
    matched: str = ""  # the label or text that matched (original spelling)
    via: str = ""  # the field that matched: name, alias, place, role, text
    match: bool = False
    features: dict[str, float] = field(default_factory=dict)

    @property
    def type_iri(self) -> str:
        return KIND_BY_KEY[self.kind].cls


class SearchIndex:
    """A read-only index file; one SQLite connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        meta = dict(self._db().execute("SELECT key, value FROM meta").fetchall())
        if meta.get("schema") != SCHEMA_VERSION:
            raise SearchUnavailable(f"{path}: a search index of another version; rebuild the release")
        self.base = meta.get("base", "")

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            self._local.db = db
        return db

    def _kinds_sql(self, kinds: Iterable[str] | None) -> tuple[str, list[str]]:
        wanted = sorted(set(kinds or ()))
        if not wanted:
            return "", []
        return f" AND e.kind IN ({', '.join('?' * len(wanted))})", wanted

    def search(self, text: str, kinds: Iterable[str] | None = None, limit: int = MAX_RESULTS) -> list[Hit]:
        """Ranked: an exact label first, then labels that begin with the query, then full-text rank (BM25),
        equals by name (`sort_key`, as every list is sorted); at most `limit` (≤ MAX_RESULTS) entities."""
        norm = fold(text)[:MAX_QUERY_CHARS]
        limit = max(0, min(limit, MAX_RESULTS))
        if not norm or not limit:
            return []
        where, args = self._kinds_sql(kinds)
        db = self._db()
        best: dict[int, tuple[tuple[float, int, float], str, str, str]] = {}

        def offer(rows: Iterable[tuple[int, str, str, float, str]], tier: int) -> None:
            for entity, fld, matched, rank, name in rows:
                key = (-tier, FIELD_RANK[fld], rank)
                if entity not in best or key < best[entity][0]:
                    best[entity] = (key, fld, matched, name)

        offer(db.execute(_sql(_EXACT, where), [norm, *args]), 3)
        offer(db.execute(_sql(_PREFIX, where), [norm, norm + "\U0010ffff", *args]), 2)
        query = fts_query(norm)
        if query is not None:
            offer(db.execute(_sql(_FULL_TEXT, where), [query, *args]), 1)
        ranked = _first_by_name(sorted(best.items(), key=lambda item: item[1][0]), limit)
        return self._hits([(entity, key[0] * -1, fld, matched) for entity, (key, fld, matched, _) in ranked])

    def _hits(self, found: list[tuple[int, float, str, str]]) -> list[Hit]:
        if not found:
            return []
        ids = [entity for entity, *_ in found]
        rows: dict[int, tuple[int, str, str, str, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows.update(
                (row[0], row) for row in self._db().execute(_sql(_ENTITIES, ", ".join("?" * len(chunk))), chunk)
            )
        return [
            Hit(rows[e][1], rows[e][2], rows[e][3], rows[e][4], score, matched, fld) for e, score, fld, matched in found
        ]

    def entity(self, iri: str) -> Hit | None:
        row = self._db().execute("SELECT id, iri, kind, name, description FROM entity WHERE iri = ?", [iri]).fetchone()
        return Hit(row[1], row[2], row[3], row[4], 0.0) if row else None

    def labels(self, iri: str) -> list[tuple[str, str, str]]:
        """(field, text, language) of an entity, names first."""
        rows = (
            self._db()
            .execute(
                "SELECT l.field, l.text, l.lang FROM label l JOIN entity e ON e.id = l.entity WHERE e.iri = ? "
                "ORDER BY l.id",
                [iri],
            )
            .fetchall()
        )
        return sorted(rows, key=lambda r: FIELD_RANK[r[0]])

    def count(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM entity").fetchone()[0])

    def reconcile(
        self,
        text: str,
        kinds: Iterable[str] | None = None,
        properties: Iterable[tuple[str, list[object]]] = (),
        limit: int = 5,
    ) -> list[Hit]:
        """Candidates for a name: the same name folded, the name's words, or names with trigrams in common
        (typos), scored 0..100 by how alike the closest name is; `properties` (pid, values) must all hold.
        `match` is set on the top candidate when it alone has exactly the name asked for."""
        norm = fold(text)[:MAX_QUERY_CHARS]
        constraints = [(pid, values) for pid, values in properties]
        for pid, _ in constraints:
            if pid not in PROPERTY_BY_PID:
                raise SearchError(f"unknown property '{pid}' (known: {', '.join(PROPERTY_BY_PID)})")
        where, args = self._kinds_sql(kinds)
        db = self._db()
        found: set[int] = set()
        direct = None  # the query is an entity's IRI or its part after <base>id/
        if text.strip():
            row = db.execute(_sql(_BY_IRI, where), [text.strip(), self.base + "id/" + text.strip(), *args]).fetchone()
            direct = row[0] if row else None
            found.update([direct] if direct is not None else [])
        if norm:
            found.update(r[0] for r in db.execute(_sql(_NAME_EXACT, where), [norm, *args]))
            query = fts_query(norm, prefix=False)
            if query is not None:
                found.update(r[0] for r in db.execute(_sql(_NAME_WORDS, where), [query, *args]))
            grams = _trigram_query(norm)
            if grams is not None:
                found.update(r[0] for r in db.execute(_sql(_NAME_TRIGRAMS, where), [grams, *args]))
        elif constraints:  # properties only: every entity of the kinds that has the first property
            found.update(r[0] for r in db.execute(_sql(_WITH_PROPERTY, where), [constraints[0][0], *args]))
        scored: list[tuple[float, int, str, str, bool]] = []
        for entity in found:
            if not all(self._holds(entity, pid, values) for pid, values in constraints):
                continue
            names = db.execute(_NAMES_OF, [entity]).fetchall()
            best = (0.0, "", "")
            exact = False
            for fld, label, label_norm in names:
                weight = 1.0 if fld != "place" else 0.98
                sim = similarity(norm, label_norm) * weight if norm else 1.0
                exact = exact or (bool(norm) and label_norm == norm)
                if sim > best[0]:
                    best = (sim, fld, label)
            if entity == direct:
                best, exact = (1.0, "iri", "") if best[0] < 1.0 else best, True
            scored.append((best[0], entity, best[1], best[2], exact))
        scored.sort(key=lambda s: (-s[0], s[1]))
        top = scored[: max(1, min(limit, 50))]
        hits = self._hits([(entity, round(sim * 100, 1), fld, label) for sim, entity, fld, label, _ in top])
        for hit, (sim, *_) in zip(hits, top, strict=True):
            hit.features = {"name_similarity": round(sim, 3)}
        exacts = [s for s in scored if s[4]]
        if hits and len(exacts) == 1 and exacts[0][1] == top[0][1]:
            hits[0].match = True
        return hits

    def _holds(self, entity: int, pid: str, values: list[object]) -> bool:
        rows = self._db().execute("SELECT iri, norm FROM prop WHERE entity = ? AND pid = ?", [entity, pid]).fetchall()
        for value in values:
            if isinstance(value, dict):
                wanted = str(value.get("id", ""))
                if any(iri == wanted or iri == self.base + "id/" + wanted for iri, _ in rows):
                    return True
            else:
                wanted = fold(str(value).lower() if isinstance(value, bool) else str(value))
                if any(norm == wanted or fold(iri) == wanted for iri, norm in rows):
                    return True
        return False


# --- which index answers: the release's own, or one built from the backend on first use ---------------


class Indexes:
    """The index for the data a backend serves now. A release written by `b40graph build` carries its own
    (opened read-only); for anything else (a remote store, a `--dataset` file, an older release) one is
    built from the backend's data in a background thread on first use, into a temporary file, and rebuilt
    when the data's version changes. A request waits up to `wait` seconds for it, then is told to retry
    (SearchUnavailable); the index of the previous version answers meanwhile."""

    def __init__(self, wait: float = 10.0) -> None:
        self.wait = wait
        self._lock = threading.Lock()
        self._open: dict[Path, SearchIndex] = {}
        self._built: tuple[str, SearchIndex, Path] | None = None  # (version tag, index, temporary folder)
        self._building: dict[str, threading.Thread] = {}
        self._errors: dict[str, str] = {}

    def for_release(self, path: Path) -> SearchIndex:
        with self._lock:
            index = self._open.get(path)
            if index is None:
                if len(self._open) > 4:  # old releases are pruned by builds: forget them
                    self._open.clear()
                index = self._open[path] = SearchIndex(path)
            return index

    def from_backend(self, tag: str, base: str, select: Select) -> SearchIndex:
        with self._lock:
            if self._built is not None and self._built[0] == tag:
                return self._built[1]
            if tag in self._errors:
                raise SearchUnavailable(f"search is unavailable: the index could not be built: {self._errors[tag]}", 60)
            thread = self._building.get(tag)
            if thread is None:
                thread = threading.Thread(target=self._build, args=(tag, base, select), daemon=True)
                self._building[tag] = thread
                thread.start()
        thread.join(self.wait)
        with self._lock:
            if self._built is not None and self._built[0] == tag:
                return self._built[1]
            if tag in self._errors:
                raise SearchUnavailable(f"search is unavailable: the index could not be built: {self._errors[tag]}", 60)
            if self._built is not None:  # the previous version's index, while the new one is built
                return self._built[1]
        raise SearchUnavailable("the search index is being built from the store; retry in a few seconds")

    def _build(self, tag: str, base: str, select: Select) -> None:
        folder = Path(tempfile.mkdtemp(prefix="b40graph-search-"))
        try:
            write_index(select, base, folder / INDEX_FILE)
            index = SearchIndex(folder / INDEX_FILE)
        except Exception as err:  # noqa: BLE001 - reported to every request for this version
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            with self._lock:
                self._errors[tag] = str(err).splitlines()[0][:300] if str(err) else type(err).__name__
                self._building.pop(tag, None)
            return
        with self._lock:
            old = self._built
            self._built = (tag, index, folder)
            self._building.pop(tag, None)
        if old is not None:
            import shutil

            shutil.rmtree(old[2], ignore_errors=True)
