"""The ontology, the SHACL shapes and the theme scheme: well-formed, complete, and working together.

No network access: the three Turtle files are read from the repository and the example data is
built here.
"""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS

from b40graph.core import ntriples as nt
from b40graph.pipeline import validation_view
from b40graph.reason.closure import infer

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "b40.ttl"
ALIGNMENT_FILE = ROOT / "ontology" / "alignment.ttl"
SHAPES_FILE = ROOT / "shapes" / "b40.ttl"
THEMES_FILE = ROOT / "data" / "themes.ttl"

BASE = "https://w3id.org/b40/"
B40 = Namespace("https://w3id.org/b40/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/b40/ontology")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SDG = "http://metadata.un.org/sdg/"

# The classes of docs/model.md, each of which must have a shape.
MODEL_CLASSES = [
    B40.Network,
    B40.Municipality,
    SCHEMA.City,
    SCHEMA.AdministrativeArea,
    SCHEMA.Country,
    FOAF.Person,
    B40.Declaration,
    B40.Clause,
    B40.Signature,
    B40.Commitment,
    B40.SignatoryRole,
    ORG.Membership,
    B40.Event,
    B40.SourceDocument,
    SKOS.ConceptScheme,
    SKOS.Concept,
]

# A small dataset: one declaration, one signature, one membership, one commitment. The theme comes
# from data/themes.ttl, which is validated along with it.
EXAMPLE = """
@prefix b40:    <https://w3id.org/b40/ontology#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix schema: <https://schema.org/> .
@prefix time:   <http://www.w3.org/2006/time#> .
@prefix spdx:   <http://spdx.org/rdf/terms#> .

<id/network/b40> a b40:Network ;
    rdfs:label "B40 Balkan Cities Network"@en ;
    skos:prefLabel "B40 Balkan Cities Network"@en .

<id/country/gr> a schema:Country ;
    rdfs:label "Greece"@en , "Ελλάδα"@el ;
    schema:identifier "GR" .

<id/place/athens> a schema:City ;
    rdfs:label "Athens"@en ;
    b40:country <id/country/gr> ;
    schema:containedInPlace <id/country/gr> .

<id/municipality/athens> a b40:Municipality ;
    rdfs:label "City of Athens"@en ;
    dct:spatial <id/place/athens> ;
    b40:country <id/country/gr> .

<id/membership/b40/athens> a org:Membership ;
    rdfs:label "City of Athens: founding member"@en ;
    org:member <id/municipality/athens> ;
    org:organization <id/network/b40> ;
    org:role <id/role/founding-member> ;
    org:memberDuring <id/membership/b40/athens/period> ;
    b40:memberSince "2021-11-30"^^xsd:date .
<id/role/founding-member> a org:Role , skos:Concept ;
    rdfs:label "Founding member"@en ; skos:prefLabel "Founding member"@en ;
    skos:inScheme <id/roles> ; skos:topConceptOf <id/roles> .
<id/roles> a skos:ConceptScheme ; rdfs:label "Roles"@en ; skos:prefLabel "Roles"@en ; dct:title "Roles"@en ;
    skos:hasTopConcept <id/role/founding-member> , <id/role/mayor> .
<id/membership/b40/athens/period> a time:Interval ;
    time:hasBeginning <id/membership/b40/athens/period/start> .
<id/membership/b40/athens/period/start> a time:Instant ; time:inXSDDate "2021-11-30"^^xsd:date .

<id/event/2021-istanbul-kickoff> a b40:Event ;
    rdfs:label "B40 Balkan Cities Network kickoff meeting"@en ;
    schema:startDate "2021-11-29"^^xsd:date ;
    schema:endDate "2021-11-30"^^xsd:date .

<id/source/founding> a b40:SourceDocument ;
    rdfs:label "data/declarations/founding.md"@en ;
    b40:path "data/declarations/founding.md" ;
    spdx:checksum <id/source/founding/sha256> .
<id/source/founding/sha256> a spdx:Checksum ;
    spdx:algorithm spdx:checksumAlgorithm_sha256 ;
    spdx:checksumValue "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"^^xsd:hexBinary .

<id/declaration/founding> a b40:Declaration ;
    rdfs:label "B40 Balkan Cities Network Declaration"@en ;
    dct:title "B40 Balkan Cities Network Declaration"@en ;
    dct:identifier "founding" ;
    dct:issued "2021-11-30"^^xsd:date ;
    dct:language <http://id.loc.gov/vocabulary/iso639-1/en> ;
    dct:publisher <id/network/b40> ;
    dct:source <id/source/founding> ;
    schema:text "We declare to reverse the effects of the climate change."@en ;
    b40:adoptedAt <id/event/2021-istanbul-kickoff> ;
    b40:hasClause <id/declaration/founding/clause/1> ;
    b40:hasSignature <id/declaration/founding/signature/athens> ;
    b40:hasCommitment <id/declaration/founding/clause/1/commitment/climate-action> .

<id/declaration/founding/clause/1> a b40:OperativeClause ;
    rdfs:label "Clause 1 of B40 Balkan Cities Network Declaration"@en ;
    schema:position 1 ;
    schema:text "Reverse the effects of the climate change,"@en ;
    b40:clauseOf <id/declaration/founding> .

<id/declaration/founding/clause/1/commitment/climate-action> a b40:Commitment , b40:TaggedCommitment ;
    rdfs:label "Clause 1 commits to climate change"@en ;
    b40:theme <id/theme/climate-action> ;
    b40:statedIn <id/declaration/founding/clause/1> ;
    b40:matchedLabel "climate change"@en ;
    b40:matchedText "climate change"@en .

<id/declaration/founding/signature/athens> a b40:Signature ;
    rdfs:label "Signature of Kostas Bakoyannis on behalf of City of Athens"@en ;
    prov:agent <id/person/kostas-bakoyannis> ;
    b40:onBehalfOf <id/municipality/athens> ;
    b40:signatoryRole <id/role/mayor> ;
    dct:date "2021-11-30"^^xsd:date ;
    b40:roleText "Mayor of Athens" ;
    b40:nameAsPrinted "Kostas BAKOYANNIS" .

<id/person/kostas-bakoyannis> a foaf:Person ;
    rdfs:label "Kostas Bakoyannis" ;
    foaf:name "Kostas Bakoyannis" ;
    foaf:givenName "Kostas" ;
    foaf:familyName "Bakoyannis" .

<id/role/mayor> a b40:SignatoryRole , skos:Concept ; rdfs:label "Mayor"@en ; skos:prefLabel "Mayor"@en ;
    skos:inScheme <id/roles> ; skos:topConceptOf <id/roles> .
"""


def iri(path: str) -> URIRef:
    return URIRef(BASE + path)


DECL = iri("id/declaration/founding")
SIGNATURE = iri("id/declaration/founding/signature/athens")
PERSON = iri("id/person/kostas-bakoyannis")
MUNI = iri("id/municipality/athens")
NETWORK = iri("id/network/b40")
THEME = iri("id/theme/climate-action")
EVENT = iri("id/event/2021-istanbul-kickoff")


def union(*graphs: Graph) -> Graph:
    out = Graph()
    for graph in graphs:
        for triple in graph:
            out.add(triple)
    return out


def closure(ontology: Graph, data: Graph) -> Graph:
    """Ontology + data + everything OWL 2 RL derives from them."""
    closed = union(ontology, data)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return closed


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def reasoning(ontology: Graph) -> Graph:
    """The ontology and the other vocabularies' axioms restated for reasoning (ontology/alignment.ttl)."""
    return union(ontology, Graph().parse(ALIGNMENT_FILE, format="turtle"))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@pytest.fixture(scope="module")
def themes() -> Graph:
    return Graph().parse(THEMES_FILE, format="turtle", publicID=BASE)


@pytest.fixture(scope="module")
def example(themes: Graph) -> Graph:
    return union(Graph().parse(data=EXAMPLE, format="turtle", publicID=BASE), themes)


@pytest.fixture(scope="module")
def closed(reasoning: Graph, example: Graph) -> Graph:
    return closure(reasoning, example)


def b40_terms(ontology: Graph) -> set[URIRef]:
    return {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(B40))}


def theme_concepts(themes: Graph) -> list[URIRef]:
    return sorted(s for s in themes.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef))


# --- the ontology -------------------------------------------------------------------------------


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert (ONTOLOGY_IRI, DCT.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in ontology
    for prop in (DCT.title, DCT.description):
        value = ontology.value(ONTOLOGY_IRI, prop)
        assert isinstance(value, Literal) and value.language == "en"
    vann = Namespace("http://purl.org/vocab/vann/")
    assert str(ontology.value(ONTOLOGY_IRI, vann.preferredNamespacePrefix)) == "b40"
    assert str(ontology.value(ONTOLOGY_IRI, vann.preferredNamespaceUri)) == str(B40)


def test_every_b40_term_is_labelled_defined_and_typed(ontology: Graph) -> None:
    terms = b40_terms(ontology)
    assert len(terms) > 30
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    for term in terms:
        labels = [o for o in ontology.objects(term, RDFS.label) if isinstance(o, Literal) and o.language == "en"]
        definitions = [
            o for o in ontology.objects(term, SKOS.definition) if isinstance(o, Literal) and o.language == "en"
        ]
        assert len(labels) == 1, f"{term} needs one @en rdfs:label"
        assert definitions, f"{term} needs an @en skos:definition"
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology, term
        assert set(ontology.objects(term, RDF.type)) & kinds, f"{term} is neither a class nor a property"


def test_property_kinds_domains_and_ranges(ontology: Graph) -> None:
    datatype = {B40.roleText, B40.nameAsPrinted, B40.matchedLabel, B40.matchedText, B40.path}
    # xsd:date values: not in the OWL 2 datatype map, so annotation properties (as dct:issued is)
    for term in (B40.memberSince, B40.memberUntil):
        assert (term, RDF.type, OWL.AnnotationProperty) in ontology
        assert (term, RDFS.range, None) not in ontology and (term, RDFS.domain, None) not in ontology
    for term in b40_terms(ontology):
        if (term, RDF.type, OWL.Class) in ontology or term in (B40.memberSince, B40.memberUntil):
            continue
        expected = OWL.DatatypeProperty if term in datatype else OWL.ObjectProperty
        assert (term, RDF.type, expected) in ontology, term
        assert ontology.value(term, RDFS.range) is not None, f"{term} has no range"
    assert ontology.value(B40.country, RDFS.domain) is None  # used on places and municipalities alike
    assert ontology.value(B40.matchedLabel, RDFS.range) == RDFS.Literal  # rdf:langString is not an OWL 2 datatype
    assert ontology.value(B40.signatory, RDFS.domain) == B40.Declaration
    assert ontology.value(B40.onBehalfOf, RDFS.range) == B40.Municipality
    # PROV-O documents prov:hadRole for associations and instantaneous events, not for a prov:Attribution
    assert ontology.value(B40.signatoryRole, RDFS.domain) == B40.Signature
    assert ontology.value(B40.signatoryRole, RDFS.range) == B40.SignatoryRole
    assert ontology.value(B40.signatoryRole, RDFS.subPropertyOf) is None


def test_axioms_from_the_model(ontology: Graph, reasoning: Graph) -> None:
    def chain(prop: URIRef) -> list[URIRef]:
        head = ontology.value(prop, OWL.propertyChainAxiom)
        assert head is not None, f"{prop} has no property chain"
        return [URIRef(x) for x in ontology.items(head)]

    assert chain(B40.signatory) == [B40.hasSignature, PROV.agent]
    assert chain(B40.party) == [B40.hasSignature, B40.onBehalfOf]
    assert chain(B40.commitsTo) == [B40.hasCommitment, B40.theme]
    assert chain(B40.memberOfNetwork) == [ORG.hasMembership, ORG.organization]
    assert (ORG.memberOf, OWL.propertyChainAxiom, None) not in reasoning  # ORG states none on its own term
    inverses = {
        B40.hasSignature: B40.signatureOf,
        B40.signatory: B40.signed,
        B40.party: B40.partyTo,
        B40.hasClause: B40.clauseOf,
        B40.hasCommitment: B40.commitmentOf,
        B40.commitsTo: B40.committedToBy,
    }
    for prop, inverse in inverses.items():
        assert (prop, OWL.inverseOf, inverse) in ontology or (inverse, OWL.inverseOf, prop) in ontology
    # ORG's own inverses, restated for reasoning in the alignment (not in the published ontology).
    for prop, inverse in {ORG.hasMembership: ORG.member, ORG.hasMember: ORG.memberOf}.items():
        assert (prop, OWL.inverseOf, inverse) in reasoning
        assert (prop, OWL.inverseOf, inverse) not in ontology
    sub_properties = {
        B40.hasSignature: PROV.qualifiedAttribution,
        B40.signatory: PROV.wasAttributedTo,
        B40.party: PROV.wasAttributedTo,
        B40.hasClause: DCT.hasPart,
        B40.clauseOf: DCT.isPartOf,
        B40.commitsTo: DCT.subject,
        B40.adoptedAt: PROV.wasGeneratedBy,
        B40.memberOfNetwork: ORG.memberOf,
    }
    for prop, parent in sub_properties.items():
        assert (prop, RDFS.subPropertyOf, parent) in ontology
    assert (B40.Network, RDFS.subClassOf, ORG.OrganizationalCollaboration) in ontology
    assert (B40.Signature, RDFS.subClassOf, PROV.Attribution) in ontology
    assert (B40.OperativeClause, RDFS.subClassOf, B40.Clause) in ontology
    assert (B40.Municipality, RDFS.subClassOf, SCHEMA.GovernmentOrganization) in ontology
    assert (B40.Municipality, OWL.disjointWith, SCHEMA.Place) in ontology
    assert (B40.country, RDFS.subPropertyOf, SCHEMA.containedInPlace) not in ontology  # used on municipalities


def test_ontology_avoids_equality_and_cardinality(ontology: Graph) -> None:
    for prop in (
        OWL.sameAs,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.maxCardinality,
        OWL.cardinality,
        OWL.maxQualifiedCardinality,
    ):
        assert not list(ontology.triples((None, prop, None))), prop
    for kind in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty):
        assert not list(ontology.subjects(RDF.type, kind)), kind
    # Only schema.org's https namespace.
    assert not [t for t in ontology for x in t if isinstance(x, URIRef) and x.startswith("http://schema.org/")]
    # The only blank nodes are the RDF lists of the property chains.
    for node in {x for t in ontology for x in t if isinstance(x, BNode)}:
        assert ontology.value(node, RDF.first) is not None, "a blank node that is not a list cell"


# --- reasoning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "triple",
    [
        (DECL, B40.signatory, PERSON),
        (PERSON, B40.signed, DECL),
        (DECL, B40.party, MUNI),
        (MUNI, B40.partyTo, DECL),
        (MUNI, ORG.hasMembership, iri("id/membership/b40/athens")),
        (MUNI, ORG.memberOf, NETWORK),
        (NETWORK, ORG.hasMember, MUNI),
        (DECL, B40.commitsTo, THEME),
        (THEME, B40.committedToBy, DECL),
        (SIGNATURE, B40.signatureOf, DECL),
        (DECL, DCT.subject, THEME),
        (DECL, PROV.wasAttributedTo, PERSON),
        (DECL, PROV.wasAttributedTo, MUNI),
        (DECL, PROV.wasGeneratedBy, EVENT),
        (DECL, PROV.qualifiedAttribution, SIGNATURE),
        (DECL, DCT.hasPart, iri("id/declaration/founding/clause/1")),
        (iri("id/declaration/founding/clause/1"), RDF.type, B40.Clause),
        (MUNI, RDF.type, ORG.Organization),
        (PERSON, RDF.type, PROV.Agent),
    ],
    ids=lambda t: " ".join(str(x).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for x in t),
)
def test_owl_rl_derives_the_plain_relations(closed: Graph, example: Graph, triple: tuple) -> None:
    assert triple not in example, "the example must not assert what the reasoner should derive"
    assert triple in closed


def test_owl_rl_derives_no_equality(closed: Graph) -> None:
    assert not [(s, o) for s, o in closed.subject_objects(OWL.sameAs) if s != o]


# --- shapes -------------------------------------------------------------------------------------


def test_every_class_has_a_targeting_node_shape(ontology: Graph, shapes: Graph) -> None:
    targeted = {
        cls for shape in shapes.subjects(RDF.type, SH.NodeShape) for cls in shapes.objects(shape, SH.targetClass)
    }
    if any(shapes.subjects(SH.targetObjectsOf, SKOS.hasTopConcept)):
        targeted.add(SKOS.Concept)  # the themes, as the members of their scheme
    b40_classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(B40))}
    missing = sorted((b40_classes | set(MODEL_CLASSES)) - targeted)
    assert not missing, f"classes without a shape: {missing}"


def test_every_property_shape_has_message_name_and_description(shapes: Graph) -> None:
    property_shapes = set(shapes.objects(None, SH.property))
    assert len(property_shapes) > 40
    for shape in property_shapes:
        path = shapes.value(shape, SH.path)
        for prop in (SH.message, SH.name, SH.description):
            assert shapes.value(shape, prop) is not None, f"the property shape for {path} has no {prop}"
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None


def test_labels_must_be_language_tagged_except_for_persons(shapes: Graph) -> None:
    for path in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCT.title):
        tagged = {
            node
            for ps in shapes.subjects(SH.path, path)
            if shapes.value(ps, SH.datatype) == RDF.langString
            for node in shapes.subjects(SH.property, ps)
        }
        targets = {cls for node in tagged for cls in shapes.objects(node, SH.targetClass)}
        assert set(MODEL_CLASSES) - {FOAF.Person, SKOS.Concept} <= targets, path
        # the themes: the members of the scheme (not every skos:Concept: ORG makes roles concepts)
        assert SKOS.hasTopConcept in {p for node in tagged for p in shapes.objects(node, SH.targetObjectsOf)}
        assert FOAF.Person not in targets


def conforms(ontology: Graph, data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """Validated as the build validates: the asserted data, the class hierarchy and the derived triples of
    the shapes' paths (build.validation_view), never a derived type."""
    reasoning = union(ontology, Graph().parse(ALIGNMENT_FILE, format="turtle"))
    inferred = infer(reasoning, data, BASE)
    view = validation_view(
        set(map(nt.split, nt.graph_lines(data))),
        list(map(nt.split, nt.graph_lines(inferred))),
        nt.graph_lines(reasoning),
        shapes,
    )
    graph = Graph()
    for triple in view:
        graph.add(tuple(nt.to_rdflib(x) for x in triple))  # type: ignore[arg-type]
    ok, report, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(report, Graph)
    return bool(ok), report


def results(report: Graph) -> list[tuple]:
    return [
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath), str(report.value(r, SH.resultMessage)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]


def shape_message(shapes: Graph, target: URIRef, path: URIRef) -> str:
    found = [
        ps
        for node in shapes.subjects(SH.targetClass, target)
        for ps in shapes.objects(node, SH.property)
        if shapes.value(ps, SH.path) == path
    ]
    assert len(found) == 1
    return str(shapes.value(found[0], SH.message))


def test_the_example_conforms(ontology: Graph, example: Graph, shapes: Graph) -> None:
    ok, report = conforms(ontology, example, shapes)
    assert ok, results(report)


def test_a_signature_without_a_person_is_reported(ontology: Graph, example: Graph, shapes: Graph) -> None:
    broken = union(example)
    broken.remove((SIGNATURE, PROV.agent, None))
    ok, report = conforms(ontology, broken, shapes)
    assert not ok
    message = shape_message(shapes, B40.Signature, PROV.agent)
    assert "exactly one person" in message and "On behalf of" in message
    assert (SIGNATURE, PROV.agent, message) in results(report)


def test_a_party_that_is_not_a_member_is_reported(ontology: Graph, example: Graph, shapes: Graph) -> None:
    broken = union(example)
    broken.remove((iri("id/membership/b40/athens"), None, None))
    ok, report = conforms(ontology, broken, shapes)
    assert not ok
    assert any(
        focus == SIGNATURE and path == B40.onBehalfOf and "not a member" in msg for focus, path, msg in results(report)
    )


def test_a_family_name_in_capitals_is_reported(ontology: Graph, example: Graph, shapes: Graph) -> None:
    broken = union(example)
    broken.set((PERSON, FOAF.familyName, Literal("BAKOYANNIS")))
    ok, report = conforms(ontology, broken, shapes)
    assert not ok
    assert any(
        focus == PERSON and path == FOAF.familyName and "capitals" in msg for focus, path, msg in results(report)
    )


def test_an_untagged_label_is_reported(ontology: Graph, example: Graph, shapes: Graph) -> None:
    broken = union(example)
    broken.set((MUNI, RDFS.label, Literal("City of Athens")))
    ok, report = conforms(ontology, broken, shapes)
    assert not ok
    assert any(focus == MUNI and path == RDFS.label for focus, path, _ in results(report))


def test_a_declaration_without_a_theme_is_reported(ontology: Graph, example: Graph, shapes: Graph) -> None:
    broken = union(example)
    broken.remove((DECL, B40.hasCommitment, None))
    broken.remove((iri("id/declaration/founding/clause/1/commitment/climate-action"), None, None))
    ok, report = conforms(ontology, broken, shapes)
    assert not ok
    assert (DECL, B40.commitsTo, shape_message(shapes, B40.Declaration, B40.commitsTo)) in results(report)


# --- themes -------------------------------------------------------------------------------------


def test_themes_file_has_no_base_and_follows_the_configured_base() -> None:
    lines = [line.strip() for line in THEMES_FILE.read_text(encoding="utf-8").splitlines()]
    assert not [line for line in lines if line.lower().startswith(("@base", "base "))]
    elsewhere = Graph().parse(THEMES_FILE, format="turtle", publicID="https://example.org/b40/")
    concepts = theme_concepts(elsewhere)
    assert concepts and all(c.startswith("https://example.org/b40/id/theme/") for c in concepts)


def test_theme_scheme(themes: Graph) -> None:
    scheme = iri("id/themes")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in themes
    for prop in (RDFS.label, SKOS.prefLabel, DCT.title, DCT.description):
        value = themes.value(scheme, prop)
        assert isinstance(value, Literal) and value.language == "en", prop
    concepts = theme_concepts(themes)
    assert 12 <= len(concepts) <= 20
    assert set(themes.objects(scheme, SKOS.hasTopConcept)) == set(concepts)


def test_every_theme_is_complete(themes: Graph) -> None:
    scheme = iri("id/themes")
    for concept in theme_concepts(themes):
        assert concept.startswith(BASE + "id/theme/")
        pref = list(themes.objects(concept, SKOS.prefLabel))
        languages = [p.language for p in pref]  # one preferred label per language (SKOS), one in English
        assert "en" in languages and len(set(languages)) == len(languages) and None not in languages, concept
        alt = list(themes.objects(concept, SKOS.altLabel))
        assert any(a.language == "en" for a in alt) and all(a.language for a in alt), concept
        definitions = list(themes.objects(concept, SKOS.definition))
        assert len(definitions) == 1 and definitions[0].language == "en", concept
        assert (concept, SKOS.inScheme, scheme) in themes
        assert (concept, SKOS.topConceptOf, scheme) in themes
        for prop in (SKOS.exactMatch, SKOS.closeMatch):
            for target in themes.objects(concept, prop):
                assert str(target).startswith(SDG), target


def test_theme_labels_do_not_collide(themes: Graph) -> None:
    owner: dict[str, URIRef] = {}
    for concept in theme_concepts(themes):
        labels = {str(lab).casefold() for p in (SKOS.prefLabel, SKOS.altLabel) for lab in themes.objects(concept, p)}
        for label in labels:
            assert label not in owner, f"'{label}' is a label of both {owner[label]} and {concept}"
            owner[label] = concept
    for generic in ("cooperation", "network", "city", "cities", "development"):
        assert generic not in owner, f"'{generic}' is too broad to be a theme label"


def test_climate_action_is_sdg_13(themes: Graph) -> None:
    assert (iri("id/theme/climate-action"), SKOS.exactMatch, URIRef(SDG + "13")) in themes
