"""Tables people can take away: the members, the signatures and the commitments of the dataset.

Each table is rows of IRIs and their English labels, read with fixed SPARQL queries through any `select`
(a `Backend`'s, or one over a build's store): the overview pages show them, and the build writes them as
CSV files of the release (RFC 4180: UTF-8, CRLF, a header row) next to the dumps, so that a download
always matches the dumps of its release. A backend without release files (a remote endpoint) has them
made from its data on request, by the same code.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from b40graph.store.backend import Term, values_block

Select = Callable[[str, dict[str, Term]], list[dict[str, Term]]]
Row = dict[str, str]

PREFIXES = """PREFIX b40: <https://w3id.org/b40/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""
_EN = re.compile(r"EN\(\?(\w+)\)")


def _english(query: str) -> str:
    """`EN(?x)` written out: ?x has no language tag or an English one."""
    return _EN.sub(r'FILTER(LANG(?\1) = "" || LANGMATCHES(LANG(?\1), "en"))', query)


# The point of the place, else of a city within it (a metropolitan municipality governs a province). Each
# OPTIONAL joins on the bound ?place: a UNION inside one (with a BIND) was evaluated apart from ?place and
# joined afterwards, which took minutes at 10,000 members.
MEMBERS = _english(
    PREFIXES
    + """SELECT ?membership ?network ?network_label ?municipality ?municipality_label ?country ?country_label
  ?place ?place_label ?at ?at_label ?lat ?long ?joined ?left ?role ?role_label WHERE {
  ?membership a org:Membership ; org:member ?municipality ; org:organization ?network ; b40:memberSince ?joined .
  OPTIONAL { ?membership b40:memberUntil ?left }
  OPTIONAL { ?membership org:role ?role OPTIONAL { ?role rdfs:label ?role_label EN(?role_label) } }
  OPTIONAL { ?network rdfs:label ?network_label EN(?network_label) }
  OPTIONAL { ?municipality rdfs:label ?municipality_label EN(?municipality_label) }
  OPTIONAL { ?municipality b40:country ?country OPTIONAL { ?country rdfs:label ?country_label EN(?country_label) } }
  OPTIONAL { ?municipality dct:spatial ?place
    OPTIONAL { ?place rdfs:label ?place_label EN(?place_label) }
    OPTIONAL { ?place geo:lat ?own_lat ; geo:long ?own_long }
    OPTIONAL { ?city schema:containedInPlace ?place ; geo:lat ?city_lat ; geo:long ?city_long
               OPTIONAL { ?city rdfs:label ?city_label EN(?city_label) } } }
  BIND(IF(BOUND(?own_lat), ?place, ?city) AS ?at)
  BIND(IF(BOUND(?own_lat), ?place_label, ?city_label) AS ?at_label)
  BIND(COALESCE(?own_lat, ?city_lat) AS ?lat)
  BIND(COALESCE(?own_long, ?city_long) AS ?long)
} ORDER BY ?joined ?municipality ?lat ?long"""
)

SIGNATURES = _english(
    PREFIXES
    + """SELECT ?signature ?declaration ?declaration_title ?date ?person ?person_name ?municipality
  ?municipality_label ?role ?role_label WHERE {
  ?declaration a b40:Declaration ; b40:hasSignature ?signature .
  ?signature prov:agent ?person ; b40:onBehalfOf ?municipality .
  OPTIONAL { ?signature dct:date ?date }
  OPTIONAL { ?declaration dct:title ?declaration_title }
  OPTIONAL { ?person foaf:name ?person_name }
  OPTIONAL { ?municipality rdfs:label ?municipality_label EN(?municipality_label) }
  OPTIONAL { ?signature b40:signatoryRole ?role OPTIONAL { ?role rdfs:label ?role_label EN(?role_label) } }
} ORDER BY ?date ?declaration ?municipality ?signature"""
)

COMMITMENTS = _english(
    PREFIXES
    + """SELECT ?commitment ?declaration ?declaration_title ?declaration_date ?theme ?theme_label ?clause
  ?clause_position ?matched_label ?kind WHERE {
  ?declaration a b40:Declaration ; b40:hasCommitment ?commitment .
  ?commitment b40:theme ?theme ; b40:statedIn ?clause .
  OPTIONAL { ?clause schema:position ?clause_position }
  OPTIONAL { ?commitment b40:matchedLabel ?matched_label }
  OPTIONAL { ?declaration dct:title ?declaration_title }
  OPTIONAL { ?declaration dct:issued ?declaration_date }
  OPTIONAL { ?theme skos:prefLabel ?theme_label EN(?theme_label) }
  BIND(IF(EXISTS { ?commitment a b40:CuratedCommitment }, "curated", "tagged") AS ?kind)
} ORDER BY ?declaration_date ?declaration ?clause_position ?theme"""
)


@dataclass(frozen=True)
class Table:
    name: str  # the file: /download/{name}.csv
    title: str
    query: str
    key: str  # one row per value of this variable
    columns: tuple[str, ...]
    extra: tuple[str, ...] = ()  # variables the pages use besides the columns

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


TABLES = (
    Table(
        "members",
        "Members",
        MEMBERS,
        "membership",
        (
            *("network", "network_label", "municipality", "municipality_label", "country", "country_label"),
            *("place", "place_label", "lat", "long", "joined", "left", "role", "role_label"),
        ),
        ("at", "at_label"),  # the place the point is of (a city of the province a municipality governs)
    ),
    Table(
        "signatures",
        "Signatures",
        SIGNATURES,
        "signature",
        (
            *("declaration", "declaration_title", "date", "signature", "person", "person_name"),
            *("municipality", "municipality_label", "role", "role_label"),
        ),
    ),
    Table(
        "commitments",
        "Commitments",
        COMMITMENTS,
        "commitment",
        (
            *("declaration", "declaration_title", "declaration_date", "commitment", "theme", "theme_label"),
            *("clause", "clause_position", "matched_label", "kind"),
        ),
    ),
)
BY_FILE = {t.file: t for t in TABLES}


def _text(term: Term | None) -> str:
    if term is None:
        return ""
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def rows(table: Table, select: Select) -> list[Row]:
    """One row per `table.key`, in the query's order; of several labels the first in code-point order."""
    out: dict[str, Row] = {}
    for solution in select(table.query, {}):
        key = _text(solution.get(table.key))
        values = {c: _text(solution.get(c)) for c in (table.key, *table.columns, *table.extra)}
        found = out.get(key)
        if found is None:
            out[key] = values
            continue
        for column, value in values.items():  # a second label (or point): keep the smaller, deterministically
            if value and (not found[column] or value < found[column]) and column.endswith("_label"):
                found[column] = value
    return list(out.values())


def to_csv(table: Table, table_rows: list[Row]) -> bytes:
    """RFC 4180: a header row, CRLF line ends, fields quoted where needed; UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table_rows:
        writer.writerow([row.get(c, "") for c in table.columns])
    return buffer.getvalue().encode("utf-8")


def store_select(store: ox.Store) -> Select:
    """`select` over a build's store (its default graph is the merge of the named graphs)."""

    def select(text: str, bindings: dict[str, Term]) -> list[dict[str, Term]]:
        answer = store.query(text.replace("{{values}}", values_block(bindings)))
        assert isinstance(answer, ox.QuerySolutions)
        names = [v.value for v in answer.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in answer]  # type: ignore[misc]

    return select


def write_tables(release_dir: Path) -> list[Path]:
    """The CSV files of a release being staged, read from its store."""
    store = ox.Store.read_only(str(release_dir / "store"))
    try:
        select = store_select(store)
        written = []
        for table in TABLES:
            path = release_dir / table.file
            path.write_bytes(to_csv(table, rows(table, select)))
            written.append(path)
        return written
    finally:
        del store


__all__ = ["BY_FILE", "TABLES", "Select", "Table", "rows", "store_select", "to_csv", "write_tables"]
