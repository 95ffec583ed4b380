"""The lists a resource page shows besides its statements, a page at a time: a declaration's clauses (by
position) with their themes, the signatures of a declaration, person or municipality, a theme's clauses."""

from __future__ import annotations

import threading
from typing import Any

import pyoxigraph as ox
from flask import current_app

from b40graph.core.vocab import PREFIXES
from b40graph.store.backend import Term, values_block
from b40graph.store.resource import Description
from b40graph.web.http import backend, local_url
from b40graph.web.labels import Labeller
from b40graph.web.readable import sort_key
from b40graph.web.values import safe_href, term_value

B40 = PREFIXES["b40"]

DECLARATION_CLAUSES = """
PREFIX b40: <https://w3id.org/b40/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?clause ?position ?text ?kind ?theme ?label WHERE {
  # The page's clauses are bound by their IRIs ({decl}/clause/{n}, model/assemble.py), one row each of the
  # VALUES block: each branch looks up only those, whatever the number of clauses the declaration has (a
  # UNION, not an OPTIONAL, whose right side would be evaluated over every commitment of the dataset first;
  # a commitment stated in a clause is its declaration's, and starting from the declaration would not be).
  { {{values}} ?decl b40:hasClause ?clause . ?clause schema:position ?position ; schema:text ?text ; a ?kind .
    FILTER(?kind IN (b40:OperativeClause, b40:PreambleClause)) }
  UNION { {{values}} ?c b40:statedIn ?clause ; b40:theme ?theme ; b40:matchedLabel ?label }
}"""
SIGNATURES = """
PREFIX b40: <https://w3id.org/b40/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?decl ?sig ?person ?muni ?role ?date WHERE {
  {{values}}
  ?decl b40:hasSignature ?sig . ?sig prov:agent ?person ; b40:onBehalfOf ?muni ; b40:signatoryRole ?role .
  OPTIONAL { ?sig dct:date ?date }
} ORDER BY ?decl ?muni"""
#: A declaration's signatures, a page at a time: the IRIs of all its signatures (one index scan, no join;
#: sorted here, as ORDER BY would cost a string comparison per step), then the page's own joined to their
#: signatory, municipality, role and date, bound by a VALUES block (a UNION, not an OPTIONAL, for the date).
SIGNATURE_IRIS = """
PREFIX b40: <https://w3id.org/b40/ontology#>
SELECT ?sig WHERE { {{values}} ?decl b40:hasSignature ?sig }"""
SIGNATURES_OF_PAGE = """
PREFIX b40: <https://w3id.org/b40/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?sig ?person ?muni ?role ?date WHERE {
  { {{values}} ?sig prov:agent ?person ; b40:onBehalfOf ?muni ; b40:signatoryRole ?role }
  UNION { {{values}} ?sig dct:date ?date }
}"""
THEME_CLAUSES = """
PREFIX b40: <https://w3id.org/b40/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?theme ?decl ?clause ?position ?text ?label WHERE {
  {{values}}
  ?c b40:theme ?theme ; b40:statedIn ?clause ; b40:matchedLabel ?label .
  ?clause b40:clauseOf ?decl ; schema:position ?position ; schema:text ?text .
} ORDER BY ?decl ?position"""


#: Rows per page of each list a page shows besides the triples (see resource.py for those): a declaration's
#: clauses (by position), the signatures of a declaration, person or municipality, a theme's commitments.
CLAUSES_PER_PAGE = 100
ROWS_PER_PAGE = 100
#: The classes whose pages list signatures, and the variable of SIGNATURES their resource is bound to.
SIGNED_BY = {B40 + "Declaration": "decl", PREFIXES["foaf"] + "Person": "person", B40 + "Municipality": "muni"}


def _page_of(query: str, page: int, size: int) -> str:
    """`query` cut to page `page` of `size` rows, plus one row to tell whether a next page exists."""
    return f"{query}\n{_limit(page, size)}"


def _limit(page: int, size: int) -> str:
    """LIMIT and OFFSET of page `page` of `size` rows, plus one row to tell whether a next page exists. SPARQL
    cannot bind LIMIT and OFFSET, so they are written into the text: numbers computed here from the page
    number, which the view has parsed as an integer in 1..MAX_PAGE, never text from the request."""
    assert isinstance(page, int) and isinstance(size, int) and page >= 1 and size >= 1
    return f"LIMIT {size + 1} OFFSET {(page - 1) * size}"


def _select(query: str, var: str, node: ox.NamedNode) -> list[dict[str, Any]]:
    return backend().select(query, {var: node})


def page_lists(desc: Description, type_iris: set[str], labeller: Labeller) -> tuple[dict[str, Any], bool]:
    """The lists a page shows besides its statements (a declaration's clauses, signatures, a theme's
    clauses), one page of each, and whether any has a next page."""
    view: dict[str, Any] = {}
    node, page, more = desc.iri, desc.page, desc.has_more_incoming
    if B40 + "Declaration" in type_iris:
        view["clauses"], after = _clauses(node, page, labeller)
        more = more or after
    for cls, var in SIGNED_BY.items():
        if cls in type_iris:
            if var == "decl":
                rows, after = _declaration_signatures(node, page)
                more = more or after
            else:
                rows = _select(_page_of(SIGNATURES, page, ROWS_PER_PAGE), var, node)
                more = more or len(rows) > ROWS_PER_PAGE
            view["signatures"] = _signature_rows(rows[:ROWS_PER_PAGE], labeller)
            view["signature_columns"] = [c for c in SIGNATURE_COLUMNS if c[0] != var]
            break
    if PREFIXES["skos"] + "Concept" in type_iris:
        rows = _select(_page_of(THEME_CLAUSES, page, ROWS_PER_PAGE), "theme", node)
        more = more or len(rows) > ROWS_PER_PAGE
        view["theme_clauses"] = [
            {
                "decl": term_value(r["decl"], labeller),
                "clause": term_value(r["clause"], labeller),
                "position": r["position"].value,
                "text": r["text"].value,
                "matched": r["label"].value,
            }
            for r in rows[:ROWS_PER_PAGE]
        ]
    return view, more


def _clauses(node: ox.NamedNode, page: int, labeller: Labeller) -> tuple[list[dict[str, Any]], bool]:
    """Page `page` of a declaration's clauses (by position), and whether a next page exists: the clauses of
    the page's positions, and of the first position after it, looked up by their IRIs."""
    first = (page - 1) * CLAUSES_PER_PAGE + 1
    wanted = {f"{node.value}/clause/{n}": n for n in range(first, first + CLAUSES_PER_PAGE + 1)}
    rows: list[dict[str, Term]] = [{"decl": node, "clause": ox.NamedNode(iri)} for iri in wanted]
    clauses: dict[int, dict[str, Any]] = {}
    themes: list[dict[str, Term]] = []
    for row in backend().select(DECLARATION_CLAUSES.replace("{{values}}", values_block(rows)), {}):
        if "theme" in row:
            themes.append(row)
        elif "position" in row and row["clause"].value in wanted:
            clauses[wanted[row["clause"].value]] = {
                "position": int(row["position"].value),
                "text": row["text"].value,
                "themes": [],
                "operative": row["kind"].value.endswith("OperativeClause"),
                "href": safe_href(local_url(row["clause"].value)),
            }
    for row in sorted(themes, key=lambda r: str(r["theme"])):
        entry = clauses.get(wanted.get(row["clause"].value, 0))
        if entry is not None:
            entry["themes"].append({**term_value(row["theme"], labeller), "matched": row["label"].value})
    more = first + CLAUSES_PER_PAGE in clauses
    return [clauses[k] for k in sorted(clauses) if k < first + CLAUSES_PER_PAGE], more


def _declaration_signatures(node: ox.NamedNode, page: int) -> tuple[list[dict[str, Any]], bool]:
    """The rows of page `page` of a declaration's signatures (by IRI), and whether a next page exists."""
    sigs = _signature_iris(node)
    start = (page - 1) * ROWS_PER_PAGE
    wanted = {iri: i for i, iri in enumerate(sigs[start : start + ROWS_PER_PAGE])}
    if not wanted:
        return [], False
    bound: list[dict[str, Term]] = [{"sig": ox.NamedNode(iri)} for iri in wanted]
    found = backend().select(SIGNATURES_OF_PAGE.replace("{{values}}", values_block(bound)), {})
    dates = {r["sig"].value: r["date"] for r in found if "date" in r}
    rows = [{**r, "decl": node} for r in found if "person" in r and r["sig"].value in wanted]
    for row in rows:
        if row["sig"].value in dates:
            row["date"] = dates[row["sig"].value]
    rows.sort(key=lambda r: (wanted[r["sig"].value], str(r["person"]), str(r["muni"]), str(r["role"])))
    return rows, len(sigs) > start + ROWS_PER_PAGE


SIGNATURE_LISTS = 16  # declarations whose sorted signature IRIs an app keeps (for the current release)
_LISTS_LOCK = threading.Lock()


def _signature_iris(node: ox.NamedNode) -> list[str]:
    """A declaration's signature IRIs, sorted: read once per release and kept (a few declarations' worth), so
    that every further page of its signatures costs only that page's rows."""
    tag = backend().version().tag
    lists: dict[tuple[str, str], list[str]] = current_app.config.setdefault("B40_SIGNATURE_LISTS", {})
    with _LISTS_LOCK:
        found = lists.get((tag, node.value))
    if found is None:
        found = sorted(str(r["sig"].value) for r in _select(SIGNATURE_IRIS, "decl", node) if "sig" in r)
        if backend().version().tag == tag:
            with _LISTS_LOCK:
                while len(lists) >= SIGNATURE_LISTS:
                    lists.pop(next(iter(lists)))
                lists[(tag, node.value)] = found
    return found


#: The columns of a signatures table (the one the page is about is left out: its own name in every row).
SIGNATURE_COLUMNS = [("decl", "Declaration"), ("person", "Signatory"), ("muni", "On behalf of"), ("role", "Role")]


def _signature_rows(rows: list[dict[str, Any]], labeller: Labeller) -> list[dict[str, Any]]:
    out = [
        {
            "decl": term_value(r["decl"], labeller),
            "person": term_value(r["person"], labeller),
            "muni": term_value(r["muni"], labeller),
            "role": term_value(r["role"], labeller),
            "date": r["date"].value if "date" in r else "",
            "href": safe_href(local_url(r["sig"].value)) if "sig" in r else None,
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: (r["date"], sort_key(r["muni"]["label"]), sort_key(r["person"]["label"])))
