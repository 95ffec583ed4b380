"""The build's OWL 2 RL engine (compiled rules, reason.infer_fast) derives exactly what owlrl derives."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from b40graph.author.synthetic import generate
from b40graph.core import ntriples as nt
from b40graph.core.iris import Minter
from b40graph.core.settings import Settings
from b40graph.model.assemble import assemble
from b40graph.model.cached import read_sources
from b40graph.reason.closure import infer, infer_fast
from b40graph.reason.ontology import parse_turtle as _parse_turtle
from b40graph.reason.ontology import reasoning_ontology
from b40graph.reason.rules import Unsupported, compile_tbox
from b40graph.sources.reference import load_reference

from .conftest import BASE, ROOT


def _asserted(root: Path) -> tuple[Graph, Graph]:
    settings = Settings(root=root)
    ref = load_reference(settings.data_dir, settings.base)
    asm = assemble(read_sources(settings), ref, Minter(settings.base), settings.root)
    data = Graph()
    for graph in asm.graphs.values():
        for triple in graph:
            data.add(triple)
    return reasoning_ontology(settings, _parse_turtle(settings.ontology_file, "ontology")), data


def _both(ontology: Graph, data: Graph) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    by_owlrl = {nt.split(line) for line in nt.graph_lines(infer(ontology, data, BASE))}
    data_triples = [nt.split(line) for line in nt.graph_lines(data)]
    by_rules = set(infer_fast(ontology, nt.graph_lines(ontology), data_triples, BASE))
    return by_owlrl, by_rules


def test_same_triples_as_owlrl_on_the_project_data():
    by_owlrl, by_rules = _both(*_asserted(ROOT))
    assert by_rules == by_owlrl
    # and the derivations the project relies on are among them
    predicates = {p for _, p, _ in by_rules}
    for name in ("signatory", "signed", "party", "partyTo", "commitsTo", "signatureOf", "commitmentOf"):
        assert f"<https://w3id.org/b40/ontology#{name}>" in predicates, name
    assert "<http://www.w3.org/ns/org#memberOf>" in predicates


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(60, tmp_path_factory.mktemp("net") / "p", seed=7)


def test_same_triples_as_owlrl_on_a_generated_network(generated):
    by_owlrl, by_rules = _both(*_asserted(generated))
    assert len(by_rules) > 1000
    assert by_rules == by_owlrl


def test_features_the_rules_do_not_implement_fall_back_to_owlrl():
    ontology = Graph().parse(
        data="""@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix ex: <https://w3id.org/b40/x#> .
        ex:near a owl:ObjectProperty , owl:TransitiveProperty , owl:SymmetricProperty .""",
        format="turtle",
    )
    with pytest.raises(Unsupported):
        compile_tbox(ontology)
    data = Graph().parse(
        data=f"""<{BASE}id/a> <https://w3id.org/b40/x#near> <{BASE}id/b> .
        <{BASE}id/b> <https://w3id.org/b40/x#near> <{BASE}id/c> .""",
        format="turtle",
    )
    by_owlrl, by_engine = _both(ontology, data)
    assert by_engine == by_owlrl
    assert (f"<{BASE}id/a>", "<https://w3id.org/b40/x#near>", f"<{BASE}id/c>") in by_engine


def test_schema_triples_in_the_data_fall_back_to_owlrl():
    ontology, data = _asserted(ROOT)
    extra = Graph().parse(
        data=f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/b40/ontology#Municipality> rdfs:subClassOf <{BASE}id/Thing> .""",
        format="turtle",
    )
    for triple in extra:
        data.add(triple)
    by_owlrl, by_engine = _both(ontology, data)
    assert by_engine == by_owlrl
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    assert (f"<{BASE}id/municipality/athens>", rdf_type, f"<{BASE}id/Thing>") in by_engine
