"""The seeds' facts, checked by SPARQL on the built dataset, and the properties of the build itself."""

from __future__ import annotations

import filecmp

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from b40graph.core.settings import Settings
from b40graph.pipeline import build

from .conftest import BASE, ROOT, select

FOUNDING = BASE + "id/declaration/2021-b40-founding-declaration"
# The 22 municipalities that signed the founding declaration: founding members, whatever is added later.
FOUNDERS = {
    *("athens", "belgrade", "canakkale", "constanta", "durres", "edirne", "istanbul", "kardzhali", "kirklareli"),
    *("kotor", "laktasi", "mytilene", "podgorica", "prishtina", "prizren", "pula", "sarajevo", "skopje", "split"),
    *("tekirdag", "thessaloniki", "tirana"),
}
SOFIA = BASE + "id/declaration/2025-b40-sofia-summit-declaration"


def test_22_signatories_with_municipality_and_role(store):
    rows = select(
        store,
        f"""SELECT DISTINCT ?given ?family ?muni ?role ?date WHERE {{
      <{FOUNDING}> b40:hasSignature ?s . ?s prov:agent ?p ; b40:onBehalfOf ?muni ; b40:signatoryRole/rdfs:label ?role ;
      dct:date ?date . ?p foaf:givenName ?given ; foaf:familyName ?family }}""",
    )
    assert len(rows) == 22
    assert {r["muni"].rsplit("/", 1)[-1] for r in rows} == FOUNDERS
    by_muni = {r["muni"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_muni["prishtina"] == {
        "given": "Merita",
        "family": "Maliqi",
        "muni": BASE + "id/municipality/prishtina",
        "role": "Head of International Cooperation and EU Integration",
        "date": "2021-11-30",
    }
    assert (by_muni["constanta"]["given"], by_muni["constanta"]["family"], by_muni["constanta"]["role"]) == (
        "Ionuț",
        "Rusu",
        "Deputy Mayor",
    )
    assert (by_muni["canakkale"]["given"], by_muni["canakkale"]["family"], by_muni["canakkale"]["role"]) == (
        "Rebiye Turan",
        "Ünüvar",
        "Deputy Mayor",
    )
    assert by_muni["istanbul"]["family"] == "İmamoğlu"
    assert by_muni["kirklareli"]["family"] == "Kesimoğlu"
    assert by_muni["prizren"]["role"] == "Director of Tourism and Economic Development"
    assert sum(r["role"] == "Mayor" for r in rows) == 18


def test_role_text_is_kept_as_printed(store):
    rows = select(store, f"""SELECT ?text WHERE {{ <{FOUNDING}/signature/prishtina> b40:roleText ?text }}""")
    assert rows == [{"text": "Head of International Cooperation and EU Integration of Municipality of Prishtina"}]


def test_sofia_declaration_names_no_signatories(store):
    # The declaration is built (its title from the front matter, its six paragraphs as clauses) ...
    assert select(store, f"SELECT ?t WHERE {{ <{SOFIA}> a b40:Declaration ; dct:title ?t }}") == [
        {"t": "B40 Sofia Summit Declaration"}
    ]
    clauses = select(store, f"SELECT ?pos WHERE {{ <{SOFIA}> b40:hasClause/schema:position ?pos }}")
    assert sorted(int(r["pos"]) for r in clauses) == [1, 2, 3, 4, 5, 6]
    # ... and its text prints no signature block, so it has neither signatures nor signatories.
    assert select(store, f"SELECT ?s WHERE {{ <{SOFIA}> b40:hasSignature ?s }}") == []
    assert select(store, f"SELECT ?p WHERE {{ <{SOFIA}> b40:signatory ?p }}") == []


def test_founding_membership_of_all_22(store):
    rows = select(
        store,
        f"""SELECT DISTINCT ?m ?since WHERE {{ GRAPH ?g {{ ?ms org:member ?m ; org:organization ?n ;
      org:role <{BASE}id/role/founding-member> ; org:memberDuring/time:hasBeginning/time:inXSDDate ?since }} }}""",
    )
    assert {r["m"].rsplit("/", 1)[-1] for r in rows} == FOUNDERS and {r["since"] for r in rows} == {"2021-11-30"}
    assert len(rows) == 22  # one start date each
    inferred = select(
        store, f"""SELECT ?m WHERE {{ GRAPH <{BASE}graph/inferred> {{ ?m org:memberOf <{BASE}id/network/b40> }} }}"""
    )
    assert {r["m"].rsplit("/", 1)[-1] for r in inferred} >= FOUNDERS


def test_themes_with_the_clause_that_shows_them(store):
    rows = select(
        store,
        """SELECT ?d ?theme ?pos ?label WHERE { ?d b40:hasCommitment ?c . ?c b40:theme ?theme ;
      b40:matchedLabel ?label ; b40:statedIn ?clause . ?clause schema:position ?pos ; a b40:OperativeClause }""",
    )
    found = {(r["d"], r["theme"].rsplit("/", 1)[-1], int(r["pos"])) for r in rows}
    assert (FOUNDING, "climate-action", 10) in found
    assert (SOFIA, "green-energy", 5) in found
    assert (SOFIA, "rule-of-law", 1) in found
    plain = select(store, f"""SELECT ?t WHERE {{ GRAPH <{BASE}graph/inferred> {{ <{SOFIA}> b40:commitsTo ?t }} }}""")
    assert {r["t"] for r in plain} == {r["theme"] for r in rows if r["d"] == SOFIA}


def test_dates_and_events(store):
    rows = select(
        store,
        """SELECT ?d ?issued ?event ?start ?end WHERE { ?d a b40:Declaration ; dct:issued ?issued ;
      b40:adoptedAt ?event . ?event schema:startDate ?start ; schema:endDate ?end }""",
    )
    got = {r["d"]: (r["issued"], r["event"].rsplit("/", 1)[-1], r["start"], r["end"]) for r in rows}
    assert got[FOUNDING] == ("2021-11-30", "2021-istanbul-kickoff", "2021-11-29", "2021-11-30")
    assert got[SOFIA] == ("2025-02-24", "2025-sofia-summit", "2025-02-24", "2025-02-24")


def test_inferred_graph_holds_plain_relations(store):
    for pattern in (f"<{FOUNDING}> b40:signatory ?b", f"?a b40:signed <{FOUNDING}>", f"<{FOUNDING}> b40:party ?b"):
        rows = select(store, f"SELECT * WHERE {{ GRAPH <{BASE}graph/inferred> {{ {pattern} }} }}")
        assert len(rows) == 22, pattern
    parties = select(store, f"SELECT ?b WHERE {{ GRAPH <{BASE}graph/inferred> {{ <{FOUNDING}> b40:party ?b }} }}")
    members = select(store, f"SELECT ?b WHERE {{ GRAPH <{BASE}graph/inferred> {{ ?n org:hasMember ?b }} }}")
    assert {r["b"].rsplit("/", 1)[-1] for r in parties} == FOUNDERS <= {r["b"].rsplit("/", 1)[-1] for r in members}


def test_named_graph_per_source_with_provenance(store):
    graphs = {g.value for g in store.named_graphs()}
    assert {
        BASE + "graph/reference",
        BASE + "graph/ontology",
        BASE + "graph/inferred",
        BASE + "graph/description",
        BASE + "graph/declaration/2021-b40-founding-declaration",
    } <= graphs
    rows = select(
        store,
        f"""SELECT ?src ?sum WHERE {{ <{BASE}graph/declaration/2021-b40-founding-declaration>
      prov:wasDerivedFrom ?src .
      ?src <http://spdx.org/rdf/terms#checksum>/<http://spdx.org/rdf/terms#checksumValue> ?sum }}""",
    )
    import hashlib

    raw = (ROOT / "data/declarations/2021-11-30-b40-founding-declaration.md").read_bytes()
    assert rows and rows[0]["sum"] == hashlib.sha256(raw).hexdigest()


def test_full_text_is_verbatim(store):
    rows = select(store, f"SELECT ?t WHERE {{ <{FOUNDING}> schema:text ?t }}")
    source = ROOT.parent / "shared/sources/2021-11-30-b40-founding-declaration.txt"
    expected = source.read_text(encoding="utf-8") if source.exists() else None
    assert len(rows) == 1
    if expected is not None:
        assert rows[0]["t"] == expected


def test_shacl_report_conforms(built):
    report = Graph().parse(built[1].path / "shacl-report.ttl")
    assert (None, URIRef("http://www.w3.org/ns/shacl#conforms"), Literal(True)) in report


@pytest.mark.parametrize("name,fmt", [("b40.trig", "trig"), ("b40.nq", "nquads")])
def test_dataset_dumps_round_trip(built, name, fmt):
    folder = built[1].path
    reference = Dataset()
    reference.parse(folder / "b40.nq", format="nquads")
    parsed = Dataset()
    parsed.parse(folder / name, format=fmt)
    for g in reference.graphs():
        assert isomorphic(g, parsed.graph(g.identifier)), g.identifier
    assert len(list(reference.quads())) == len(list(parsed.quads()))


@pytest.mark.parametrize("name,fmt", [("b40.ttl", "turtle"), ("b40.nt", "nt"), ("b40.jsonld", "json-ld")])
def test_union_dumps_round_trip(built, name, fmt):
    folder = built[1].path
    union = Graph()
    union.parse(folder / "b40.nt", format="nt")
    assert isomorphic(union, Graph().parse(folder / name, format=fmt))
    assert len(union) > 3000


def test_jsonld_has_readable_context(built):
    import json

    doc = json.loads((built[1].path / "b40.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"]["b40"] == "https://w3id.org/b40/ontology#"
    assert any(n.get("@id") == "b40:Declaration" or "b40:Declaration" in n.get("@type", []) for n in doc["@graph"])


def test_output_is_deterministic(built, tmp_path):
    first = built[1]
    second = build(Settings(root=ROOT, out=tmp_path))
    for name in ("b40.trig", "b40.nq", "b40.ttl", "b40.nt", "b40.jsonld", "b40.ttl.gz", "shacl-report.ttl"):
        assert filecmp.cmp(first.path / name, second.path / name, shallow=False), name
