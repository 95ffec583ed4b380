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
from pathlib import Path

import owlrl
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import FOAF, ORG, OWL, RDF, RDFS, SKOS, TIME, XSD

from b40graph import nt, shaclcore
from b40graph.build import _parse_turtle, compile_dataset, reasoning_ontology, validation_view
from b40graph.reason import infer, infer_fast
from b40graph.settings import Settings
from b40graph.validate import compiled_shapes, shacl

from .conftest import BASE, ROOT

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
    """(settings, reasoning ontology, asserted data, published graph) of the project's seed data."""
    settings = Settings(root=ROOT, out=tmp_path_factory.mktemp("dist"), engine="fast", cache=False)
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
