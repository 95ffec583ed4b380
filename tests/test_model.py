"""The model as the standard vocabularies define their terms (issue 15).

- the published graph + ORG, SKOS, FOAF, PROV-O and schema.org's own axioms (tests/standard_axioms.ttl),
  closed under OWL 2 RL, still conforms to the shapes, with nothing mistyped;
- ontology + alignment is inside the OWL 2 RL profile (a checker of our own, below: it covers the
  constructs the ontology uses) and HermiT (owlready2, needs java) finds ontology + data consistent;
- every sh:class constraint reports an injected wrong value, on the compiled engine and on pyshacl
  alike (validation sees asserted types only: build.validation_view).
Apache Jena's SHACL and the OWL API are not run here (see docs/model.md).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import owlrl
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import FOAF, ORG, OWL, RDF, RDFS, SKOS, TIME, XSD

from b40graph.core import ntriples as nt
from b40graph.core.settings import Settings
from b40graph.model.themes import fold
from b40graph.pipeline import compile_dataset
from b40graph.reason.closure import infer, infer_fast
from b40graph.reason.ontology import parse_turtle as _parse_turtle
from b40graph.reason.ontology import reasoning_ontology
from b40graph.shacl import engine as shaclcore
from b40graph.shacl.validate import compiled_shapes, shacl
from b40graph.shacl.view import validation_view

from . import javatools
from .conftest import BASE, ROOT, copy_project

B40 = "https://w3id.org/b40/ontology#"
SCHEMA = "https://schema.org/"
SH = "http://www.w3.org/ns/shacl#"
STANDARD = Path(__file__).parent / "standard_axioms.ttl"


def _union(*graphs: Graph) -> Graph:
    out = Graph()
    for g in graphs:
        for t in g:
            out.add(t)
    return out


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Graph, Graph, Graph]:
    """(settings, reasoning ontology, asserted data, published graph) of the project's seed data, plus the
    test translation (tests/fixtures/translations/), so that the translation's shapes are exercised too."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    for path in (ROOT / "tests" / "fixtures" / "translations").glob("*.md"):
        shutil.copyfile(path, root / "data" / "declarations" / path.name)
    settings = Settings(root=root, out=tmp_path_factory.mktemp("dist"), engine="fast", cache=False)
    compiled = compile_dataset(settings)
    assert compiled.conforms, compiled.problems
    asserted, published = Graph(), Graph()
    for name, lines in compiled.graphs.items():
        for s, p, o in map(nt.split, lines):  # type: ignore[arg-type]
            triple = (nt.to_rdflib(s), nt.to_rdflib(p), nt.to_rdflib(o))
            published.add(triple)  # type: ignore[arg-type]
            if not str(name).endswith(("graph/inferred", "graph/ontology")):
                asserted.add(triple)  # type: ignore[arg-type]
    ontology = _parse_turtle(settings.ontology_file, "ontology")
    return settings, reasoning_ontology(settings, ontology), asserted, published


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _parse_turtle(ROOT / "shapes" / "b40.ttl", "shapes")


# --- 1. an ORG member is not made a municipality -------------------------------------------------


def test_a_person_in_an_org_membership_is_not_a_municipality(seed) -> None:
    _, reasoning, _, _ = seed
    data = Graph()
    person, membership, club = URIRef(BASE + "id/person/x"), URIRef(BASE + "id/m/x"), URIRef(BASE + "id/o/club")
    data.add((person, RDF.type, FOAF.Person))
    data.add((membership, RDF.type, ORG.Membership))
    data.add((membership, ORG.member, person))
    data.add((membership, ORG.organization, club))
    by_owlrl = infer(reasoning, data, BASE)
    assert (person, URIRef(B40 + "memberOfNetwork"), club) in by_owlrl
    assert (person, ORG.memberOf, club) in by_owlrl
    assert (person, ORG.hasMembership, membership) in by_owlrl
    assert (person, RDF.type, URIRef(B40 + "Municipality")) not in by_owlrl
    by_rules = infer_fast(reasoning, nt.graph_lines(reasoning), [nt.split(x) for x in nt.graph_lines(data)], BASE)
    assert {nt.split(x) for x in nt.graph_lines(by_owlrl)} == set(by_rules)
    # the project states no inverse of a standard property of its own, and nothing narrows ORG's terms
    assert not [s for s in reasoning.subjects(OWL.inverseOf, ORG.member) if str(s).startswith(B40)]


# --- 4, 5, 7. the standard vocabularies' own axioms --------------------------------------------


@pytest.fixture(scope="module")
def standard_closure(seed) -> Graph:
    _, reasoning, _, published = seed
    closed = _union(published, reasoning, Graph().parse(STANDARD, format="turtle"))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    return closed


def _instances(g: Graph, cls: str | URIRef) -> set:
    return {s for s in g.subjects(RDF.type, URIRef(cls)) if isinstance(s, URIRef) and str(s).startswith(BASE)}


def test_standard_axioms_type_nothing_wrongly(standard_closure: Graph, seed) -> None:
    g = standard_closure
    places = _instances(g, SCHEMA + "Place")
    assert URIRef(BASE + "id/place/athens") in places and URIRef(BASE + "id/country/gr") in places
    concepts = _instances(g, SKOS.Concept)
    themes = set(g.objects(URIRef(BASE + "id/themes"), SKOS.hasTopConcept))
    roles = _instances(g, ORG.Role)
    assert themes and roles
    assert concepts == themes | roles  # ORG: a role is a skos:Concept; nothing else is
    assert not places & concepts
    assert not _instances(g, B40 + "Municipality") & places
    assert not _instances(g, FOAF.Person) & _instances(g, FOAF.Organization)
    assert not _instances(g, FOAF.Person) & _instances(g, B40 + "Municipality")
    assert not _instances(g, SKOS.Concept) & _instances(g, SKOS.ConceptScheme)
    # no organisation is "contained in" a place
    for muni in _instances(g, B40 + "Municipality"):
        assert (muni, URIRef(SCHEMA + "containedInPlace"), None) not in g
    # places are linked to Wikidata and GeoNames without SKOS semantics
    athens = URIRef(BASE + "id/place/athens")
    assert (athens, URIRef(SCHEMA + "sameAs"), URIRef("http://www.wikidata.org/entity/Q1524")) in g
    assert (athens, URIRef(SCHEMA + "sameAs"), URIRef("https://sws.geonames.org/264371/")) in g
    assert (athens, SKOS.exactMatch, None) not in seed[3]


def test_standard_axioms_closure_still_conforms(standard_closure: Graph, shapes: Graph) -> None:
    data = Graph()
    for t in standard_closure:
        if not isinstance(t[0], URIRef) or not str(t[0]).startswith(B40):
            data.add(t)
    ok, report = shacl(data, shapes)
    assert ok, report.serialize(format="turtle")[:3000]


def test_published_ontology_states_nothing_about_other_vocabularies(seed) -> None:
    settings = seed[0]
    ontology = Graph().parse(settings.ontology_file, format="turtle")
    foreign = {
        (s, p, o)
        for s, p, o in ontology
        if isinstance(s, URIRef) and not str(s).startswith(("https://w3id.org/b40/ontology", BASE))
    }
    assert foreign, "the labels of other vocabularies' terms are kept for the pages"
    assert {p for _, p, _ in foreign} == {RDFS.label}  # labels only: no typing, no axioms
    assert (ORG.memberOf, OWL.propertyChainAxiom, None) not in ontology
    assert (URIRef(B40 + "memberOfNetwork"), RDFS.subPropertyOf, ORG.memberOf) in ontology
    # the published graph/ontology is that file, without the alignment
    published = {t for t in seed[3] if t[1] == OWL.inverseOf and t[0] == ORG.hasMembership}
    assert not published


# --- 2. OWL 2 RL profile and DL consistency ---------------------------------------------------------

# The OWL 2 RL datatype map (OWL 2 Profiles, section 4.2), the only datatypes an RL ontology may use.
RL_DATATYPES = {RDFS.Literal, RDF.PlainLiteral, RDF.XMLLiteral} | {
    XSD[n]
    for n in (
        *("decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger"),
        *("long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"),
        *("double", "float", "string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN"),
        *("boolean", "hexBinary", "base64Binary", "anyURI", "dateTime", "dateTimeStamp"),
    )
}
_STRUCTURAL = {RDF.type, RDF.first, RDF.rest}
_AXIOMS = {
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.inverseOf,
    OWL.propertyChainAxiom,
    OWL.disjointWith,
}
_DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology}


def owl2_rl_violations(g: Graph) -> list[str]:
    """The constructs of the ontology outside OWL 2 RL, for the constructs it uses: named classes on both
    sides of rdfs:subClassOf and owl:disjointWith, domains and ranges that are named classes (object
    properties) or datatypes of the RL datatype map (data properties), sub-properties, inverses and chains
    of named object properties, annotations. Anything else is reported as unchecked."""
    annotation = set(g.subjects(RDF.type, OWL.AnnotationProperty)) | {
        RDFS.label,
        RDFS.comment,
        RDFS.isDefinedBy,
        RDFS.seeAlso,
        OWL.versionInfo,
    }
    classes = set(g.subjects(RDF.type, OWL.Class))
    objects = set(g.subjects(RDF.type, OWL.ObjectProperty))
    datas = set(g.subjects(RDF.type, OWL.DatatypeProperty))
    out = []
    for s, p, o in g:
        if p in annotation or (p in _STRUCTURAL and not (p == RDF.type and o not in _DECLARATIONS)):
            continue
        if p == RDF.type:
            out.append(f"{s} is typed {o}, which this checker does not cover")
        elif p in (RDFS.subClassOf, OWL.disjointWith):
            if s not in classes or o not in classes:
                out.append(f"{s} {p} {o}: not two declared named classes")
        elif p == RDFS.range and s in datas:
            if o not in RL_DATATYPES:
                out.append(f"{s} has range {o}, outside the OWL 2 RL datatype map")
        elif p in (RDFS.domain, RDFS.range):
            if s not in objects | datas or o not in classes:
                out.append(f"{s} {p} {o}: not a declared property with a named class")
        elif p in (RDFS.subPropertyOf, OWL.inverseOf):
            kinds = objects if s in objects else datas
            if s not in objects | datas or o not in kinds or (p == OWL.inverseOf and s not in objects):
                out.append(f"{s} {p} {o}: not two declared properties of one kind")
        elif p == OWL.propertyChainAxiom:
            members = list(Collection(g, o))  # type: ignore[arg-type]
            if s not in objects or not all(m in objects for m in members):
                out.append(f"the chain of {s} is not made of declared object properties")
        else:
            out.append(f"{p} is not covered by this checker")
    return out


def test_ontology_is_in_owl2_rl(seed) -> None:
    assert owl2_rl_violations(seed[1]) == []


def test_the_profile_checker_finds_a_langstring_range(seed) -> None:
    broken = _union(seed[1])
    broken.set((URIRef(B40 + "matchedLabel"), RDFS.range, RDF.langString))
    expected = f"{B40}matchedLabel has range {RDF.langString}, outside the OWL 2 RL datatype map"
    assert owl2_rl_violations(broken) == [expected]


def _hermit_consistent(graph: Graph, tmp_path: Path) -> bool:
    owlready2 = pytest.importorskip("owlready2")
    if shutil.which("java") is None:
        pytest.skip("HermiT needs java")
    path = tmp_path / "all.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    try:
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False
    return True


def _dl_graph(seed) -> Graph:
    """Ontology + alignment + the asserted data, with a few ORG/FOAF axioms that make mistakes visible."""
    _, reasoning, asserted, _ = seed
    extra = Graph().parse(
        data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        @prefix org: <http://www.w3.org/ns/org#> .
        org:Organization owl:equivalentClass foaf:Organization .
        foaf:Person owl:disjointWith foaf:Organization .
        foaf:Person a owl:Class . foaf:Organization a owl:Class .
        """,
        format="turtle",
    )
    return _union(reasoning, asserted, extra)


def test_hermit_finds_ontology_and_data_consistent(seed, tmp_path: Path) -> None:
    assert _hermit_consistent(_dl_graph(seed), tmp_path)


def test_hermit_finds_a_place_signing_inconsistent(seed, tmp_path: Path) -> None:
    graph = _dl_graph(seed)
    signature = next(graph.subjects(RDF.type, URIRef(B40 + "Signature")))
    graph.add((signature, URIRef(B40 + "onBehalfOf"), URIRef(BASE + "id/place/athens")))
    assert not _hermit_consistent(graph, tmp_path)


# --- 3. every sh:class constraint can fail ----------------------------------------------------------

WRONG = URIRef(BASE + "id/test/wrong")
_PLACE_CLASSES = {URIRef(SCHEMA + n) for n in ("City", "AdministrativeArea", "Country", "Place")}


def _class_constraints(shapes: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    """(property shape, path, class) of every sh:class, directly or in an sh:or member."""
    out = []
    for ps, cls in shapes.subject_objects(URIRef(SH + "class")):
        path = shapes.value(ps, URIRef(SH + "path"))
        owner = ps
        if path is None:  # a member of an sh:or list: the property shape that holds the list
            lists = list(shapes.subjects(RDF.first, ps))
            while lists and not list(shapes.subjects(URIRef(SH + "or"), lists[0])):
                lists = list(shapes.subjects(RDF.rest, lists[0]))
            owner = next(shapes.subjects(URIRef(SH + "or"), lists[0]))
            path = shapes.value(owner, URIRef(SH + "path"))
        out.append((owner, path, cls))  # type: ignore[arg-type]
    return sorted(out)


def _inject(
    asserted: Graph, view: Graph, shapes: Graph, owner: URIRef, path: URIRef, cls: URIRef
) -> tuple[Graph, URIRef]:
    """The asserted data with one value of `path` replaced by (or, for a derived path, leading to) WRONG,
    a node of another class; and the node whose value it is."""
    broken = _union(asserted)
    broken.add((WRONG, RDF.type, FOAF.Person if cls in _PLACE_CLASSES else URIRef(SCHEMA + "City")))
    found = sorted(s for s in view.subjects(path) if isinstance(s, URIRef))
    if not found:  # no value in the seed (e.g. a membership's end): a node that a sibling property reads
        siblings = [
            shapes.value(ps, URIRef(SH + "path"))
            for node in shapes.subjects(URIRef(SH + "property"), owner)
            for ps in shapes.objects(node, URIRef(SH + "property"))
        ]
        found = sorted(s for sib in siblings for s in view.subjects(sib) if isinstance(s, URIRef))
    focus = found[0]
    if (focus, path, None) in asserted or (focus, path, None) not in view:
        broken.remove((focus, path, None))
        broken.add((focus, path, WRONG))
    elif path == URIRef(B40 + "signatureOf"):
        broken.add((WRONG, URIRef(B40 + "hasSignature"), focus))
    elif path == URIRef(B40 + "commitmentOf"):
        broken.add((WRONG, URIRef(B40 + "hasCommitment"), focus))
    elif path == URIRef(B40 + "commitsTo"):
        commitment = URIRef(BASE + "id/test/commitment")
        broken.add((focus, URIRef(B40 + "hasCommitment"), commitment))
        broken.add((commitment, URIRef(B40 + "theme"), WRONG))
    elif path == ORG.memberOf:
        membership = URIRef(BASE + "id/test/membership")
        broken.add((membership, ORG.member, focus))
        broken.add((membership, ORG.organization, WRONG))
    else:
        raise AssertionError(f"no way to inject a wrong value of the derived {path}")
    return broken, focus


def _view(reasoning: Graph, asserted: Graph, shapes: Graph) -> set[tuple[str, str, str]]:
    """What the build validates (the compiled rules: test_reasoning.py checks they derive what owlrl does)."""
    data = [nt.split(x) for x in nt.graph_lines(asserted)]
    lines = nt.graph_lines(reasoning)
    return validation_view(set(data), infer_fast(reasoning, lines, data, BASE), lines, shapes)


def _top_results(report: Graph) -> set[tuple[str, str, str, str]]:
    details = set(report.objects(None, URIRef(SH + "detail")))
    return {
        (
            str(report.value(r, URIRef(SH + "focusNode"))),
            str(report.value(r, URIRef(SH + "resultPath"))),
            str(report.value(r, URIRef(SH + "sourceConstraintComponent"))).rsplit("#", 1)[-1],
            str(report.value(r, URIRef(SH + "value"))),
        )
        for r in report.subjects(RDF.type, URIRef(SH + "ValidationResult"))
        if r not in details
    }


@pytest.mark.slow  # about a minute: pyshacl runs once per constraint
def test_every_class_constraint_reports_an_injected_wrong_value(seed, shapes: Graph) -> None:
    _, reasoning, asserted, _ = seed
    seed_view = _view(reasoning, asserted, shapes)
    view_graph = Graph()
    for t in seed_view:
        view_graph.add(tuple(nt.to_rdflib(x) for x in t))  # type: ignore[arg-type]
    constraints = _class_constraints(shapes)
    assert len(constraints) >= 30
    compiled = compiled_shapes(shapes)
    assert isinstance(compiled, shaclcore.Shapes)
    for owner, path, cls in constraints:
        broken, focus = _inject(asserted, view_graph, shapes, owner, path, cls)
        triples = _view(reasoning, broken, shapes)
        ok, results = shaclcore.validate(triples, compiled)
        fast = _top_results(shaclcore.report_graph(ok, results))
        graph = Graph()
        for t in triples:
            graph.add(tuple(nt.to_rdflib(x) for x in t))  # type: ignore[arg-type]
        conforms, report, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=True)
        assert isinstance(report, Graph)
        assert fast == _top_results(report), (path, cls)
        assert not ok and not conforms, (path, cls)
        nested = not list(shapes.subjects(URIRef(SH + "property"), owner)) or not any(
            shapes.value(n, URIRef(SH + p)) is not None
            for n in shapes.subjects(URIRef(SH + "property"), owner)
            for p in ("targetClass", "targetSubjectsOf", "targetObjectsOf")
        )
        if nested:  # reported as a sh:node failure of the node whose value `focus` is
            assert any(r[2] == "NodeConstraintComponent" for r in fast), (path, cls, fast)
        else:
            direct = shapes.value(owner, URIRef(SH + "class")) is not None
            component = "ClassConstraintComponent" if direct else "OrConstraintComponent"
            assert (str(focus), str(path), component, str(WRONG)) in fast, (path, cls, fast)


# --- 6. a membership's period -----------------------------------------------------------------------


@pytest.mark.parametrize("broken", ["no start", "no date", "two dates", "not a date"])
def test_a_membership_period_without_one_start_date_is_reported(seed, shapes: Graph, broken: str) -> None:
    _, reasoning, asserted, _ = seed
    data = _union(asserted)
    period = sorted(data.objects(None, ORG.memberDuring))[0]
    start = data.value(period, TIME.hasBeginning)
    if broken == "no start":
        data.remove((period, TIME.hasBeginning, None))
    elif broken == "no date":
        data.remove((start, TIME.inXSDDate, None))
    elif broken == "two dates":
        data.add((start, TIME.inXSDDate, Literal("2020-01-01", datatype=XSD.date)))
    else:
        data.set((start, TIME.inXSDDate, Literal("2021")))
    triples = _view(reasoning, data, shapes)
    compiled = compiled_shapes(shapes)
    ok, results = shaclcore.validate(triples, compiled)  # type: ignore[arg-type]
    assert not ok
    membership = next(data.subjects(ORG.memberDuring, period))
    assert {(r.focus, r.path) for r in results} == {(nt.from_rdflib(membership), nt.from_rdflib(ORG.memberDuring))}


def _both_engines(triples: set[tuple[str, str, str]], shapes: Graph) -> tuple[set, set]:
    """The top-level results (focus, path, component, value) of the compiled engine and of pyshacl."""
    compiled = compiled_shapes(shapes)
    assert isinstance(compiled, shaclcore.Shapes)
    ok, results = shaclcore.validate(triples, compiled)
    fast = _top_results(shaclcore.report_graph(ok, results))
    graph = Graph()
    for t in triples:
        graph.add(tuple(nt.to_rdflib(x) for x in t))  # type: ignore[arg-type]
    _, report, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(report, Graph)
    return fast, _top_results(report)


MEMBER_SINCE, MEMBER_UNTIL = URIRef(B40 + "memberSince"), URIRef(B40 + "memberUntil")


def test_memberships_state_their_dates_on_the_membership(seed) -> None:
    asserted = seed[2]
    memberships = set(asserted.subjects(RDF.type, ORG.Membership))
    assert memberships
    for m in memberships:
        start = asserted.value(asserted.value(asserted.value(m, ORG.memberDuring), TIME.hasBeginning), TIME.inXSDDate)
        assert list(asserted.objects(m, MEMBER_SINCE)) == [start]
        assert start is not None and start.datatype == XSD.date


@pytest.mark.parametrize(
    ("until", "reported"),
    [("2020-01-01", True), ("same", False), ("2099-01-01", False), ("not a date", True)],
)
def test_a_membership_ending_before_it_began_is_reported_by_both_engines(
    seed, shapes: Graph, until: str, reported: bool
) -> None:
    _, reasoning, asserted, _ = seed
    data = _union(asserted)
    membership = sorted(data.subjects(RDF.type, ORG.Membership))[0]
    since = data.value(membership, MEMBER_SINCE)
    assert isinstance(since, Literal)
    value = since if until == "same" else Literal(until) if until == "not a date" else Literal(until, datatype=XSD.date)
    data.add((membership, MEMBER_UNTIL, value))
    fast, plain = _both_engines(_view(reasoning, data, shapes), shapes)
    assert fast == plain
    expected = (str(membership), str(MEMBER_SINCE), "LessThanOrEqualsConstraintComponent", str(since))
    assert (expected in fast) is reported, fast
    if until == "not a date":  # and the end itself is no xsd:date
        assert (str(membership), str(MEMBER_UNTIL), "DatatypeConstraintComponent", until) in fast


def test_less_than_constraints_agree_with_pyshacl() -> None:
    """sh:lessThan and sh:lessThanOrEquals of the compiled engine on values of several kinds."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
          sh:property [ sh:path ex:a ; sh:lessThanOrEquals ex:b ; sh:message "a <= b" ] ,
                      [ sh:path ex:a ; sh:lessThan ex:c ; sh:message "a < c" ] .
        """,
        format="turtle",
    )
    data = Graph().parse(
        data="""
        @prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:equal a ex:C ; ex:a 1 ; ex:b 1 ; ex:c 1 .
        ex:less a ex:C ; ex:a 1 ; ex:b 2 , 3 ; ex:c 2 .
        ex:more a ex:C ; ex:a 5 , 0 ; ex:b 4 ; ex:c 4 .
        ex:dates a ex:C ; ex:a "2021-11-30"^^xsd:date ; ex:b "2021-01-01"^^xsd:date .
        ex:strings a ex:C ; ex:a "b" ; ex:b "a" , "c" ; ex:c ex:z .
        ex:mixed a ex:C ; ex:a "1" ; ex:b 2 .
        ex:none a ex:C ; ex:a 7 .
        """,
        format="turtle",
    )
    compiled = shaclcore.Shapes(shapes)
    triples = {tuple(nt.from_rdflib(x) for x in t) for t in data}
    ok, results = shaclcore.validate(triples, compiled)  # type: ignore[arg-type]
    fast = _top_results(shaclcore.report_graph(ok, results))
    _, report, _ = validate(data, shacl_graph=shapes, inference="none")
    assert isinstance(report, Graph)
    assert fast == _top_results(report)
    ex = "http://example.org/"
    assert {(r[0].removeprefix(ex), r[2], r[3]) for r in fast} == {
        ("equal", "LessThanConstraintComponent", "1"),
        ("more", "LessThanOrEqualsConstraintComponent", "5"),
        ("more", "LessThanConstraintComponent", "5"),
        ("dates", "LessThanOrEqualsConstraintComponent", "2021-11-30"),
        ("strings", "LessThanOrEqualsConstraintComponent", "b"),
        ("mixed", "LessThanOrEqualsConstraintComponent", "1"),
    }


def test_a_changed_end_date_is_revalidated(seed, shapes: Graph, tmp_path: Path) -> None:
    """The incremental revalidation reaches a membership whose end date changed (the date is on the
    membership itself, so the comparison reads the focus node's own triples)."""
    import pyoxigraph as ox

    from b40graph.shacl import incremental as revalidate

    _, reasoning, asserted, _ = seed
    lines = sorted(f"{s} {p} {o} ." for s, p, o in _view(reasoning, asserted, shapes))
    store = ox.Store(str(tmp_path / "store"))
    graph = "<urn:test:g>"
    store.load(input="\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph[1:-1]))
    store.flush()
    del store
    membership = sorted(asserted.subjects(RDF.type, ORG.Membership))[0]
    bad = f'{nt.from_rdflib(membership)} {nt.from_rdflib(MEMBER_UNTIL)} "2000-01-01"^^<{XSD.date}> .'
    compiled = compiled_shapes(shapes)
    assert isinstance(compiled, shaclcore.Shapes)
    plan = revalidate.plan(compiled, tmp_path / "store", {graph: lines}, {graph: [*lines, bad]}, set())
    assert plan is not None and nt.from_rdflib(membership) in plan.focus
    ok, report = revalidate.validate(plan, compiled)
    whole_ok, whole = shaclcore.validate([nt.split(x) for x in [*lines, bad]], compiled)
    assert not ok and not whole_ok
    assert _top_results(report) == _top_results(shaclcore.report_graph(whole_ok, whole))
    assert (str(membership), str(MEMBER_SINCE), "LessThanOrEqualsConstraintComponent") in {
        r[:3] for r in _top_results(report)
    }


# --- 8. how a commitment was found; the signatory's role; roles as concepts -----------------------------

FOUNDING = "data/declarations/2021-11-30-b40-founding-declaration.md"
TAGGED, CURATED = URIRef(B40 + "TaggedCommitment"), URIRef(B40 + "CuratedCommitment")
SCHEMA_TEXT, SCHEMA_POSITION = URIRef(SCHEMA + "text"), URIRef(SCHEMA + "position")


def _compiled_graph(root: Path, out: Path) -> Graph:
    compiled = compile_dataset(Settings(root=root, out=out, engine="fast", cache=False))
    assert compiled.conforms, compiled.problems
    g = Graph()
    for lines in compiled.graphs.values():
        for s, p, o in map(nt.split, lines):  # type: ignore[arg-type]
            g.add((nt.to_rdflib(s), nt.to_rdflib(p), nt.to_rdflib(o)))  # type: ignore[arg-type]
    return g


def test_tagged_commitments_keep_the_words_that_matched(seed) -> None:
    published = seed[3]
    tagged = set(published.subjects(RDF.type, TAGGED))
    assert tagged and not set(published.subjects(RDF.type, CURATED))  # the seed lists no 'themes:'
    for c in tagged:
        text = published.value(c, URIRef(B40 + "matchedText"))
        label = published.value(c, URIRef(B40 + "matchedLabel"))
        clause = published.value(published.value(c, URIRef(B40 + "statedIn")), SCHEMA_TEXT)
        assert isinstance(text, Literal) and isinstance(label, Literal) and isinstance(clause, Literal)
        assert str(text) in str(clause) and text.language == clause.language
        words, label_words = (
            fold(str(text), clause.language or "").split(),
            fold(str(label), label.language or "").split(),
        )
        if label.language == "en":  # whole words in English; in other languages a word may take an ending
            assert words == label_words
        else:
            assert len(words) == len(label_words) and all(
                w.startswith(lw) for w, lw in zip(words, label_words, strict=True)
            )


def test_commitments_listed_by_hand_are_curated(tmp_path: Path) -> None:
    from b40graph.core.errors import DataError

    from .conftest import copy_project

    root = copy_project(tmp_path / "p")
    before = _compiled_graph(root, tmp_path / "d1")
    decl = URIRef(BASE + "id/declaration/2021-b40-founding-declaration")
    found = {
        (before.value(c, URIRef(B40 + "statedIn")), before.value(c, URIRef(B40 + "theme")))
        for c in before.objects(decl, URIRef(B40 + "hasCommitment"))
    }
    clauses = sorted(before.subjects(RDF.type, URIRef(B40 + "OperativeClause")))
    clauses = [c for c in clauses if str(c).startswith(str(decl) + "/")]
    themes = sorted(before.objects(URIRef(BASE + "id/themes"), SKOS.hasTopConcept))
    clause, theme = next((c, t) for c in clauses for t in themes if (c, t) not in found)
    position = int(before.value(clause, SCHEMA_POSITION))  # type: ignore[arg-type]
    label = str(before.value(theme, SKOS.prefLabel))
    path = root / FOUNDING
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("founding: true\n", f"founding: true\nthemes:\n  {label}: {position}\n", 1), "utf-8")
    after = _compiled_graph(root, tmp_path / "d2")
    curated = set(after.subjects(RDF.type, CURATED))
    assert len(curated) == 1
    node = curated.pop()
    assert (node, URIRef(B40 + "statedIn"), clause) in after and (node, URIRef(B40 + "theme"), theme) in after
    assert (node, URIRef(B40 + "matchedLabel"), Literal(label, lang="en")) in after
    assert (node, URIRef(B40 + "matchedText"), None) not in after and (node, RDF.type, TAGGED) not in after
    assert (decl, URIRef(B40 + "commitsTo"), theme) in after
    # a hand-listed commitment the tagger finds as well is refused, naming the file and line of 'themes:'
    tagged_clause, tagged_theme = sorted(found)[0]
    position = int(before.value(tagged_clause, SCHEMA_POSITION))  # type: ignore[arg-type]
    label = str(before.value(tagged_theme, SKOS.prefLabel))
    path.write_text(text.replace("founding: true\n", f"founding: true\nthemes:\n  {label}: {position}\n", 1), "utf-8")
    with pytest.raises(DataError) as err:
        compile_dataset(Settings(root=root, out=tmp_path / "d3", engine="fast", cache=False))
    (problem,) = err.value.problems
    line = text.split("\n").index("founding: true") + 2
    assert problem.file == path and problem.line == line, problem
    assert f"theme '{label}' of clause {position} is found by the tagger already" in str(problem)


def test_signatures_give_their_role_with_a_project_property(seed) -> None:
    published = seed[3]
    signatures = set(published.subjects(RDF.type, URIRef(B40 + "Signature")))
    assert signatures
    assert not list(published.triples((None, URIRef("http://www.w3.org/ns/prov#hadRole"), None)))
    for s in signatures:
        (role,) = published.objects(s, URIRef(B40 + "signatoryRole"))
        assert (role, RDF.type, URIRef(B40 + "SignatoryRole")) in published


def test_roles_are_concepts_of_the_roles_scheme(seed, shapes: Graph) -> None:
    _, reasoning, asserted, published = seed
    scheme = URIRef(BASE + "id/roles")
    roles = set(published.objects(None, URIRef(B40 + "signatoryRole"))) | set(published.objects(None, ORG.role))
    assert roles and (scheme, RDF.type, SKOS.ConceptScheme) in published
    for role in roles:
        assert (role, SKOS.inScheme, scheme) in published and (scheme, SKOS.hasTopConcept, role) in published
        assert (role, RDF.type, SKOS.Concept) in published
        (label,) = published.objects(role, SKOS.prefLabel)
        assert isinstance(label, Literal) and label.language == "en"
    # a role without its preferred label, or outside any scheme, is reported by both engines
    role = sorted(roles)[0]
    data = _union(asserted)
    data.remove((role, SKOS.prefLabel, None))
    data.remove((role, SKOS.inScheme, None))
    fast, plain = _both_engines(_view(reasoning, data, shapes), shapes)
    assert fast == plain
    assert {(r[0], r[1], r[2]) for r in fast} >= {
        (str(role), str(SKOS.prefLabel), "MinCountConstraintComponent"),
        (str(role), str(SKOS.inScheme), "MinCountConstraintComponent"),
    }


# --- the OWL API's profile checker (Debian's libowlapi-java) -----------------------------------------------

JAVA = Path(__file__).parent / "java"


def _profile_check(classpath: str, classes: Path, *files: Path) -> list[str]:
    done = subprocess.run(
        ["java", "-cp", f"{classpath}:{classes}", "ProfileCheck", *map(str, files)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


@pytest.mark.slow  # compiles and runs a Java program (a few seconds)
def test_the_owl_api_finds_ontology_and_alignment_in_owl2_rl_and_dl(seed, tmp_path: Path) -> None:
    classpath = javatools.owlapi_classpath()
    classes = tmp_path / "classes"
    javac = ["javac", "-nowarn", "-cp", classpath, "-d", str(classes), str(JAVA / "ProfileCheck.java")]
    subprocess.run(javac, check=True, capture_output=True, timeout=300)
    settings = seed[0]
    alignment = settings.ontology_file.parent / "alignment.ttl"
    assert _profile_check(classpath, classes, settings.ontology_file, alignment) == ["IN PROFILE"]
    # the checker can fail: the range the issue found outside OWL 2 RL (and DL)
    broken = tmp_path / "broken.ttl"
    graph = _union(Graph().parse(settings.ontology_file), Graph().parse(alignment))
    graph.set((URIRef(B40 + "matchedLabel"), RDFS.range, RDF.langString))
    graph.serialize(broken, format="turtle")
    lines = _profile_check(classpath, classes, broken)
    assert lines[-1] == "NOT IN PROFILE"
    assert any(line.startswith("RL\t") and "langString" in line for line in lines), lines


# --- three SHACL engines: the compiled one, pyshacl and Apache Jena (Debian's libapache-jena-java) ---------

DCT_ = "http://purl.org/dc/terms/"
Mutation = Callable[[Graph], tuple[URIRef, URIRef]]  # changes the data; returns (focus node, path) to report


def _first(g: Graph, cls: URIRef) -> URIRef:
    return sorted(s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef))[0]


def _replace(g: Graph, node: URIRef, path: URIRef, value: object) -> tuple[URIRef, URIRef]:
    g.remove((node, path, None))
    g.add((node, path, value))  # type: ignore[arg-type]
    return node, path


def _class(g: Graph) -> tuple[URIRef, URIRef]:  # a signature made on behalf of a place
    return _replace(
        g, _first(g, URIRef(B40 + "Signature")), URIRef(B40 + "onBehalfOf"), _first(g, URIRef(SCHEMA + "City"))
    )


def _datatype(g: Graph) -> tuple[URIRef, URIRef]:
    return _replace(g, _first(g, URIRef(B40 + "Declaration")), URIRef(DCT_ + "issued"), Literal("2021"))


def _node_kind(g: Graph) -> tuple[URIRef, URIRef]:
    return _replace(g, _first(g, URIRef(SCHEMA + "City")), URIRef(SCHEMA + "sameAs"), Literal("Q1524"))


def _min_count(g: Graph) -> tuple[URIRef, URIRef]:
    person = _first(g, FOAF.Person)
    g.remove((person, FOAF.givenName, None))
    return person, FOAF.givenName


def _max_count(g: Graph) -> tuple[URIRef, URIRef]:
    signature = _first(g, URIRef(B40 + "Signature"))
    g.add((signature, URIRef(DCT_ + "date"), Literal("1999-01-01", datatype=XSD.date)))
    return signature, URIRef(DCT_ + "date")


def _pattern(g: Graph) -> tuple[URIRef, URIRef]:
    return _replace(g, _first(g, URIRef(SCHEMA + "Country")), URIRef(SCHEMA + "identifier"), Literal("gre"))


def _unique_lang(g: Graph) -> tuple[URIRef, URIRef]:
    network = _first(g, URIRef(B40 + "Network"))
    g.add((network, SKOS.prefLabel, Literal("Another name", lang="en")))
    return network, SKOS.prefLabel


def _has_value(g: Graph) -> tuple[URIRef, URIRef]:
    spdx = "http://spdx.org/rdf/terms#"
    checksum = _first(g, URIRef(spdx + "Checksum"))
    return _replace(g, checksum, URIRef(spdx + "algorithm"), URIRef(spdx + "checksumAlgorithm_md5"))


def _or(g: Graph) -> tuple[URIRef, URIRef]:  # a municipality governing a country
    muni = _first(g, URIRef(B40 + "Municipality"))
    return _replace(g, muni, URIRef(DCT_ + "spatial"), _first(g, URIRef(SCHEMA + "Country")))


def _node(g: Graph) -> tuple[URIRef, URIRef]:  # a membership period without its start
    membership = _first(g, ORG.Membership)
    g.remove((g.value(membership, ORG.memberDuring), TIME.hasBeginning, None))
    return membership, ORG.memberDuring


def _qualified_min(g: Graph) -> tuple[URIRef, URIRef]:  # a clause neither preamble nor operative
    clause = _first(g, URIRef(B40 + "PreambleClause"))
    g.remove((clause, RDF.type, None))
    g.add((clause, RDF.type, URIRef(B40 + "Clause")))
    return clause, RDF.type


def _qualified_max(g: Graph) -> tuple[URIRef, URIRef]:  # a clause both preamble and operative
    clause = _first(g, URIRef(B40 + "PreambleClause"))
    g.add((clause, RDF.type, URIRef(B40 + "OperativeClause")))
    return clause, RDF.type


def _min_inclusive(g: Graph) -> tuple[URIRef, URIRef]:
    return _replace(g, _first(g, URIRef(B40 + "PreambleClause")), SCHEMA_POSITION, Literal(0))


def _max_inclusive(g: Graph) -> tuple[URIRef, URIRef]:  # a latitude north of the pole
    lat = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
    return _replace(g, _first(g, URIRef(SCHEMA + "City")), lat, Literal("91.5", datatype=XSD.decimal))


def _sparql(g: Graph) -> tuple[URIRef, URIRef]:  # a family name in capitals
    person = _first(g, FOAF.Person)
    return _replace(g, person, FOAF.familyName, Literal(str(g.value(person, FOAF.familyName)).upper()))


def _less_than_or_equals(g: Graph) -> tuple[URIRef, URIRef]:
    membership = _first(g, ORG.Membership)
    g.add((membership, MEMBER_UNTIL, Literal("2000-01-01", datatype=XSD.date)))
    return membership, MEMBER_SINCE


# One injected violation per constraint component that the shapes use (sh:in is used only inside the
# clause kinds' sh:qualifiedValueShape: the two qualified injections make it fail).
INJECTIONS: dict[str, Mutation] = {
    "ClassConstraintComponent": _class,
    "DatatypeConstraintComponent": _datatype,
    "NodeKindConstraintComponent": _node_kind,
    "MinCountConstraintComponent": _min_count,
    "MaxCountConstraintComponent": _max_count,
    "PatternConstraintComponent": _pattern,
    "UniqueLangConstraintComponent": _unique_lang,
    "HasValueConstraintComponent": _has_value,
    "OrConstraintComponent": _or,
    "NodeConstraintComponent": _node,
    "QualifiedMinCountConstraintComponent": _qualified_min,
    "QualifiedMaxCountConstraintComponent": _qualified_max,
    "MinInclusiveConstraintComponent": _min_inclusive,
    "MaxInclusiveConstraintComponent": _max_inclusive,
    "SPARQLConstraintComponent": _sparql,
    "LessThanOrEqualsConstraintComponent": _less_than_or_equals,
}
_PARAMETERS = {  # the parameter of each component, as the shapes graph uses it
    "ClassConstraintComponent": "class",
    "DatatypeConstraintComponent": "datatype",
    "NodeKindConstraintComponent": "nodeKind",
    "MinCountConstraintComponent": "minCount",
    "MaxCountConstraintComponent": "maxCount",
    "PatternConstraintComponent": "pattern",
    "UniqueLangConstraintComponent": "uniqueLang",
    "HasValueConstraintComponent": "hasValue",
    "OrConstraintComponent": "or",
    "NodeConstraintComponent": "node",
    "QualifiedMinCountConstraintComponent": "qualifiedMinCount",
    "QualifiedMaxCountConstraintComponent": "qualifiedMaxCount",
    "MinInclusiveConstraintComponent": "minInclusive",
    "MaxInclusiveConstraintComponent": "maxInclusive",
    "SPARQLConstraintComponent": "sparql",
    "LessThanOrEqualsConstraintComponent": "lessThanOrEquals",
}


def test_every_constraint_component_of_the_shapes_has_an_injection(shapes: Graph) -> None:
    used = {str(p).removeprefix(SH) for _, p, _ in shapes if str(p).startswith(SH)}
    parameters = used - {
        *("path", "message", "name", "description", "property", "targetClass", "targetSubjectsOf"),
        *("targetObjectsOf", "select", "qualifiedValueShape", "in"),
    }
    assert parameters == set(_PARAMETERS.values())
    assert set(INJECTIONS) == set(_PARAMETERS)
    for lst in shapes.objects(None, URIRef(SH + "in")):
        (owner,) = shapes.subjects(URIRef(SH + "in"), lst)
        assert (None, URIRef(SH + "qualifiedValueShape"), owner) in shapes


def _jena(classpath: str, shapes_file: Path, triples: set[tuple[str, str, str]], tmp_path: Path) -> set:
    data = tmp_path / "data.nt"
    data.write_text("".join(f"{s} {p} {o} .\n" for s, p, o in sorted(triples)), encoding="utf-8")
    done = subprocess.run(
        ["java", "-cp", classpath, "shacl.shacl", "validate", "--shapes", str(shapes_file), "--data", str(data)],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {r[:3] for r in _top_results(Graph().parse(data=done.stdout, format="turtle"))}


@pytest.mark.slow  # Jena and pyshacl run once per injection: about two minutes
def test_three_shacl_engines_agree_on_the_seed_and_on_every_injected_violation(
    seed, shapes: Graph, tmp_path: Path
) -> None:
    classpath = javatools.jena_classpath(tmp_path)
    _, reasoning, asserted, _ = seed
    shapes_file = ROOT / "shapes" / "b40.ttl"
    view = _view(reasoning, asserted, shapes)
    fast, plain = _both_engines(view, shapes)
    assert fast == plain == set() == _jena(classpath, shapes_file, view, tmp_path)
    for component, mutate in INJECTIONS.items():
        data = _union(asserted)
        focus, path = mutate(data)
        view = _view(reasoning, data, shapes)
        fast, plain = _both_engines(view, shapes)
        jena = _jena(classpath, shapes_file, view, tmp_path)
        assert fast == plain, component
        assert {r[:3] for r in fast} == jena, (component, fast, jena)
        assert (str(focus), str(path), component) in jena, (component, jena)
