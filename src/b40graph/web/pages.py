"""HTML pages for people: labels instead of IRIs, incoming links grouped by meaning, per-class views."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import current_app, g, render_template, request
from markupsafe import Markup, escape

from b40graph.core import jsonld
from b40graph.core.formats import DOCUMENT_FORMATS
from b40graph.core.vocab import PREFIXES
from b40graph.store.backend import Term, values_block
from b40graph.store.resource import RDF_TYPE, Description, best_label
from b40graph.web import facts, summary
from b40graph.web.errors import ApiError
from b40graph.web.http import backend, local_url, settings
from b40graph.web.readable import autonym, humanize, sort_key

B40 = PREFIXES["b40"]
#: Headings for incoming links, by property: what the linking things are to this one.
INCOMING = {
    B40 + "signatory": "Declarations signed by this person",
    PREFIXES["prov"] + "agent": "Signatures by this person",
    B40 + "onBehalfOf": "Signatures on behalf of this municipality",
    B40 + "party": "Declarations signed for this municipality",
    PREFIXES["org"] + "memberOf": "Members",
    PREFIXES["org"] + "member": "Memberships",
    PREFIXES["org"] + "organization": "Memberships",
    B40 + "commitsTo": "Declarations that commit to this theme",
    B40 + "theme": "Commitments to this theme",
    B40 + "statedIn": "Commitments stated in this clause",
    PREFIXES["dct"] + "spatial": "Municipalities governing this place",
    B40 + "country": "Places and municipalities in this country",
    PREFIXES["schema"] + "containedInPlace": "Places within",
    B40 + "adoptedAt": "Declarations adopted at this event",
    PREFIXES["dct"] + "publisher": "Published",
    PREFIXES["skos"] + "inScheme": "Concepts in this scheme",
    B40 + "signatoryRole": "Signatures in this role",
    PREFIXES["prov"] + "wasDerivedFrom": "Records derived from this",
}

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


DEFAULT_LANGUAGE = "en"
_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8}){0,7}$")
LANGUAGES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?lang WHERE { {{values}} ?s rdfs:label ?label BIND(LANG(?label) AS ?lang) FILTER(?lang != "") }"""


def lang() -> str:
    """The language of a page's labels (and its `<html lang>` and Content-Language): `?lang=` when given,
    else the client's Accept-Language, matched against the languages the dataset has labels in (once per
    dataset version); English when nothing matches. Worked out once per request."""
    chosen = g.get("b40_lang")
    if chosen is None:
        chosen = g.b40_lang = _choose_language()
    return str(chosen)


def _choose_language() -> str:
    forced = request.args.getlist("lang")
    if forced:
        value = forced[0].strip()
        if len(forced) > 1 or not _TAG.match(value):
            raise ApiError(400, "lang must be one language tag such as en, el or sr-Cyrl", "bad-request")
        wanted = [(value, 1.0)]
    else:
        wanted = [(tag, q) for tag, q in request.accept_languages]
    if not wanted:
        return DEFAULT_LANGUAGE
    return choose_language(wanted, _dataset_languages())


def choose_language(wanted: list[tuple[str, float]], offered: list[str], default: str = DEFAULT_LANGUAGE) -> str:
    """The first of the client's languages (by quality) that the dataset has: the same tag, else one with the
    same primary subtag ("sr" finds "sr-Cyrl", "en-GB" finds "en"); `*` or nothing found: the default."""
    known = {tag.lower(): tag for tag in [*offered, default]}
    for tag, q in sorted(wanted, key=lambda item: -item[1]):  # a stable sort keeps the client's order on ties
        if q <= 0:
            continue
        lowered = tag.lower()
        if lowered == "*":
            return default
        if lowered in known:
            return known[lowered]
        primary = lowered.split("-", 1)[0]
        near = sorted(low for low in known if low.split("-", 1)[0] == primary)
        if near:
            return known[near[0]]
    return default


def _dataset_languages() -> list[str]:
    version = backend().version().tag
    cached = current_app.config.get("B40_LANGUAGES")
    if cached is None or cached[0] != version:
        rows = backend().select(LANGUAGES, {})
        cached = (version, sorted(str(row["lang"].value) for row in rows if "lang" in row))
        current_app.config["B40_LANGUAGES"] = cached
    return list(cached[1])


def language_links(path: str | None = None) -> list[dict[str, Any]]:
    """The header's language switch: English and each language the data has labels in, each a link to the
    page (`path`, else the request's) in it (`?lang=`, the other parameters kept); none when the data has
    one language only."""
    try:
        offered = _dataset_languages()
    except Exception:  # noqa: BLE001 -- the switch never breaks a page (an error page when the store is down)
        return []
    tags = [
        DEFAULT_LANGUAGE,
        *sorted((t for t in offered if t != DEFAULT_LANGUAGE), key=lambda t: sort_key(autonym(t))),
    ]
    if len(tags) < 2:
        return []
    current = g.get("b40_lang")
    # A cached document (resources) varies only by page and language: its links keep no other parameter.
    kept = {"page"} if request.blueprint == "resources" else None
    args = {k: v for k, v in request.args.lists() if k != "lang" and (kept is None or k in kept)}
    links = []
    for tag in tags:
        query = urlencode([*((k, v) for k, vs in args.items() for v in vs), ("lang", tag)])
        href = f"{path or request.path}?{query}"
        links.append({"tag": tag, "name": autonym(tag), "href": href, "current": tag == current})
    return links


class Labeller:
    """The label shown for each term of a page, worked out once per term."""

    def __init__(self, desc: Description) -> None:
        self.desc = desc
        self.lang = lang()
        self.shown: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def label(self, term: object) -> str:
        if isinstance(term, ox.NamedNode):
            iri = term.value
            found = self.shown.get(iri)
            if found is None:
                found = self.desc.label_of(iri, self.lang) or _fetch_label(iri, self.lang)
                self.shown[iri] = found
            return found
        if isinstance(term, ox.Literal):
            return term.value
        return str(term)

    def name(self, iri: str) -> str:
        """The name of a class or property: its label in the data, else a name in words (never a CURIE)."""
        named = self.names.get(iri)
        if named is None:
            found = self.desc.label_of(iri, self.lang) or best_label(backend().labels([iri]).get(iri, []), self.lang)
            if found and " " not in found and found[1:] != found[1:].lower():  # a label such as "containedInPlace"
                found = humanize(found)
            named = self.names[iri] = found or humanize(iri)
        return named

    def prefetch(self, terms: Sequence[object]) -> None:
        """Look up the labels of `terms` in one request (a summary names things the description may not)."""
        iris = [t.value for t in terms if isinstance(t, ox.NamedNode) and t.value not in self.shown]
        iris = [i for i in dict.fromkeys(iris) if self.desc.label_of(i, self.lang) is None]
        if iris:
            found = backend().labels(iris)
            for iri in iris:
                self.shown[iri] = best_label(found.get(iri, []), self.lang) or iri


def _fetch_label(iri: str, language: str) -> str:
    """The label of a term the description does not hold (a row of a per-class view), else its IRI."""
    return best_label(backend().labels([iri]).get(iri, []), language) or iri


#: Schemes an IRI from the data may be linked with; anything else (javascript:, data:, vbscript:, …) is text.
SAFE_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "mailto", "urn", "tag", "doi", "geo", "tel"})


def safe_href(url: str | None) -> str | None:
    """`url` if a browser following it cannot run script, else None (the value is then shown as text only)."""
    if not url:
        return None
    if url.startswith("/") and not url.startswith(("//", "/\\")):
        return url
    scheme, colon, _ = url.partition(":")
    if colon and scheme.lower() in SAFE_SCHEMES and not any(c in url for c in "\t\n\r\x00"):
        return url
    return None


# Pieces of markup: data is joined to them only through `escape` (Markup + Markup stays Markup). Faster
# than `Markup.format`, which goes through string.Formatter in Python.
A_OPEN, A_EXTERNAL, A_MID, A_CLOSE = Markup('<a href="'), Markup('" rel="external">'), Markup('">'), Markup("</a>")
LANG_OPEN, DT_OPEN, SPAN_CLOSE = Markup('<span class="lang">@'), Markup('<span class="dt">'), Markup("</span>")


def link(url: str | None, text: str) -> Markup:
    """`text` linked to `url` when `url` is safe to follow, else `text` alone; both escaped."""
    href = safe_href(url)
    if href:
        return A_OPEN + escape(href) + A_MID + escape(text) + A_CLOSE
    return escape(text)


def show(value: dict[str, Any]) -> Markup:
    """A value made by `_value` as HTML: a labelled link, a label, or a literal with its language or
    datatype. Built here rather than in a template macro (a macro call costs several times as much, and a
    page shows hundreds of values); every piece of data goes through `escape`."""
    kind = value["kind"]
    if kind == "iri":
        if value["href"]:
            middle = A_EXTERNAL if value["external"] else A_MID
            return A_OPEN + escape(value["href"]) + middle + escape(value["label"]) + A_CLOSE
        return escape(value["label"])
    if kind == "literal":
        out = escape(value["text"])
        if value["lang"]:
            out += LANG_OPEN + escape(value["lang"]) + SPAN_CLOSE
        if value["datatype"]:
            out += DT_OPEN + escape(value["datatype"]) + SPAN_CLOSE
        return out
    return escape(value["text"])


def _curie(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _value(term: object, labeller: Labeller) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {
            "kind": "iri",
            "iri": term.value,
            "href": safe_href(local_url(term.value) or term.value),
            "label": labeller.label(term),
            "external": local_url(term.value) is None,
        }
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1] if not term.language else ""
        return {
            "kind": "literal",
            "text": term.value,
            "lang": term.language or "",
            "datatype": "" if datatype in ("string", "langString") else datatype,
        }
    return {"kind": "bnode", "text": str(term)}


def _embedded_jsonld(triples: list[ox.Triple]) -> str:
    text = jsonld.dumps(triples, PREFIXES).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _select(query: str, var: str, node: ox.NamedNode) -> list[dict[str, Any]]:
    return backend().select(query, {var: node})


def resource_page(desc: Description, doc_path: str, kind: str) -> tuple[str, bool, bool]:
    """The HTML of one page of a resource, whether a next page exists, and whether the page shows anything
    at all (a page past the end of every list shows nothing but a link back to the first)."""
    labeller = Labeller(desc)
    inferred_graph = settings().base + "graph/inferred"
    # the types, whichever page holds their triples (the outgoing triples are paged)
    type_quads = backend().quads(s=desc.iri, p=RDF_TYPE, limit=50)
    type_iris = {q.object.value for q in type_quads if isinstance(q.object, ox.NamedNode)}
    node = desc.iri
    page = desc.page
    view, more = _lists(desc, type_iris, labeller)
    shown = desc.exists or any(view.values())
    title = desc.label_of(node.value, labeller.lang) or _curie(node.value)
    parts = summary.summarize(node, type_iris, backend().select, labeller.label) if shown else []
    labeller.prefetch(parts)
    props, long_texts = facts.property_rows(desc, inferred_graph, labeller, _value, view)
    description = (summary.plain(parts, labeller.label) + ".") if parts else title
    html = render_template(
        "resource.html",
        title=title,
        iri=node.value,
        kind=kind,
        types=facts.badges(type_quads, inferred_graph, labeller),
        summary=[escape(p) if isinstance(p, str) else show(_value(p, labeller)) for p in parts],
        description=description,
        props=props,
        incoming=facts.incoming_groups(desc, inferred_graph, labeller, _value, view, INCOMING),
        long_texts=long_texts,
        view=view,
        page=page,
        more=more,
        shown=shown,
        doc_path=doc_path,
        lang_path=doc_path,  # a cached page links the same whether asked for as /doc/x or /doc/x.html
        og_url=settings().base + doc_path.lstrip("/"),  # the public address: a cached page holds no Host header
        og_type="article" if B40 + "Declaration" in type_iris else "website",
        formats=DOCUMENT_FORMATS[1:],
        jsonld=_embedded_jsonld(facts.embedded_triples(desc, inferred_graph)),
        page_lang=labeller.lang,
    )
    return html, more, shown


def _lists(desc: Description, type_iris: set[str], labeller: Labeller) -> tuple[dict[str, Any], bool]:
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
                "decl": _value(r["decl"], labeller),
                "clause": _value(r["clause"], labeller),
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
            entry["themes"].append({**_value(row["theme"], labeller), "matched": row["label"].value})
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
            "decl": _value(r["decl"], labeller),
            "person": _value(r["person"], labeller),
            "muni": _value(r["muni"], labeller),
            "role": _value(r["role"], labeller),
            "date": r["date"].value if "date" in r else "",
            "href": safe_href(local_url(r["sig"].value)) if "sig" in r else None,
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: (r["date"], sort_key(r["muni"]["label"]), sort_key(r["person"]["label"])))


def ontology_page(triples: list[ox.Triple]) -> str:
    terms: dict[str, dict[str, Any]] = defaultdict(lambda: {"props": defaultdict(list)})
    ontology_meta: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        s = t.subject.value if isinstance(t.subject, ox.NamedNode) else None
        if s is None:
            continue
        value = t.object.value if isinstance(t.object, ox.NamedNode | ox.Literal) else str(t.object)
        if s.endswith("/ontology"):
            ontology_meta[_curie(t.predicate.value)].append(value)
            continue
        if not s.startswith(B40):
            continue
        terms[s]["props"][_curie(t.predicate.value)].append(
            {
                "text": _curie(value) if isinstance(t.object, ox.NamedNode) else value,
                "href": safe_href(local_url(value) or value) if isinstance(t.object, ox.NamedNode) else None,
            }
        )
    classes: list[dict[str, Any]] = []
    properties: list[dict[str, Any]] = []
    for iri, data in sorted(terms.items()):
        kinds = {v["text"] for v in data["props"].get("rdf:type", [])}
        entry = {
            "iri": iri,
            "anchor": iri.split("#", 1)[-1],
            "props": dict(data["props"]),
            "label": (data["props"].get("rdfs:label") or [{"text": iri}])[0]["text"],
            "names": {key: _term_name(key) for key in data["props"]},
        }
        (classes if "owl:Class" in kinds else properties).append(entry)
    return render_template(
        "ontology.html",
        title="The ontology",
        classes=classes,
        properties=properties,
        meta=dict(ontology_meta),
        formats=DOCUMENT_FORMATS[1:],
    )


def _term_name(curie: str) -> str:
    """A property of the ontology page by name ("subclass of", not `rdfs:subClassOf`)."""
    prefix, _, local = curie.partition(":")
    name = humanize(PREFIXES.get(prefix, prefix + ":") + local)
    return name[:1].upper() + name[1:]
