"""The sentence a resource page opens with ("Mayor of Split; signed 2 declarations, 2021 and 2025"),
worked out from the data by one fixed query per kind of thing, with the resource bound (never spliced).

A summary is a list of parts: text, or a term the page shows by its label (linked). The queries count
and aggregate, so a summary stays one line whatever the size of the resource's lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from b40graph.core.vocab import PREFIXES
from b40graph.web.readable import sort_key

Part = str | ox.NamedNode
Select = Callable[[str, dict[str, Any]], list[dict[str, Any]]]
Label = Callable[[ox.NamedNode], str]

B40 = PREFIXES["b40"]
SUMMARY_THEMES = 6  # themes named in a declaration's summary (the text lists every commitment)
_PREFIXES = """PREFIX b40: <https://w3id.org/b40/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
PERSON = (
    _PREFIXES
    + """SELECT ?decl ?issued ?role ?text ?muni ?place WHERE {
  {{values}} ?sig prov:agent ?person . ?decl b40:hasSignature ?sig .
  ?sig b40:onBehalfOf ?muni ; b40:signatoryRole ?role .
  OPTIONAL { ?decl dct:issued ?issued } OPTIONAL { ?sig b40:roleText ?text } OPTIONAL { ?muni dct:spatial ?place }
} ORDER BY ?issued LIMIT 500"""
)
# The people and municipalities of a declaration are counted from the plain relations the build derives
# from its signatures (b40:signatory, b40:party): one index scan each, no join per signature.
DECLARATION = (
    _PREFIXES
    + """SELECT ?issued ?event ?place ?theme ?people ?munis WHERE {
  { {{values}} ?decl dct:issued ?issued } UNION { {{values}} ?decl b40:adoptedAt ?event }
  UNION { {{values}} ?decl schema:locationCreated ?place } UNION { {{values}} ?decl b40:commitsTo ?theme }
  UNION { SELECT (COUNT(DISTINCT ?person) AS ?people) (COUNT(DISTINCT ?muni) AS ?munis) WHERE {
    { {{values}} ?decl b40:signatory ?person } UNION { {{values}} ?decl b40:party ?muni } } }
} LIMIT 500"""
)
MUNICIPALITY = (
    _PREFIXES
    + """SELECT ?country ?network ?since ?until ?role ?decls ?year WHERE {
  { {{values}} ?muni b40:country ?country }
  UNION { {{values}} ?ms org:member ?muni ; org:organization ?network ; b40:memberSince ?since .
          OPTIONAL { ?ms b40:memberUntil ?until } OPTIONAL { ?ms org:role ?role } }
  UNION { SELECT (COUNT(DISTINCT ?d) AS ?decls) WHERE {
          {{values}} ?sig b40:onBehalfOf ?muni . ?d b40:hasSignature ?sig } }
  UNION { SELECT DISTINCT ?year WHERE { {{values}} ?sig b40:onBehalfOf ?muni . ?d b40:hasSignature ?sig ;
          dct:issued ?issued BIND(YEAR(?issued) AS ?year) } }
} LIMIT 500"""
)
THEME = (
    _PREFIXES
    + """SELECT ?scheme ?decl ?issued ?decls WHERE {
  { {{values}} ?theme skos:inScheme ?scheme }
  UNION { SELECT (COUNT(DISTINCT ?d) AS ?decls) WHERE { {{values}} ?d b40:commitsTo ?theme } }
  UNION { SELECT ?decl ?issued WHERE { {{values}} ?decl b40:commitsTo ?theme OPTIONAL { ?decl dct:issued ?issued } }
          ORDER BY DESC(?issued) LIMIT 20 }
} LIMIT 500"""
)
CLAUSE = (
    _PREFIXES
    + """SELECT ?decl ?position ?kind ?theme WHERE {
  { {{values}} ?decl b40:hasClause ?clause . ?clause schema:position ?position ; a ?kind
    FILTER(?kind IN (b40:OperativeClause, b40:PreambleClause)) }
  UNION { {{values}} ?c b40:statedIn ?clause ; b40:theme ?theme }
} LIMIT 500"""
)
EVENT = (
    _PREFIXES
    + """SELECT ?start ?end ?location ?organizer ?decl WHERE {
  { {{values}} ?event schema:startDate ?start } UNION { {{values}} ?event schema:endDate ?end }
  UNION { {{values}} ?event schema:location ?location } UNION { {{values}} ?event schema:organizer ?organizer }
  UNION { {{values}} ?decl b40:adoptedAt ?event }
} LIMIT 500"""
)

NETWORK = (
    _PREFIXES
    + """SELECT ?founded ?place ?members ?decls WHERE {
  { {{values}} ?net schema:foundingDate ?founded } UNION { {{values}} ?net schema:foundingLocation ?place }
  UNION { SELECT (COUNT(DISTINCT ?m) AS ?members) WHERE {
          {{values}} ?ms org:organization ?net ; org:member ?m FILTER NOT EXISTS { ?ms b40:memberUntil ?until } } }
  UNION { SELECT (COUNT(DISTINCT ?d) AS ?decls) WHERE { {{values}} ?d dct:publisher ?net ; a b40:Declaration } }
} LIMIT 500"""
)
COUNTRY = (
    _PREFIXES
    + """SELECT ?members WHERE {
  { SELECT (COUNT(DISTINCT ?m) AS ?members) WHERE { {{values}} ?m b40:country ?country ; org:memberOf ?net } }
}"""
)
ROLE = (
    _PREFIXES
    + """SELECT ?signatures ?people WHERE {
  { SELECT (COUNT(DISTINCT ?sig) AS ?signatures) (COUNT(DISTINCT ?person) AS ?people) WHERE {
    {{values}} ?sig b40:signatoryRole ?role ; prov:agent ?person } }
}"""
)


def _number(rows: list[dict[str, Any]], var: str) -> int:
    return next((int(r[var].value) for r in rows if var in r), 0)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _listed(terms: list[ox.NamedNode], label: Label) -> list[Part]:
    out: list[Part] = []
    for i, term in enumerate(sorted(terms, key=lambda t: sort_key(label(t)))):
        out += ([", "] if i else []) + [term]
    return out


def _values(rows: list[dict[str, Any]], var: str) -> list[Any]:
    return list(dict.fromkeys(r[var] for r in rows if var in r))


def person(rows: list[dict[str, Any]], label: Label) -> list[Part]:
    if not rows:
        return []
    out: list[Part] = []
    # the roles as printed ("Mayor of Split"), else by name and place; the latest first
    roles = list(
        dict.fromkeys(
            (r["text"].value,) if "text" in r else (r["role"], r.get("place") or r["muni"]) for r in reversed(rows)
        )
    )
    for i, role in enumerate(roles[:3]):
        out += (["; "] if i else []) + (list(role) if len(role) == 1 else [role[0], " of ", role[1]])
    decls = _values(rows, "decl")
    years = sorted({r["issued"].value[:4] for r in rows if "issued" in r})
    out.append(f"; signed {_count(len(decls), 'declaration', 'declarations')}")
    return out + ([", " + _and(years)] if years else [])


def declaration(rows: list[dict[str, Any]], label: Label) -> list[Part]:
    out: list[Part] = []
    issued, event, place = _values(rows, "issued"), _values(rows, "event"), _values(rows, "place")
    if issued or event or place:
        out.append("Adopted")
        out += [f" on {issued[0].value}"] if issued else []
        out += [" at ", event[0]] if event else []
        out += [" in ", place[0]] if place else []
    people = next((int(r["people"].value) for r in rows if "people" in r), 0)
    munis = next((int(r["munis"].value) for r in rows if "munis" in r), 0)
    if people:
        out.append(("; s" if out else "S") + f"igned by {_count(people, 'person', 'people')}")
        out.append(f" for {_count(munis, 'municipality', 'municipalities')}")
    themes = _values(rows, "theme")
    if themes:
        out.append(("; c" if out else "C") + f"ommits to {_count(len(themes), 'theme', 'themes')}: ")
        named = sorted(themes, key=lambda t: sort_key(label(t)))[:SUMMARY_THEMES]
        out += _listed(named, label)
        out += [f" and {len(themes) - len(named)} more"] if len(themes) > len(named) else []
    return out


def municipality(rows: list[dict[str, Any]], label: Label) -> list[Part]:
    out: list[Part] = ["Municipality"]
    for country in _values(rows, "country")[:1]:
        out += [" in ", country]
    for r in [r for r in rows if "network" in r][:3]:
        out += ["; member of ", r["network"], f" since {r['since'].value}"]
        out += [f" until {r['until'].value}"] if "until" in r else []
        out += [" (", r["role"], ")"] if "role" in r else []
    decls = next((int(r["decls"].value) for r in rows if "decls" in r), 0)
    years = sorted(str(y.value) for y in _values(rows, "year"))
    out.append(f"; signed {_count(decls, 'declaration', 'declarations')}" if decls else "; has signed no declaration")
    return out + ([", " + _and(years)] if decls and years else [])


def theme(rows: list[dict[str, Any]], label: Label) -> list[Part]:
    out: list[Part] = []
    for scheme in _values(rows, "scheme")[:1]:
        out += ["One of the ", scheme]
    decls = next((int(r["decls"].value) for r in rows if "decls" in r), 0)
    if not decls:
        return out
    out.append(("; " if out else "") + f"{_count(decls, 'declaration commits', 'declarations commit')} to it: ")
    dated = {r["decl"]: r["issued"].value if "issued" in r else "" for r in rows if "decl" in r}
    for i, (decl, issued) in enumerate(sorted(dated.items(), key=lambda kv: (kv[1], sort_key(label(kv[0]))))):
        out += ([", "] if i else []) + [decl] + ([f" ({issued[:4]})"] if issued else [])
    return out + ([", …"] if decls > len(dated) else [])


def clause(rows: list[dict[str, Any]], label: Label) -> list[Part]:
    head = next((r for r in rows if "decl" in r), None)
    if head is None:
        return []
    kind = "Operative" if head["kind"].value.endswith("OperativeClause") else "Preamble"
    out: list[Part] = [f"{kind} clause {head['position'].value} of ", head["decl"]]
    themes = _values(rows, "theme")
    if themes:
        out += ["; commits to ", *_listed(themes, label)]
    return out


def event(rows: list[dict[str, Any]], label: Label) -> list[Part]:
    out: list[Part] = ["Event"]
    start, end = _values(rows, "start"), _values(rows, "end")
    if start and end and start[0] != end[0]:
        out.append(f" from {start[0].value} to {end[0].value}")
    elif start or end:
        out.append(f" on {(start or end)[0].value}")
    for location in _values(rows, "location")[:1]:
        out += [" in ", location]
    for organizer in _values(rows, "organizer")[:1]:
        out += [", organised by ", organizer]
    decls = _values(rows, "decl")
    if decls:
        out += ["; adopted ", *_listed(decls, label)]
    return out


def network(rows: list[dict[str, Any]], label: Label) -> list[Part]:
    out: list[Part] = [f"Network of {_count(_number(rows, 'members'), 'member', 'members')}"]
    for founded in _values(rows, "founded")[:1]:
        out.append(f"; founded on {founded.value}")
    for place in _values(rows, "place")[:1]:
        out += [" in ", place]
    decls = _number(rows, "decls")
    return out + ([f"; published {_count(decls, 'declaration', 'declarations')}"] if decls else [])


def country(rows: list[dict[str, Any]], label: Label) -> list[Part]:
    return [f"Country of {_count(_number(rows, 'members'), 'member municipality', 'member municipalities')}"]


def role(rows: list[dict[str, Any]], label: Label) -> list[Part]:
    signatures, people = _number(rows, "signatures"), _number(rows, "people")
    return [f"Signatory role: {_count(signatures, 'signature', 'signatures')} by {_count(people, 'person', 'people')}"]


#: The query and the sentence of each kind of thing, by class, with the variable the resource is bound to.
KINDS: list[tuple[str, str, str, Callable[[list[dict[str, Any]], Label], list[Part]]]] = [
    (B40 + "Declaration", DECLARATION, "decl", declaration),
    (PREFIXES["foaf"] + "Person", PERSON, "person", person),
    (B40 + "Municipality", MUNICIPALITY, "muni", municipality),
    (B40 + "Clause", CLAUSE, "clause", clause),
    (B40 + "Event", EVENT, "event", event),
    (B40 + "Network", NETWORK, "net", network),
    (PREFIXES["schema"] + "Country", COUNTRY, "country", country),
    (B40 + "SignatoryRole", ROLE, "role", role),
    (PREFIXES["skos"] + "Concept", THEME, "theme", theme),
]


def summarize(node: ox.NamedNode, types: set[str], select: Select, label: Label) -> list[Part]:
    """The summary of the first kind `types` holds (in the order of KINDS), or nothing."""
    for cls, query, var, sentence in KINDS:
        if cls in types:
            return sentence(select(query, {var: node}), label)
    return []


def plain(parts: list[Part], label: Label) -> str:
    """The summary as text (for `<meta name="description">`)."""
    return "".join(p if isinstance(p, str) else label(p) for p in parts)
