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

The index's kinds, properties and text folding are in `search.kinds`, its writing in `search.writer`; their
public names are importable from here too.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from b40graph.core.text import fold, sort_key
from b40graph.search.kinds import (
    B40,
    FIELD_RANK,
    INDEX_FILE,
    KIND_BY_CLASS,
    KIND_BY_KEY,
    KINDS,
    MAX_QUERY_CHARS,
    MAX_RESULTS,
    PROPERTIES,
    PROPERTY_BY_PID,
    SCHEMA_VERSION,
    Kind,
    Property,
    SearchError,
    SearchUnavailable,
    Select,
    fts_query,
    similarity,
    tokens,
    trigram_query,
)
from b40graph.search.writer import write_index, write_release_index

__all__ = [
    "B40",
    "INDEX_FILE",
    "KINDS",
    "KIND_BY_CLASS",
    "KIND_BY_KEY",
    "MAX_QUERY_CHARS",
    "MAX_RESULTS",
    "PROPERTIES",
    "PROPERTY_BY_PID",
    "Hit",
    "Indexes",
    "Kind",
    "Property",
    "SearchError",
    "SearchIndex",
    "SearchUnavailable",
    "fold",
    "fts_query",
    "similarity",
    "tokens",
    "write_index",
    "write_release_index",
]

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
            grams = trigram_query(norm)
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
