"""Growing data (issue 10, items 7 and 8): a member that joined later (data/memberships.csv) and a third
declaration re-signed by a founding signatory are counted exactly once, on a copy of the project with
the test data of tests/fixtures/growth added; bad rows of memberships.csv are refused with file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef

from b40graph.cli import main
from b40graph.core.settings import Settings
from b40graph.pipeline import build, validation_view
from b40graph.reason.closure import infer_fast
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app

from .conftest import BASE, ROOT, copy_project, grow, seed_project, select

SHARED_THEMES = ROOT / "data" / "themes.ttl"

DECLARATION = BASE + "id/declaration/2026-test-growth-declaration"
TESTGRAD = BASE + "id/municipality/testgrad"
IMAMOGLU = BASE + "id/person/ekrem-imamoglu"


def _store(root: Path, engine: str = "fast") -> ox.Store:
    release = build(Settings(root=root, out=root / "dist", engine=engine, query_workers=1))
    return ox.Store.read_only(str(release.store))


def _count(store: ox.Store, where: str) -> int:
    return int(select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT * WHERE {{ {where} }} }}")[0]["n"])


COUNTS = {
    "signatures": "?s a b40:Signature",
    "persons": "?p a foaf:Person",
    "signatories": "?d b40:signatory ?p",
    "members": "?m org:memberOf <https://w3id.org/b40/id/network/b40>",
    "memberships": "?m a org:Membership",
    "declarations": "?d a b40:Declaration",
}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, ox.Store]:
    """The project as it is, and the same project grown by tests/fixtures/growth."""
    base = _store(copy_project(tmp_path_factory.mktemp("base")))
    grown = _store(grow(copy_project(tmp_path_factory.mktemp("grown"))))
    return base, grown


def test_the_grown_project_counts_each_new_thing_once(stores: tuple[ox.Store, ox.Store]) -> None:
    base, grown = stores
    before = {name: _count(base, where) for name, where in COUNTS.items()}
    after = {name: _count(grown, where) for name, where in COUNTS.items()}
    # two signatures; one new person (İmamoğlu signed before); one member that joined later
    expected = {"signatures": 2, "persons": 1, "signatories": 2, "members": 1, "memberships": 1, "declarations": 1}
    assert {name: after[name] - before[name] for name in COUNTS} == expected


def test_the_re_signer_is_one_person(stores: tuple[ox.Store, ox.Store]) -> None:
    _, grown = stores
    rows = select(grown, f"SELECT DISTINCT ?name WHERE {{ <{IMAMOGLU}> foaf:name ?name }}")
    assert rows == [{"name": "Ekrem İmamoğlu"}]
    signed = {r["d"] for r in select(grown, f"SELECT DISTINCT ?d WHERE {{ <{IMAMOGLU}> b40:signed ?d }}")}
    assert {BASE + "id/declaration/2021-b40-founding-declaration", DECLARATION} <= signed


def test_the_later_member_has_a_dated_membership_with_provenance(stores: tuple[ox.Store, ox.Store]) -> None:
    _, grown = stores
    membership = BASE + "id/membership/b40/testgrad"
    rows = select(
        grown,
        f"""SELECT DISTINCT ?g ?start ?role ?label WHERE {{ GRAPH ?g {{ <{membership}> a org:Membership ;
            org:member <{TESTGRAD}> ; org:organization <{BASE}id/network/b40> ; org:role/rdfs:label ?role ;
            rdfs:label ?label ; org:memberDuring/time:hasBeginning/time:inXSDDate ?start }} }}""",
    )
    assert rows == [
        {
            "g": BASE + "graph/memberships",
            "start": "2026-03-10",
            "role": "Member",
            "label": "Municipality of Testgrad: member since 2026-03-10",
        }
    ]
    sources = {r["s"] for r in select(grown, f"SELECT DISTINCT ?s WHERE {{ <{membership}> prov:wasDerivedFrom ?s }}")}
    assert sources == {DECLARATION, BASE + "id/source/memberships"}
    ended = select(grown, f"ASK {{ <{membership}> org:memberDuring/time:hasEnd ?e }}".replace("ASK", "SELECT * WHERE"))
    assert ended == []
    described = select(
        grown,
        f"SELECT DISTINCT ?p WHERE {{ GRAPH <{BASE}graph/description> {{ <{BASE}graph/memberships> "
        f"prov:wasDerivedFrom ?s }} GRAPH ?g {{ ?s b40:path ?p }} }}",
    )
    assert described == [{"p": "data/memberships.csv"}]
    members = {r["m"] for r in select(grown, f"SELECT ?m WHERE {{ ?m org:memberOf <{BASE}id/network/b40> }}")}
    assert TESTGRAD in members and BASE + "id/municipality/istanbul" in members


def test_both_engines_build_the_same_grown_dataset(tmp_path: Path) -> None:
    fast = build(Settings(root=grow(copy_project(tmp_path / "fast")), out=tmp_path / "fast" / "dist"))
    plain = Settings(root=grow(copy_project(tmp_path / "plain")), out=tmp_path / "plain" / "dist", engine="plain")
    assert (fast.path / "b40.nq").read_bytes() == (build(plain).path / "b40.nq").read_bytes()


# -- memberships.csv: a left member, and bad rows ------------------------------------------------------

HEADER = "network,municipality,joined,left,basis\n"


@pytest.fixture()
def grown(tmp_path: Path) -> Path:
    return grow(seed_project(tmp_path / "p"))


def _write(root: Path, *rows: str) -> Path:
    path = root / "data" / "memberships.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_member_that_left_has_an_end(grown: Path) -> None:
    _write(grown, "b40,testgrad,2025-01-15,2026-12-31,https://example.org/b40/decisions/7")
    store = _store(grown)
    membership = BASE + "id/membership/b40/testgrad"
    rows = select(
        store,
        f"""SELECT DISTINCT ?start ?end ?source WHERE {{ <{membership}> dct:source ?source ;
            org:memberDuring ?p . ?p time:hasBeginning/time:inXSDDate ?start ; time:hasEnd/time:inXSDDate ?end }}""",
    )
    assert rows == [{"start": "2025-01-15", "end": "2026-12-31", "source": "https://example.org/b40/decisions/7"}]


def test_the_home_page_lists_the_members_it_counts(grown: Path) -> None:
    """A member that left is no longer under the home page's "Member municipalities", whose number is the
    one the page's overview states (its page and its membership stay published)."""
    _write(grown, "b40,testgrad,2025-01-15,2025-12-31,https://example.org/b40/decisions/7")
    settings = Settings(root=grown, out=grown / "dist", query_workers=1)
    build(settings)
    backend = EmbeddedBackend(settings)
    try:
        client = create_app(settings, backend).test_client()
        home = client.get("/").get_data(as_text=True)
        assert client.get("/doc/municipality/testgrad").status_code == 200
    finally:
        backend.close()
    listed = re.findall(
        r'href="/doc/municipality/([^"]+)"', home.split("<h2>Member municipalities</h2>")[1].split("</ul>")[0]
    )
    counted = re.search(r"(\d+) member municipalit", home)
    assert "testgrad" not in listed and "athens" in listed
    assert counted is not None and int(counted[1]) == len(listed)


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        (["b40,atlantis,2026-01-01,,founding"], 2, "municipality 'atlantis' is not in data/municipalities.csv"),
        (["b40,testgrad,2026-02-30,,founding"], 2, "'2026-02-30' in column 'joined' is not a date"),
        (["b40,testgrad,2026-03-01,2026-13-01,founding"], 2, "'2026-13-01' in column 'left' is not a date"),
        (["b40,testgrad,2026-03-01,2025-03-01,founding"], 2, "left (2025-03-01) before it joined (2026-03-01)"),
        (
            ["b40,testgrad,2026-03-10,,founding", "b40,testgrad,2026-04-01,,founding"],
            3,
            "'testgrad' is listed twice as a member of 'b40' (first on line 2)",
        ),
        (["b40,athens,2026-03-10,,founding"], 2, "'athens' is already a member of 'b40' by the founding declaration"),
        (["b40,testgrad,2026-03-10,,2026-no-such-declaration"], 2, "'2026-no-such-declaration' is not the id of"),
        (["b41,testgrad,2026-03-10,,founding"], 2, "network 'b41' is not described in data/network.ttl"),
        (["b40,testgrad,,,founding"], 2, "the column 'joined' is empty"),
    ],
)
@pytest.mark.parametrize("engine", ["fast", "plain"])
def test_bad_membership_rows_are_refused(
    grown: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    rows: list[str],
    line: int,
    message: str,
    engine: str,
) -> None:
    _write(grown, *rows)
    monkeypatch.setenv("B40_ENGINE", engine)
    assert main(["build", "--root", str(grown), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert f"data/memberships.csv:{line}: " in err and message in err, err


# -- the SHACL shapes of membership dates, without the loader's checks ------------------------------------
# (an end before the start is refused by the loader, test_bad_membership_rows_are_refused: see shapes/b40.ttl)

TIME = "http://www.w3.org/2006/time#"


def _dated(start: list[str], end: list[str]) -> Graph:
    """The model's example membership (tests/test_ontology_shapes.py) with the given start and end dates."""
    from .test_ontology_shapes import EXAMPLE

    graph = Graph().parse(data=EXAMPLE, format="turtle", publicID=BASE)
    graph.parse(SHARED_THEMES, format="turtle", publicID=BASE)
    period = URIRef(BASE + "id/membership/b40/athens/period")
    begin, finish = URIRef(f"{period}/start"), URIRef(f"{period}/end")
    graph.remove((begin, URIRef(TIME + "inXSDDate"), None))
    for value in start:
        graph.add((begin, URIRef(TIME + "inXSDDate"), Literal(value, datatype=XSD.date)))
    if end:
        graph.add((period, URIRef(TIME + "hasEnd"), finish))
        graph.add((finish, RDF.type, URIRef(TIME + "Instant")))
    for value in end:
        graph.add((finish, URIRef(TIME + "inXSDDate"), Literal(value, datatype=XSD.date)))
    return graph


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (["2021-11-30"], [], True),
        (["2021-11-30"], ["2021-11-30"], True),
        (["2021-11-30"], ["2024-01-01"], True),
        ([], [], False),  # no start date
        (["2021-11-30", "2021-12-01"], [], False),  # two start dates
        (["2021-11-30"], ["2024-01-01", "2025-01-01"], False),  # two end dates
    ],
)
@pytest.mark.parametrize("validator", ["pyshacl", "compiled"])
def test_membership_dates_shape(start: list[str], end: list[str], ok: bool, validator: str) -> None:
    from b40graph.core import ntriples as nt
    from b40graph.shacl.validate import shacl, shacl_fast

    from .test_ontology_shapes import ALIGNMENT_FILE, union

    ontology = Graph().parse(ROOT / "ontology" / "b40.ttl", format="turtle")
    reasoning = union(ontology, Graph().parse(ALIGNMENT_FILE, format="turtle"))
    shapes = Graph().parse(ROOT / "shapes" / "b40.ttl", format="turtle")
    data = _dated(start, end)
    lines = nt.graph_lines(reasoning)
    asserted = [nt.split(x) for x in nt.graph_lines(data)]
    view = validation_view(set(asserted), infer_fast(reasoning, lines, asserted, BASE), lines, shapes)
    if validator == "pyshacl":
        graph = Graph()
        for triple in view:
            graph.add(tuple(nt.to_rdflib(x) for x in triple))  # type: ignore[arg-type]
        conforms, _ = shacl(graph, shapes)
    else:
        conforms, _ = shacl_fast(view, shapes)
    assert conforms is ok
